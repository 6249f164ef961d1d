// What the event count's fast paths cost with each fence pair that could serve waiters in other
// processes (docs/design.md, Across processes): notify() with nobody waiting, alone and after a
// store (as a push makes it), and a prepare_wait()/cancel_wait() pair. Prints the median of 5 runs
// in ns per operation. Not a test, and not part of the Google Benchmark suite: it needs no library,
// so it builds anywhere.
//
//   g++ -std=c++20 -O2 -DNDEBUG -Iinclude -Ipolicies -Ibackends bench/fence_cost.cpp -o fence_cost
//   ./fence_cost [notify iterations = 10000000] [prepare iterations = 10000000]
//
// global_expedited is only measured here, never used by the library: the choice is argued in
// docs/design.md.
#include <mpmc/backend/linux_futex.hpp>
#include <mpmc/backend/shared_futex.hpp>
#include <mpmc/detail/event_count.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {
// The asymmetric pair across processes: heavy() reaches every CPU running a thread of any process
// that registered for MEMBARRIER_CMD_GLOBAL_EXPEDITED, so each process registers, and one whose
// registration fails must make its own light() a full fence (the per-process test below).
struct global_expedited {
  static bool prepare() noexcept { return registered(); }
  static void light() noexcept {
    if (registered())
      std::atomic_signal_fence(std::memory_order_seq_cst);
    else
      full();
  }
  static void heavy() noexcept {
    if (syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0) != 0) full();
  }
  static void full() noexcept { std::atomic_thread_fence(std::memory_order_seq_cst); }
  static bool registered() noexcept {
    static const bool ok =
        syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0) == 0;
    return ok;
  }
};
struct global_futex : mpmc::backend::shared_futex {
  using fence = global_expedited;
};

template <class Backend>
using event = mpmc::detail::event_count<Backend>;

template <class F>
double median_ns(long iterations, F body) {
  std::array<double, 5> runs{};
  for (double& run : runs) {
    const auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < iterations; ++i) body();
    const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
    run = took.count() / static_cast<double>(iterations);
  }
  std::sort(runs.begin(), runs.end());
  return runs[2];
}

template <class Backend>
void measure(const char* name, long notifies, long prepares) {
  auto ec = std::make_unique<event<Backend>>();
  const double notify = median_ns(notifies, [&] { ec->notify(1); });
  // As a push makes it: after a store, which a full fence must wait for to drain.
  alignas(64) std::atomic<long> published{0};
  long next = 0;
  const double after_store = median_ns(notifies, [&] {
    // relaxed: stands in for the publish; only its cost to the fence matters here.
    published.store(++next, std::memory_order_relaxed);
    ec->notify(1);
  });
  const double prepare = median_ns(prepares, [&] {
    (void)ec->prepare_wait();
    ec->cancel_wait();
  });
  std::printf("%-32s notify %6.2f ns   store+notify %6.2f ns   prepare_wait+cancel_wait %8.2f ns\n",
              name, notify, after_store, prepare);
}
}  // namespace

int main(int argc, char** argv) {
  const long notifies = argc > 1 ? std::atol(argv[1]) : 10'000'000;
  const long prepares = argc > 2 ? std::atol(argv[2]) : 10'000'000;
  std::printf("global expedited registration: %s\n",
              global_expedited::registered() ? "accepted" : "refused");
  measure<mpmc::backend::linux_futex>("asymmetric (private, reference)", notifies, prepares);
  measure<mpmc::backend::shared_futex>("symmetric (shared_futex)", notifies, prepares);
  measure<global_futex>("global expedited membarrier", notifies, prepares);
}
