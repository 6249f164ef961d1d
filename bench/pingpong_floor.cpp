// What the claim protocol alone costs a ping-pong round trip: a minimal
// sequence ring (the same turns as ours, no policies, no parking, no close)
// whose blocking pop claims either by compare-exchange once the element is
// there, as the default queue does, or by ticket, taking its position with
// fetch_add before the element arrives, as claim::ticket does. Beside the two
// floors run our spinning_queue (blocking calls, and loops of try_ calls)
// and, when installed, atomic_queue's AtomicQueueB2 (a ticket design), so one
// process says how far a compare-exchange pop can go against atomic_queue
// and how far ours is from that floor. Two threads bounce a value through two queues of a kind; the
// kinds take turns slice by slice in one process (each slice with new threads
// and the runner's 100 ms warm-up, the order rotated every slice), and the
// medians of the per-slice ratios are printed, as in `compare --paired`.
//
//   build/bench/bench/pingpong_floor [slices] [round trips per slice]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <latch>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <mpmc/backend/cpu.hpp>
#include <mpmc/presets.hpp>

#if __has_include(<atomic_queue/atomic_queue.h>)
#include <atomic_queue/atomic_queue.h>
#define MPMC_BENCH_HAVE_ATOMIC_QUEUE 1
#endif

namespace {

using value = std::uint64_t;
constexpr value stop_value = ~value{0};

enum class claim { compare_exchange, ticket };

template <claim Pop>
class ring {
 public:
  static constexpr const char* name =
      Pop == claim::ticket ? "ticket-pop floor" : "compare-exchange-pop floor";
  ring() noexcept {
    // Position p's slot starts at its producer's turn, 2p. relaxed: the
    // ring is not yet shared; the thread that starts the echo publishes it.
    for (std::uint64_t p = 0; p != capacity; ++p)
      slots_[p].turn.store(turn_of(p), std::memory_order_relaxed);
  }

  void push(value v) noexcept {
    // relaxed: a guess; the turn check and the exchange decide.
    std::uint64_t pos = tail_.load(std::memory_order_relaxed);
    for (;;) {
      slot& s = slots_[pos & mask];
      // acquire: pairs with the pop's release of this slot.
      if (s.turn.load(std::memory_order_acquire) == turn_of(pos)) {
        // relaxed: the slot is handed over by its turn, not by the counter.
        if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          s.v = v;
          // release: pairs with the pop's acquire of the turn.
          s.turn.store(turn_of(pos) + 1, std::memory_order_release);
          return;
        }
      } else {
        mpmc::backend::cpu_relax();
        // relaxed: as above.
        pos = tail_.load(std::memory_order_relaxed);
      }
    }
  }

  value pop() noexcept {
    if constexpr (Pop == claim::ticket) {
      // relaxed: hands out the position; the turn hands over the slot.
      const std::uint64_t pos = head_.fetch_add(1, std::memory_order_relaxed);
      slot& s = slots_[pos & mask];
      // acquire: pairs with the push's release of the turn.
      while (s.turn.load(std::memory_order_acquire) != turn_of(pos) + 1) mpmc::backend::cpu_relax();
      return take(s, pos);
    } else {
      // relaxed: a guess; the turn check and the exchange decide.
      std::uint64_t pos = head_.load(std::memory_order_relaxed);
      for (;;) {
        slot& s = slots_[pos & mask];
        // acquire: as above.
        if (s.turn.load(std::memory_order_acquire) == turn_of(pos) + 1) {
          // relaxed: as in push().
          if (head_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed))
            return take(s, pos);
        } else {
          mpmc::backend::cpu_relax();
          // relaxed: as above.
          pos = head_.load(std::memory_order_relaxed);
        }
      }
    }
  }

 private:
  static constexpr std::uint64_t capacity = 1024, mask = capacity - 1;
  struct slot {
    std::atomic<std::uint32_t> turn;
    value v;
  };
  static std::uint32_t turn_of(std::uint64_t pos) noexcept {
    return static_cast<std::uint32_t>(pos) << 1;
  }
  value take(slot& s, std::uint64_t pos) noexcept {
    const value v = s.v;
    // release: pairs with the next lap's push's acquire of the turn.
    s.turn.store(turn_of(pos + capacity), std::memory_order_release);
    return v;
  }

  alignas(mpmc::backend::false_sharing_range) std::atomic<std::uint64_t> tail_{0};
  alignas(mpmc::backend::false_sharing_range) std::atomic<std::uint64_t> head_{0};
  alignas(mpmc::backend::false_sharing_range) slot slots_[capacity];
};

// One slice: a new echo thread, 100 ms of round trips to warm up (the
// scheduler first puts a new pair of threads on one CPU: docs/benchmarks.md,
// "Threads start on one CPU"), then `n` timed ones. Nanoseconds per trip.
template <class Queue>
double slice(value n) {
  auto there = std::make_unique<Queue>();
  auto back = std::make_unique<Queue>();
  std::latch ready(2);
  std::thread echo([&] {
    ready.arrive_and_wait();
    for (value v; (v = there->pop()) != stop_value;) back->push(v);
  });
  ready.arrive_and_wait();
  const auto warm_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
  while (std::chrono::steady_clock::now() < warm_until)
    for (value k = 0; k != 64; ++k) {
      there->push(k);
      if (back->pop() != k) std::abort();
    }
  value sum = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (value i = 0; i != n; ++i) {
    there->push(i);
    sum += back->pop();
  }
  const auto t1 = std::chrono::steady_clock::now();
  there->push(stop_value);
  echo.join();
  if (sum != n * (n - 1) / 2) {
    std::fprintf(stderr, "pingpong_floor: checksum mismatch\n");
    std::exit(1);
  }
  return std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(n);
}

// The library's spinning preset, blocking calls as the runner makes them.
struct spinning {
  static constexpr const char* name = "mpmc spinning_queue";
  mpmc::spinning_queue<value> q{1024};
  void push(value v) noexcept { q.push(v); }
  value pop() noexcept { return *q.pop(); }
};

// The same queue driven by try_push / try_pop loops: the same claims and
// turns, inlined into the caller instead of reached through the blocking
// calls' out-of-line claim and wait loop.
struct spinning_tries {
  static constexpr const char* name = "spinning_queue, try_ loops";
  mpmc::spinning_queue<value> q{1024};
  void push(value v) noexcept {
    while (!q.try_push(v)) mpmc::backend::cpu_relax();
  }
  value pop() noexcept {
    for (;;) {
      if (std::optional<value> v = q.try_pop()) return *v;
      mpmc::backend::cpu_relax();
    }
  }
};

#if defined(MPMC_BENCH_HAVE_ATOMIC_QUEUE)
// As the runner's row: elements stored beside their state bytes, blocking
// push and pop by ticket (fetch_add) and spinning on the slot's state.
struct atomic_queue_b2 {
  static constexpr const char* name = "atomic_queue AtomicQueueB2";
  atomic_queue::AtomicQueueB2<value, std::allocator<value>, true, false, false> q{1024};
  void push(value v) noexcept { q.push(v); }
  value pop() noexcept { return q.pop(); }
};
#endif

struct contender {
  const char* name;
  double (*run)(value);
  std::vector<double> ns;
};

template <class Queue>
contender make() {
  return {Queue::name, &slice<Queue>, {}};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int slices = argc > 1 ? std::max(1, std::atoi(argv[1])) : 21;
  const value n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 20000;
  std::vector<contender> kinds{make<ring<claim::compare_exchange>>(), make<ring<claim::ticket>>(),
                               make<spinning>(), make<spinning_tries>()};
#if defined(MPMC_BENCH_HAVE_ATOMIC_QUEUE)
  kinds.push_back(make<atomic_queue_b2>());
#else
  std::puts("skipped: atomic_queue (install libatomic-queue-dev)");
#endif
  for (int s = 0; s != slices; ++s)
    // Rotate the order, so no kind always follows the same other.
    for (std::size_t k = 0; k != kinds.size(); ++k) {
      contender& c = kinds[(k + static_cast<std::size_t>(s)) % kinds.size()];
      c.ns.push_back(c.run(n));
    }
  // Every kind against the last (atomic_queue, or the ticket floor without
  // it), slice by slice: the host's placement of the two vCPUs moves a
  // round trip several-fold between processes, less within one slice.
  const contender& base = kinds.back();
  std::printf(
      "pingpong, %d slices of %llu round trips; ns per round trip (median), and ratio to %s "
      "per slice, median [quartiles]:\n",
      slices, static_cast<unsigned long long>(n), base.name);
  for (const contender& c : kinds) {
    std::vector<double> ratio;
    for (std::size_t i = 0; i != c.ns.size(); ++i) ratio.push_back(c.ns[i] / base.ns[i]);
    std::sort(ratio.begin(), ratio.end());
    std::printf("  %-28s %8.4g ns  %.3f [%.3f-%.3f]\n", c.name, median(c.ns),
                ratio[ratio.size() / 2], ratio[ratio.size() / 4], ratio[(3 * ratio.size()) / 4]);
  }
}
