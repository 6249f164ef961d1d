// Wait policies: what a blocked call does once its `spin_limit` backoff rounds are spent.
#pragma once

#include <mpmc/backend/atomic_wait.hpp>
#include <mpmc/backend/cpu.hpp>
#include <mpmc/backend/linux_futex.hpp>
#include <mpmc/backend/shared_futex.hpp>
#include <mpmc/concepts.hpp>

#include <cstdint>
#include <limits>

namespace mpmc::wait {
// Never leave the CPU. The lowest wake-up latency, and the worst choice when threads outnumber
// cores: a spinner holds a core the thread it waits for may need.
struct spin {
  using category = tag::wait;
  // Every round is a backoff round; idle() is reached only after 2^32 of them.
  static constexpr std::uint32_t spin_limit = std::numeric_limits<std::uint32_t>::max();
  static void idle() noexcept { backend::cpu_relax(); }
};

// Spin `SpinLimit` backoff rounds, then yield before every further attempt, so a preempted
// partner can run instead of being spun against.
template <std::uint32_t SpinLimit>
struct basic_yield {
  using category = tag::wait;
  static constexpr std::uint32_t spin_limit = SpinLimit;
  static void idle() noexcept { backend::thread_yield(); }
};
// 16 rounds: longer than a partner needs to finish an operation, shorter than a time slice.
using yield = basic_yield<16>;

// The default: spin, yield, then sleep on `Backend`. A yield hands the core to a runnable partner
// for far less than a sleep and a wake.
template <class Backend = backend::native, std::uint32_t SpinLimit = 64,
          std::uint32_t YieldLimit = 128>
struct park {
  using category = tag::wait;
  using backend = Backend;
  static constexpr std::uint32_t spin_limit = SpinLimit;
  static constexpr std::uint32_t yield_limit = YieldLimit;
};

// On a Linux futex, the fastest parking policy; elsewhere a compile error names wait::atomic_wait.
using futex = park<backend::linux_futex>;
// On a futex shared between processes, with full fences on both sides of the wake-up race: the
// only policy that parks across processes (a queue in shared memory). Linux only.
using shared_futex = park<backend::shared_futex>;
// On std::atomic::wait. Portable C++20; timed waits poll.
using atomic_wait = park<backend::atomic_wait>;
// wait::condvar is in <mpmc/backend/condvar.hpp>, so that only its users parse <mutex>.
}  // namespace mpmc::wait
