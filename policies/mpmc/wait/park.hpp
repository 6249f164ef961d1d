// wait::park<Backend, SpinLimit, YieldLimit>: spin `SpinLimit` backoff
// rounds, then yield the CPU up to `YieldLimit` times, then sleep on `Backend`
// until a partner makes progress. A parked thread uses no CPU; the waker pays
// a syscall only when somebody is actually parked.
//
// Why yield before sleeping: when threads outnumber cores, the partner we
// wait for is often runnable but not running. A yield hands it our core for
// the price of one sched_yield (~0.5 µs), while sleeping costs a futex wait
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

// The budgets: 64 backoff rounds (with backoff::pause, the default, a few
// microseconds of checking every few dozen nanoseconds; with
// backoff::exponential much longer), then 128 yields (40-130 µs). A running
// partner answers within the spin; one that waits for a core gets ours
// during the yields. Measured on 2 cores (docs/benchmarks.md): with 16 spin
// rounds a ping-pong waiter on a busy machine fell into the yield phase and
// round trips took 1.4-2x longer; with 64 they held; with 256 the 4x4 and
// 8x8 runs lost up to a third. With 32 yields instead of 128, 4x4 and 8x8
// swung between 17 and 70 M items/s as threads fell asleep and had to be
// woken one syscall at a time. With 1024 rounds (~25 µs of pause here),
// ping-pong round trips were shorter in two runs of three but 4x4 lost more
// than half: where every thread has a core, `park<native, 1024>` is the
// choice. An idle consumer pays spin and yields once per wait: about 0.04 %
// of a core over 300 ms.
template <class Backend = backend::native, std::uint32_t SpinLimit = 64,
          std::uint32_t YieldLimit = 128>
struct park {
  using category = tag::wait;
  using backend = Backend;
  static constexpr std::uint32_t spin_limit = SpinLimit;
  static constexpr std::uint32_t yield_limit = YieldLimit;
};

}  // namespace mpmc::wait
