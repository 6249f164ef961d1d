// Parking with a mutex and condition variable (one per waiting side). No lost wake-up: a waiter
// checks the word under the mutex and sleeps atomically with releasing it; the queue changes the
// word before wake() takes the mutex, so a waiter either sees the change or is notified.
#pragma once

#include <mpmc/detail/chrono.hpp>
#include <mpmc/wait.hpp>

#include <atomic>
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
    if (Clock::now() >= deadline) return false;
    // acquire: as in wait().
    if (word.load(std::memory_order_acquire) == seen) ready_.wait_until(lock, deadline);
    return Clock::now() < deadline;
  }
  void wake(std::atomic<std::uint32_t>&, std::uint32_t count) noexcept {
    { std::lock_guard lock(mutex_); }  // orders this wake after any waiter's check
    count == 1 ? ready_.notify_one() : ready_.notify_all();
  }
  void wake_all(std::atomic<std::uint32_t>& word) noexcept { wake(word, 2); }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
};
}  // namespace mpmc::backend

namespace mpmc::wait {
// Portable, with native deadlines; the slowest parking policy, since every wake takes the mutex.
using condvar = park<backend::condvar>;
}  // namespace mpmc::wait
