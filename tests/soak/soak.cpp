// Soak test: rounds of 1..8 producers and 1..8 consumers on queues of many policy mixes and on
// channels, each thread mixing every push or pop operation, for a given time. A round ends by
// closing its queue (a channel: dropping its last sender), lets the consumers drain, checks what
// came out, and destroys the queue; the next round builds a new one. Speed is never checked, so the
// checks hold on a loaded machine, under a sanitizer, with more threads than cores.
//
//   soak [--seconds S] [--seed N] [--round R]
//
// Checked all along: each consumer sees each producer's elements in the order pushed; elements
// arrive intact (a heap-held text, so that use after destruction shows under AddressSanitizer);
// refused pushes and pops leave their arguments untouched; objects alive never exceed what the
// queue and the threads can hold, and none is destroyed twice; size() never exceeds capacity(); a
// blocking push fails only once closed, pop() reports the end only once closed; a push begun after
// close() returned (or after a channel's last receiver went) fails. Checked at the end of a round:
// every successful push delivered exactly once (at most once where a queue is abandoned or a
// channel's receivers all left), nothing left queued once a consumer saw the end, no object alive
// once the queue is destroyed. A round that does not finish within a minute of its planned end is a
// hang. A violation prints the round's configuration, seed and round number, and exits with 1.
#include "../support/tracked.hpp"

#include <mpmc/backend/condvar.hpp>
#include <mpmc/mpmc.hpp>
#include <mpmc/ranges.hpp>
#include <mpmc/views.hpp>

#include <range/v3/view/iota.hpp>
#include <range/v3/view/take.hpp>
#include <range/v3/view/transform.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;
using mpmc::test::tracked;

template <class... A>
std::string text(const A&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

// --- reporting -------------------------------------------------------------------------------

// What the current round is, for messages from any thread (the monitor reads it during rounds).
std::mutex context_mutex;
std::string round_context = "before the first round";

void set_context(std::string context) {
  std::lock_guard lock(context_mutex);
  round_context = std::move(context);
}

// Exits at once: other threads may be blocked in the queue that failed, so nothing is joined.
[[noreturn]] void fail(const std::string& what) {
  static std::mutex one_report;
  one_report.lock();  // a second failing thread waits here until the process exits
  std::string context;
  {
    std::lock_guard lock(context_mutex);
    context = round_context;
  }
  std::fflush(stdout);
  std::fprintf(stderr, "soak: VIOLATION: %s\n  in %s\n", what.c_str(), context.c_str());
  std::fflush(stderr);
  std::_Exit(1);
}

// --- randomness ------------------------------------------------------------------------------

// splitmix64's finalizer: derives independent seeds for rounds and threads from one seed.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

struct random_source {
  explicit random_source(std::uint64_t seed) : engine(seed) {}
  long between(long lo, long hi) { return std::uniform_int_distribution<long>(lo, hi)(engine); }
  bool one_in(long n) { return between(1, n) == 1; }
  // A timeout for the timed calls: mostly short, sometimes zero or a few milliseconds.
  clock_type::duration short_wait() {
    static constexpr clock_type::duration waits[] = {0us, 1us, 20us, 200us, 1ms, 5ms};
    return waits[between(0, 5)];
  }
  std::mt19937_64 engine;
};

// --- the element -----------------------------------------------------------------------------

std::string describe(int producer, long seq) {
  // Longer than the short-string buffer, so the text lives on the heap.
  return text("element ", seq, " of producer ", producer, ", kept on the heap");
}

// Carries its producer and sequence number, counts its lifetimes through `tracked`, and holds a
// heap-allocated text that a reader checks, so an element read after its destruction or torn by a
// race shows as a wrong text (or an AddressSanitizer report).
class item {
 public:
  item(int producer, long seq)
      : life_(producer), producer_(producer), seq_(seq), text_(describe(producer, seq)) {}
  // Cannot throw by declaration, so emplace builds it straight in its slot.
  item(std::in_place_t, int producer, long seq) noexcept : item(producer, seq) {}
  item(const item&) = default;  // may throw (allocates): pushes build a copy before claiming
  item(item&&) noexcept = default;
  item& operator=(const item&) = default;
  item& operator=(item&&) noexcept = default;
  ~item() = default;

  int producer() const noexcept { return producer_; }
  long seq() const noexcept { return seq_; }
  // Still holds what it was built with: not moved from, not torn.
  bool intact() const { return text_ == describe(producer_, seq_); }

 private:
  tracked life_;
  int producer_;
  long seq_;
  std::string text_;
};

constexpr int no_producer = -1;  // the producer of the placeholders pops write into
item placeholder() noexcept { return item(std::in_place, no_producer, 0); }

std::uint64_t encode(int producer, long seq) {
  return (static_cast<std::uint64_t>(producer) << 40) | static_cast<std::uint64_t>(seq);
}

// --- one round -------------------------------------------------------------------------------

enum class shape { many, spsc, lone_producer, lone_consumer, channel };

struct thread_plan {
  bool slow = false;   // sleeps between operations
  bool quits = false;  // leaves quit_after into the round, before its end
  clock_type::duration quit_after{};
};

struct round_state {
  long index = 0;
  std::uint64_t seed = 0;  // the whole run's seed
  const char* config = "";
  std::size_t capacity = 0;
  int producers = 0;
  int consumers = 0;
  clock_type::duration length{};
  bool abandon = false;  // queue rounds: every consumer leaves early; the queue dies non-empty
  bool discard = false;  // channel rounds: every receiver leaves early
  std::vector<thread_plan> producer_plans, consumer_plans;
  clock_type::time_point start, planned_end;

  // Written by the threads.
  std::vector<long> sent;                            // per producer: successful pushes
  std::vector<std::vector<std::uint64_t>> received;  // per consumer (the last: the main thread)
  std::vector<char> saw_end;                         // per consumer: pop() reported the end
  std::atomic<long> operations{0};
  std::atomic<bool> close_returned{false};  // queue rounds: close() has returned
  std::atomic<bool> stop{false};            // channel rounds: producers leave
  std::atomic<int> producers_running{0};
  std::atomic<int> senders_alive{0};
  std::atomic<int> receivers_alive{0};
  std::atomic<bool> receivers_gone{false};  // the last receiver has been dropped

  std::string describe() const {
    const char* extra = abandon ? ", abandoned" : discard ? ", receivers leave" : "";
    return text("round ", index, " [", config, ", capacity ", capacity, ", ", producers,
                " producers, ", consumers, " consumers", extra, "] of seed ", seed,
                " (rerun: soak --seed ", seed, " --round ", index, ")");
  }
};

// --- the monitor: lifetimes, size and hangs, sampled while rounds run -------------------------

struct monitor_state {
  std::atomic<long> live_bound{0};
  std::atomic<clock_type::rep> hang_deadline{0};  // 0: no round running
  std::atomic<bool> running{true};
  std::mutex probe_mutex;
  std::function<void()> probe;  // checks the current queue's size(); empty between rounds
};
monitor_state monitor;

void run_monitor() {
  while (monitor.running.load()) {
    const auto counts = tracked::counts();
    if (counts.double_destroys != 0)
      fail(text(counts.double_destroys, " elements destroyed twice"));
    if (counts.live > monitor.live_bound.load())
      fail(text(counts.live, " elements alive, more than the queue and the threads can hold (",
                monitor.live_bound.load(), ")"));
    const auto deadline = monitor.hang_deadline.load();
    if (deadline != 0 && clock_type::now().time_since_epoch().count() > deadline)
      fail("the round did not finish within 60 s of its planned end: a hang");
    {
      std::lock_guard lock(monitor.probe_mutex);
      if (monitor.probe) monitor.probe();
    }
    std::this_thread::sleep_for(2ms);
  }
}

// --- producers -------------------------------------------------------------------------------

struct producer_state {
  round_state& r;
  int id;
  random_source random;
  long next = 0;  // the sequence number of the next element to push
  long operations = 0;
};

struct push_outcome {
  long wanted;
  long pushed;
  bool blocking;  // refused only when closed
};

std::vector<item> make_batch(int producer, long seq, long n) {
  std::vector<item> batch;
  for (long i = 0; i != n; ++i) batch.emplace_back(producer, seq + i);
  return batch;
}

void expect_untouched(const item& x, const char* call) {
  if (!x.intact()) fail(text(call, " changed an argument it did not push"));
}
void expect_untouched(const std::vector<item>& batch, std::size_t from, const char* call) {
  for (std::size_t i = from; i < batch.size(); ++i) expect_untouched(batch[i], call);
}

// One push operation, chosen at random, of the next element(s) through `sink` (the queue or a
// producer or sender handle). Refused arguments are checked untouched.
template <class Sink>
push_outcome push_step(producer_state& s, Sink& sink) {
  const int p = s.id;
  const long seq = s.next;
  const auto n = static_cast<std::size_t>(s.random.between(1, 8));
  const auto wait = s.random.short_wait();
  switch (s.random.between(0, 16)) {
    case 0: {
      item x(p, seq);
      const bool ok = sink.try_push(x);
      expect_untouched(x, "try_push(const T&)");
      return {1, ok, false};
    }
    case 1: {
      item x(p, seq);
      const bool ok = sink.try_push(std::move(x));
      if (!ok) expect_untouched(x, "try_push(T&&)");
      return {1, ok, false};
    }
    case 2: {
      item x(p, seq);
      const bool ok = sink.push(x);
      expect_untouched(x, "push(const T&)");
      return {1, ok, true};
    }
    case 3: {
      item x(p, seq);
      const bool ok = sink.push(std::move(x));
      if (!ok) expect_untouched(x, "push(T&&)");
      return {1, ok, true};
    }
    case 4:  // may throw: built before a slot is claimed
      return {1, sink.emplace(p, seq), true};
    case 5:  // noexcept: built in the slot
      return {1, sink.emplace(std::in_place, p, seq), true};
    case 6:
      return {1, sink.try_emplace(p, seq), false};
    case 7:
      return {1, sink.try_emplace(std::in_place, p, seq), false};
    case 8: {
      item x(p, seq);
      const bool ok = sink.try_push_for(std::move(x), wait);
      if (!ok) expect_untouched(x, "try_push_for(T&&)");
      return {1, ok, false};
    }
    case 9: {
      item x(p, seq);
      const bool ok = sink.try_push_for(x, wait);
      expect_untouched(x, "try_push_for(const T&)");
      return {1, ok, false};
    }
    case 10: {
      item x(p, seq);
      // Sometimes a deadline already past: one attempt.
      const auto deadline = s.random.one_in(4) ? clock_type::now() - 1ms : clock_type::now() + wait;
      const bool ok = sink.try_push_until(std::move(x), deadline);
      if (!ok) expect_untouched(x, "try_push_until(T&&)");
      return {1, ok, false};
    }
    case 11: {
      item x(p, seq);
      const bool ok = sink.try_push_until(x, std::chrono::system_clock::now() + wait);
      expect_untouched(x, "try_push_until(const T&, system_clock)");
      return {1, ok, false};
    }
    case 12: {
      auto batch = make_batch(p, seq, static_cast<long>(n));
      const std::size_t pushed = sink.try_push_range(batch);
      expect_untouched(batch, 0, "try_push_range(lvalue)");
      return {static_cast<long>(n), static_cast<long>(pushed), false};
    }
    case 13: {
      auto batch = make_batch(p, seq, static_cast<long>(n));
      const std::size_t pushed = sink.try_push_range(std::move(batch));
      expect_untouched(batch, pushed, "try_push_range(rvalue)");
      return {static_cast<long>(n), static_cast<long>(pushed), false};
    }
    case 14: {
      auto batch = make_batch(p, seq, static_cast<long>(n));
      const std::size_t pushed = sink.push_range(batch);
      expect_untouched(batch, 0, "push_range(lvalue)");
      return {static_cast<long>(n), static_cast<long>(pushed), true};
    }
    case 15: {
      auto batch = make_batch(p, seq, static_cast<long>(n));
      const std::size_t pushed = sink.push_range(std::move(batch));
      expect_untouched(batch, pushed, "push_range(rvalue)");
      return {static_cast<long>(n), static_cast<long>(pushed), true};
    }
    default: {  // a view that makes its elements as it is read
      auto made = ranges::views::iota(0L, static_cast<long>(n)) |
                  ranges::views::transform(
                      [p, seq](long i) noexcept { return item(std::in_place, p, seq + i); });
      const std::size_t pushed = sink.push_range(made);
      return {static_cast<long>(n), static_cast<long>(pushed), true};
    }
  }
}

// Once closed (or its channel's receivers are gone), every kind of push fails and leaves its
// argument untouched.
template <class Sink>
void expect_refusals(producer_state& s, Sink& sink, const char* why) {
  item x(s.id, s.next);
  auto batch = make_batch(s.id, s.next, 3);
  long got = 0;
  got += sink.try_push(x);
  got += sink.try_push(std::move(x));
  got += sink.push(x);
  got += sink.push(std::move(x));
  got += sink.emplace(s.id, s.next);
  got += sink.try_emplace(std::in_place, s.id, s.next);
  got += sink.try_push_for(std::move(x), 1ms);
  got += sink.try_push_until(x, clock_type::now() + 1ms);
  got += static_cast<long>(sink.try_push_range(batch));
  got += static_cast<long>(sink.push_range(std::move(batch)));
  s.operations += 10;
  if (got != 0) fail(text(got, " pushes by producer ", s.id, " succeeded after ", why));
  expect_untouched(x, "a push refused after close");
  expect_untouched(batch, 0, "a range push refused after close");
}

// `q` is the queue itself in queue rounds (used half the time, the handle the other half), null in
// channel rounds.
template <class Q, class Sink>
void produce(round_state& r, int p, Q* q, Sink& handle) {
  producer_state s{r, p,
                   random_source(mix(r.seed ^ mix(static_cast<std::uint64_t>(r.index)) ^
                                     (0x100u + static_cast<std::uint64_t>(p))))};
  const thread_plan& plan = r.producer_plans[static_cast<std::size_t>(p)];
  for (;;) {
    if (plan.quits && clock_type::now() >= r.start + plan.quit_after) break;
    if (r.stop.load()) break;
    if (plan.slow) std::this_thread::sleep_for(std::chrono::microseconds(s.random.between(1, 300)));
    const bool late = r.close_returned.load();
    const bool gone = r.receivers_gone.load();
    const push_outcome o =
        q != nullptr && s.random.one_in(2) ? push_step(s, *q) : push_step(s, handle);
    ++s.operations;
    if (o.pushed > 0) {
      if (late) fail(text("producer ", p, ": a push begun after close() returned got in"));
      if (gone) fail(text("producer ", p, ": a push begun after the last receiver went got in"));
      s.next += o.pushed;
    }
    if (o.pushed < o.wanted) {
      const bool closed = handle.closed();
      if (o.blocking && !closed)
        fail(text("producer ", p, ": a blocking push was refused by an open queue"));
      if (closed) {
        // closed() turns true when close() begins; the contract refuses the pushes begun after it
        // returns (a lone producer's push may still get in while it runs).
        while (q != nullptr && !r.close_returned.load()) std::this_thread::yield();
        const char* why = q != nullptr ? "close() returned" : "the last receiver went";
        expect_refusals(s, handle, why);
        if (q != nullptr) expect_refusals(s, *q, why);
        break;
      }
      if (o.pushed == 0 && s.random.one_in(2)) std::this_thread::yield();
    }
  }
  r.sent[static_cast<std::size_t>(p)] = s.next;
  r.operations += s.operations;
}

// --- consumers -------------------------------------------------------------------------------

struct consumer_state {
  round_state& r;
  int id;
  random_source random;
  std::vector<long> last;  // per producer: the last sequence number seen
  std::vector<std::uint64_t>& got;
  long operations = 0;

  void take(const item& x) {
    if (!x.intact()) fail(text("consumer ", id, " popped a torn or moved-from element"));
    const int p = x.producer();
    if (p < 0 || p >= r.producers) fail(text("consumer ", id, " popped a placeholder"));
    long& previous = last[static_cast<std::size_t>(p)];
    if (x.seq() <= previous)
      fail(text("consumer ", id, " saw producer ", p, "'s element ", x.seq(), " after its element ",
                previous, ": out of order or twice"));
    previous = x.seq();
    got.push_back(encode(p, x.seq()));
  }
  void expect_placeholder(const item& x, const char* call) {
    if (x.producer() != no_producer || !x.intact())
      fail(text("consumer ", id, ": ", call, " wrote to an output it did not fill"));
  }
};

struct pop_outcome {
  long got;
  bool ended;  // the source reported closed and drained
};

// One pop operation, chosen at random (pop() when `block`), through `source` (the queue or a
// consumer or receiver handle).
template <class Source>
pop_outcome pop_step(consumer_state& s, Source& source, bool block) {
  const long n = s.random.between(1, 16);
  const auto wait = s.random.short_wait();
  auto one = [&](std::optional<item> x) -> pop_outcome {
    if (!x) return {0, false};
    s.take(*x);
    return {1, false};
  };
  switch (block ? 1 : s.random.between(0, 10)) {
    case 0:
      return one(source.try_pop());
    case 1: {
      auto x = source.pop();
      if (!x) return {0, true};
      s.take(*x);
      return {1, false};
    }
    case 2: {
      item out = placeholder();
      if (!source.try_pop(out)) {
        s.expect_placeholder(out, "try_pop(T&)");
        return {0, false};
      }
      s.take(out);
      return {1, false};
    }
    case 3:
      return one(source.try_pop_for(wait));
    case 4: {
      const auto deadline = s.random.one_in(4) ? clock_type::now() - 1ms : clock_type::now() + wait;
      return one(source.try_pop_until(deadline));
    }
    case 5:
      return one(source.try_pop_until(std::chrono::system_clock::now() + wait));
    case 6: {  // into existing elements: move assignment cannot throw, so slots go in batches
      std::vector<item> out(static_cast<std::size_t>(n), placeholder());
      const std::size_t k = source.try_pop_n(out.begin(), static_cast<std::size_t>(n));
      for (std::size_t i = 0; i != out.size(); ++i)
        if (i < k)
          s.take(out[i]);
        else
          s.expect_placeholder(out[i], "try_pop_n");
      return {static_cast<long>(k), false};
    }
    case 7: {  // through a back_inserter, which may throw: one at a time
      std::vector<item> out;
      const std::size_t k = source.try_pop_n(std::back_inserter(out), static_cast<std::size_t>(n));
      if (k != out.size()) fail("try_pop_n returned a count other than what it wrote");
      for (const item& x : out) s.take(x);
      return {static_cast<long>(k), false};
    }
    case 8: {
      long k = 0;
      for (item& x : mpmc::views::drain(source)) {
        s.take(x);
        if (++k == n) break;
      }
      return {k, false};
    }
    case 9: {
      long k = 0;
      for (item& x : mpmc::views::drain(source) | ranges::views::take(n)) {
        s.take(x);
        ++k;
      }
      return {k, false};
    }
    default: {
      long k = 0;
      for (item& x : mpmc::views::consume(source)) {
        s.take(x);
        if (++k == n) return {k, false};
      }
      return {k, true};
    }
  }
}

template <class Q, class Source>
void consume(round_state& r, int c, Q* q, Source& handle) {
  consumer_state s{r, c,
                   random_source(mix(r.seed ^ mix(static_cast<std::uint64_t>(r.index)) ^
                                     (0x200u + static_cast<std::uint64_t>(c)))),
                   std::vector<long>(static_cast<std::size_t>(r.producers), -1),
                   r.received[static_cast<std::size_t>(c)]};
  const thread_plan& plan = r.consumer_plans[static_cast<std::size_t>(c)];
  bool block = false;  // closed: only pop() tells whether anything is left
  for (;;) {
    if (plan.quits && clock_type::now() >= r.start + plan.quit_after) break;
    if (plan.slow) std::this_thread::sleep_for(std::chrono::microseconds(s.random.between(1, 300)));
    const pop_outcome o =
        q != nullptr && s.random.one_in(2) ? pop_step(s, *q, block) : pop_step(s, handle, block);
    ++s.operations;
    if (o.ended) {
      if (!handle.closed()) fail(text("consumer ", c, ": pop() reported the end of an open queue"));
      if (q == nullptr && r.senders_alive.load() != 0)
        fail(text("consumer ", c, ": a receiver saw the end while a sender was alive"));
      r.saw_end[static_cast<std::size_t>(c)] = 1;
      break;
    }
    if (o.got == 0) {
      if (handle.closed())
        block = true;
      else if (s.random.one_in(2))
        std::this_thread::yield();
    }
  }
  r.operations += s.operations;
}

// --- the checks at the end of a round ---------------------------------------------------------

// Every delivered element was pushed successfully and delivered once; with `exactly_once`, every
// pushed element was delivered. Returns how many were delivered.
long check_delivery(const round_state& r, bool exactly_once) {
  std::vector<std::vector<unsigned char>> seen(static_cast<std::size_t>(r.producers));
  for (std::size_t p = 0; p != seen.size(); ++p)
    seen[p].assign(static_cast<std::size_t>(r.sent[p]), 0);
  long delivered = 0;
  for (const auto& mine : r.received) {
    for (const std::uint64_t v : mine) {
      const auto p = static_cast<std::size_t>(v >> 40);
      const auto i = static_cast<std::size_t>(v & ((std::uint64_t{1} << 40) - 1));
      if (i >= seen[p].size())
        fail(text("element ", i, " of producer ", p, " was delivered but never pushed"));
      if (seen[p][i]++ != 0) fail(text("element ", i, " of producer ", p, " was delivered twice"));
      ++delivered;
    }
  }
  if (exactly_once)
    for (std::size_t p = 0; p != seen.size(); ++p)
      for (std::size_t i = 0; i != seen[p].size(); ++i)
        if (seen[p][i] == 0)
          fail(text("element ", i, " of producer ", p, " was pushed but never delivered"));
  return delivered;
}

void expect_no_live_elements(const char* when) {
  const auto counts = tracked::counts();
  if (counts.live != 0) fail(text(counts.live, " elements alive ", when));
}

long sum(const std::vector<long>& v) {
  long total = 0;
  for (long x : v) total += x;
  return total;
}

template <class Q>
std::shared_ptr<Q> make_queue(std::size_t capacity) {
  if constexpr (Q::config_type::capacity::is_fixed)
    return std::make_shared<Q>();
  else
    return std::make_shared<Q>(capacity);
}

void begin_round(round_state& r) {
  set_context(r.describe());
  monitor.live_bound = static_cast<long>(r.capacity) + 16L * r.producers + 24L * r.consumers + 32;
  r.sent.assign(static_cast<std::size_t>(r.producers), 0);
  r.received.assign(static_cast<std::size_t>(r.consumers) + 1, {});
  r.saw_end.assign(static_cast<std::size_t>(r.consumers), 0);
  r.start = clock_type::now();
  r.planned_end = r.start + r.length;
  monitor.hang_deadline = (r.planned_end + 60s).time_since_epoch().count();
}

// A round on a queue shared through handles: closed by the main thread at the planned end.
template <class Q>
long run_queue_round(round_state& r) {
  auto q = make_queue<Q>(r.capacity);
  r.capacity = q->capacity();
  begin_round(r);
  {
    std::lock_guard lock(monitor.probe_mutex);
    monitor.probe = [raw = q.get()] {
      if (raw->size() > raw->capacity())
        fail(text("size() ", raw->size(), " above capacity() ", raw->capacity()));
    };
  }
  r.producers_running = r.producers;
  std::vector<std::thread> producers, consumers;
  for (int p = 0; p != r.producers; ++p)
    producers.emplace_back([&r, q, p] {
      mpmc::producer<Q> handle(q);
      produce(r, p, q.get(), handle);
      --r.producers_running;
    });
  for (int c = 0; c != r.consumers; ++c)
    consumers.emplace_back([&r, q, c] {
      mpmc::consumer<Q> handle(q);
      consume(r, c, q.get(), handle);
    });

  std::this_thread::sleep_until(r.planned_end);
  q->close();
  r.close_returned = true;
  for (auto& t : consumers) t.join();

  // Abandoned: nobody pops any more, but a ticket push that claimed its position before the close
  // waits for its slot to be freed; the main thread frees slots until every producer is done.
  consumer_state main_pops{r, r.consumers, random_source(0),
                           std::vector<long>(static_cast<std::size_t>(r.producers), -1),
                           r.received.back()};
  while (r.producers_running.load() != 0) {
    if (auto x = q->try_pop()) {
      if (!r.abandon) fail("an element was left in the queue after a consumer saw its end");
      main_pops.take(*x);
    } else {
      std::this_thread::sleep_for(100us);
    }
  }
  for (auto& t : producers) t.join();

  if (!q->closed()) fail("closed() false after close()");
  long delivered = 0;
  if (r.abandon) {
    const long left = static_cast<long>(q->size());
    delivered = check_delivery(r, false);
    if (delivered + left != sum(r.sent))
      fail(text(sum(r.sent), " pushed but ", delivered, " delivered and ", left, " left queued"));
  } else {
    if (r.saw_end[0] == 0) fail("consumer 0 left without seeing the end");
    if (!q->empty() || q->size() != 0 || q->try_pop() || q->pop() || q->try_pop_for(1ms))
      fail("an element was left in the queue after a consumer saw its end");
    delivered = check_delivery(r, true);
  }
  if (q->try_push(item(0, 0)) || q->emplace(std::in_place, 0, 0))
    fail("a push succeeded on a closed queue after the round");
  {
    std::lock_guard lock(monitor.probe_mutex);
    monitor.probe = nullptr;
  }
  q.reset();  // the last owner: the threads' handles went with them
  expect_no_live_elements("after the queue was destroyed");
  return delivered;
}

// A channel round: each thread holds its own copy of a sender or receiver. The channel closes when
// the last producer drops its sender; in `discard` rounds every receiver leaves early instead.
template <class... Policies>
long run_channel_round(round_state& r) {
  using Q = mpmc::queue<item, Policies...>;
  auto [tx, rx] = mpmc::make_channel<item, Policies...>(r.capacity);
  r.capacity = tx.capacity();
  begin_round(r);
  std::vector<std::optional<mpmc::sender<Q>>> senders;
  std::vector<std::optional<mpmc::receiver<Q>>> receivers;
  for (int p = 0; p != r.producers; ++p) senders.emplace_back(tx);
  for (int c = 0; c != r.consumers; ++c) receivers.emplace_back(rx);
  {
    // The threads' copies are now the only ones.
    auto drop_tx = std::move(tx);
    auto drop_rx = std::move(rx);
  }
  r.senders_alive = r.producers;
  r.receivers_alive = r.consumers;
  std::vector<std::thread> threads;
  for (int p = 0; p != r.producers; ++p)
    threads.emplace_back([&r, &senders, p] {
      auto& mine = senders[static_cast<std::size_t>(p)];
      produce(r, p, static_cast<Q*>(nullptr), *mine);
      // Counted out before dropping, so that whoever sees the close sees the count at 0.
      --r.senders_alive;
      mine.reset();
    });
  for (int c = 0; c != r.consumers; ++c)
    threads.emplace_back([&r, &receivers, c] {
      auto& mine = receivers[static_cast<std::size_t>(c)];
      consume(r, c, static_cast<Q*>(nullptr), *mine);
      // Counted out after dropping, so that a producer that sees the flag pushes after the drop.
      mine.reset();
      if (r.receivers_alive.fetch_sub(1) == 1) r.receivers_gone = true;
    });

  std::this_thread::sleep_until(r.planned_end);
  r.stop = true;
  for (auto& t : threads) t.join();

  // Where a receiver saw the end, the senders closed the channel and it was drained: nothing was
  // discarded.
  bool drained = false;
  for (const char e : r.saw_end) drained = drained || e != 0;
  if (!r.discard && !drained) fail("every receiver left without seeing the end");
  const long delivered = check_delivery(r, drained);
  expect_no_live_elements("after the channel's last handle went");
  return delivered;
}

// --- configurations --------------------------------------------------------------------------

template <class... P>
using queue_of = mpmc::queue<item, P...>;

struct configuration {
  const char* name;
  shape kind;
  long (*run)(round_state&);
};

const configuration configurations[] = {
    {"queue<T>", shape::many, run_queue_round<queue_of<>>},
    {"claim::ticket", shape::many, run_queue_round<queue_of<mpmc::claim::ticket>>},
    {"wait::spin", shape::many, run_queue_round<queue_of<mpmc::wait::spin>>},
    {"yielding_queue", shape::many, run_queue_round<mpmc::yielding_queue<item>>},
    {"wait::condvar", shape::many, run_queue_round<queue_of<mpmc::wait::condvar>>},
    {"wait::atomic_wait", shape::many, run_queue_round<queue_of<mpmc::wait::atomic_wait>>},
    {"capacity::fixed<1>", shape::many, run_queue_round<queue_of<mpmc::capacity::fixed<1>>>},
    {"capacity::fixed<3>", shape::many, run_queue_round<queue_of<mpmc::capacity::fixed<3>>>},
    {"capacity::fixed<6>", shape::many, run_queue_round<queue_of<mpmc::capacity::fixed<6>>>},
    {"capacity::fixed<64>, claim::ticket", shape::many,
     run_queue_round<queue_of<mpmc::capacity::fixed<64>, mpmc::claim::ticket>>},
    {"padding::interleaved", shape::many, run_queue_round<queue_of<mpmc::padding::interleaved>>},
    {"claim::ticket, wait::condvar, padding::interleaved, capacity::fixed<6>", shape::many,
     run_queue_round<queue_of<mpmc::claim::ticket, mpmc::wait::condvar, mpmc::padding::interleaved,
                              mpmc::capacity::fixed<6>>>},
    {"producers::single, consumers::single", shape::spsc,
     run_queue_round<queue_of<mpmc::producers::single, mpmc::consumers::single>>},
    {"producers::single", shape::lone_producer, run_queue_round<queue_of<mpmc::producers::single>>},
    {"consumers::single, claim::ticket", shape::lone_consumer,
     run_queue_round<queue_of<mpmc::consumers::single, mpmc::claim::ticket>>},
    {"make_channel<T>", shape::channel, run_channel_round<>},
    {"make_channel<T, claim::ticket>", shape::channel, run_channel_round<mpmc::claim::ticket>},
};
constexpr long configuration_count = sizeof configurations / sizeof configurations[0];

// Everything about round `index` follows from the seed and the index, so that a failing round's
// configuration can be rerun alone (`--round`).
const configuration& plan_round(round_state& r, std::uint64_t seed, long index,
                                clock_type::duration most) {
  random_source random(mix(seed ^ mix(static_cast<std::uint64_t>(index))));
  const configuration& c = configurations[random.between(0, configuration_count - 1)];
  r.index = index;
  r.seed = seed;
  r.config = c.name;
  r.capacity =
      static_cast<std::size_t>(random.one_in(2) ? random.between(1, 8) : random.between(1, 64));
  r.producers = static_cast<int>(random.between(1, 8));
  r.consumers = static_cast<int>(random.between(1, 8));
  if (c.kind == shape::spsc || c.kind == shape::lone_producer) r.producers = 1;
  if (c.kind == shape::spsc || c.kind == shape::lone_consumer) r.consumers = 1;
  // 10 ms to about 1.8 s, evenly on a log scale: many short rounds, some long ones.
  const double scale = std::exp2(std::uniform_real_distribution<double>(0.0, 7.5)(random.engine));
  r.length = std::chrono::duration_cast<clock_type::duration>(10ms * scale);
  if (r.length > most) r.length = most;
  if (r.length < 10ms) r.length = 10ms;
  r.abandon = c.kind != shape::channel && random.one_in(6);
  r.discard = c.kind == shape::channel && random.one_in(3);

  const bool all_leave = r.abandon || r.discard;
  r.producer_plans.assign(static_cast<std::size_t>(r.producers), {});
  r.consumer_plans.assign(static_cast<std::size_t>(r.consumers), {});
  auto some_time = [&] {
    return std::chrono::duration_cast<clock_type::duration>(
        r.length * std::uniform_real_distribution<double>(0.0, 1.0)(random.engine));
  };
  for (auto& plan : r.producer_plans) {
    plan.slow = random.one_in(8);
    plan.quits = random.one_in(8);
    plan.quit_after = some_time();
  }
  for (std::size_t i = 0; i != r.consumer_plans.size(); ++i) {
    auto& plan = r.consumer_plans[i];
    plan.slow = random.one_in(6);
    // Consumer 0 stays to the end (unless all leave), so someone drains the queue.
    plan.quits = all_leave || (i != 0 && random.one_in(8));
    plan.quit_after = some_time();
  }
  return c;
}

[[noreturn]] void usage(const char* problem) {
  std::fprintf(
      stderr,
      "soak: %s\nusage: soak [--seconds S] [--seed N] [--round R]\n"
      "  --seconds S  run rounds for S seconds (default 60)\n"
      "  --seed N     the seed every round's configuration follows from (default: random)\n"
      "  --round R    start at round R (rerun a failing round's configuration)\n",
      problem);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 60;
  std::uint64_t seed =
      (static_cast<std::uint64_t>(std::random_device{}()) << 32) | std::random_device{}();
  long first_round = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) usage(("missing value after " + arg).c_str());
    const char* value = argv[++i];
    char* end = nullptr;
    if (arg == "--seconds")
      seconds = std::strtod(value, &end);
    else if (arg == "--seed")
      seed = std::strtoull(value, &end, 10);
    else if (arg == "--round")
      first_round = std::strtol(value, &end, 10);
    else
      usage(("unknown option " + arg).c_str());
    if (end == value || *end != '\0' || seconds < 0 || first_round < 0)
      usage(("bad value for " + arg + ": " + value).c_str());
  }

  std::printf("soak: seed %llu, %g s, from round %ld\n", static_cast<unsigned long long>(seed),
              seconds, first_round);
  std::fflush(stdout);
  std::thread watcher(run_monitor);

  const auto start = clock_type::now();
  const auto finish = start + std::chrono::duration_cast<clock_type::duration>(
                                  std::chrono::duration<double>(seconds));
  long rounds = 0, operations = 0, delivered = 0;
  for (long index = first_round; clock_type::now() < finish; ++index) {
    round_state r;
    const configuration& c = plan_round(r, seed, index, finish - clock_type::now());
    const auto began = clock_type::now();
    const long got = c.run(r);
    monitor.hang_deadline = 0;
    const double took = std::chrono::duration<double>(clock_type::now() - began).count();
    ++rounds;
    operations += r.operations.load();
    delivered += got;
    std::printf("round %ld  %-40s cap %2zu  P%d C%d  %6.3f s  %9ld ops  %9ld delivered%s\n",
                r.index, r.config, r.capacity, r.producers, r.consumers, took, r.operations.load(),
                got,
                r.abandon   ? "  (abandoned)"
                : r.discard ? "  (receivers leave)"
                            : "");
    std::fflush(stdout);
  }

  monitor.running = false;
  watcher.join();
  set_context("after the last round");
  expect_no_live_elements("after the last round");
  const double took = std::chrono::duration<double>(clock_type::now() - start).count();
  std::printf(
      "soak: passed: %ld rounds, %ld operations, %ld elements delivered in %.1f s (seed %llu)\n",
      rounds, operations, delivered, took, static_cast<unsigned long long>(seed));
  return 0;
}
