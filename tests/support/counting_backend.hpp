// A parking backend that counts the calls the queue makes on it and forwards
// them to the futex backend, so tests can assert how often a queue sleeps
// and wakes. The counts are global to the type; tests reset them first.
#pragma once

#include <mpmc/backend/linux_futex.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>

namespace mpmc::test {

struct counting_backend {
  static inline std::atomic<long> waits{0};
  static inline std::atomic<long> wakes{0};
  static inline std::atomic<long> woken{0};  // the counts wake() was asked for, summed
  static inline std::atomic<long> wake_alls{0};

  static void reset() noexcept {
    waits = 0;
    wakes = 0;
    woken = 0;
    wake_alls = 0;
  }

  void wait(std::atomic<std::uint32_t>& word, std::uint32_t seen) noexcept {
    ++waits;
    real.wait(word, seen);
  }
  template <class Clock, class Duration>
  bool wait_until(std::atomic<std::uint32_t>& word, std::uint32_t seen,
                  const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    ++waits;
    return real.wait_until(word, seen, deadline);
  }
  void wake(std::atomic<std::uint32_t>& word, std::uint32_t count) noexcept {
    ++wakes;
    woken += count;
    real.wake(word, count);
  }
  void wake_all(std::atomic<std::uint32_t>& word) noexcept {
    ++wake_alls;
    real.wake_all(word);
  }

  [[no_unique_address]] backend::linux_futex real;
};

}  // namespace mpmc::test
