// wait::yield: spin `SpinLimit` backoff rounds, then yield the CPU before
// every further attempt. A blocked thread still runs (and uses CPU) whenever
// the scheduler has nothing else to run, but it lets a preempted partner run
// instead of spinning against it: it degrades gracefully when threads
// outnumber cores.
#pragma once

#include <mpmc/backend/cpu.hpp>
#include <mpmc/policy.hpp>

#include <cstdint>

namespace mpmc::wait {

template <std::uint32_t SpinLimit>
struct basic_yield {
  using category = tag::wait;
  static constexpr std::uint32_t spin_limit = SpinLimit;
  static void idle() noexcept { backend::thread_yield(); }
};

// 16 backoff rounds: longer than a partner needs to finish an operation it
// is in the middle of, shorter than a scheduler time slice.
using yield = basic_yield<16>;

}  // namespace mpmc::wait
