// The CPU primitives a spinning thread uses, and the cache geometry padding depends on: the one
// place with per-architecture #if's besides the OS parking backends.
#pragma once

#include <atomic>
#include <cstddef>

// sched_yield, where there is one: <thread> would add to every queue user's compile time.
#if __has_include(<sched.h>)
#include <sched.h>
#else
#include <thread>
#endif

namespace mpmc::backend {
// false_sharing_range keeps hot variables apart where lines are prefetched in pairs (x86) or some
// are 128 bytes (Apple, Neoverse). Not std::hardware_destructive_interference_size: gcc warns
// (-Winterference-size) that it varies with -mtune, which would make layouts an ODR hazard.
#if defined(__powerpc64__)
inline constexpr std::size_t cache_line_size = 128;
#else
inline constexpr std::size_t cache_line_size = 64;
#endif
inline constexpr std::size_t false_sharing_range = 128;

// A spin-wait hint: x86 `pause` keeps the pipeline from filling with speculative loads of the
// watched line and gives the core to its hyper-thread sibling; ARM `yield` is the same hint.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield" ::: "memory");
#elif defined(__powerpc64__)
  asm volatile("or 27,27,27" ::: "memory");
#else
  // No hint known: a compiler barrier at least keeps the loop from folding into one load.
  std::atomic_signal_fence(std::memory_order_seq_cst);
#endif
}

// Gives the rest of this time slice away (sched_yield on Linux): cheap when nobody else wants the
// core, which is exactly when spinning would have been fine too.
inline void thread_yield() noexcept {
#if __has_include(<sched.h>)
  (void)::sched_yield();
#else
  std::this_thread::yield();
#endif
}
}  // namespace mpmc::backend
