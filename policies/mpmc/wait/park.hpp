// wait::park<Backend, SpinLimit, YieldLimit>, the default: spin, yield, then sleep on `Backend`. A
// yield hands the core to a runnable partner for far less than a sleep and a wake.
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
