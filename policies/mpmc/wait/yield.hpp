// wait::yield: spin `SpinLimit` backoff rounds, then yield before every further attempt, so a
// preempted partner can run instead of being spun against.
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

// 16 rounds: longer than a partner needs to finish an operation, shorter than a time slice.
using yield = basic_yield<16>;
}  // namespace mpmc::wait
