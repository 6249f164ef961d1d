// Parking with a mutex and a condition variable: portable, supports
// deadlines natively, and the slowest of the three (every wake takes the
// mutex). One object per waiting side, so notify_one reaches a waiter of the
// right kind.
//
// Lost wake-ups: a waiter checks the word under the mutex and sleeps
// atomically with releasing it; a waker changes the word *before* calling
// wake(), and wake() takes the mutex before notifying. So a waiter is either
// still before its check (and sees the new word) or already asleep (and gets
// the notification).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace mpmc::backend {

class condvar {
 public:
  void wait(std::atomic<std::uint32_t>& word, std::uint32_t seen) noexcept {
    std::unique_lock lock(mutex_);
    // acquire: pairs with the waker's release of the word.
    if (word.load(std::memory_order_acquire) == seen) ready_.wait(lock);
  }

  template <class Clock, class Duration>
  bool wait_until(std::atomic<std::uint32_t>& word, std::uint32_t seen,
                  const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    std::unique_lock lock(mutex_);
    // acquire: as in wait().
    if (Clock::now() >= deadline) return false;
    if (word.load(std::memory_order_acquire) == seen) ready_.wait_until(lock, deadline);
    return Clock::now() < deadline;
  }

  void wake(std::atomic<std::uint32_t>&, std::uint32_t count) noexcept {
    // Taking the mutex orders this wake after any waiter's check (see top).
    { std::lock_guard lock(mutex_); }
    if (count == 1)
      ready_.notify_one();
    else
      ready_.notify_all();
  }

  void wake_all(std::atomic<std::uint32_t>& word) noexcept { wake(word, 2); }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
};

}  // namespace mpmc::backend
