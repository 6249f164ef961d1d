// wait::spin: a blocked push or pop never leaves the CPU; it retries, paced by
// the backoff policy, until it succeeds. The lowest wake-up latency there is,
// and the worst choice when threads outnumber cores: a spinning thread holds a
// core the thread it waits for may need.
#pragma once

#include <mpmc/backend/cpu.hpp>
#include <mpmc/policy.hpp>

#include <cstdint>
#include <limits>

namespace mpmc::wait {

struct spin {
  using category = tag::wait;
  // Every round is a backoff round.
  static constexpr std::uint32_t spin_limit = std::numeric_limits<std::uint32_t>::max();
  // Reached only after 2^32 rounds; keeps spinning.
  static void idle() noexcept { backend::cpu_relax(); }
};

}  // namespace mpmc::wait
