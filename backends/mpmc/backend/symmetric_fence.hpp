// A store-load fence that is the same full barrier on both sides, with no registration: it orders
// accesses against every other process mapping the same memory, which no membarrier() command does
// unless each of those processes registered for it. The fence of process-shared backends
// (shared_futex.hpp; the choice and its cost: docs/design.md, Across processes).
#pragma once

#include <atomic>

namespace mpmc::backend {
struct symmetric_fence {
  // Nothing to settle; true: light() is the whole of the notifier's half.
  static bool prepare() noexcept { return true; }
  static void light() noexcept { full(); }
  static void heavy() noexcept { full(); }
  static void full() noexcept {
#if defined(__SANITIZE_THREAD__)
    // As asymmetric_fence::full(): ThreadSanitizer does not model fences; a seq_cst
    // read-modify-write is a full barrier on the CPUs such builds run on.
    word_.fetch_add(0, std::memory_order_seq_cst);
#else
    std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
  }

 private:
#if defined(__SANITIZE_THREAD__)
  static inline std::atomic<int> word_{0};
#endif
};
}  // namespace mpmc::backend
