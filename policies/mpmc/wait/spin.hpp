// wait::spin: never leave the CPU. The lowest wake-up latency, and the worst choice when threads
// outnumber cores: a spinner holds a core the thread it waits for may need.
#pragma once

#include <mpmc/backend/cpu.hpp>
#include <mpmc/policy.hpp>

#include <cstdint>
#include <limits>

namespace mpmc::wait {
struct spin {
  using category = tag::wait;
  // Every round is a backoff round; idle() is reached only after 2^32 of them.
  static constexpr std::uint32_t spin_limit = std::numeric_limits<std::uint32_t>::max();
  static void idle() noexcept { backend::cpu_relax(); }
};
}  // namespace mpmc::wait
