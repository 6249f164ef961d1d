// The comparison runner's workloads, each a function template over an adapter
// from peers.hpp that returns one measurement:
//   pair      one thread: try_push then try_pop; ns per pair
//   batch64, batch4096   one thread: N try_push, then N try_pop; ns per item
//   bulk64    one thread: one 64-item bulk push, one 64-item bulk pop, where the
//             queue has them (ours: try_push_range/try_pop_n; moodycamel:
//             try_enqueue_bulk/try_dequeue_bulk; the mutex ring: one lock per
//             batch), else 64 single calls; ns per item
//   1p1c      one producer thread feeding one consumer thread (blocking calls)
//   1p1c-busy-push, 1p1c-busy-pop   the same with ~20 ns of work per item on
//             the producer's (consumer's) side, so that the queue runs empty
//             (full) and the other side waits on every element
//   pingpong  a round trip between two threads through two queues
//   PxC       P producers, C consumers (2x2, 4x4, 8x8, or any other such as
//             3x5, up to 256 a side); moves a quarter of the items 1p1c moves
//   idle      a consumer blocked on an empty queue: the CPU it burns while
//             blocked, and the latency from a push to its wake-up
// Threaded throughput scenarios also report CPU seconds per million items.
#pragma once

#include <mpmc/ranges.hpp>
#include "peers.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <sys/resource.h>
#include <time.h>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace bench {

// How long the threaded scenarios (1p1c, pingpong, PxC) run before the clock
// starts (--warmup MS). A new thread often starts on its parent's CPU, and a
// pair that hands the CPU back and forth (parking queues yield before they
// sleep) can stay there for tens of milliseconds, until the scheduler moves
// one of them: as long as a whole short run. Without a warm-up those
// scenarios measure where the threads started, not the queue.
inline std::chrono::milliseconds warmup{100};

// Values the threaded scenarios reserve: items pushed during the warm-up
// carry the tag (and are not summed), `stop_item` tells a consumer to quit.
inline constexpr item warmup_tag = item{1} << 63;
inline constexpr item stop_item = ~item{0};

struct result {
  double value;  // in the scenario's unit
  double cpu;    // CPU seconds per million items, or % of a core while idle
};

// Checksums and refused calls end the process loudly: a wrong figure must not
// look like a fast one.
inline void check(bool ok, const char* queue, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "compare: %s: %s\n", queue, what);
    std::exit(1);
  }
}

inline double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

inline double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

inline item now_ns() {
  return static_cast<item>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count());
}

inline double ns_per(std::chrono::steady_clock::duration d, item count) {
  return std::chrono::duration<double, std::nano>(d).count() / static_cast<double>(count);
}

template <class A>
result pair_scenario(const char* name, item n, std::size_t capacity = 1024) {
  auto a = std::make_unique<A>(capacity);
  // Calls go through a reference the compiler keeps in a register: through
  // the unique_ptr, gcc reloads the pointer from the stack at each push,
  // after the previous pop's locked instruction and so on the critical path,
  // for some adapters and not others.
  A& q = *a;
  item sum = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (item i = 0; i != n; ++i) {
    q.try_push(i);
    item v = 0;
    q.try_pop(v);
    sum += v;
  }
  const auto t1 = std::chrono::steady_clock::now();
  check(sum == n * (n - 1) / 2, name, "pair checksum mismatch");
  return {ns_per(t1 - t0, n), 0};
}

// One thread pushes `batch` items into a queue (of capacity `batch` unless
// given) and pops them again, over and over: the cost per item when nothing
// contends.
template <class A>
result batch_scenario(const char* name, item n, item batch, std::size_t capacity = 0) {
  auto a = std::make_unique<A>(capacity != 0 ? capacity : static_cast<std::size_t>(batch));
  A& q = *a;  // as in pair_scenario
  const item rounds = n / batch + 1;
  item sum = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (item r = 0; r != rounds; ++r) {
    for (item i = 0; i != batch; ++i) check(q.try_push(i), name, "batch push refused");
    for (item i = 0; i != batch; ++i) {
      item v = 0;
      q.try_pop(v);
      sum += v;
    }
  }
  const auto t1 = std::chrono::steady_clock::now();
  check(sum == rounds * (batch * (batch - 1) / 2), name, "batch checksum mismatch");
  return {ns_per(t1 - t0, rounds * batch), 0};
}

// As batch64, through the queue's bulk calls where it has them. The input
// and output arrays move through eight places, 576 bytes apart, during the
// run: where they fall relative to the queue's slots modulo 4 KiB decides
// whether the CPU mistakes loads from them for reloads of recent stores to
// the slots ("4K aliasing"), which costs up to 2x. A single placement would
// make the result depend on what the heap handed out.
template <class A>
result bulk_scenario(const char* name, item n, item batch) {
  auto a = std::make_unique<A>(static_cast<std::size_t>(batch));
  constexpr int places = 8;
  const auto size = static_cast<std::size_t>(batch);
  const std::size_t stride = 576 / sizeof(item);
  std::vector<item> arena(2 * (size + stride * places) + 4096 / sizeof(item));
  const item rounds = (n / batch + places) / places * places;
  item sum = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int place = 0; place != places; ++place) {
    item* in = arena.data() + static_cast<std::size_t>(place) * stride;
    item* out = in + size + stride * places;
    for (item i = 0; i != batch; ++i) in[i] = i;
    for (item r = 0; r != rounds / places; ++r) {
      if constexpr (requires { a->push_batch(in, size); }) {
        check(a->push_batch(in, size) == size, name, "bulk push refused");
        check(a->pop_batch(out, size) == size, name, "bulk pop came up short");
      } else {
        for (std::size_t i = 0; i != size; ++i) check(a->try_push(in[i]), name, "push refused");
        for (std::size_t i = 0; i != size; ++i) a->try_pop(out[i]);
      }
      for (std::size_t i = 0; i != size; ++i) sum += out[i];
    }
  }
  const auto t1 = std::chrono::steady_clock::now();
  check(sum == rounds * (batch * (batch - 1) / 2), name, "bulk checksum mismatch");
  return {ns_per(t1 - t0, rounds * batch), 0};
}

// Stands for the work a thread does per item in the busy-side scenarios:
// `rounds` turns of a loop the compiler must keep (64 rounds: ~20 ns).
inline void busy_work(int rounds) {
  for (int k = 0; k < rounds; ++k) std::atomic_signal_fence(std::memory_order_seq_cst);
}

// `producers` threads push n items in all, `consumers` threads pop them. The
// queue is on the heap and each thread sums into a local: a counter written
// per item next to the queue object would share its lines and slow every
// queue by a different amount. For the warm-up, producers push tagged items
// until `timing` is set; the clock starts there. Consumers pop until they
// take a `stop_item`, pushed once all n items are out.
template <class A>
result many_to_many_scenario(const char* name, item n, int producers, int consumers,
                             int push_work = 0, int pop_work = 0) {
  const item per_producer = n / static_cast<item>(producers);
  n = per_producer * static_cast<item>(producers);
  auto a = std::make_unique<A>(1024);
  // Every thread is created and waiting before the clock starts, and none
  // starts before it: with more threads than cores, a main thread that
  // read the clock after releasing them could find the work already done.
  std::latch ready(producers + consumers);
  std::latch go(1);
  std::atomic<bool> timing{warmup.count() == 0};
  constexpr std::size_t apart = 16;  // items: 128 bytes, so no two threads share a line
  const auto lane = [](int c) { return static_cast<std::size_t>(c) * apart; };
  std::vector<item> sums(lane(consumers), 0), counts(lane(consumers), 0);
  // Each consumer's running count of timed items. The stop items go in only
  // once all n are out: a queue that is not FIFO across producers
  // (moodycamel's) could otherwise hand a consumer its stop item while other
  // producers' items are still queued, which then nobody pops.
  const auto consumed = std::make_unique<std::atomic<item>[]>(lane(consumers));
  std::vector<std::thread> threads;
  for (int p = 0; p != producers; ++p) {
    threads.emplace_back([&, p] {
      ready.count_down();
      go.wait();
      // relaxed: only the switch from warm-up to timed items, whose exact
      // moment does not matter (at most a queue's worth of tagged items is
      // popped after the clock starts).
      for (item w = 0; !timing.load(std::memory_order_relaxed); ++w) a->push(warmup_tag | w);
      for (item i = 0; i != per_producer; ++i) {
        busy_work(push_work);
        a->push(i * static_cast<item>(producers) + static_cast<item>(p));
      }
    });
  }
  for (int c = 0; c != consumers; ++c) {
    threads.emplace_back([&, c] {
      ready.count_down();
      go.wait();
      item local = 0, count = 0;
      for (item v; (v = a->pop()) != stop_item;) {
        if (v & warmup_tag) continue;
        busy_work(pop_work);
        local += v;
        ++count;
        // relaxed: read by the main thread only to decide when to send the
        // stop items; the sums are handed over by the thread's join.
        consumed[lane(c)].store(count, std::memory_order_relaxed);
      }
      sums[lane(c)] = local;
      counts[lane(c)] = count;
    });
  }
  ready.wait();
  go.count_down();
  std::this_thread::sleep_for(warmup);
  const double c0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  timing.store(true, std::memory_order_relaxed);  // relaxed: see the producers
  for (int p = 0; p != producers; ++p) threads[static_cast<std::size_t>(p)].join();
  // At most a queue's worth of items is left; short sleeps keep this thread
  // off the CPUs the consumers need.
  for (;;) {
    item out = 0;
    for (int c = 0; c != consumers; ++c) out += consumed[lane(c)].load(std::memory_order_relaxed);
    if (out >= n) break;
    std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
  for (int c = 0; c != consumers; ++c) a->push(stop_item);
  for (auto& t : threads)
    if (t.joinable()) t.join();
  const auto t1 = std::chrono::steady_clock::now();
  const double c1 = cpu_seconds();
  item sum = 0, count = 0;
  for (int c = 0; c != consumers; ++c) {
    sum += sums[lane(c)];
    count += counts[lane(c)];
  }
  check(count == n && sum == n * (n - 1) / 2, name, "checksum mismatch: items lost or duplicated");
  const double seconds = std::chrono::duration<double>(t1 - t0).count();
  return {static_cast<double>(n) / seconds / 1e6, (c1 - c0) / (static_cast<double>(n) / 1e6)};
}

// A round trip: the main thread pushes into `there` and waits on `back`, an
// echo thread pops `there` and pushes the item into `back`; round trips for
// the warm-up first, then n timed ones.
template <class A>
result pingpong_scenario(const char* name, item n) {
  auto there = std::make_unique<A>(1024);
  auto back = std::make_unique<A>(1024);
  std::latch ready(2);
  std::thread echo([&] {
    ready.arrive_and_wait();
    for (item v; (v = there->pop()) != stop_item;) back->push(v);
  });
  ready.arrive_and_wait();
  const auto warm_until = std::chrono::steady_clock::now() + warmup;
  for (item w = 0; std::chrono::steady_clock::now() < warm_until;) {
    for (int k = 0; k != 64; ++k, ++w) {
      there->push(warmup_tag | w);
      check(back->pop() == (warmup_tag | w), name, "pingpong: wrong item back");
    }
  }
  item sum = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (item i = 0; i != n; ++i) {
    there->push(i);
    sum += back->pop();
  }
  const auto t1 = std::chrono::steady_clock::now();
  there->push(stop_item);
  echo.join();
  check(sum == n * (n - 1) / 2, name, "pingpong checksum mismatch");
  return {ns_per(t1 - t0, n), 0};
}

// A consumer blocks on an empty queue; the main thread pushes a timestamp
// after a pause. The consumer's own CPU time across the first, 300 ms wait
// gives the CPU it burns while blocked; the push-to-return latency of
// `idle_samples` waits (the first 300 ms, the rest 20 ms) gives the wake
// latency. The scheduler's wake-up varies by several microseconds from one
// wake to the next, so the median needs this many samples to hold still.
inline constexpr int idle_samples = 32;

template <class Wait, class Wake>
result idle_measurement(Wait&& wait, Wake&& wake) {
  std::vector<double> latencies_us(idle_samples);
  double first_cpu = 0, first_blocked = 1;
  std::latch ready(2);
  std::thread consumer([&] {
    ready.arrive_and_wait();
    for (int s = 0; s != idle_samples; ++s) {
      const double c0 = thread_cpu_seconds();
      const auto t0 = std::chrono::steady_clock::now();
      const item pushed_at = wait();
      const item returned_at = now_ns();
      const auto t1 = std::chrono::steady_clock::now();
      if (s == 0) {
        first_cpu = thread_cpu_seconds() - c0;
        first_blocked = std::chrono::duration<double>(t1 - t0).count();
      }
      latencies_us[static_cast<std::size_t>(s)] =
          static_cast<double>(returned_at - pushed_at) / 1e3;
    }
  });
  ready.arrive_and_wait();
  for (int s = 0; s != idle_samples; ++s) {
    std::this_thread::sleep_for(s == 0 ? std::chrono::milliseconds(300)
                                       : std::chrono::milliseconds(20));
    wake(now_ns());
  }
  consumer.join();
  std::sort(latencies_us.begin(), latencies_us.end());
  return {latencies_us[latencies_us.size() / 2], 100.0 * first_cpu / first_blocked};
}

template <class A>
result idle_scenario(const char*, item) {
  auto a = std::make_unique<A>(1024);
  return idle_measurement([&] { return a->pop(); }, [&](item t) { a->push(t); });
}

// --- floors: what no queue beats on this machine ---------------------------

// For pair: two uncontended compare-exchanges on two lines, the least a queue
// that claims a push and a pop with one compare-exchange each can do.
inline result two_cas_floor(item n) {
  struct alignas(128) counter {
    std::atomic<item> value{0};
  };
  auto counters = std::make_unique<counter[]>(2);
  const auto t0 = std::chrono::steady_clock::now();
  for (item i = 0; i != n; ++i) {
    for (int c = 0; c != 2; ++c) {
      auto& v = counters[static_cast<std::size_t>(c)].value;
      item seen = v.load(std::memory_order_relaxed);
      v.compare_exchange_weak(seen, seen + 1, std::memory_order_relaxed);
    }
  }
  const auto t1 = std::chrono::steady_clock::now();
  check(counters[0].value.load() <= n, "floor", "counter overflow");
  return {ns_per(t1 - t0, n), 0};
}

#if defined(__linux__)
// For idle: a bare futex wait and wake through libc, what a parking queue's
// wake latency stands on. Its words live in a heap block, as every queue's
// state does: on the main thread's stack they would share a page the waker
// touches all the time, which makes the floor lower than any queue can be.
inline result bare_futex_floor() {
  struct words {
    std::atomic<std::uint32_t> word{0};
    std::atomic<item> stamp{0};
  };
  auto w = std::make_unique<words>();
  auto* word = reinterpret_cast<std::uint32_t*>(&w->word);
  return idle_measurement(
      [&] {
        while (w->word.load() == 0)
          syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, 0, nullptr, nullptr, 0);
        w->word.store(0);
        return w->stamp.load();
      },
      [&](item t) {
        w->stamp.store(t);
        w->word.store(1);
        syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
      });
}
#endif

// --- the table of scenarios --------------------------------------------------

struct scenario {
  std::string name;
  const char* unit;
  bool higher_is_better;
  const char* cpu_unit;  // nullptr: no CPU column
};

inline constexpr const char* cpu_per_item = "CPU s per M items";

inline const scenario named_scenarios[] = {
    {"pair", "ns per push+pop", false, nullptr},
    {"batch64", "ns per item pushed and popped", false, nullptr},
    {"batch4096", "ns per item pushed and popped", false, nullptr},
    {"pair-1000", "ns per push+pop, capacity 1000", false, nullptr},
    {"batch64-1000", "ns per item, batches of 64, capacity 1000", false, nullptr},
    {"bulk64", "ns per item, bulk calls", false, nullptr},
    {"1p1c", "M items/s", true, cpu_per_item},
    {"1p1c-busy-push", "M items/s", true, cpu_per_item},
    {"1p1c-busy-pop", "M items/s", true, cpu_per_item},
    {"pingpong", "ns per round trip", false, nullptr},
    {"2x2", "M items/s", true, cpu_per_item},
    {"4x4", "M items/s", true, cpu_per_item},
    {"8x8", "M items/s", true, cpu_per_item},
    {"idle", "wake latency, us", false, "CPU while blocked, % of a core"},
};

inline constexpr const char* default_scenarios =
    "pair,batch64,batch4096,bulk64,1p1c,pingpong,2x2,4x4,8x8,idle";

// "PxC" with 1 <= P, C <= 256: P producers and C consumers. {0, 0} for any
// other name.
inline std::pair<int, int> producers_consumers(const std::string& name) {
  int p = 0, c = 0;
  char tail = 0;
  if (std::sscanf(name.c_str(), "%dx%d%c", &p, &c, &tail) != 2) return {0, 0};
  if (p < 1 || c < 1 || p > 256 || c > 256) return {0, 0};
  return {p, c};
}

// The scenario of that name; one with an empty name if there is none.
inline scenario find_scenario(const std::string& name) {
  for (const scenario& s : named_scenarios)
    if (s.name == name) return s;
  if (producers_consumers(name).first != 0) return {name, "M items/s", true, cpu_per_item};
  return {};
}

// Runs scenario `s` (a name find_scenario() knows) on adapter A.
template <class A>
result run_scenario(const char* name, const std::string& s, item n) {
  if (s == "pair") return pair_scenario<A>(name, n);
  if (s == "batch64") return batch_scenario<A>(name, n, 64);
  if (s == "batch4096") return batch_scenario<A>(name, n, 4096);
  if (s == "pair-1000") return pair_scenario<A>(name, n, 1000);
  if (s == "batch64-1000") return batch_scenario<A>(name, n, 64, 1000);
  if (s == "bulk64") return bulk_scenario<A>(name, n, 64);
  if (s == "1p1c") return many_to_many_scenario<A>(name, n, 1, 1);
  if (s == "1p1c-busy-push") return many_to_many_scenario<A>(name, n, 1, 1, 64, 0);
  if (s == "1p1c-busy-pop") return many_to_many_scenario<A>(name, n, 1, 1, 0, 64);
  if (s == "pingpong") return pingpong_scenario<A>(name, n / 20 + 1);
  if (s == "idle") return idle_scenario<A>(name, n);
  const auto [p, c] = producers_consumers(s);
  check(p != 0, name, "unknown scenario");
  return many_to_many_scenario<A>(name, n / 4, p, c);
}

}  // namespace bench
