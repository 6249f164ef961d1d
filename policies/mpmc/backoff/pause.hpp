// backoff::pause: one relax instruction between attempts (backend/cpu.hpp says what it does).
#pragma once

#include <mpmc/backend/cpu.hpp>
#include <mpmc/policy.hpp>

namespace mpmc::backoff {
struct pause {
  using category = tag::backoff;
  void operator()() noexcept { backend::cpu_relax(); }
};
}  // namespace mpmc::backoff
