// A store-load fence split unevenly (docs/design.md, The asymmetric fence): light() only stops the
// compiler; heavy() is membarrier(PRIVATE_EXPEDITED), a full barrier on every CPU running this
// process's threads. Where membarrier is refused, prepare() says so and both sides use full().
#pragma once

#include <atomic>
#include <type_traits>

#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace mpmc::backend {
class asymmetric_fence {
  enum : int { unknown = 0, expedited = 1, full_fences = 2 };

 public:
  // Settles the mode (registering with the kernel once per process); true when light() suffices.
  static bool prepare() noexcept { return ensure_mode() == expedited; }
  // No check of the mode: a caller that got false from prepare() routes its hot path to full()
  // through a test it makes anyway (event_count.hpp folds it into its waiter count).
  static void light() noexcept { std::atomic_signal_fence(std::memory_order_seq_cst); }
  static void heavy() noexcept {
#if defined(__linux__)
    // Cannot fail once registered (membarrier(2) lists no such error): what lets light() be a
    // compiler barrier.
    if (ensure_mode() == expedited) {
      syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
      return;
    }
#endif
    full();
  }
  static void full() noexcept {
#if defined(__SANITIZE_THREAD__)
    // ThreadSanitizer does not model fences (gcc refuses them under -Werror=tsan); a seq_cst
    // read-modify-write is a full barrier on the CPUs such builds run on (x86-64: locked).
    fence_word_.fetch_add(0, std::memory_order_seq_cst);
#else
    std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
  }

 private:
  static int ensure_mode() noexcept {
    // acquire: pairs with the release store below, so `expedited` implies the registration.
    int mode = mode_.load(std::memory_order_acquire);
    if (mode != unknown) return mode;
    mode = full_fences;
#if defined(__linux__)
    const long supported = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (supported > 0 && (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0 &&
        syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0)
      mode = expedited;
#endif
    // release: pairs with the acquire load above; registration is idempotent, so racers agree.
    mode_.store(mode, std::memory_order_release);
    return mode;
  }

  static inline std::atomic<int> mode_{unknown};
#if defined(__SANITIZE_THREAD__)
  static inline std::atomic<int> fence_word_{0};
#endif
};

// The fence pair that waiters on `T` need: T::fence where a backend names one (a backend whose
// waiters live in other processes needs one that reaches them), T::backend's for a wait policy,
// else asymmetric_fence.
template <class T>
struct fence_of : std::type_identity<asymmetric_fence> {};
template <class T>
requires requires { typename T::fence; }
struct fence_of<T> : std::type_identity<typename T::fence> {};
template <class T>
requires requires { typename T::backend::fence; }
struct fence_of<T> : std::type_identity<typename T::backend::fence> {};
template <class T>
using fence_of_t = typename fence_of<T>::type;
}  // namespace mpmc::backend
