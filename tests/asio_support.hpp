// Shared by the Asio tests: an allocation counter (the test executable replaces the global
// operator new with counting_new.hpp's) and small helpers.
#pragma once

#include "support/sanitized.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <thread>

namespace mpmc_test {
// Allocations made while `counting` is set, by any thread.
inline std::atomic<bool> counting{false};
inline std::atomic<long> allocations{0};

// Spins (yielding) until pred() or the timeout; returns pred().
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return pred();
    std::this_thread::yield();
  }
  return true;
}
}  // namespace mpmc_test

// The replacement operator new: one per executable, so only a file that defines
// MPMC_TEST_COUNT_ALLOCATIONS before including this header gets it.
// Not inlined: gcc would then pair the malloc and free it sees with new and delete expressions and
// warn (-Wmismatched-new-delete).
#ifdef MPMC_TEST_COUNT_ALLOCATIONS
[[gnu::noinline]] void* operator new(std::size_t size) {
  // relaxed: a statistic, read after the threads that allocate are joined or idle.
  if (mpmc_test::counting.load(std::memory_order_relaxed))
    mpmc_test::allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

// Asio's recycling allocator, which the operations use by default, takes its memory from
// aligned_alloc, not operator new: replaced too, except under the sanitizers, whose own
// aligned_alloc tracks what free() will be given.
#if !MPMC_TEST_SANITIZED
extern "C" [[gnu::noinline]] void* aligned_alloc(std::size_t align, std::size_t size) noexcept {
  // relaxed: as above.
  if (mpmc_test::counting.load(std::memory_order_relaxed))
    mpmc_test::allocations.fetch_add(1, std::memory_order_relaxed);
  void* p = nullptr;
  return ::posix_memalign(&p, align < sizeof(void*) ? sizeof(void*) : align, size) == 0 ? p
                                                                                        : nullptr;
}
#endif
#endif
