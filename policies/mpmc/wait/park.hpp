// wait::park<Backend, SpinLimit, YieldLimit>, the default: spin, yield, then sleep on `Backend`
// (any mpmc::parking_backend) until a partner makes progress. A running partner answers within
// the spin. A runnable one waiting for a core gets ours for one sched_yield, where sleeping costs
// a wait, a wake and two context switches; with nobody else runnable the yields return at once.
#pragma once

#include <mpmc/backend/native.hpp>
#include <mpmc/policy.hpp>

#include <cstdint>

namespace mpmc::wait {
template <class Backend = backend::native, std::uint32_t SpinLimit = 64,
          std::uint32_t YieldLimit = 128>
struct park {
  using category = tag::wait;
  using backend = Backend;
  static constexpr std::uint32_t spin_limit = SpinLimit;
  static constexpr std::uint32_t yield_limit = YieldLimit;
};
}  // namespace mpmc::wait
