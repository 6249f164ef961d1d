// A short side-by-side comparison of our queue with the peers installed from
// Debian, on the same workloads in one run:
//   pair   one thread: try_push then try_pop, ns per pair
//   1p1c   one producer thread feeding one consumer thread, M items/s,
//          with the CPU seconds both threads used
// Each (queue, scenario) runs `reps` times, interleaved with the others; the
// table shows medians and each figure's ratio to the best peer.
//
//   cmake --preset bench && cmake --build --preset bench
//   build/bench/bench/compare [reps] [items]
//
// The full runner (separate processes, more scenarios, charts) is issue 4's.
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
  double value;  // ns per pair, or M items/s
  double cpu;    // CPU seconds per million items (1p1c)
};

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

template <class A>
result one_to_one_scenario(const char* name, item n) {
  // On the heap, and the consumer sums into a local: a counter written per
  // item next to the queue object would share its lines and slow every peer
  // by a different amount.
  auto a = std::make_unique<A>(1024);
  std::latch ready(3);
  item sum = 0;
  std::thread producer([&] {
    ready.arrive_and_wait();
    for (item i = 0; i != n; ++i) a->push(i);
  });
  std::thread consumer([&] {
    ready.arrive_and_wait();
    item local = 0;
    for (item i = 0; i != n; ++i) local += a->pop();
    sum = local;
  });
  ready.arrive_and_wait();  // both threads exist before the clock starts
  const double c0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  producer.join();
  consumer.join();
  const auto t1 = std::chrono::steady_clock::now();
  const double c1 = cpu_seconds();
  check(sum == n * (n - 1) / 2, name, "1p1c checksum mismatch");
  const double seconds = std::chrono::duration<double>(t1 - t0).count();
  return {static_cast<double>(n) / seconds / 1e6, (c1 - c0) / (static_cast<double>(n) / 1e6)};
}

// The floor for any queue that claims a push and a pop with one
// compare-exchange each: two uncontended compare-exchanges on two lines.
double two_cas_floor_ns(item n) {
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
  return std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(n);
}

struct entry {
  std::string name;
  bool ours;
  std::function<result(item)> pair, one_to_one;
  std::vector<result> pairs, ones;
};

template <class A>
entry make(const char* name, bool is_ours) {
  return {name,
          is_ours,
          [name](item n) { return pair_scenario<A>(name, n); },
          [name](item n) { return one_to_one_scenario<A>(name, n); },
          {},
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

  std::vector<entry> queues;
  queues.push_back(make<ours<mpmc::spinning_queue<item>>>("mpmc spinning_queue", true));
  queues.push_back(make<ours<mpmc::yielding_queue<item>>>("mpmc yielding_queue", true));
  queues.push_back(make<ours<mpmc::spinning_queue<item>::with<mpmc::padding::none>>>(
      "mpmc spinning, padding::none", true));
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

  std::vector<double> floors;
  for (int r = 0; r != reps; ++r) {
    floors.push_back(two_cas_floor_ns(n));
    for (auto& q : queues) q.pairs.push_back(q.pair(n));
    for (auto& q : queues) q.ones.push_back(q.one_to_one(n));
  }

  double best_pair = 1e300, best_one = 0;
  for (auto& q : queues) {
    if (q.ours) continue;
    best_pair = std::min(best_pair, median(q.pairs).value);
    best_one = std::max(best_one, median(q.ones).value);
  }
  std::printf("\n%d repetitions (medians), %llu pairs, %llu items 1p1c, %u hardware threads\n\n",
              reps, static_cast<unsigned long long>(n), static_cast<unsigned long long>(n),
              std::thread::hardware_concurrency());
  std::puts(
      "| queue | pair ns | vs best peer | 1p1c M items/s | vs best peer | 1p1c CPU s per M |");
  std::puts("|---|---:|---:|---:|---:|---:|");
  for (auto& q : queues) {
    const result p = median(q.pairs), o = median(q.ones);
    std::printf("| %s | %.1f | %.2fx | %.2f | %.2fx | %.3f |\n", q.name.c_str(), p.value,
                p.value / best_pair, o.value, o.value / best_one, o.cpu);
  }
  std::sort(floors.begin(), floors.end());
  std::printf("\ntwo uncontended compare-exchanges (the floor of a CAS-claimed pair): %.1f ns\n",
              floors[floors.size() / 2]);
  std::puts("ratios: pair is time (lower is better), 1p1c is throughput (higher is better)");
}
