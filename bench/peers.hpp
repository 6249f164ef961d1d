// The queues the comparison runner measures, each behind one adapter shape:
//   explicit Adapter(std::size_t capacity);
//   bool try_push(item);  bool try_pop(item&);  void push(item);  item pop();
// and, where the queue has bulk calls,
//   std::size_t push_batch(const item*, std::size_t);  pop_batch(item*, std::size_t).
// Our queues go through `ours<Q>`. Each peer is compiled in only when its
// header is installed (Debian package named by report_missing_peers()); oneTBB
// also needs its library, so CMake defines MPMC_BENCH_HAVE_TBB when it finds it.
#pragma once

#include <mpmc/mpmc.hpp>
#include <mpmc/ranges.hpp>

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <utility>
#include <vector>

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

namespace bench {

using item = std::uint64_t;

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

  // Both take the lock already held.
  void put(item v) { ring[(head + count++) % ring.size()] = v; }
  item take() {
    const item v = ring[head];
    head = (head + 1) % ring.size();
    --count;
    return v;
  }

  bool try_push(item v) {
    {
      std::lock_guard lock(m);
      if (count == ring.size()) return false;
      put(v);
    }
    not_empty.notify_one();
    return true;
  }
  bool try_pop(item& v) {
    {
      std::lock_guard lock(m);
      if (count == 0) return false;
      v = take();
    }
    not_full.notify_one();
    return true;
  }
  void push(item v) {
    {
      std::unique_lock lock(m);
      not_full.wait(lock, [&] { return count != ring.size(); });
      put(v);
    }
    not_empty.notify_one();
  }
  item pop() {
    item v = 0;
    {
      std::unique_lock lock(m);
      not_empty.wait(lock, [&] { return count != 0; });
      v = take();
    }
    not_full.notify_one();
    return v;
  }
  // One lock per batch: the mutex ring's answer to bulk calls.
  std::size_t push_batch(const item* first, std::size_t n) {
    {
      std::lock_guard lock(m);
      n = std::min(n, ring.size() - count);
      for (std::size_t i = 0; i != n; ++i) put(first[i]);
    }
    not_empty.notify_all();
    return n;
  }
  std::size_t pop_batch(item* out, std::size_t n) {
    {
      std::lock_guard lock(m);
      n = std::min(n, count);
      for (std::size_t i = 0; i != n; ++i) out[i] = take();
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
// AtomicQueueB2: run-time capacity, any element type; its last template
// argument selects the single-producer single-consumer mode.
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
// moodycamel's queue is a sub-queue per producer thread, each a chain of
// 32-item blocks found through a per-thread block index. Its capacity counts
// the blocks it preallocates, not items: try_enqueue refuses a push as soon
// as the pushing thread needs a block or an index entry it has not got, below
// the nominal capacity (an index starts with 32 entries, so one thread can
// never hold the 4096 items of batch4096). So the adapter bounds the queue
// itself, by the item count the queue keeps anyway (the semaphore behind
// size_approx), and pushes with enqueue, which may grow a thread's index. The
// block pool is sized with moodycamel's own rule for `cap` items plus one
// per racing producer (the count lags a push in flight, so each producer can
// pass the check once more), from up to `producer_threads` threads; a run
// with more takes its extra blocks from the heap once, still bounded.
struct moodycamel_blocking {
  static constexpr std::size_t producer_threads = 16;
  moodycamel::BlockingConcurrentQueue<item> q;
  std::size_t capacity;
  explicit moodycamel_blocking(std::size_t cap)
      : q(cap + producer_threads, 0, producer_threads), capacity(cap) {}
  bool try_push(item v) { return q.size_approx() < capacity && q.enqueue(v); }
  bool try_pop(item& v) { return q.try_dequeue(v); }
  std::size_t push_batch(const item* first, std::size_t n) {
    if (q.size_approx() + n > capacity) return 0;  // all or nothing, as enqueue_bulk
    return q.enqueue_bulk(first, n) ? n : 0;
  }
  std::size_t pop_batch(item* out, std::size_t n) { return q.try_dequeue_bulk(out, n); }
  void push(item v) {
    // moodycamel's blocking side is the consumer's only; a full queue is retried.
    while (!try_push(v)) std::this_thread::yield();
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

inline void report_missing_peers() {
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

}  // namespace bench
