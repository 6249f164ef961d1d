// Deadlines as the waiting code takes them: no_deadline for a call that waits as long as it takes,
// or a time point of steady_clock or system_clock in that clock's own duration, saturated: one
// beyond what the type holds becomes max() (no timeout: wait until woken or closed), one before it
// min() (already past: try once). The range checks run in long double, which holds any integer
// duration of any period without overflow. A time point of another clock is measured against its
// own now() and the interval applied to steady_clock.
#pragma once

#include <chrono>
#include <concepts>

namespace mpmc::detail {
struct no_deadline {};
using real_seconds = std::chrono::duration<long double>;

template <class Clock>
typename Clock::time_point saturate(real_seconds since_epoch) noexcept {
  using tp = typename Clock::time_point;
  using dur = typename Clock::duration;
  if (since_epoch >= real_seconds(dur::max())) return tp::max();
  if (since_epoch <= real_seconds(dur::min())) return tp::min();
  return tp(std::chrono::duration_cast<dur>(since_epoch));
}

template <class Rep, class Period>
auto deadline_after(const std::chrono::duration<Rep, Period>& timeout) noexcept {
  using clock = std::chrono::steady_clock;
  return saturate<clock>(real_seconds(clock::now().time_since_epoch()) + real_seconds(timeout));
}

template <class Clock, class Duration>
auto saturated(const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
  const real_seconds at(deadline.time_since_epoch());
  if constexpr (std::same_as<Clock, std::chrono::steady_clock> ||
                std::same_as<Clock, std::chrono::system_clock>)
    return saturate<Clock>(at);
  else
    return deadline_after(at - real_seconds(Clock::now().time_since_epoch()));
}

template <class Deadline>
bool expired(const Deadline& deadline) noexcept {
  if constexpr (std::same_as<Deadline, no_deadline>)
    return false;
  else
    return Deadline::clock::now() >= deadline;
}
}  // namespace mpmc::detail
