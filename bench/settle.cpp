// Where the scheduler puts a new pair of threads, and how long they stay
// there: a ping-pong between the main thread and a freshly started echo
// thread, with each side noting the CPU it ran on (sched_getcpu) every
// round trip. Prints, per run and queue:
//   first       whether the first round trip ran with both threads on one CPU
//   shared      the share of the first `trips` round trips' time spent so
//   settle      when the first run of 1000 round trips in a row on two CPUs
//               began (ms from the start; "never" if none did within `trips`)
//   mean        ns per round trip over all `trips`
// The runner's threaded scenarios warm up for this reason (compare.cpp,
// `warmup`): a cold start measures the placement, not the queue.
//
//   build/bench/bench/settle [runs] [trips] [park|spin]
#include <mpmc/mpmc.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif

namespace {

using item = std::uint64_t;

int cpu_now() {
#if defined(__linux__)
  return sched_getcpu();
#else
  return -1;
#endif
}

struct outcome {
  bool first_shared;
  double shared_share;  // of the run's time
  double settle_ms;     // < 0: did not settle
  double mean_ns;
};

template <class Q>
outcome run(long trips) {
  auto there = std::make_unique<Q>(1024);
  auto back = std::make_unique<Q>(1024);
  // relaxed (both sides): a hint read once per round trip; the round trip
  // itself (pop after the echo's push) orders it well enough for a sample.
  std::atomic<int> echo_cpu{-1};
  std::thread echo([&] {
    for (long i = 0; i != trips; ++i) {
      echo_cpu.store(cpu_now(), std::memory_order_relaxed);
      back->push(*there->pop());
    }
  });
  std::vector<float> took(static_cast<std::size_t>(trips));
  std::vector<char> shared(static_cast<std::size_t>(trips));
  const auto t0 = std::chrono::steady_clock::now();
  auto last = t0;
  for (long i = 0; i != trips; ++i) {
    there->push(static_cast<item>(i));
    if (*back->pop() != static_cast<item>(i)) std::abort();
    const auto t = std::chrono::steady_clock::now();
    const auto k = static_cast<std::size_t>(i);
    took[k] = std::chrono::duration<float, std::nano>(t - last).count();
    shared[k] = cpu_now() == echo_cpu.load(std::memory_order_relaxed);
    last = t;
  }
  echo.join();
  const double total = std::chrono::duration<double, std::nano>(last - t0).count();
  double shared_ns = 0, elapsed = 0, settle = -1, run_start = 0;
  long apart = 0;
  for (std::size_t k = 0; k != took.size(); ++k) {
    const double before = elapsed;
    elapsed += took[k];
    if (shared[k]) {
      shared_ns += took[k];
      apart = 0;
      continue;
    }
    if (apart++ == 0) run_start = before;
    if (apart == 1000 && settle < 0) settle = run_start / 1e6;
  }
  return {shared[0] != 0, shared_ns / total, settle, total / static_cast<double>(trips)};
}

template <class Q>
void report(const char* name, long trips) {
  const outcome o = run<Q>(trips);
  char settle[32] = "never";
  if (o.settle_ms >= 0) std::snprintf(settle, sizeof settle, "%.1f ms", o.settle_ms);
  std::printf("%-28s first %-6s shared %5.1f %%  settle %-9s  mean %6.0f ns\n", name,
              o.first_shared ? "shared" : "apart", 100 * o.shared_share, settle, o.mean_ns);
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const long trips = argc > 2 ? std::max(2000L, std::atol(argv[2])) : 200000;
  const std::string only = argc > 3 ? argv[3] : "";
  // Each run starts new threads; the order alternates so that neither queue
  // always inherits the other's placement history. A process's first run
  // is the cold start; run one queue per process (`park` or `spin`) to see
  // only cold starts.
  for (int r = 0; r != runs; ++r) {
    const bool park_first = r % 2 == 0;
    if (park_first && only != "spin") report<mpmc::queue<item>>("queue<T> (park)", trips);
    if (only != "park") report<mpmc::spinning_queue<item>>("spinning_queue (spin)", trips);
    if (!park_first && only != "spin") report<mpmc::queue<item>>("queue<T> (park)", trips);
  }
}
