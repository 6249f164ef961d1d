// Parking with the Linux futex syscall: the kernel sleeps only if the word still holds the value
// last seen, atomically with respect to wake(), so no wake-up is lost. Private futexes: the word is
// never shared between processes, which spares the kernel an mm-wide hash lookup. Also `native`,
// the parking backend this platform does best, which the default wait policy uses.
#pragma once

#include <mpmc/detail/chrono.hpp>

#include <atomic>
#include <cstdint>
#include <ctime>
#include <limits>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#else
#include <mpmc/backend/atomic_wait.hpp>  // `native` there
#endif

namespace mpmc::backend {
#if defined(__linux__)
// ProcessShared: the calls leave out FUTEX_PRIVATE_FLAG, so the kernel keys the word by its page
// and a wake reaches waiters in every process that maps it (shared_futex.hpp).
template <bool ProcessShared>
struct basic_futex {
  void wait(std::atomic<std::uint32_t>& word, std::uint32_t seen) noexcept {
    call(word, wait_op, seen, nullptr);
  }
  // False once the deadline has passed by the caller's clock; true otherwise, including when the
  // kernel's CLOCK_MONOTONIC timeout fires a hair early (the caller then waits again).
  template <class Clock, class Duration>
  bool wait_until(std::atomic<std::uint32_t>& word, std::uint32_t seen,
                  const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    const auto now = Clock::now();
    if (now >= deadline) return false;  // first, so that deadline - now cannot overflow
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline - now).count();
    const timespec relative{.tv_sec = static_cast<std::time_t>(ns / 1'000'000'000),
                            .tv_nsec = static_cast<long>(ns % 1'000'000'000)};
    call(word, wait_op, seen, &relative);
    return Clock::now() < deadline;
  }
  // The kernel reads the count as an int: clamped, or "all" would read as -1.
  void wake(std::atomic<std::uint32_t>& word, std::uint32_t count) noexcept {
    constexpr std::uint32_t most = std::numeric_limits<int>::max();
    call(word, wake_op, count < most ? count : most, nullptr);
  }
  void wake_all(std::atomic<std::uint32_t>& word) noexcept {
    wake(word, std::numeric_limits<std::uint32_t>::max());
  }

 private:
  static constexpr int wait_op = ProcessShared ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE;
  static constexpr int wake_op = ProcessShared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE;
  // EAGAIN (the word changed), EINTR and spurious returns all mean "look again", which every caller
  // does, so the result is never turned into errno.
  static long call(std::atomic<std::uint32_t>& word, int op, std::uint32_t value,
                   const timespec* timeout) noexcept {
    static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
                      std::atomic<std::uint32_t>::is_always_lock_free,
                  "mpmc::backend::linux_futex: std::atomic<std::uint32_t> must be a plain "
                  "32-bit word for the kernel to read it");
    return syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), op, value, timeout, nullptr,
                   0);
  }
};
using linux_futex = basic_futex<false>;
using native = linux_futex;
#else
// Naming linux_futex is fine anywhere; using it (through wait::futex) fails with this sentence.
namespace detail {
template <class = void>
struct futex_unavailable {
  static_assert(sizeof(futex_unavailable*) == 0,
                "mpmc::wait::futex: the futex backend needs Linux; use mpmc::wait::atomic_wait, "
                "the portable choice");
};
}  // namespace detail
using linux_futex = detail::futex_unavailable<>;
using native = atomic_wait;
#endif
}  // namespace mpmc::backend
