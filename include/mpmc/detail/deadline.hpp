// Deadlines as the waiting code takes them: no_deadline for a call that
// waits as long as it takes, or a time point of steady_clock or system_clock
// in the clock's own duration, saturated (see saturate()).
#pragma once

#include <chrono>
#include <concepts>

namespace mpmc::detail {

struct no_deadline {};

// A caller's deadline as a time point of steady_clock or system_clock in
// that clock's own duration, saturated: a deadline beyond what the type holds
// becomes max() (no timeout: wait until woken or closed), one before it
// min() (already past: try once). The range checks run in long double,
// which holds any integer duration of any period without overflow. A clock
// other than those two is measured against its own now() and the interval
// applied to steady_clock.
template <class Clock>
typename Clock::time_point saturate(std::chrono::duration<long double> since_epoch) noexcept {
  using tp = typename Clock::time_point;
  using dur = typename Clock::duration;
  if (since_epoch >= std::chrono::duration<long double>(dur::max())) return tp::max();
  if (since_epoch <= std::chrono::duration<long double>(dur::min())) return tp::min();
  return tp(std::chrono::duration_cast<dur>(since_epoch));
}

template <class Clock, class Duration>
auto saturated(const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
  using std::chrono::duration;
  const duration<long double> at(deadline.time_since_epoch());
  if constexpr (std::same_as<Clock, std::chrono::steady_clock> ||
                std::same_as<Clock, std::chrono::system_clock>) {
    return saturate<Clock>(at);
  } else {
    const duration<long double> left = at - duration<long double>(Clock::now().time_since_epoch());
    return saturate<std::chrono::steady_clock>(
        duration<long double>(std::chrono::steady_clock::now().time_since_epoch()) + left);
  }
}

template <class Rep, class Period>
auto deadline_after(const std::chrono::duration<Rep, Period>& timeout) noexcept {
  using clock = std::chrono::steady_clock;
  return saturate<clock>(std::chrono::duration<long double>(clock::now().time_since_epoch()) +
                         std::chrono::duration<long double>(timeout));
}

template <class Deadline>
bool expired(const Deadline& deadline) noexcept {
  if constexpr (std::same_as<Deadline, no_deadline>) {
    return false;
  } else {
    return Deadline::clock::now() >= deadline;
  }
}

}  // namespace mpmc::detail
