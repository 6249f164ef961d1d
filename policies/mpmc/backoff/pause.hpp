// backoff::pause: one CPU relax instruction between attempts (x86 `pause`,
// ARM `yield`): the spinning core stops hammering the contended line and
// leaves its pipeline (and hyper-thread sibling) to others.
#pragma once

#include <mpmc/backend/cpu.hpp>
#include <mpmc/policy.hpp>

namespace mpmc::backoff {

struct pause {
  using category = tag::backoff;
  void operator()() noexcept { backend::cpu_relax(); }
};

}  // namespace mpmc::backoff
