// Side-by-side comparison of our queues with the peers installed from
// Debian, on the same workloads in one run:
//   pair      one thread: try_push then try_pop, ns per pair
//   batch64, batch4096   one thread: N try_push, then N try_pop; ns per item
//   bulk64    one thread: one 64-item bulk push, one 64-item bulk pop, where the
//             queue has them (ours: try_push_range/try_pop_n; moodycamel:
//             try_enqueue_bulk/try_dequeue_bulk; the mutex ring: one lock per
//             batch), else 64 single calls; ns per item
//   1p1c      one producer thread feeding one consumer thread (blocking calls)
//   1p1c-busy-push, 1p1c-busy-pop   the same with ~20 ns of work per item on
//             the producer's (consumer's) side, so that the queue runs empty
//             (full) and the other side waits on every element; only when
//             named (not in the default list)
//   pingpong  a round trip between two threads through two queues
//   2x2, 4x4, 8x8  producers x consumers; 8x8 oversubscribes a 2-core machine.
//             Any other PxC (say 3x5) works too: bench/sweep.py drives a grid
//             of them. PxC scenarios move n/4 items (1p1c moves n).
//   idle      a consumer blocked 300 ms on an empty queue: the CPU it burns,
//             and the latency from a push to its wake-up (median of 32)
// Throughput scenarios report CPU seconds per million items beside wall time.
// Floors (not queues): two uncontended compare-exchanges (pair), a bare
// Vyukov ring written out here (pair, batch64, batch4096), a bare futex wait
// and wake (idle). Single-producer single-consumer queues (ours with
// producers::single + consumers::single, atomic_queue's SPSC mode) run only
// the scenarios with one thread per side, and their "vs best peer" is the
// best SPSC peer.
// Each (queue, scenario) measurement runs in a process of its own (this
// program, re-run with --one), killed after a timeout; every measurement is
// repeated `reps` times, interleaved with the others; checksums fail loudly.
// The Markdown tables show medians and each figure's ratio to the best peer;
// --json writes the same with every sample (its value, its CPU figure, and for
// threaded scenarios the link probe around it), for bench/plot.py and
// bench/targets.py.
//
//   cmake --preset bench && cmake --build --preset bench
//   build/bench/bench/compare [reps] [items] [scenario,scenario,...]
//       [--json FILE] [--timeout SECONDS] [--in-process] [--queues I,J,...]
//       [--warmup MS]
// --queues runs only the queues at those indices (the order of all_queues();
// `--list` prints it). --warmup (default 100 ms, in every mode) is how long
// the threaded scenarios run before their clock starts (see `warmup`).
//   build/bench/bench/compare --paired A B SCENARIO ITEMS SLICES
// runs queues A and B alternately in one process, SLICES times each, and
// prints the median of the per-slice ratios A/B (see main()).
#include <mpmc/mpmc.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__)
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
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

// How long the threaded scenarios (1p1c, pingpong, PxC) run before the clock
// starts (--warmup MS). A new thread often starts on its parent's CPU, and a
// pair that hands the CPU back and forth (our parking policies yield before
// they sleep) stays there until the scheduler moves one of them: 7-27 ms on
// the 2-vCPU VM (bench/settle), as long as a 2M-item 1p1c run. Without a
// warm-up those scenarios measure the start-up placement, not the queue
// (docs/benchmarks.md, "Threads start on one CPU"). --warmup 0 measures
// from a cold start.
std::chrono::milliseconds warmup{100};

// Values the threaded scenarios reserve: items pushed during the warm-up
// carry the tag (and are not summed), `stop_item` tells a consumer to quit.
constexpr item warmup_tag = item{1} << 63;
constexpr item stop_item = ~item{0};

// --- adapters: one shape for every queue ----------------------------------

template <class Q>
struct ours {
  Q q;
  explicit ours(std::size_t cap) : q(cap) {}
  bool try_push(item v) { return q.try_push(v); }
  bool try_pop(item& v) { return q.try_pop(v); }
  void push(item v) { q.push(v); }
  item pop() { return *q.pop(); }
  std::size_t push_batch(const item* first, std::size_t n) {
    return q.try_push_range(std::span<const item>(first, n));
  }
  std::size_t pop_batch(item* out, std::size_t n) { return q.try_pop_n(out, n); }
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
  std::size_t push_batch(const item* first, std::size_t n) {
    {
      std::lock_guard lock(m);
      n = std::min(n, ring.size() - count);
      for (std::size_t i = 0; i != n; ++i) ring[(head + count++) % ring.size()] = first[i];
    }
    not_empty.notify_all();
    return n;
  }
  std::size_t pop_batch(item* out, std::size_t n) {
    {
      std::lock_guard lock(m);
      n = std::min(n, count);
      for (std::size_t i = 0; i != n; ++i) {
        out[i] = ring[head];
        head = (head + 1) % ring.size();
      }
      count -= n;
    }
    not_full.notify_all();
    return n;
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
template <bool SPSC = false>
struct atomic_queue_b2 {
  atomic_queue::AtomicQueueB2<item, std::allocator<item>, true, false, SPSC> q;
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
  // moodycamel's capacity is a minimum spread over per-producer blocks: an
  // exact one refuses pushes before it is full, so it gets room to spare.
  explicit moodycamel_blocking(std::size_t cap) : q(2 * cap + 64) {}
  bool try_push(item v) { return q.try_enqueue(v); }
  bool try_pop(item& v) { return q.try_dequeue(v); }
  std::size_t push_batch(const item* first, std::size_t n) {
    return q.try_enqueue_bulk(first, n) ? n : 0;  // all or nothing
  }
  std::size_t pop_batch(item* out, std::size_t n) { return q.try_dequeue_bulk(out, n); }
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

// How long a cache line takes to go from one CPU to another and back, in
// ns: two threads pinned to the first two CPUs this process may use hand a
// counter back and forth. On the 2-vCPU VM this is bimodal and changes from
// one second to the next (the host moves the vCPUs): about 60-130 ns when
// they share a core complex, 400-700 ns when they do not
// (docs/benchmarks.md, "The two vCPUs"). Every threaded scenario moves lines
// between the CPUs, so its figure depends on which of the two it drew; the
// child process prints the probe taken before and after each measurement
// so that results can be compared within one class (bench/ab.sh --link).
// 0 when fewer than two CPUs are available.
double link_round_trip_ns() {
#if defined(__linux__)
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return 0;
  int cpus[2], found = 0;
  for (int c = 0; c != CPU_SETSIZE && found != 2; ++c)
    if (CPU_ISSET(c, &allowed)) cpus[found++] = c;
  if (found != 2) return 0;
  auto pin = [](int cpu) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    pthread_setaffinity_np(pthread_self(), sizeof one, &one);
  };
  constexpr long trips = 20000;
  struct alignas(128) line {
    std::atomic<long> value{0};
  };
  auto shared = std::make_unique<line>();
  auto& x = shared->value;
  // Each side waits for its turn's value, then passes the counter on.
  // acquire/release: only the counter's own handover; nothing else is shared.
  auto play = [&x](long first) {
    for (long v = first; v < 2 * trips; v += 2) {
      while (x.load(std::memory_order_acquire) != v) mpmc::backend::cpu_relax();
      x.store(v + 1, std::memory_order_release);
    }
  };
  double ns = 0;
  std::thread echo([&] {
    pin(cpus[1]);
    play(1);
  });
  std::thread lead([&] {
    pin(cpus[0]);
    const auto t0 = std::chrono::steady_clock::now();
    play(0);
    while (x.load(std::memory_order_acquire) != 2 * trips) mpmc::backend::cpu_relax();
    ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() /
         static_cast<double>(trips);
  });
  lead.join();
  echo.join();
  return ns;
#else
  return 0;
#endif
}

item now_ns() {
  return static_cast<item>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::steady_clock::now().time_since_epoch())
                               .count());
}

template <class A>
result pair_scenario(const char* name, item n) {
  auto a = std::make_unique<A>(1024);
  // Through a reference held in a register: calling through `a` had gcc
  // reload the pointer from the stack at each push, after the previous pop's
  // locked instruction and so on the critical path, for some adapters only
  // (docs/benchmarks.md, "The pair at the floor").
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
  return {std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(n), 0};
}

// One thread fills a queue of capacity `batch` and empties it again, over
// and over: the cost per item when nothing contends.
template <class A>
result batch_scenario(const char* name, item n, item batch) {
  auto a = std::make_unique<A>(static_cast<std::size_t>(batch));
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
  return {std::chrono::duration<double, std::nano>(t1 - t0).count() /
              static_cast<double>(rounds * batch),
          0};
}

// As batch64, through the queue's bulk calls where it has them. The input
// and output arrays move through eight places, 576 bytes apart, during the
// run: where they fall relative to the queue's slots modulo 4 KiB decides
// whether the CPU mistakes loads from them for reloads of recent stores to
// the slots ("4K aliasing"), which here costs up to 2x. A single placement
// would make the result depend on what the heap handed out.
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
  return {std::chrono::duration<double, std::nano>(t1 - t0).count() /
              static_cast<double>(rounds * batch),
          0};
}

// `producers` threads push n items in all, `consumers` threads pop them. The
// queue is on the heap and each thread sums into a local: a counter written
// per item next to the queue object would share its lines and slow every
// queue by a different amount. For the warm-up, producers push tagged items
// until `timing` is set; the clock starts there. Consumers pop until they
// take a `stop_item`, pushed once the producers are done.
// Stands for the work a thread does per item in the busy-side scenarios:
// `rounds` turns of a loop the compiler must keep (about 0.3 ns each on
// the 2-vCPU VM: 64 rounds, ~20 ns).
void busy_work(int rounds) {
  for (int k = 0; k < rounds; ++k) std::atomic_signal_fence(std::memory_order_seq_cst);
}

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
  std::vector<item> sums(static_cast<std::size_t>(consumers) * 16, 0);  // 128 bytes apart
  std::vector<item> counts(static_cast<std::size_t>(consumers) * 16, 0);
  // Each consumer's running count of timed items, on a line of its own: the
  // stop items go in only once all n are out. A queue that is not FIFO across
  // producers (moodycamel's) may otherwise hand a consumer its stop item
  // while other producers' items are still queued, which then nobody pops.
  const auto consumed =
      std::make_unique<std::atomic<item>[]>(static_cast<std::size_t>(consumers) * 16);
  std::vector<std::thread> threads;
  for (int p = 0; p != producers; ++p) {
    threads.emplace_back([&, p] {
      ready.count_down();
      go.wait();
      // relaxed: only the switch from warm-up to timed items, whose exact
      // moment does not matter (at most a queue's worth of tagged items
      // is popped after the clock starts).
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
        consumed[static_cast<std::size_t>(c) * 16].store(count, std::memory_order_relaxed);
      }
      sums[static_cast<std::size_t>(c) * 16] = local;
      counts[static_cast<std::size_t>(c) * 16] = count;
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
    for (int c = 0; c != consumers; ++c)
      out += consumed[static_cast<std::size_t>(c) * 16].load(std::memory_order_relaxed);
    if (out >= n) break;
    std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
  for (int c = 0; c != consumers; ++c) a->push(stop_item);
  for (auto& t : threads)
    if (t.joinable()) t.join();
  const auto t1 = std::chrono::steady_clock::now();
  const double c1 = cpu_seconds();
  item sum = 0, count = 0;
  for (std::size_t c = 0; c != sums.size(); c += 16) {
    sum += sums[c];
    count += counts[c];
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
  return {std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(n), 0};
}

// A consumer blocks on an empty queue; the main thread pushes a timestamp
// after a pause. The consumer's own CPU time across the first, 300 ms wait
// gives the CPU it burns while blocked; the push-to-return latency of 32
// waits (the first 300 ms, the rest 20 ms) gives the wake latency. The
// scheduler's wake-up varies by several microseconds from one wake to the
// next, so a median of fewer samples moved a queue's figure by more than
// the 10 % its target allows (8 samples: ours / bare futex 1.06-1.27 in
// three runs of one build).
constexpr int idle_samples = 32;

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
// Its two words live in a heap block, as every queue here does: on the main
// thread's stack (as until 2026-11-27) they sat in a page the producer
// touches all the time, which no queue's state can, and the floor came out
// ~1-2 us lower than a heap-placed one (docs/benchmarks.md).
//
// `Futex` calls the kernel: through libc's syscall(), the floor of the
// issue's target, or through our backend, which issues the instruction
// itself and spares a cold wrapper page on each side (linux_futex.hpp); the
// second shows how much of our margin that is.
struct libc_futex {
  static void wait(std::atomic<std::uint32_t>& word, std::uint32_t seen) {
    syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, seen, nullptr,
            nullptr, 0);
  }
  static void wake(std::atomic<std::uint32_t>& word) {
    syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, 1, nullptr,
            nullptr, 0);
  }
};
struct backend_futex {
  static void wait(std::atomic<std::uint32_t>& word, std::uint32_t seen) {
    mpmc::backend::linux_futex{}.wait(word, seen);
  }
  static void wake(std::atomic<std::uint32_t>& word) { mpmc::backend::linux_futex{}.wake(word, 1); }
};

template <class Futex>
result bare_futex_idle() {
  struct words {
    std::atomic<std::uint32_t> word{0};
    std::atomic<item> stamp{0};
  };
  auto w = std::make_unique<words>();
  return idle_measurement(
      [&] {
        while (w->word.load() == 0) Futex::wait(w->word, 0);
        w->word.store(0);
        return w->stamp.load();
      },
      [&](item t) {
        w->stamp.store(t);
        w->word.store(1);
        Futex::wake(w->word);
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

// The floor for a Vyukov ring claimed by compare-exchange: the protocol's
// memory operations and nothing else, written out by hand for this runner.
// No policies, no close bit, no waiting, no parking check: per push, a load
// of the counter, a load of the slot's turn, the exchange, the element and
// the turn store; the same per pop. What a compare-exchange ring cannot go
// below, as the two-CAS floor is what no queue that claims by
// compare-exchange can go below; the distance from it to our queue is our
// implementation's own cost (docs/benchmarks.md, "The protocol's floor").
class bare_vyukov_ring {
 public:
  explicit bare_vyukov_ring(std::size_t capacity)
      : mask_(std::bit_ceil(capacity) - 1), cells_(std::make_unique<cell[]>(mask_ + 1)) {
    for (std::uint64_t i = 0; i <= mask_; ++i)
      cells_[i].seq.store(i, std::memory_order_relaxed);  // relaxed: not yet shared
  }
  bool try_push(item v) {
    std::uint64_t pos = tail_.load(std::memory_order_relaxed);
    for (;;) {
      cell& c = cells_[pos & mask_];
      // acquire: pairs with the release store of the slot's last consumer.
      const std::uint64_t seq = c.seq.load(std::memory_order_acquire);
      const auto diff = static_cast<std::int64_t>(seq - pos);
      if (diff == 0) {
        // relaxed: hands out the position; the slot is ordered by seq.
        if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          c.value = v;
          // release: pairs with the consumer's acquire load of seq.
          c.seq.store(pos + 1, std::memory_order_release);
          return true;
        }
      } else if (diff < 0) {
        return false;
      } else {
        pos = tail_.load(std::memory_order_relaxed);  // relaxed: a guess, checked above
      }
    }
  }
  bool try_pop(item& v) {
    std::uint64_t pos = head_.load(std::memory_order_relaxed);
    for (;;) {
      cell& c = cells_[pos & mask_];
      // acquire: pairs with the release store of the slot's producer.
      const std::uint64_t seq = c.seq.load(std::memory_order_acquire);
      const auto diff = static_cast<std::int64_t>(seq - (pos + 1));
      if (diff == 0) {
        // relaxed: as in try_push.
        if (head_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          v = c.value;
          // release: pairs with the next lap's producer's acquire load.
          c.seq.store(pos + mask_ + 1, std::memory_order_release);
          return true;
        }
      } else if (diff < 0) {
        return false;
      } else {
        pos = head_.load(std::memory_order_relaxed);  // relaxed: as in try_push
      }
    }
  }

 private:
  struct cell {
    std::atomic<std::uint64_t> seq;
    item value;
  };
  const std::uint64_t mask_;
  const std::unique_ptr<cell[]> cells_;
  alignas(128) std::atomic<std::uint64_t> tail_{0};
  alignas(128) std::atomic<std::uint64_t> head_{0};
};

// --- the run ----------------------------------------------------------------

struct scenario {
  std::string name;
  const char* unit;
  bool higher_is_better;
  bool reports_cpu;
  const char* cpu_unit;
};

const scenario scenarios[] = {
    {"pair", "ns per push+pop", false, false, ""},
    {"batch64", "ns per item pushed and popped", false, false, ""},
    {"batch4096", "ns per item pushed and popped", false, false, ""},
    {"bulk64", "ns per item, bulk calls", false, false, ""},
    {"1p1c", "M items/s", true, true, "CPU s per M items"},
    {"1p1c-busy-push", "M items/s", true, true, "CPU s per M items"},
    {"1p1c-busy-pop", "M items/s", true, true, "CPU s per M items"},
    {"pingpong", "ns per round trip", false, false, ""},
    {"2x2", "M items/s", true, true, "CPU s per M items"},
    {"4x4", "M items/s", true, true, "CPU s per M items"},
    {"8x8", "M items/s", true, true, "CPU s per M items"},
    {"idle", "wake latency, us", false, true, "CPU while blocked, % of a core"},
};

// "PxC" with 1 <= P, C <= 256: P producers and C consumers. Returns {0, 0}
// for any other name.
std::pair<int, int> producers_consumers(const std::string& name) {
  int p = 0, c = 0;
  char tail = 0;
  if (std::sscanf(name.c_str(), "%dx%d%c", &p, &c, &tail) != 2) return {0, 0};
  if (p < 1 || c < 1 || p > 256 || c > 256) return {0, 0};
  return {p, c};
}

// The link probe a child process printed around one threaded measurement
// (link_round_trip_ns); zeros for other scenarios and in-process runs.
struct link_probe {
  double before = 0, after = 0;
};

struct entry {
  std::string name;
  enum kind_type { ours_kind, peer_kind, floor_kind } kind;
  std::function<result(const std::string&, item)> run;
  const char* only_scenario = nullptr;  // floors: the scenarios, comma-separated
  bool lone = false;  // one producer and one consumer only: compared with its own kind
  std::vector<std::vector<result>> results = {};    // per chosen scenario
  std::vector<std::vector<link_probe>> links = {};  // beside results

  bool runs(const std::string& scenario) const {
    if (only_scenario == nullptr) return true;
    const std::string list = std::string(",") + only_scenario + ",";
    return list.find("," + scenario + ",") != std::string::npos;
  }
};

template <class A>
entry make(const char* name, bool is_ours) {
  return {name, is_ours ? entry::ours_kind : entry::peer_kind,
          [name](const std::string& s, item n) -> result {
            if (s == "pair") return pair_scenario<A>(name, n);
            if (s == "batch64") return batch_scenario<A>(name, n, 64);
            if (s == "batch4096") return batch_scenario<A>(name, n, 4096);
            if (s == "bulk64") return bulk_scenario<A>(name, n, 64);
            if (s == "1p1c") return many_to_many_scenario<A>(name, n, 1, 1);
            if (s == "1p1c-busy-push") return many_to_many_scenario<A>(name, n, 1, 1, 64, 0);
            if (s == "1p1c-busy-pop") return many_to_many_scenario<A>(name, n, 1, 1, 0, 64);
            if (s == "pingpong") return pingpong_scenario<A>(name, n / 20 + 1);
            if (s == "idle") return idle_scenario<A>(name, n);
            const auto [p, c] = producers_consumers(s);
            check(p != 0, "compare", "unknown scenario");
            return many_to_many_scenario<A>(name, n / 4, p, c);
          }};
}

// Every queue the run compares, ours first, then the peers that are
// installed, then the floors. The order is the same in parent and child
// processes, so an index names a queue.
std::vector<entry> all_queues() {
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
  queues.push_back(make<ours<mpmc::queue<item, mpmc::padding::cache_line>>>(
      "mpmc queue<T>, padding::cache_line", true));
  queues.push_back(make<ours<mpmc::queue<item, mpmc::padding::interleaved>>>(
      "mpmc queue<T>, padding::interleaved", true));
  queues.push_back(
      make<ours<mpmc::queue<item, mpmc::claim::ticket>>>("mpmc queue<T>, claim::ticket", true));
#if defined(MPMC_BENCH_HAVE_ATOMIC_QUEUE)
  queues.push_back(make<atomic_queue_b2<>>("atomic_queue AtomicQueueB2", false));
#endif
#if defined(MPMC_BENCH_HAVE_XENIUM)
  queues.push_back(make<xenium_vyukov>("xenium vyukov_bounded_queue", false));
#endif
#if defined(MPMC_BENCH_HAVE_MOODYCAMEL)
  queues.push_back(make<moodycamel_blocking>("moodycamel BlockingConcurrentQueue", false));
#endif
#if defined(MPMC_BENCH_HAVE_BOOST_LOCKFREE)
  queues.push_back(make<boost_lockfree>("boost::lockfree::queue", false));
#endif
#if defined(MPMC_BENCH_HAVE_TBB)
  queues.push_back(make<tbb_bounded>("oneTBB concurrent_bounded_queue", false));
#endif
  queues.push_back(make<mutex_ring>("mutex + condvar ring", false));
  // The default queue with a 16x longer spin before it yields: what a
  // ping-pong partner with a core of its own gains, and what oversubscribed
  // runs lose (docs/benchmarks.md, "Spin budget"). Listed after the peers so
  // that the indices above stay those of earlier runs.
  queues.push_back(make<ours<mpmc::queue<item, mpmc::wait::park<mpmc::backend::native, 1024>>>>(
      "mpmc wait::park<native, 1024 spins>", true));
  queues.push_back({"(floor: two uncontended compare-exchanges)", entry::floor_kind,
                    [](const std::string&, item n) { return two_cas_floor(n); }, "pair"});
#if defined(__linux__)
  queues.push_back({"(floor: bare futex wait + wake)", entry::floor_kind,
                    [](const std::string&, item) { return bare_futex_idle<libc_futex>(); },
                    "idle"});
#endif
  queues.push_back({"(floor: bare Vyukov ring)", entry::floor_kind,
                    [](const std::string& scenario, item n) {
                      const char* name = "bare Vyukov ring";
                      if (scenario == "pair") return pair_scenario<bare_vyukov_ring>(name, n);
                      return batch_scenario<bare_vyukov_ring>(name, n,
                                                              scenario == "batch64" ? 64 : 4096);
                    },
                    "pair,batch64,batch4096"});
  // Single-producer single-consumer queues, ours and atomic_queue's SPSC
  // mode: only the scenarios with one thread on each side, and each compared
  // with its own kind (entry::lone). Listed last, so that the indices above
  // stay those of earlier runs.
  const char* const lone_scenarios =
      "pair,batch64,batch4096,bulk64,1p1c,1p1c-busy-push,1p1c-busy-pop,pingpong,idle";
  auto lone = [&](entry e) {
    e.only_scenario = lone_scenarios;
    e.lone = true;
    queues.push_back(std::move(e));
  };
  lone(make<ours<mpmc::queue<item, mpmc::producers::single, mpmc::consumers::single>>>(
      "mpmc producers::single + consumers::single", true));
#if defined(MPMC_BENCH_HAVE_ATOMIC_QUEUE)
  lone(make<atomic_queue_b2<true>>("atomic_queue AtomicQueueB2, SPSC", false));
#endif
  // One lone side: against the MPMC peers, in scenarios with one thread on
  // that side (Px1 and 1xC are not in the default list; name them, or let
  // bench/sweep.py name them), up to eight threads on the other.
  const char* const many_producers = "1p1c,1x1,2x1,3x1,4x1,5x1,6x1,7x1,8x1";
  const char* const many_consumers = "1p1c,1x1,1x2,1x3,1x4,1x5,1x6,1x7,1x8";
  entry mpsc =
      make<ours<mpmc::queue<item, mpmc::consumers::single>>>("mpmc consumers::single (MPSC)", true);
  mpsc.only_scenario = many_producers;
  queues.push_back(std::move(mpsc));
  entry spmc =
      make<ours<mpmc::queue<item, mpmc::producers::single>>>("mpmc producers::single (SPMC)", true);
  spmc.only_scenario = many_consumers;
  queues.push_back(std::move(spmc));
  // The same with tickets for the side that has many threads: on many cores
  // the many side's compare-exchanges, not the lone side, set the pace.
  entry mpsc_ticket = make<ours<mpmc::queue<item, mpmc::consumers::single, mpmc::claim::ticket>>>(
      "mpmc consumers::single + claim::ticket", true);
  mpsc_ticket.only_scenario = many_producers;
  queues.push_back(std::move(mpsc_ticket));
  entry spmc_ticket = make<ours<mpmc::queue<item, mpmc::producers::single, mpmc::claim::ticket>>>(
      "mpmc producers::single + claim::ticket", true);
  spmc_ticket.only_scenario = many_consumers;
  queues.push_back(std::move(spmc_ticket));
#if defined(__linux__)
  queues.push_back({"(floor: bare futex, syscall instruction)", entry::floor_kind,
                    [](const std::string&, item) { return bare_futex_idle<backend_futex>(); },
                    "idle"});
#endif
  return queues;
}

void report_missing_peers() {
#if !defined(MPMC_BENCH_HAVE_ATOMIC_QUEUE)
  std::puts("skipped: atomic_queue (install libatomic-queue-dev)");
#endif
#if !defined(MPMC_BENCH_HAVE_XENIUM)
  std::puts("skipped: xenium (install libxenium-dev)");
#endif
#if !defined(MPMC_BENCH_HAVE_MOODYCAMEL)
  std::puts("skipped: moodycamel (install libconcurrentqueue-dev)");
#endif
#if !defined(MPMC_BENCH_HAVE_BOOST_LOCKFREE)
  std::puts("skipped: boost::lockfree (install libboost-dev)");
#endif
#if !defined(MPMC_BENCH_HAVE_TBB)
  std::puts("skipped: oneTBB (install libtbb-dev)");
#endif
}

result median(std::vector<result> v) {
  std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.value < b.value; });
  return v[v.size() / 2];
}

// Runs one (queue, scenario) measurement in a child process of this same
// program, so that no run inherits another's heap, threads, page faults or
// code placement, and a queue that hangs is killed after `timeout_s`.
// Returns nullopt (and says why on stderr) if the child failed or timed out.
std::optional<result> run_isolated(const char* self, std::size_t queue, const std::string& scenario,
                                   item n, int timeout_s, link_probe& link) {
  int fds[2];
  check(pipe(fds) == 0, "compare", "pipe failed");
  const pid_t pid = fork();
  check(pid >= 0, "compare", "fork failed");
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    const std::string index = std::to_string(queue), items = std::to_string(n),
                      warm = std::to_string(warmup.count());
    execl(self, self, "--warmup", warm.c_str(), "--one", index.c_str(), scenario.c_str(),
          items.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buffer[256];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    const ssize_t got = read(fds[0], buffer, sizeof buffer);
    if (got <= 0) break;  // the child closed its end: done
    out.append(buffer, static_cast<std::size_t>(got));
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  result r{};
  if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
      std::sscanf(out.c_str(), "%lf %lf %lf %lf", &r.value, &r.cpu, &link.before, &link.after) <
          2) {
    std::fprintf(stderr, "\ncompare: queue %zu, %s: %s\n", queue, scenario.c_str(),
                 timed_out ? "timed out, killed" : "failed");
    return std::nullopt;
  }
  return r;
}

void json_string(std::FILE* f, const std::string& s) {
  std::fputc('"', f);
  for (char c : s) {
    if (c == '"' || c == '\\') std::fputc('\\', f);
    std::fputc(c, f);
  }
  std::fputc('"', f);
}

// "a,b,,c" -> {"a", "b", "c"}
std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    if (comma > start) parts.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<entry> queues = all_queues();
  // --warmup MS applies in every mode, so it is taken out first.
  for (auto i = args.begin(); i != args.end(); ++i) {
    if (*i == "--warmup" && i + 1 != args.end()) {
      warmup = std::chrono::milliseconds(std::max(0, std::atoi(i[1].c_str())));
      args.erase(i, i + 2);
      break;
    }
  }

  // Child mode: one measurement, printed as "value cpu"; a threaded
  // scenario adds the link probe taken before and after it ("value cpu
  // before after", see link_round_trip_ns).
  if (args.size() == 4 && args[0] == "--one") {
    const auto index = static_cast<std::size_t>(std::stoul(args[1]));
    check(index < queues.size(), "compare", "--one: no such queue");
    const bool threaded = args[2].starts_with("1p1c") || args[2] == "pingpong" ||
                          producers_consumers(args[2]).first != 0;
    const double before = threaded ? link_round_trip_ns() : 0;
    const result r = queues[index].run(args[2], std::strtoull(args[3].c_str(), nullptr, 10));
    if (threaded)
      std::printf("%.17g %.17g %.1f %.1f\n", r.value, r.cpu, before, link_round_trip_ns());
    else
      std::printf("%.17g %.17g\n", r.value, r.cpu);
    return 0;
  }

  // Paired mode: two queues alternate in one process, slice by slice, and
  // each slice's ratio is taken. Both see the same vCPU and the same phase
  // of the shared machine, which separate processes do not (a process lands
  // on either vCPU, and the two differ: docs/benchmarks.md).
  if (args.size() == 6 && args[0] == "--paired") {
    const auto a = static_cast<std::size_t>(std::stoul(args[1]));
    const auto b = static_cast<std::size_t>(std::stoul(args[2]));
    check(a < queues.size() && b < queues.size(), "compare", "--paired: no such queue");
    const std::string scenario = args[3];
    const item n = std::strtoull(args[4].c_str(), nullptr, 10);
    const int slices = std::max(1, std::atoi(args[5].c_str()));
    std::vector<double> va, vb, ratio;
    for (int s = 0; s != slices; ++s) {
      // Alternate which goes first, so neither always follows the other.
      const bool a_first = s % 2 == 0;
      const double first = queues[a_first ? a : b].run(scenario, n).value;
      const double second = queues[a_first ? b : a].run(scenario, n).value;
      va.push_back(a_first ? first : second);
      vb.push_back(a_first ? second : first);
      ratio.push_back(va.back() / vb.back());
    }
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    std::sort(ratio.begin(), ratio.end());
    std::printf("%s, medians of %d slices: %s %.4g, %s %.4g; ratio per slice %.3f [%.3f-%.3f]\n",
                scenario.c_str(), slices, queues[a].name.c_str(), median(va),
                queues[b].name.c_str(), median(vb), median(ratio), ratio[ratio.size() / 4],
                ratio[(3 * ratio.size()) / 4]);
    return 0;
  }

  std::string json_path;
  int timeout_s = 300;
  bool isolated = true;
  std::vector<bool> selected(queues.size(), true);
  std::vector<std::string> positional;
  for (std::size_t i = 0; i != args.size(); ++i) {
    if (args[i] == "--json" && i + 1 < args.size()) {
      json_path = args[++i];
    } else if (args[i] == "--timeout" && i + 1 < args.size()) {
      timeout_s = std::max(1, std::atoi(args[++i].c_str()));
    } else if (args[i] == "--in-process") {
      isolated = false;
    } else if (args[i] == "--list") {
      for (std::size_t q = 0; q != queues.size(); ++q)
        std::printf("%zu %s\n", q, queues[q].name.c_str());
      return 0;
    } else if (args[i] == "--queues" && i + 1 < args.size()) {
      selected.assign(queues.size(), false);
      for (const std::string& index : split(args[++i])) {
        const auto q = static_cast<std::size_t>(std::strtoul(index.c_str(), nullptr, 10));
        check(q < queues.size(), "compare", "--queues: no such queue (see --list)");
        selected[q] = true;
      }
    } else {
      positional.push_back(args[i]);
    }
  }
  const int reps = positional.size() > 0 ? std::max(1, std::atoi(positional[0].c_str())) : 3;
  const item n =
      positional.size() > 1 ? std::strtoull(positional[1].c_str(), nullptr, 10) : 4'000'000;
  const std::vector<std::string> wanted =
      split(positional.size() > 2 ? positional[2]
                                  : "pair,batch64,batch4096,bulk64,1p1c,pingpong,2x2,4x4,8x8,idle");
  // The named scenarios in the table's order, then any PxC grids as given.
  std::vector<scenario> chosen;
  for (const auto& s : scenarios)
    if (std::find(wanted.begin(), wanted.end(), s.name) != wanted.end()) chosen.push_back(s);
  for (const std::string& name : wanted) {
    const bool known = std::any_of(std::begin(scenarios), std::end(scenarios),
                                   [&](const scenario& s) { return s.name == name; });
    if (known) continue;
    check(producers_consumers(name).first != 0, "compare",
          "unknown scenario; see the top of compare.cpp");
    chosen.push_back({name, "M items/s", true, true, "CPU s per M items"});
  }
  check(!chosen.empty(), "compare", "no scenario named; see the top of compare.cpp");
  report_missing_peers();

  // Interleaved: every queue runs once per scenario before any runs twice, so
  // a slow phase of the shared machine spreads over all of them.
  for (auto& q : queues) {
    q.results.resize(chosen.size());
    q.links.resize(chosen.size());
  }
  for (int r = 0; r != reps; ++r) {
    for (std::size_t s = 0; s != chosen.size(); ++s) {
      const std::string name = chosen[s].name;
      for (std::size_t qi = 0; qi != queues.size(); ++qi) {
        auto& q = queues[qi];
        if (!selected[qi] || !q.runs(name)) continue;
        std::fprintf(stderr, "\r%-46s %-9s rep %d/%d", q.name.c_str(), name.c_str(), r + 1, reps);
        if (isolated) {
          link_probe link;
          if (auto m = run_isolated(argv[0], qi, name, n, timeout_s, link)) {
            q.results[s].push_back(*m);
            q.links[s].push_back(link);
          }
        } else {
          q.results[s].push_back(q.run(name, n));
          q.links[s].push_back({});
        }
      }
    }
  }
  std::fprintf(stderr, "\r%76s\r", "");

  std::FILE* json = json_path.empty() ? nullptr : std::fopen(json_path.c_str(), "w");
  check(json_path.empty() || json != nullptr, "compare", "cannot write the --json file");
  if (json) {
    std::fprintf(json,
                 "{\"repetitions\": %d, \"items\": %llu, \"hardware_threads\": %u, "
                 "\"isolated\": %s, \"warmup_ms\": %lld, \"scenarios\": [",
                 reps, static_cast<unsigned long long>(n), std::thread::hardware_concurrency(),
                 isolated ? "true" : "false", static_cast<long long>(warmup.count()));
  }
  std::printf("%d repetitions (medians), %llu items, %u hardware threads, %s, %lld ms warm-up\n",
              reps, static_cast<unsigned long long>(n), std::thread::hardware_concurrency(),
              isolated ? "one process per measurement" : "in one process",
              static_cast<long long>(warmup.count()));
  for (std::size_t s = 0; s != chosen.size(); ++s) {
    const scenario& sc = chosen[s];
    // The best peer of each class: a single-producer single-consumer queue
    // is measured against its own kind only.
    double best[2] = {sc.higher_is_better ? 0 : 1e300, sc.higher_is_better ? 0 : 1e300};
    for (auto& q : queues) {
      if (q.kind != entry::peer_kind || q.results[s].empty()) continue;
      const double v = median(q.results[s]).value;
      double& b = best[q.lone ? 1 : 0];
      b = sc.higher_is_better ? std::max(b, v) : std::min(b, v);
    }
    std::printf("\n### %s (%s; %s is better)\n\n", sc.name.c_str(), sc.unit,
                sc.higher_is_better ? "higher" : "lower");
    std::printf("| queue | %s | vs best peer |", sc.unit);
    if (sc.reports_cpu) std::printf(" %s |", sc.cpu_unit);
    std::printf("\n|---|---:|---:|%s\n", sc.reports_cpu ? "---:|" : "");
    if (json) {
      std::fprintf(json, "%s{\"name\": ", s == 0 ? "" : ", ");
      json_string(json, sc.name);
      std::fprintf(json, ", \"unit\": ");
      json_string(json, sc.unit);
      std::fprintf(json, ", \"higher_is_better\": %s, \"queues\": [",
                   sc.higher_is_better ? "true" : "false");
    }
    bool first = true;
    for (auto& q : queues) {
      if (!selected[static_cast<std::size_t>(&q - queues.data())] || !q.runs(sc.name)) continue;
      if (q.results[s].empty()) {
        std::printf("| %s | failed | |%s\n", q.name.c_str(), sc.reports_cpu ? " |" : "");
        continue;
      }
      const result m = median(q.results[s]);
      std::printf("| %s | %.2f | %.2fx |", q.name.c_str(), m.value, m.value / best[q.lone ? 1 : 0]);
      if (sc.reports_cpu) std::printf(" %.3f |", m.cpu);
      std::printf("\n");
      if (json) {
        std::fprintf(json, "%s{\"queue\": ", first ? "" : ", ");
        json_string(json, q.name);
        std::fprintf(json, ", \"kind\": \"%s\", \"median\": %.6g, \"cpu\": %.6g, ",
                     q.kind == entry::ours_kind   ? "ours"
                     : q.kind == entry::peer_kind ? "peer"
                                                  : "floor",
                     m.value, m.cpu);
        // "lone": one producer and one consumer only (bench/targets.py keeps
        // such peers out of the best-peer comparisons of the MPMC queues).
        std::fprintf(json, "\"lone\": %s, \"samples\": [", q.lone ? "true" : "false");
        for (std::size_t i = 0; i != q.results[s].size(); ++i)
          std::fprintf(json, "%s%.6g", i == 0 ? "" : ", ", q.results[s][i].value);
        std::fprintf(json, "], \"cpu_samples\": [");
        for (std::size_t i = 0; i != q.results[s].size(); ++i)
          std::fprintf(json, "%s%.6g", i == 0 ? "" : ", ", q.results[s][i].cpu);
        // Each sample's link probe, before and after (bench/targets.py --link).
        std::fprintf(json, "], \"links\": [");
        for (std::size_t i = 0; i != q.links[s].size(); ++i)
          std::fprintf(json, "%s[%.1f, %.1f]", i == 0 ? "" : ", ", q.links[s][i].before,
                       q.links[s][i].after);
        std::fprintf(json, "]}");
      }
      first = false;
    }
    if (json) std::fprintf(json, "]}");
  }
  if (json) {
    std::fprintf(json, "]}\n");
    std::fclose(json);
  }
}
