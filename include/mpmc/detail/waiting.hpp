// What a blocked push or pop does: retry, paced by the backoff policy, for the wait policy's spin
// budget; then idle before every attempt (a spinning policy) or yield a few times and sleep on its
// side's event count (a parking one). docs/design.md, Waiting.
#pragma once

#include <mpmc/backend/cpu.hpp>
#include <mpmc/concepts.hpp>
#include <mpmc/detail/chrono.hpp>
#include <mpmc/detail/event_count.hpp>
#include <mpmc/detail/sequence_ring.hpp>

#include <atomic>
#include <concepts>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace mpmc::detail {
// Deadlines as the waiting code takes them: no_deadline (event_count.hpp), or a steady_clock or
// system_clock time point saturated to its type: beyond it becomes max() (wait until woken or
// closed), before it min() (try once), checked in long double, which holds any integer duration.
// Another clock's time point is measured against its own now() and applied to steady_clock.
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

// Yields a parking policy makes before it sleeps; none unless it says.
template <class W>
inline constexpr std::uint32_t yield_limit_of = 0;
template <class W>
requires requires { W::yield_limit; }
inline constexpr std::uint32_t yield_limit_of<W> = W::yield_limit;

template <class Config, template <class> class Atom = std::atomic>
class waiting {
  using wait_type = typename Config::wait;
  struct events {
    event_count<typename wait_type::backend, Atom> not_full;   // producers wait here
    event_count<typename wait_type::backend, Atom> not_empty;  // consumers wait here
  };

 public:
  static constexpr bool parks = parking_wait<wait_type>;

  // Calls `attempt` until it returns something true, and returns that; or returns a false value
  // once `stop()` holds or the deadline has passed. A failed `attempt` must have no effect. Never
  // inlined: inlined into the callers' fast paths, threads that meet on a full or empty queue fall
  // into lock-step (bench/compare, 1p1c and 4x4).
  template <side S, class Attempt, class Stop, class Deadline>
  [[gnu::noinline]] auto wait(Attempt&& attempt, Stop&& stop, const Deadline& deadline) noexcept
      -> decltype(attempt()) {
    typename Config::backoff backoff{};
    for (std::uint32_t round = 0;; ++round) {
      if (auto result = attempt()) return result;
      if (stop() || expired(deadline)) return {};
      if (round < wait_type::spin_limit) {
        backoff();
      } else if constexpr (!parks) {
        wait_type::idle();
        round = wait_type::spin_limit;  // stays in this phase
      } else if (round - wait_type::spin_limit < yield_limit_of<wait_type>) {
        backend::thread_yield();
      } else {
        return sleep(event<S>(), attempt, stop, deadline);
      }
    }
  }

  // After side S published `count` slots: lets up to `count` waiters of the other side on (with
  // tickets all of them, as each waits for its own slot).
  template <side S>
  void notify(std::uint32_t count) noexcept {
    constexpr side other = S == side::producers ? side::consumers : side::producers;
    if constexpr (parks)
      event<other>().notify(Config::claim::tickets ? std::numeric_limits<std::uint32_t>::max()
                                                   : count);
  }

  // Every waiter of side S re-checks (close(), or a pop that drains a closed queue).
  template <side S>
  void notify_all() noexcept {
    if constexpr (parks) event<S>().notify_all();
  }

  // The event count side S waits on, also for an asynchronous layer's records.
  template <side S>
  auto& event() noexcept requires parks {
    return S == side::producers ? events_.not_full : events_.not_empty;
  }

 private:
  template <class Event, class Attempt, class Stop, class Deadline>
  static auto sleep(Event& event, Attempt& attempt, Stop& stop, const Deadline& deadline) noexcept
      -> decltype(attempt()) {
    for (;;) {
      const auto key = event.prepare_wait();
      auto result = attempt();
      if (result || stop() || expired(deadline)) {
        event.cancel_wait();
        return result;
      }
      event.commit_wait(key, deadline);
      // Before announcing again, whose fence is a system call: a wake usually means success.
      if (auto again = attempt()) return again;
      if (stop() || expired(deadline)) return {};
    }
  }

  struct no_events {};
  [[no_unique_address]] std::conditional_t<parks, events, no_events> events_;
};
}  // namespace mpmc::detail
