// A store-load fence split unevenly between two sides: a `light` half that
// costs nothing on the hot path, and a `heavy` half, paid only by a thread
// about to sleep, that makes the pair act as two full fences.
//
// Why it is needed: a waker publishes data and then checks for sleepers; a
// sleeper announces itself and then re-checks the data. Each side is a store
// followed by a load of the other side's variable, and on every real CPU a
// load may pass an earlier store (x86's store buffer does exactly that). Then
// both can read the old values: the waker sees no sleeper and skips the wake,
// the sleeper sees no data and sleeps: a lost wake-up. A full fence on both
// sides forbids it, but a full fence costs as much as the rest of a push.
//
// On Linux, membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) makes every CPU
// running a thread of this process execute a full memory barrier before the
// call returns. A heavy half built on it, paired with a light half that only
// stops the compiler from reordering, gives the same guarantee as two full
// fences. Where membarrier is missing or refused (old kernels, seccomp
// sandboxes), both halves fall back to full fences: correct, just slower.
// prepare() tells which; the hot path then calls full() in place of light().
#pragma once

#include <atomic>

#if defined(__linux__)
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace mpmc::backend {

class asymmetric_fence {
  enum : int { unknown = 0, expedited = 1, full_fences = 2 };

 public:
  // Settles the mode (registering with the kernel once per process) and
  // says whether the light half may be a mere compiler barrier. If not
  // (no membarrier), the hot path must call full() instead of light().
  static bool prepare() noexcept { return ensure_mode() == expedited; }

  // The hot path's half where prepare() returned true: it only stops the
  // compiler from moving memory accesses across it. Not a check of the
  // mode: a caller makes its slow path run full() where prepare() said no,
  // with a test it does anyway (event_count.hpp folds it into its waiter
  // count), so the hot path has no extra load and branch.
  static void light() noexcept { std::atomic_signal_fence(std::memory_order_seq_cst); }

  // The sleeping side's half. Registers with the kernel on first use.
  static void heavy() noexcept {
#if defined(__linux__)
    if (ensure_mode() == expedited) {
      // Cannot fail once the process is registered (membarrier(2) lists no
      // such error), which is what lets light() skip its fence.
      syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
      return;
    }
#endif
    full();
  }

  // A full fence, for the hot path where prepare() returned false.
  static void full() noexcept {
#if defined(__SANITIZE_THREAD__)
    // ThreadSanitizer does not model fences, and gcc refuses them under
    // -Werror=tsan. A seq_cst read-modify-write is a full barrier on the
    // CPUs such builds run on (x86-64: a locked instruction).
    fence_word_.fetch_add(0, std::memory_order_seq_cst);
#else
    std::atomic_thread_fence(std::memory_order_seq_cst);
#endif
  }

 private:
  static int ensure_mode() noexcept {
    // acquire: pairs with the release in the store below, so a thread that
    // sees `expedited` also sees the registration as done.
    int mode = mode_.load(std::memory_order_acquire);
    if (mode != unknown) return mode;
    mode = full_fences;
#if defined(__linux__)
    const long supported = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    if (supported > 0 && (supported & MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0 &&
        syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0)
      mode = expedited;
#endif
    // Registration is idempotent, so racing first users agree.
    // release: pairs with the acquire above.
    mode_.store(mode, std::memory_order_release);
    return mode;
  }

  static inline std::atomic<int> mode_{unknown};
#if defined(__SANITIZE_THREAD__)
  static inline std::atomic<int> fence_word_{0};
#endif
};

}  // namespace mpmc::backend
