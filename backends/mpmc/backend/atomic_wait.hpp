// Parking with C++20's std::atomic::wait/notify, which has no timed wait: wait_until polls in
// sleeps growing from 50 us to 1 ms (never past the deadline), so it may notice a change late.
#pragma once

#include <mpmc/detail/chrono.hpp>

#include <atomic>
#include <cstdint>

// nanosleep where POSIX has it: <thread> would add to every queue user's compile time off Linux.
#if __has_include(<time.h>) && __has_include(<unistd.h>)
#include <time.h>
#else
#include <thread>
#endif

namespace mpmc::backend {
namespace detail {
inline void pause_for(std::chrono::microseconds d) noexcept {  // d below a second
#if __has_include(<time.h>) && __has_include(<unistd.h>)
  const timespec span{.tv_sec = 0, .tv_nsec = static_cast<long>(d.count()) * 1000};
  (void)::nanosleep(&span, nullptr);  // EINTR: the caller's loop looks again
#else
  std::this_thread::sleep_for(d);
#endif
}
}  // namespace detail

struct atomic_wait {
  void wait(std::atomic<std::uint32_t>& word, std::uint32_t seen) noexcept {
    // acquire: pairs with the waker's release of the word, like a futex.
    word.wait(seen, std::memory_order_acquire);
  }
  template <class Clock, class Duration>
  bool wait_until(std::atomic<std::uint32_t>& word, std::uint32_t seen,
                  const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    using namespace std::chrono_literals;
    std::chrono::microseconds step = 50us;
    // acquire: as in wait().
    while (word.load(std::memory_order_acquire) == seen) {
      const auto now = Clock::now();
      if (now >= deadline) return false;
      const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - now);
      detail::pause_for(left + 1us < step ? left + 1us : step);
      step = step * 2 < 1ms ? step * 2 : 1ms;
    }
    return Clock::now() < deadline;
  }
  void wake(std::atomic<std::uint32_t>& word, std::uint32_t count) noexcept {
    count == 1 ? word.notify_one() : word.notify_all();
  }
  void wake_all(std::atomic<std::uint32_t>& word) noexcept { word.notify_all(); }
};
}  // namespace mpmc::backend
