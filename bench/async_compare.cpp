// Our asynchronous push and pop (<mpmc/asio.hpp>) side by side with Asio's
// experimental::concurrent_channel<void(error_code, uint64_t)> of the same
// capacity, from C++20 coroutines (use_awaitable) on the same io_context threads.
//
//   cmake --preset bench && cmake --build --preset bench
//   build/bench/bench/async_compare [REPS [ITEMS]] [--scenarios S,...] [--threads N]
//       [--contenders C,...] [--timeout SECONDS]
//
// REPS defaults to 5, ITEMS to 1000000; --threads (default 2) is the number of
// threads that run the io_context in pingpong-mt and 4x4. Scenarios:
//   pingpong     two coroutines on an io_context run by one thread, a request
//                and a response queue of capacity 1024, ITEMS/4 round trips;
//                ns per round trip
//   pingpong-mt  the same with --threads threads running the io_context
//   4x4          4 producer and 4 consumer coroutines, --threads threads, one
//                queue of capacity 1024, ITEMS items; M items/s. Every item is
//                checked delivered exactly once (count, sum, sum of squares)
//   wake         a coroutine waits in pop on an empty queue (one io_context
//                thread); a plain std::thread pushes a steady_clock timestamp
//                after a 1 ms pause, 300 times; the latency from just before
//                the push to the coroutine resuming, median and p99 in µs
// pingpong and 4x4 also report how many handlers the io_context ran per round
// trip or item (io_context::run()'s count): the scheduler's share of the work,
// the same for any contender that posts each completion.
// Contenders: `default` (mpmc::queue<uint64_t>, which parks on a futex),
// `ticket` (the same with claim::ticket) and `channel`; on request `no-yield`
// (the default without the yields before an operation links its record: what
// they cost a wake-up, and what ping-pong on two threads loses without them).
//
// The method is compare.cpp's: each (contender, scenario) measurement runs in
// a process of its own (this program re-run with --one), so that none
// inherits another's heap, threads or allocator caches, and one that hangs is
// killed after the timeout (default 60 s). Repetitions are interleaved: every
// contender runs once per scenario before any runs twice, so a slow phase of
// the shared machine spreads over all of them. Each measurement first runs
// its scenario once at an eighth of the size, untimed, to start the threads
// and fill Asio's per-thread recycling caches. The table shows medians, the
// ratio ours/channel of those medians, and the median of the per-repetition
// ratios (each repetition's contenders ran back to back); every repetition's
// samples follow the table.
#include "runner.hpp"

#include <mpmc/asio.hpp>
#include <mpmc/queue.hpp>

#include <asio/co_spawn.hpp>
#include <asio/error.hpp>
#include <asio/experimental/concurrent_channel.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>

#if !defined(ASIO_HAS_CO_AWAIT)
#error "async_compare needs Asio's coroutine support (ASIO_HAS_CO_AWAIT)"
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace {

using item = std::uint64_t;
using asio::awaitable;
using asio::use_awaitable;
constexpr std::size_t capacity = 1024;

// A wrong figure must not look like a fast one: checks end the process loudly.
void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "async_compare: %s\n", what);
    std::exit(1);
  }
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The contenders, each with one queue type and the calls the scenarios make.
// push() and pop() return the operation's awaitable itself, not a coroutine
// wrapping it, so that no contender pays for an extra coroutine frame per call.
template <class Q>
struct ours {
  Q q;
  explicit ours(asio::io_context&) : q(capacity) {}
  auto push(item v) { return mpmc::async_push(q, v, use_awaitable); }
  auto pop() { return mpmc::async_pop(q, use_awaitable); }
  // A plain thread's call: the blocking push (the queue is empty in `wake`).
  void thread_push(item v) { q.push(v); }
};

struct channel {
  asio::experimental::concurrent_channel<void(asio::error_code, item)> ch;
  explicit channel(asio::io_context& ioc) : ch(ioc, capacity) {}
  auto push(item v) { return ch.async_send(asio::error_code{}, v, use_awaitable); }
  auto pop() { return ch.async_receive(use_awaitable); }
  // The channel has no blocking send for a thread that runs no io_context.
  // try_send is its synchronous call, as the queue's push is ours: it hands the
  // value to the waiting receiver and posts its completion, with nothing for
  // the sender to wait for. async_send with use_future would add a promise and
  // a post of the sender's own completion. The loop never turns in `wake` (the
  // channel is empty); it is there so that a full channel would not drop items.
  void thread_push(item v) {
    while (!ch.try_send(asio::error_code{}, v)) std::this_thread::yield();
  }
};

// Ours completes a pop with std::optional<item>; the channel with the item.
item value_of(const std::optional<item>& v) { return *v; }
item value_of(item v) { return v; }

// Runs `ioc` on `threads` threads (this one among them) until it has no work;
// returns how many handlers they ran, posts and dispatches alike: what the
// io_context's scheduler did for the contender.
std::size_t run_on(asio::io_context& ioc, unsigned threads) {
  std::vector<std::size_t> handlers(threads);
  std::vector<std::thread> others;
  for (unsigned i = 1; i < threads; ++i)
    others.emplace_back([&ioc, &handlers, i] { handlers[i] = ioc.run(); });
  handlers[0] = ioc.run();
  for (auto& t : others) t.join();
  std::size_t total = 0;
  for (std::size_t h : handlers) total += h;
  return total;
}

// A coroutine's exception (a failed operation) ends the process.
void rethrow(std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
}

using bench::sample;  // extra: wake's p99; the others' io_context handlers run per round trip or
                      // item

// --- pingpong: a round trip through a request and a response queue ----------

template <class C>
awaitable<void> ping(C& request, C& response, item n, std::int64_t& end) {
  for (item i = 1; i <= n; ++i) {
    co_await request.push(i);
    check(value_of(co_await response.pop()) == i, "pingpong: wrong answer");
  }
  end = now_ns();
}

template <class C>
awaitable<void> pong(C& request, C& response, item n) {
  for (item i = 1; i <= n; ++i) co_await response.push(value_of(co_await request.pop()));
}

template <class C>
sample pingpong(item n, unsigned threads) {
  asio::io_context ioc;
  C request(ioc), response(ioc);
  std::int64_t end = 0;
  asio::co_spawn(ioc, pong(request, response, n), rethrow);
  asio::co_spawn(ioc, ping(request, response, n, end), rethrow);
  const std::int64_t start = now_ns();
  const std::size_t handlers = run_on(ioc, threads);
  return {static_cast<double>(end - start) / static_cast<double>(n),
          static_cast<double>(handlers) / static_cast<double>(n)};
}

// --- 4x4: producers and consumers on one queue --------------------------------

constexpr unsigned sides = 4;

// What one consumer received; each consumer writes only its own.
struct alignas(64) tally {
  item count = 0, sum = 0, squares = 0;  // sums modulo 2^64
};

template <class C>
awaitable<void> producer(C& q, item first, item last, std::atomic<unsigned>& done) {
  for (item v = first; v <= last; ++v) co_await q.push(v);
  // acq_rel: the release publishes this producer's completed pushes; the last
  // producer's acquire pairs with the others' releases, so its sentinels
  // follow every item of every producer.
  if (done.fetch_add(1, std::memory_order_acq_rel) + 1 == sides)
    for (unsigned i = 0; i != sides; ++i) co_await q.push(0);  // one stop sentinel per consumer
}

template <class C>
awaitable<void> consumer(C& q, tally& t, std::atomic<unsigned>& finished, std::int64_t& end) {
  for (;;) {
    const item v = value_of(co_await q.pop());
    if (v == 0) break;
    ++t.count;
    t.sum += v;
    t.squares += v * v;
  }
  // relaxed: pairs with nothing; only the count matters. run_on()'s joins
  // order `end` and the tallies before the check reads them.
  if (finished.fetch_add(1, std::memory_order_relaxed) + 1 == sides) end = now_ns();
}

template <class C>
sample four_by_four(item n, unsigned threads) {
  const item per = n / sides;
  n = per * sides;
  asio::io_context ioc;
  C q(ioc);
  std::atomic<unsigned> done{0}, finished{0};
  std::vector<tally> tallies(sides);
  std::int64_t end = 0;
  for (unsigned i = 0; i != sides; ++i) {
    asio::co_spawn(ioc, consumer(q, tallies[i], finished, end), rethrow);
    asio::co_spawn(ioc, producer(q, i * per + 1, (i + 1) * per, done), rethrow);
  }
  const std::int64_t start = now_ns();
  const std::size_t handlers = run_on(ioc, threads);
  // Items 1..n: a lost item and a duplicate could balance a count and a sum,
  // hardly also the sum of squares.
  item count = 0, sum = 0, squares = 0, want_squares = 0;
  for (const tally& t : tallies) {
    count += t.count;
    sum += t.sum;
    squares += t.squares;
  }
  for (item v = 1; v <= n; ++v) want_squares += v * v;
  check(count == n, "4x4: item count mismatch");
  check(sum == n * (n + 1) / 2, "4x4: sum mismatch");
  check(squares == want_squares, "4x4: sum of squares mismatch");
  return {static_cast<double>(n) / (static_cast<double>(end - start) * 1e-9) / 1e6,
          static_cast<double>(handlers) / static_cast<double>(n)};
}

// --- wake: a thread's push to a coroutine parked in pop -----------------------

constexpr auto wake_pause = std::chrono::milliseconds(1);

template <class C>
awaitable<void> waiter(C& q, std::vector<std::int64_t>& latency) {
  for (auto& l : latency) {
    const item pushed_at = value_of(co_await q.pop());
    l = now_ns() - static_cast<std::int64_t>(pushed_at);
  }
}

template <class C>
sample wake(item wakes) {
  asio::io_context ioc;
  C q(ioc);
  std::vector<std::int64_t> latency(wakes);
  asio::co_spawn(ioc, waiter(q, latency), rethrow);
  std::thread pusher([&q, wakes] {
    for (item i = 0; i != wakes; ++i) {
      // Long enough for the coroutine to be waiting and its thread to sleep
      // in the io_context, so that each push wakes a parked consumer.
      std::this_thread::sleep_for(wake_pause);
      q.thread_push(static_cast<item>(now_ns()));
    }
  });
  ioc.run();
  pusher.join();
  std::sort(latency.begin(), latency.end());
  const auto at = [&](double q) {
    return static_cast<double>(
               latency[static_cast<std::size_t>(q * static_cast<double>(wakes - 1))]) *
           1e-3;
  };
  return {at(0.5), at(0.99)};
}

// --- the runner ----------------------------------------------------------------

constexpr item wakes = 300;

const std::vector<bench::contender> contenders = {
    {"default", "mpmc::queue (park on futex)", true},
    {"ticket", "mpmc::queue, claim::ticket", true},
    {"channel", "asio concurrent_channel", false},
    {"no-yield", "mpmc::queue, park<native, 64, 0>", true},
};

template <class C>
sample measure(const std::string& scenario, item n, unsigned threads) {
  const auto once = [&](item size) {
    if (scenario == "pingpong") return pingpong<C>(size / 4, 1);
    if (scenario == "pingpong-mt") return pingpong<C>(size / 4, threads);
    if (scenario == "4x4") return four_by_four<C>(size, threads);
    return wake<C>(size * wakes / n);
  };
  once(n / 8);
  return once(n);
}

sample measure(std::size_t who, const std::string& scenario, item n, unsigned threads) {
  switch (who) {
    case 0:
      return measure<ours<mpmc::queue<item>>>(scenario, n, threads);
    case 1:
      return measure<ours<mpmc::queue<item, mpmc::claim::ticket>>>(scenario, n, threads);
    case 3:
      return measure<ours<mpmc::queue<item, mpmc::wait::park<mpmc::backend::native, 64, 0>>>>(
          scenario, n, threads);
    default:
      return measure<channel>(scenario, n, threads);
  }
}

// The rows of a scenario, with the goal issue 23 sets for ours / channel (none: a diagnostic).
std::vector<bench::row> rows_of(const std::string& s, unsigned threads) {
  const std::string mt = " (" + std::to_string(threads) + " threads)";
  if (s == "pingpong")
    return {{"pingpong, ns per round trip (1 thread)", false, "<= 0.5"},
            {"pingpong, handlers run per round trip (1 thread)", true, ""}};
  if (s == "pingpong-mt")
    return {{"pingpong, ns per round trip" + mt, false, "<= 0.5"},
            {"pingpong, handlers run per round trip" + mt, true, ""}};
  if (s == "4x4")
    return {{"4x4, M items/s" + mt, false, ">= 3"}, {"4x4, handlers run per item" + mt, true, ""}};
  return {{"wake, median µs", false, "<= 1"}, {"wake, p99 µs", true, "<= 1"}};
}

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  unsigned threads = 2;
  int timeout_s = 60;
  std::vector<std::string> scenarios = {"pingpong", "pingpong-mt", "4x4", "wake"};
  std::vector<std::size_t> chosen = {0, 1, 2};
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const bool more = i + 1 < args.size();
    if (args[i] == "--threads" && more) {
      threads = static_cast<unsigned>(std::max(1, std::atoi(args[++i].c_str())));
    } else if (args[i] == "--timeout" && more) {
      timeout_s = std::max(1, std::atoi(args[++i].c_str()));
    } else if (args[i] == "--scenarios" && more) {
      scenarios = bench::split(args[++i]);
    } else if (args[i] == "--contenders" && more) {
      chosen = bench::pick(args[++i], contenders);
    } else if (args[i] == "--one" && i + 3 < args.size()) {
      // A child: one measurement, printed as "value extra".
      const std::size_t who = std::strtoul(args[i + 1].c_str(), nullptr, 10);
      check(who < contenders.size(), "--one: no such contender");
      const sample s =
          measure(who, args[i + 2], std::strtoull(args[i + 3].c_str(), nullptr, 10), threads);
      std::printf("%.6g %.6g\n", s.value, s.extra);
      return 0;
    } else if (args[i].rfind("--", 0) == 0) {
      std::fprintf(stderr,
                   "usage: async_compare [REPS [ITEMS]] [--scenarios S,...] [--threads N]\n"
                   "         [--contenders C,...] [--timeout SECONDS]\n"
                   "scenarios: pingpong, pingpong-mt, 4x4, wake; contenders: default, ticket, "
                   "channel, no-yield\n");
      return 2;
    } else {
      positional.push_back(args[i]);
    }
  }
  const int reps = positional.size() > 0 ? std::max(1, std::atoi(positional[0].c_str())) : 5;
  const item n = positional.size() > 1
                     ? std::max<item>(64, std::strtoull(positional[1].c_str(), nullptr, 10))
                     : 1000000;
  for (const auto& s : scenarios)
    check(s == "pingpong" || s == "pingpong-mt" || s == "4x4" || s == "wake",
          "unknown scenario (pingpong, pingpong-mt, 4x4, wake)");
  const bench::results results =
      bench::interleave(reps, scenarios, contenders, chosen, [&](std::size_t s, std::size_t c) {
        return bench::measure_in_child("async_compare", argv[0],
                                       {"--threads", std::to_string(threads)}, c, contenders,
                                       scenarios[s], n, timeout_s);
      });
  std::printf(
      "async_compare: %d repetitions, %llu items, capacity %zu, %u io_context threads in "
      "pingpong-mt and 4x4; medians\n\n",
      reps, static_cast<unsigned long long>(n), capacity, threads);
  bench::report(results, scenarios, contenders, chosen,
                [&](std::size_t s) { return rows_of(scenarios[s], threads); });
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "async_compare: %s\n", e.what());
    return 1;
  }
}
