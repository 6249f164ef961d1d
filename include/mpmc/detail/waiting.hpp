// What a blocked push or pop does, and how the other side lets it go on.
//
// A blocked call retries its attempt (a claim, or the check of its ticket's
// turn), paced by the backoff policy, for the wait policy's spin budget.
// Then a spinning policy calls its idle action (nothing, or a yield) before
// every further attempt, and a parking policy yields a few times and then
// sleeps on its side's event count (event_count.hpp) until the other side
// publishes, the queue closes, or the deadline passes. Every wait policy and
// claim mode shares this one protocol; the backends (futex,
// std::atomic::wait, condition variable) only say how a thread sleeps.
//
// One element (or one free slot) lets one thread on, so a publish notifies
// one waiter, and a batch of n up to n: no herd. A woken thread that loses
// the element to a running one sleeps again; the element was still
// consumed. Ticket holders (claim::ticket) wait for one slot each, so waking
// an arbitrary one could pick the wrong one: with tickets a publish notifies
// every waiter of the side, each re-checks its own slot, and a ticket queue
// with many parked threads pays for that (claim/ticket.hpp).
#pragma once

#include <mpmc/backend/cpu.hpp>
#include <mpmc/concepts.hpp>
#include <mpmc/detail/deadline.hpp>
#include <mpmc/detail/event_count.hpp>
#include <mpmc/detail/sequence_ring.hpp>

#include <atomic>
#include <cstdint>
#include <limits>

namespace mpmc::detail {

// Yields a parking policy makes before it sleeps; none unless it says.
template <class W>
inline constexpr std::uint32_t yield_limit_of = 0;
template <class W>
requires requires { W::yield_limit; }
inline constexpr std::uint32_t yield_limit_of<W> = W::yield_limit;

template <class Config, template <class> class Atom = std::atomic>
class waiting {
  using wait_type = typename Config::wait;
  static constexpr std::uint32_t all = std::numeric_limits<std::uint32_t>::max();

  struct no_events {};
  struct events {
    event_count<typename wait_type::backend, Atom> not_full;   // producers wait here
    event_count<typename wait_type::backend, Atom> not_empty;  // consumers wait here
  };
  template <class W>
  struct events_for {
    using type = no_events;
  };
  template <parking_wait W>
  struct events_for<W> {
    using type = events;
  };

 public:
  static constexpr bool parks = parking_wait<wait_type>;

  // Calls `attempt` until it returns something true, and returns that; or
  // returns a false value once `stop()` holds or the deadline has passed.
  // `attempt` must have no effect when it fails, so that a call that gives
  // up leaves nothing behind.
  //
  // Never inlined: the blocked path stays out of the callers' fast paths;
  // inlined into them, threads that meet on a full or empty queue fall into
  // lock-step (bench/compare, 1p1c and 4x4).
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
        return sleep(events_.*event_of<S>(), attempt, stop, deadline);
      }
    }
  }

  // After side S published `count` slots: lets up to `count` waiters of the
  // other side on.
  template <side S>
  void notify(std::uint32_t count) noexcept {
    if constexpr (parks) {
      auto& other = S == side::producers ? events_.not_empty : events_.not_full;
      other.notify(Config::claim::tickets ? all : count);
    }
  }

  // close(): everybody re-checks.
  void notify_all() noexcept {
    if constexpr (parks) {
      events_.not_full.notify_all();
      events_.not_empty.notify_all();
    }
  }

  // The event count side S waits on, for an asynchronous layer's records.
  template <side S>
  auto& event() noexcept requires parks {
    return events_.*event_of<S>();
  }

 private:
  template <side S>
  static constexpr auto event_of() noexcept {
    return S == side::producers ? &events::not_full : &events::not_empty;
  }

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
      // Straight after the wake, before announcing again: the announcement's
      // fence is a system call, and the wake usually means success.
      if (auto again = attempt()) return again;
      if (stop() || expired(deadline)) return {};
    }
  }

  [[no_unique_address]] typename events_for<wait_type>::type events_;
};

}  // namespace mpmc::detail
