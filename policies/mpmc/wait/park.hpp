// wait::park<Backend, SpinLimit>: spin `SpinLimit` backoff rounds, then sleep
// on `Backend` until a partner makes progress. A parked thread uses no CPU;
// the waker pays a syscall only when somebody is actually parked.
//
// Plug in your own backend (anything that satisfies mpmc::parking_backend):
// `mpmc::wait::park<my_backend>`.
#pragma once

#include <mpmc/policy.hpp>

#include <cstdint>

namespace mpmc::wait {

// 16 rounds of the default exponential backoff is roughly 5-20 µs: a partner
// that is running finishes well within it, and one that is not would keep us
// spinning for a whole time slice.
template <class Backend, std::uint32_t SpinLimit = 16>
struct park {
  using category = tag::wait;
  using backend = Backend;
  static constexpr std::uint32_t spin_limit = SpinLimit;
};

}  // namespace mpmc::wait
