// A deterministic-schedule explorer for the library's concurrent code. Real std::threads run the
// code under test, but only one holds the baton at a time: every operation on a model_atomic first
// asks the scheduler which thread makes the next step, so a run is one interleaving, chosen by a
// seeded random walk or enumerated exhaustively under a preemption bound.
//
// What it models: sequentially consistent interleavings of atomic operations (memory orders and
// fences are ignored, so it cannot find a missing fence or a too-weak order: that is the job of
// docs/memory_ordering.md and TSan); a futex-like parking backend with a waiter list, injectable
// spurious wake-ups and a virtual clock for deadlines. What it reports: a run in which no thread
// can make progress (deadlock, which with parking means a lost wake-up), a run longer than the
// step bound (livelock), or a failed check of the scenario's results, each with the schedule that
// replays it.
#pragma once

#include <mpmc/concepts.hpp>

#include <atomic>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace mpmc::model {

// ---------------------------------------------------------------------------------------------
// The scheduler's entry points for the model types below; no-ops outside a model thread (the
// scenario's set-up and checks run on the test's own thread, with nobody else running).

enum class op : std::uint8_t { load, store, exchange, cas_ok, cas_fail, rmw, wait, wake, clock };

namespace detail {
// Before an operation: lets the scheduler run another thread first.
void point() noexcept;
// After it: what it was, for the trace and for telling spinning threads apart.
void note(op kind, const void* where, std::uint64_t before, std::uint64_t after) noexcept;
// Whether the calling thread is a model thread of a running exploration.
bool active() noexcept;
// compare_exchange_weak that would succeed: whether to fail it spuriously (a scheduler choice).
bool spurious_cas() noexcept;
// The model backend and clock.
void park(const void* word, bool timed, std::int64_t deadline) noexcept;
bool timed_out() noexcept;
void unpark(const void* word, std::uint32_t count) noexcept;
std::int64_t now() noexcept;
// A backoff or yield: the thread is spinning, so another one should run first.
void yield_hint() noexcept;
}  // namespace detail

// ---------------------------------------------------------------------------------------------
// The atomic type the library's templates take (`Atom`). The value is a plain T: only the baton
// holder runs, and handing the baton on synchronizes. Memory orders are accepted and ignored.

template <class T>
class model_atomic {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  static constexpr bool is_always_lock_free = true;

  constexpr model_atomic() noexcept : value_{} {}
  constexpr model_atomic(T value) noexcept : value_(value) {}  // NOLINT: as std::atomic
  model_atomic(const model_atomic&) = delete;
  model_atomic& operator=(const model_atomic&) = delete;

  T load(std::memory_order = std::memory_order_seq_cst) const noexcept {
    detail::point();
    const T v = value_;
    detail::note(op::load, this, bits(v), bits(v));
    return v;
  }
  void store(T v, std::memory_order = std::memory_order_seq_cst) noexcept {
    detail::point();
    const T was = value_;
    value_ = v;
    detail::note(op::store, this, bits(was), bits(v));
  }
  T exchange(T v, std::memory_order = std::memory_order_seq_cst) noexcept {
    detail::point();
    const T was = value_;
    value_ = v;
    detail::note(op::exchange, this, bits(was), bits(v));
    return was;
  }
  bool compare_exchange_strong(T& expected, T desired,
                               std::memory_order = std::memory_order_seq_cst,
                               std::memory_order = std::memory_order_seq_cst) noexcept {
    detail::point();
    return cas(expected, desired, false);
  }
  bool compare_exchange_weak(T& expected, T desired, std::memory_order = std::memory_order_seq_cst,
                             std::memory_order = std::memory_order_seq_cst) noexcept {
    detail::point();
    // A weak exchange that would succeed may fail instead, where the settings allow.
    return cas(expected, desired, value_ == expected && detail::spurious_cas());
  }
  T fetch_add(T d,
              std::memory_order = std::memory_order_seq_cst) noexcept requires std::integral<T> {
    return rmw([d](T v) { return static_cast<T>(v + d); });
  }
  T fetch_sub(T d,
              std::memory_order = std::memory_order_seq_cst) noexcept requires std::integral<T> {
    return rmw([d](T v) { return static_cast<T>(v - d); });
  }
  T fetch_or(T d,
             std::memory_order = std::memory_order_seq_cst) noexcept requires std::integral<T> {
    return rmw([d](T v) { return static_cast<T>(v | d); });
  }
  T fetch_and(T d,
              std::memory_order = std::memory_order_seq_cst) noexcept requires std::integral<T> {
    return rmw([d](T v) { return static_cast<T>(v & d); });
  }

  // For the model backend: the value, read as part of an operation that already yielded.
  T peek() const noexcept { return value_; }

 private:
  static std::uint64_t bits(T v) noexcept {
    if constexpr (std::is_integral_v<T>)
      return static_cast<std::uint64_t>(v);
    else
      return 0;
  }
  bool cas(T& expected, T desired, bool fail_spuriously) noexcept {
    const T was = value_;
    if (was == expected && !fail_spuriously) {
      value_ = desired;
      detail::note(op::cas_ok, this, bits(was), bits(desired));
      return true;
    }
    expected = was;
    detail::note(op::cas_fail, this, bits(was), bits(was));
    return false;
  }
  template <class F>
  T rmw(F f) noexcept {
    detail::point();
    const T was = value_;
    value_ = f(was);
    detail::note(op::rmw, this, bits(was), bits(value_));
    return was;
  }

  T value_;
};

// ---------------------------------------------------------------------------------------------
// Virtual time: ticks that pass only when the scheduler says so (every thread is blocked or
// spinning, or a tick is one of its choices), so a deadline expires at a chosen point of the run.

struct model_clock {
  using rep = std::int64_t;
  using period = std::ratio<1>;
  using duration = std::chrono::duration<rep, period>;
  using time_point = std::chrono::time_point<model_clock>;
  static constexpr bool is_steady = true;
  static time_point now() noexcept { return time_point(duration(detail::now())); }
};

// ---------------------------------------------------------------------------------------------
// The parking backend: wait() blocks the thread in the scheduler (not runnable) until a wake on the
// same word, or a spurious wake the scheduler chooses to inject; wait_until() also ends when
// virtual time reaches the deadline. The std::atomic overloads exist for mpmc::parking_backend's
// check and are never called by the model.

struct model_backend {
  void wait(model_atomic<std::uint32_t>& word, std::uint32_t seen) noexcept {
    detail::point();
    if (word.peek() != seen) return;  // the futex's own check, atomic with going to sleep
    detail::park(&word, false, 0);
  }
  bool wait_until(model_atomic<std::uint32_t>& word, std::uint32_t seen,
                  const model_clock::time_point& deadline) noexcept {
    detail::point();
    const std::int64_t at = deadline.time_since_epoch().count();
    if (detail::now() >= at) return false;
    if (word.peek() != seen) return true;
    detail::park(&word, true, at);
    return !detail::timed_out();
  }
  void wake(model_atomic<std::uint32_t>& word, std::uint32_t count) noexcept {
    detail::point();
    detail::unpark(&word, count);
  }
  void wake_all(model_atomic<std::uint32_t>& word) noexcept {
    wake(word, static_cast<std::uint32_t>(-1));
  }

  void wait(std::atomic<std::uint32_t>& word, std::uint32_t seen) noexcept { word.wait(seen); }
  bool wait_until(std::atomic<std::uint32_t>& word, std::uint32_t seen,
                  const std::chrono::steady_clock::time_point&) noexcept {
    return word.load() != seen;
  }
  void wake(std::atomic<std::uint32_t>& word, std::uint32_t) noexcept { word.notify_all(); }
  void wake_all(std::atomic<std::uint32_t>& word) noexcept { word.notify_all(); }
};

// A backoff policy that tells the scheduler the thread is spinning: the library's spin loops pace
// themselves with the backoff policy, so this lets a spinning thread give way without a
// preemption being spent on it.
struct model_backoff {
  using category = tag::backoff;
  void operator()() noexcept { detail::yield_hint(); }
};

// ---------------------------------------------------------------------------------------------
// Exploration.

// A run's threads and what to check once they have all finished (an empty string: passed).
// `label` (optional) names how a passing run ended, so that a test can require that the races it
// means to explore did go each way.
struct scenario {
  std::vector<std::function<void()>> threads;
  std::function<std::string()> check;
  std::function<std::string()> label;
};
using scenario_factory = std::function<scenario()>;

struct settings {
  std::size_t max_steps = 20000;     // per run; beyond it the run is reported as a livelock
  std::uint32_t spurious_wakes = 0;  // per run, injected wake-ups of parked threads
  std::uint32_t ticks = 0;  // per run, clock moves the scheduler may choose: to the next deadline
                            // of a parked thread, or one tick on
  std::uint32_t spurious_cas = 0;  // per run, compare_exchange_weak failures it may inject
};

enum class verdict { passed, deadlock, livelock, check_failed, nondeterministic };

struct report {
  verdict result = verdict::passed;
  std::string message;   // what went wrong, with the trace of the run's last steps
  std::string schedule;  // the choices that replay it (replay() or MPMC_MODEL_REPLAY)
  std::uint64_t seed = 0;
  std::size_t schedules = 0;  // runs made
  bool complete = true;       // exhaustive mode: every schedule within the bound was run
  std::map<std::string, std::size_t> outcomes;  // runs per label
  // Summed over the runs: threads parked, woken by the clock, woken spuriously; and the longest
  // run.
  std::size_t parks = 0, timeouts = 0, spurious = 0, longest = 0;
  bool failed() const noexcept { return result != verdict::passed; }
};

std::string to_string(verdict v);

// Random walks from seeds first_seed .. first_seed + seeds - 1.
report random_walks(const settings& s, std::uint64_t first_seed, std::size_t seeds,
                    const scenario_factory& make);
// Every schedule with at most `preemptions` preemptions (a switch away from a thread that could go
// on and is not spinning; an injected wake or clock tick counts as one too), up to max_schedules.
report exhaustive(const settings& s, std::uint32_t preemptions, std::size_t max_schedules,
                  const scenario_factory& make);
// One run with the given choices ("3,0,1,..."), then default choices.
report replay(const settings& s, const std::string& schedule, const scenario_factory& make);

// Knobs from the environment, for running more than CI does: MPMC_MODEL_SEEDS (random walks per
// scenario), MPMC_MODEL_PREEMPTIONS (exhaustive bound), MPMC_MODEL_FIRST_SEED.
std::size_t seeds_or(std::size_t fallback);
std::uint32_t preemptions_or(std::uint32_t fallback);
std::uint64_t first_seed_or(std::uint64_t fallback);

}  // namespace mpmc::model
