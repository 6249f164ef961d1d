// wait::park<Backend, SpinLimit, YieldLimit>: spin `SpinLimit` backoff
// rounds, then yield the CPU up to `YieldLimit` times, then sleep on `Backend`
// until a partner makes progress. A parked thread uses no CPU; the waker pays
// a syscall only when somebody is actually parked.
//
// Why yield before sleeping: when threads outnumber cores, the partner we
// wait for is often runnable but not running. A yield hands it our core for
// the price of one sched_yield, while sleeping costs a futex wait
// here and a futex wake on the partner's side, and a context switch each. When
// nobody else wants the core, the yields return at once and the thread parks
// a few tens of microseconds later; on an idle queue that is noise.
//
// `park<>` parks on the platform's best backend (backend::native: the futex
// on Linux, std::atomic::wait elsewhere); it is the default wait policy. Plug
// in your own backend (anything that satisfies mpmc::parking_backend) with
// `mpmc::wait::park<my_backend>`.
#pragma once

#include <mpmc/backend/native.hpp>
#include <mpmc/policy.hpp>

#include <cstdint>

namespace mpmc::wait {

// The budgets: 64 backoff rounds (with backoff::pause, a few microseconds of
// checking every few dozen nanoseconds), then 128 yields. A running partner
// answers within the spin; one that waits for a core gets ours during the
// yields; only then does the thread sleep and cost its partner a wake call.
// Where every thread has a core of its own, a longer spin
// (`park<backend::native, 1024>`) trades CPU for fewer sleeps.
template <class Backend = backend::native, std::uint32_t SpinLimit = 64,
          std::uint32_t YieldLimit = 128>
struct park {
  using category = tag::wait;
  using backend = Backend;
  static constexpr std::uint32_t spin_limit = SpinLimit;
  static constexpr std::uint32_t yield_limit = YieldLimit;
};

}  // namespace mpmc::wait
