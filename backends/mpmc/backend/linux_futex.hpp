// Parking on a 32-bit word with the Linux futex syscall: the kernel puts the
// thread to sleep only if the word still holds the value the caller last saw,
// atomically with respect to wake(), so a wake between "I saw it" and "I
// sleep" is never lost.
//
// Private futexes (FUTEX_PRIVATE_FLAG): the word is never shared between
// processes, which lets the kernel skip the mm-wide hash lookup.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <limits>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace mpmc::backend {

#if defined(__linux__)

struct linux_futex {
  // Sleeps while `word` holds `seen`. Returns on a wake, on a signal, or
  // spuriously: callers re-check their condition in a loop.
  void wait(std::atomic<std::uint32_t>& word, std::uint32_t seen) noexcept {
    call(word, FUTEX_WAIT_PRIVATE, seen, nullptr);
  }

  // As wait(), but gives up at `deadline`. Returns false once the deadline
  // has passed by the caller's clock, true otherwise (woken, interrupted, the
  // word changed, or the kernel's monotonic timeout fired a hair before the
  // caller's clock reached the deadline: the caller then waits again).
  template <class Clock, class Duration>
  bool wait_until(std::atomic<std::uint32_t>& word, std::uint32_t seen,
                  const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    // FUTEX_WAIT takes a relative timeout on CLOCK_MONOTONIC; converting
    // from the caller's clock once per call keeps any clock usable.
    const auto now = Clock::now();
    if (now >= deadline) return false;  // compared first: deadline - now cannot overflow then
    const auto left = deadline - now;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    timespec relative{};
    relative.tv_sec = static_cast<std::time_t>(ns / 1'000'000'000);
    relative.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    call(word, FUTEX_WAIT_PRIVATE, seen, &relative);
    return Clock::now() < deadline;
  }

  // Wakes up to `count` threads sleeping on `word`.
  void wake(std::atomic<std::uint32_t>& word, std::uint32_t count) noexcept {
    const auto n = count > static_cast<std::uint32_t>(std::numeric_limits<int>::max())
                       ? std::numeric_limits<int>::max()
                       : static_cast<int>(count);
    call(word, FUTEX_WAKE_PRIVATE, static_cast<std::uint32_t>(n), nullptr);
  }

  void wake_all(std::atomic<std::uint32_t>& word) noexcept {
    wake(word, std::numeric_limits<std::uint32_t>::max());
  }

 private:
  static long call(std::atomic<std::uint32_t>& word, int op, std::uint32_t value,
                   const timespec* timeout) noexcept {
    static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
                      std::atomic<std::uint32_t>::is_always_lock_free,
                  "mpmc::backend::linux_futex: std::atomic<std::uint32_t> must be a plain "
                  "32-bit word for the kernel to read it");
    // EAGAIN (the word had already changed), EINTR (a signal) and spurious
    // returns all mean "look again", which every caller does; so the result
    // is returned, never turned into errno.
    auto* const address = reinterpret_cast<std::uint32_t*>(&word);
    return syscall(SYS_futex, address, op, value, timeout, nullptr, 0);
  }
};

#else

namespace detail {
template <class = void>
struct futex_unavailable {
  static_assert(sizeof(futex_unavailable*) == 0,
                "mpmc::wait::futex: the futex backend needs Linux; use mpmc::wait::atomic_wait, "
                "the portable choice");
};
}  // namespace detail

// Naming this type is fine anywhere; using it (through wait::futex) fails to
// compile with the sentence above.
using linux_futex = detail::futex_unavailable<>;

#endif

}  // namespace mpmc::backend
