// Side-by-side comparison of our queues with the peers installed from
// Debian, on the same workloads in one run:
//   pair      one thread: try_push then try_pop, ns per pair
//   1p1c      one producer thread feeding one consumer thread (blocking calls)
//   pingpong  a round trip between two threads through two queues
//   4x4, 8x8  producers x consumers; 8x8 oversubscribes a 2-core machine
//   idle      a consumer blocked 300 ms on an empty queue: the CPU it burns,
//             and the latency from a push to its wake-up (median of 8)
// Throughput scenarios report CPU seconds per million items beside wall time.
// Each (queue, scenario) runs `reps` times, interleaved with the others; the
// tables show medians and each figure's ratio to the best peer.
//
//   cmake --preset bench && cmake --build --preset bench
//   build/bench/bench/compare [reps] [items] [scenario,scenario,...]
//
// The full runner (separate processes, charts, sweeps) is issue 4's.
#include <mpmc/mpmc.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <latch>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <time.h>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#if __has_include(<atomic_queue/atomic_queue.h>)
#include <atomic_queue/atomic_queue.h>
#define MPMC_BENCH_HAVE_ATOMIC_QUEUE 1
#endif
#if __has_include(<xenium/vyukov_bounded_queue.hpp>)
#include <xenium/vyukov_bounded_queue.hpp>
#define MPMC_BENCH_HAVE_XENIUM 1
#endif
#if __has_include(<concurrentqueue/blockingconcurrentqueue.h>)
#include <concurrentqueue/blockingconcurrentqueue.h>
#define MPMC_BENCH_HAVE_MOODYCAMEL 1
#endif
#if __has_include(<boost/lockfree/queue.hpp>)
#include <boost/lockfree/queue.hpp>
#define MPMC_BENCH_HAVE_BOOST_LOCKFREE 1
#endif
#if defined(MPMC_BENCH_HAVE_TBB)
#include <oneapi/tbb/concurrent_queue.h>
#endif

namespace {

using item = std::uint64_t;

// --- adapters: one shape for every queue ----------------------------------

template <class Q>
struct ours {
  Q q;
  explicit ours(std::size_t cap) : q(cap) {}
  bool try_push(item v) { return q.try_push(v); }
  bool try_pop(item& v) { return q.try_pop(v); }
  void push(item v) { q.push(v); }
  item pop() { return *q.pop(); }
};

// What people write by hand: a ring under one mutex, two condition variables.
struct mutex_ring {
  std::mutex m;
  std::condition_variable not_full, not_empty;
  std::vector<item> ring;
  std::size_t head = 0, count = 0;
  explicit mutex_ring(std::size_t cap) : ring(cap) {}
  bool try_push(item v) {
    {
      std::lock_guard lock(m);
      if (count == ring.size()) return false;
      ring[(head + count++) % ring.size()] = v;
    }
    not_empty.notify_one();
    return true;
  }
  bool try_pop(item& v) {
    {
      std::lock_guard lock(m);
      if (count == 0) return false;
      v = ring[head];
      head = (head + 1) % ring.size();
      --count;
    }
    not_full.notify_one();
    return true;
  }
  void push(item v) {
    {
      std::unique_lock lock(m);
      not_full.wait(lock, [&] { return count != ring.size(); });
      ring[(head + count++) % ring.size()] = v;
    }
    not_empty.notify_one();
  }
  item pop() {
    item v = 0;
    {
      std::unique_lock lock(m);
      not_empty.wait(lock, [&] { return count != 0; });
      v = ring[head];
      head = (head + 1) % ring.size();
      --count;
    }
    not_full.notify_one();
    return v;
  }
};

// Peers without a blocking call are given one that retries with a yield.
template <class Self>
struct retry_with_yield {
  void push(item v) {
    while (!static_cast<Self*>(this)->try_push(v)) std::this_thread::yield();
  }
  item pop() {
    item v = 0;
    while (!static_cast<Self*>(this)->try_pop(v)) std::this_thread::yield();
    return v;
  }
};

#if defined(MPMC_BENCH_HAVE_ATOMIC_QUEUE)
struct atomic_queue_b2 {
  atomic_queue::AtomicQueueB2<item> q;
  explicit atomic_queue_b2(std::size_t cap) : q(static_cast<unsigned>(cap)) {}
  bool try_push(item v) { return q.try_push(std::move(v)); }
  bool try_pop(item& v) { return q.try_pop(v); }
  void push(item v) { q.push(std::move(v)); }
  item pop() { return q.pop(); }
};
#endif
#if defined(MPMC_BENCH_HAVE_XENIUM)
struct xenium_vyukov : retry_with_yield<xenium_vyukov> {
  xenium::vyukov_bounded_queue<item> q;
  explicit xenium_vyukov(std::size_t cap) : q(cap) {}
  bool try_push(item v) { return q.try_push(v); }
  bool try_pop(item& v) { return q.try_pop(v); }
};
#endif
#if defined(MPMC_BENCH_HAVE_MOODYCAMEL)
struct moodycamel_blocking {
  moodycamel::BlockingConcurrentQueue<item> q;
  explicit moodycamel_blocking(std::size_t cap) : q(cap) {}
  bool try_push(item v) { return q.try_enqueue(v); }
  bool try_pop(item& v) { return q.try_dequeue(v); }
  void push(item v) {
    while (!q.try_enqueue(v)) std::this_thread::yield();  // stay bounded
  }
  item pop() {
    item v = 0;
    q.wait_dequeue(v);
    return v;
  }
};
#endif
#if defined(MPMC_BENCH_HAVE_BOOST_LOCKFREE)
struct boost_lockfree : retry_with_yield<boost_lockfree> {
  boost::lockfree::queue<item> q;
  explicit boost_lockfree(std::size_t cap) : q(cap) {}
  bool try_push(item v) { return q.bounded_push(v); }
  bool try_pop(item& v) { return q.pop(v); }
};
#endif
#if defined(MPMC_BENCH_HAVE_TBB)
struct tbb_bounded {
  tbb::concurrent_bounded_queue<item> q;
  explicit tbb_bounded(std::size_t cap) { q.set_capacity(static_cast<std::ptrdiff_t>(cap)); }
  bool try_push(item v) { return q.try_push(v); }
  bool try_pop(item& v) { return q.try_pop(v); }
  void push(item v) { q.push(v); }
  item pop() {
    item v = 0;
    q.pop(v);
    return v;
  }
};
#endif

// --- scenarios --------------------------------------------------------------

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

void check(bool ok, const char* queue, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "compare: %s: %s\n", queue, what);
    std::exit(1);
  }
}

struct result {
  double value;  // in the scenario's unit
  double cpu;    // CPU seconds per million items, or % of a core while idle
};

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

item now_ns() {
  return static_cast<item>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count());
}

template <class A>
result pair_scenario(const char* name, item n) {
  auto a = std::make_unique<A>(1024);
  item sum = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (item i = 0; i != n; ++i) {
    a->try_push(i);
    item v = 0;
    a->try_pop(v);
    sum += v;
  }
  const auto t1 = std::chrono::steady_clock::now();
  check(sum == n * (n - 1) / 2, name, "pair checksum mismatch");
  return {std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(n), 0};
}

// `producers` threads push n items in all, `consumers` threads pop them. The
// queue is on the heap and each thread sums into a local: a counter written
// per item next to the queue object would share its lines and slow every
// queue by a different amount.
template <class A>
result many_to_many_scenario(const char* name, item n, int producers, int consumers) {
  const item per_producer =
      n / static_cast<item>(producers * consumers) * static_cast<item>(consumers);
  const item per_consumer =
      per_producer * static_cast<item>(producers) / static_cast<item>(consumers);
  n = per_producer * static_cast<item>(producers);
  auto a = std::make_unique<A>(1024);
  std::latch ready(producers + consumers + 1);
  std::vector<item> sums(static_cast<std::size_t>(consumers) * 16, 0);  // 128 bytes apart
  std::vector<std::thread> threads;
  for (int p = 0; p != producers; ++p) {
    threads.emplace_back([&, p] {
      ready.arrive_and_wait();
      for (item i = 0; i != per_producer; ++i)
        a->push(i * static_cast<item>(producers) + static_cast<item>(p));
    });
  }
  for (int c = 0; c != consumers; ++c) {
    threads.emplace_back([&, c] {
      ready.arrive_and_wait();
      item local = 0;
      for (item i = 0; i != per_consumer; ++i) local += a->pop();
      sums[static_cast<std::size_t>(c) * 16] = local;
    });
  }
  ready.arrive_and_wait();  // every thread exists before the clock starts
  const double c0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  for (auto& t : threads) t.join();
  const auto t1 = std::chrono::steady_clock::now();
  const double c1 = cpu_seconds();
  item sum = 0;
  for (item s : sums) sum += s;
  check(sum == n * (n - 1) / 2, name, "checksum mismatch: items lost or duplicated");
  const double seconds = std::chrono::duration<double>(t1 - t0).count();
  return {static_cast<double>(n) / seconds / 1e6, (c1 - c0) / (static_cast<double>(n) / 1e6)};
}

// A round trip: the main thread pushes into `there` and waits on `back`, an
// echo thread pops `there` and pushes the item into `back`.
template <class A>
result pingpong_scenario(const char* name, item n) {
  auto there = std::make_unique<A>(1024);
  auto back = std::make_unique<A>(1024);
  std::latch ready(2);
  std::thread echo([&] {
    ready.arrive_and_wait();
    for (item i = 0; i != n; ++i) back->push(there->pop());
  });
  ready.arrive_and_wait();
  item sum = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (item i = 0; i != n; ++i) {
    there->push(i);
    sum += back->pop();
  }
  const auto t1 = std::chrono::steady_clock::now();
  echo.join();
  check(sum == n * (n - 1) / 2, name, "pingpong checksum mismatch");
  return {std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(n), 0};
}

// A consumer blocks on an empty queue; the main thread pushes a timestamp
// after a pause. The consumer's own CPU time across the first, 300 ms wait
// gives the CPU it burns while blocked; the push-to-return latency of 8
// waits (the first 300 ms, the rest 20 ms) gives the wake latency.
constexpr int idle_samples = 8;

template <class Wait, class Wake>
result idle_measurement(Wait&& wait, Wake&& wake) {
  std::vector<double> latencies_us(idle_samples), cpu(idle_samples), blocked(idle_samples);
  std::latch ready(2);
  std::thread consumer([&] {
    ready.arrive_and_wait();
    for (int s = 0; s != idle_samples; ++s) {
      const double c0 = thread_cpu_seconds();
      const auto t0 = std::chrono::steady_clock::now();
      const item pushed_at = wait();
      const item returned_at = now_ns();
      const auto t1 = std::chrono::steady_clock::now();
      cpu[static_cast<std::size_t>(s)] = thread_cpu_seconds() - c0;
      blocked[static_cast<std::size_t>(s)] = std::chrono::duration<double>(t1 - t0).count();
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
  return {latencies_us[latencies_us.size() / 2], 100.0 * cpu[0] / blocked[0]};
}

template <class A>
result idle_scenario(const char*, item) {
  auto a = std::make_unique<A>(1024);
  return idle_measurement([&] { return a->pop(); }, [&](item t) { a->push(t); });
}

#if defined(__linux__)
// The floor for a parking queue's wake latency: a bare futex wait and wake.
result bare_futex_idle() {
  std::atomic<std::uint32_t> word{0};
  std::atomic<item> stamp{0};
  return idle_measurement(
      [&] {
        while (word.load() == 0)
          syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, 0,
                  nullptr, nullptr, 0);
        word.store(0);
        return stamp.load();
      },
      [&](item t) {
        stamp.store(t);
        word.store(1);
        syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, 1, nullptr,
                nullptr, 0);
      });
}
#endif

// The floor for any queue that claims a push and a pop with one
// compare-exchange each: two uncontended compare-exchanges on two lines.
result two_cas_floor(item n) {
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
  return {std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(n), 0};
}

// --- the run ----------------------------------------------------------------

struct scenario {
  const char* name;
  const char* unit;
  bool higher_is_better;
  bool reports_cpu;
  const char* cpu_unit;
};

const scenario scenarios[] = {
    {"pair", "ns per push+pop", false, false, ""},
    {"1p1c", "M items/s", true, true, "CPU s per M items"},
    {"pingpong", "ns per round trip", false, false, ""},
    {"4x4", "M items/s", true, true, "CPU s per M items"},
    {"8x8", "M items/s", true, true, "CPU s per M items"},
    {"idle", "wake latency, us", false, true, "CPU while blocked, % of a core"},
};

struct entry {
  std::string name;
  bool ours;
  std::function<result(const std::string&, item)> run;
  std::vector<std::vector<result>> results;  // per scenario
};

template <class A>
entry make(const char* name, bool is_ours) {
  return {name,
          is_ours,
          [name](const std::string& s, item n) -> result {
            if (s == "pair") return pair_scenario<A>(name, n);
            if (s == "1p1c") return many_to_many_scenario<A>(name, n, 1, 1);
            if (s == "pingpong") return pingpong_scenario<A>(name, n / 20 + 1);
            if (s == "4x4") return many_to_many_scenario<A>(name, n / 4, 4, 4);
            if (s == "8x8") return many_to_many_scenario<A>(name, n / 4, 8, 8);
            return idle_scenario<A>(name, n);
          },
          {}};
}

result median(std::vector<result> v) {
  std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.value < b.value; });
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  const item n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 4'000'000;
  const std::string wanted = argc > 3 ? argv[3] : "pair,1p1c,pingpong,4x4,8x8,idle";
  std::vector<const scenario*> chosen;
  std::string list(1, ',');  // ",a,b,": look names up with their commas
  list.append(wanted).push_back(',');
  for (const auto& s : scenarios) {
    std::string key(1, ',');
    key.append(s.name).push_back(',');
    if (list.find(key) != std::string::npos) chosen.push_back(&s);
  }
  check(!chosen.empty(), "compare", "no known scenario named; see the top of compare.cpp");

  std::vector<entry> queues;
  queues.push_back(make<ours<mpmc::spinning_queue<item>>>("mpmc spinning_queue (spin)", true));
  queues.push_back(make<ours<mpmc::yielding_queue<item>>>("mpmc yielding_queue (yield)", true));
  queues.push_back(
      make<ours<mpmc::queue<item>>>("mpmc queue<T> default (pause, park on futex)", true));
  queues.push_back(make<ours<mpmc::queue<item, mpmc::backoff::exponential, mpmc::wait::futex>>>(
      "mpmc exponential + wait::futex", true));
  queues.push_back(
      make<ours<mpmc::queue<item, mpmc::wait::atomic_wait>>>("mpmc wait::atomic_wait", true));
  queues.push_back(make<ours<mpmc::queue<item, mpmc::wait::condvar>>>("mpmc wait::condvar", true));
  queues.push_back(make<ours<mpmc::spinning_queue<item>::with<mpmc::padding::none>>>(
      "mpmc spin, padding::none", true));
#if defined(MPMC_BENCH_HAVE_ATOMIC_QUEUE)
  queues.push_back(make<atomic_queue_b2>("atomic_queue AtomicQueueB2", false));
#else
  std::puts("skipped: atomic_queue (install libatomic-queue-dev)");
#endif
#if defined(MPMC_BENCH_HAVE_XENIUM)
  queues.push_back(make<xenium_vyukov>("xenium vyukov_bounded_queue", false));
#else
  std::puts("skipped: xenium (install libxenium-dev)");
#endif
#if defined(MPMC_BENCH_HAVE_MOODYCAMEL)
  queues.push_back(make<moodycamel_blocking>("moodycamel BlockingConcurrentQueue", false));
#else
  std::puts("skipped: moodycamel (install libconcurrentqueue-dev)");
#endif
#if defined(MPMC_BENCH_HAVE_BOOST_LOCKFREE)
  queues.push_back(make<boost_lockfree>("boost::lockfree::queue", false));
#else
  std::puts("skipped: boost::lockfree (install libboost-dev)");
#endif
#if defined(MPMC_BENCH_HAVE_TBB)
  queues.push_back(make<tbb_bounded>("oneTBB concurrent_bounded_queue", false));
#else
  std::puts("skipped: oneTBB (install libtbb-dev)");
#endif
  queues.push_back(make<mutex_ring>("mutex + condvar ring", false));

  for (auto& q : queues) q.results.resize(chosen.size());
  std::vector<result> floors, futex_floors;
  for (int r = 0; r != reps; ++r) {
    for (std::size_t s = 0; s != chosen.size(); ++s) {
      const std::string name = chosen[s]->name;
      if (name == "pair") floors.push_back(two_cas_floor(n));
#if defined(__linux__)
      if (name == "idle") futex_floors.push_back(bare_futex_idle());
#endif
      for (auto& q : queues) {
        std::fprintf(stderr, "\r%-40s %-9s rep %d/%d", q.name.c_str(), name.c_str(), r + 1, reps);
        q.results[s].push_back(q.run(name, n));
      }
    }
  }
  std::fprintf(stderr, "\r%70s\r", "");

  std::printf("%d repetitions (medians), %llu items, %u hardware threads\n", reps,
              static_cast<unsigned long long>(n), std::thread::hardware_concurrency());
  for (std::size_t s = 0; s != chosen.size(); ++s) {
    const scenario& sc = *chosen[s];
    double best = sc.higher_is_better ? 0 : 1e300;
    for (auto& q : queues) {
      if (q.ours) continue;
      const double v = median(q.results[s]).value;
      best = sc.higher_is_better ? std::max(best, v) : std::min(best, v);
    }
    std::printf("\n### %s (%s; %s is better)\n\n", sc.name, sc.unit,
                sc.higher_is_better ? "higher" : "lower");
    std::printf("| queue | %s | vs best peer |", sc.unit);
    if (sc.reports_cpu) std::printf(" %s |", sc.cpu_unit);
    std::printf("\n");
    std::printf("|---|---:|---:|%s\n", sc.reports_cpu ? "---:|" : "");
    for (auto& q : queues) {
      const result m = median(q.results[s]);
      std::printf("| %s | %.2f | %.2fx |", q.name.c_str(), m.value, m.value / best);
      if (sc.reports_cpu) std::printf(" %.3f |", m.cpu);
      std::printf("\n");
    }
    if (std::string(sc.name) == "pair" && !floors.empty())
      std::printf("| (floor: two uncontended compare-exchanges) | %.2f | %.2fx |\n",
                  median(floors).value, median(floors).value / best);
    if (std::string(sc.name) == "idle" && !futex_floors.empty()) {
      const result f = median(futex_floors);
      std::printf("| (floor: bare futex wait + wake) | %.2f | %.2fx | %.3f |\n", f.value,
                  f.value / best, f.cpu);
    }
  }
}
