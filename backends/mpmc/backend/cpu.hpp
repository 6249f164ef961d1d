// The CPU primitives a spinning thread uses: the relax instruction, giving the
// core away, and the cache geometry that padding decisions depend on.
//
// This is the one place in the library with per-architecture #if's besides the
// OS parking backends; everything above it is portable.
#pragma once

#include <atomic>
#include <cstddef>
#include <thread>

#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <intrin.h>
#endif

namespace mpmc::backend {

// Bytes in one cache line: the unit in which cores own memory. Slots padded to
// this size never share a line with their neighbours.
//
// A per-architecture constant rather than std::hardware_destructive_interference_size:
// gcc 12 warns (-Winterference-size) whenever a header uses the standard one,
// because its value may differ between translation units built with different
// -mtune flags, which would make our types' layout an ODR hazard.
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
inline constexpr std::size_t cache_line_size = 64;
// x86 cores prefetch cache lines in adjacent pairs, so two hot counters 64
// bytes apart still bounce together; 128 keeps them truly apart.
inline constexpr std::size_t false_sharing_range = 128;
#elif defined(__aarch64__) || defined(_M_ARM64)
// Apple's and some Neoverse cores use 128-byte lines; 64-byte designs still
// gain from the larger distance (adjacent-line prefetch).
inline constexpr std::size_t cache_line_size = 64;
inline constexpr std::size_t false_sharing_range = 128;
#elif defined(__powerpc64__)
inline constexpr std::size_t cache_line_size = 128;
inline constexpr std::size_t false_sharing_range = 128;
#else
inline constexpr std::size_t cache_line_size = 64;
inline constexpr std::size_t false_sharing_range = 128;
#endif

// Tells the core that this thread is spinning: on x86 `pause` stops the
// pipeline from filling with speculative loads of the watched line (and gives
// the sibling hyper-thread the core); on ARM `yield` is the same hint.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
  _mm_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield" ::: "memory");
#elif defined(__powerpc64__)
  asm volatile("or 27,27,27" ::: "memory");
#else
  // No relax instruction known: a compiler barrier at least keeps the spin
  // loop from being folded into a single load.
  std::atomic_signal_fence(std::memory_order_seq_cst);
#endif
}

// Gives the rest of this time slice to another runnable thread (sched_yield on
// Linux). Cheap when nobody else wants the core, which is exactly when
// spinning would have been fine too.
inline void thread_yield() noexcept { std::this_thread::yield(); }

}  // namespace mpmc::backend
