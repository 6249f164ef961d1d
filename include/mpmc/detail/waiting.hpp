// What a blocked push or pop does, and how the other side wakes it.
//
// A blocked call retries its claim, paced by the backoff policy, for the
// wait policy's spin budget. Then a spinning policy calls its idle action
// (nothing, or a yield) before every further retry, and a parking policy
// puts the thread to sleep on its backend until the other side makes
// progress, the queue closes, or a deadline passes.
//
// Refill
// ------
// A producer blocked on a full ring does not claim each slot the moment a
// consumer frees it. That slot is in the line the consumer is working in:
// claiming and filling it pulls the line away from the consumer, which
// pulls it back for its next element, and both sides then pay a line
// transfer per element (on the 2-vCPU VM, 30-850 ns a round trip, varying
// with where the host puts the vCPUs). So for its first rounds (the spin
// phase, at most max_refill_rounds) the producer only watches for a run of
// free slots, `ready()` (sequence_ring::has_room_for), and claims once one
// is there: then it fills lines the consumer has left. After those rounds
// it claims whatever is free, so a consumer that frees one slot and stops
// still lets a blocked push through. Consumers get no such delay: a
// consumer waiting on an empty ring may be a ping-pong partner, for whom
// every nanosecond before it takes the element is latency.
// (docs/benchmarks.md, "Refill": 1p1c with a busy consumer went from 15-21
// to 22-32 M items/s over four code shapes.)
//
// Parking protocol
// ----------------
// Each side (producers waiting for room, consumers waiting for elements) has
// a parking lot: a count of sleepers and an epoch word they sleep on. How a
// publisher learns that it must wake one depends on the other side's claims.
// Where they are all compare-exchanges of the counter (the default), a
// sleeper raises a flag in that counter and the publisher's claim reads it
// for free (parked_flags.hpp; park_flagged below). Where that counter has a
// plain-storing writer (a lone side) or ticket takers (claim::ticket), the
// publisher reads the sleeper count after every publish, with this fenced
// protocol:
//
//   sleeper                              waker (after every publish)
//   e = epoch          (acquire)         publish the slot's turn (release)
//   ++sleepers                           light fence
//   heavy fence                          if sleepers != 0:
//   retry the claim; if it fails and       ++epoch                 (release)
//     the queue is not closed:             wake one sleeper on epoch
//     sleep while epoch == e,
//     then retry the claim
//   --sleepers
//
// The lost wake-up this prevents: the waker publishes, then reads sleepers;
// the sleeper announces itself, then retries. Each is a store followed by a
// load of the other's variable, which a CPU may reorder (x86's store buffer
// lets the load pass the store). Without fences both can read the old
// values: the waker sees no sleeper and skips the wake, the sleeper sees no
// element and sleeps, though one is there. The two fences forbid that: either
// the sleeper's retry sees the publish, or the waker sees the sleeper and
// bumps the epoch, and then the kernel's own check of the epoch (atomic with
// going to sleep) refuses to sleep on the stale value e.
//
// The fences are asymmetric (backend/asymmetric_fence.hpp): the waker's half,
// on every push and pop, is a compiler barrier; the sleeper's half, paid only
// before sleeping, is a membarrier() that forces a full barrier on every CPU
// running our threads. A full fence on the fast path would cost ~6 ns, half a
// push+pop. So a push or pop that finds nobody asleep costs one extra load of
// a line that stays in every reader's cache, and no syscall.
//
// One sleeper is woken per published slot: one element (or one free slot)
// lets one thread make progress, so there is no herd; a batch of n wakes up
// to n. A woken thread that loses the
// race for the element to a running thread simply parks again; the element
// was still consumed. close() bumps both epochs and wakes everybody.
//
// Ticket holders (claim::ticket)
// ------------------------------
// A blocking call that holds a ticket (sequence_ring.hpp, Tickets) waits for
// one slot's turn, not for "any progress", so waking one arbitrary sleeper
// could pick the wrong one.
//
// A producer holding a ticket sleeps on its slot's turn word, counted in the
// producers' lot's `turn_sleepers`; the consumer that frees the slot stores
// the turn and, if turn_sleepers is non-zero, wakes all sleepers on that
// word (several laps of one slot may be waited for at once; each re-checks):
//
//   ticket holder                        publisher of that slot
//   ++turn_sleepers                      store the turn           (release)
//   heavy fence                          light fence
//   t = turn; if t is not ours:          if turn_sleepers != 0:
//     sleep while turn == t                wake all sleeping on the turn word
//   --turn_sleepers
//
// The same store-load pair as above, with the same cure. Producers use a
// backend object of their own for it, so that a condition variable's
// notify_one for the epoch never lands on a ticket holder.
//
// A consumer holding a ticket may be waiting for a position no producer will
// ever fill (taken after close()), and close() must be able to wake it
// without changing that slot's turn word, which other laps' holders still
// read; a backend such as std::atomic::wait only returns once the word
// changes. So consumers holding tickets sleep on their lot's epoch, as other
// sleepers do, and with claim::ticket every publish wakes *all* sleeping
// consumers, each of which re-checks its own slot: a herd, but only of
// consumers parked on an empty queue, where a ticket queue is not at its
// best anyway (claim/ticket.hpp).
#pragma once

#include <mpmc/backend/asymmetric_fence.hpp>
#include <mpmc/backend/cpu.hpp>
#include <mpmc/concepts.hpp>
#include <mpmc/detail/parked_flags.hpp>

#include <atomic>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace mpmc::detail {

// The deadline of a call that waits for as long as it takes.
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

// The parking state of one side, on a line of its own: the hot paths of the
// other side read `sleepers` on every operation, and nobody writes it unless
// a thread is going to sleep or waking up.
template <class Backend>
struct alignas(backend::false_sharing_range) parking_lot {
  // Threads asleep on the epoch, plus `fence_needed` for good where the
  // asymmetric fence has no cheap half (see waiting::notify).
  std::atomic<std::uint32_t> sleepers{0};
  std::atomic<std::uint32_t> turn_sleepers{0};  // ticket holders asleep on turn words
  std::atomic<std::uint32_t> epoch{0};
  // Flagged lots (park_flagged): of the sleepers, those in or about to enter
  // the backend's wait. A waker makes the wake call only if one is.
  std::atomic<std::uint32_t> in_wait{0};
  [[no_unique_address]] Backend backend;
  [[no_unique_address]] Backend turn_backend;
};

// Which side of the queue is waiting.
enum class waiting_side { producers, consumers };

// The `ready` of a wait that claims as soon as it can (see Refill).
struct always_ready {
  constexpr bool operator()() const noexcept { return true; }
};

// Yields a parking policy makes before it sleeps; none unless it says.
template <class W>
inline constexpr std::uint32_t yield_limit_of = 0;
template <class W>
requires requires { W::yield_limit; }
inline constexpr std::uint32_t yield_limit_of<W> = W::yield_limit;

template <class Config>
class waiting {
  using wait_type = typename Config::wait;
  using backoff_type = typename Config::backoff;
  static constexpr bool parks = parking_wait<wait_type>;
  static constexpr bool tickets = Config::claim::tickets;
  // Which lots' sleepers raise a flag in a counter (parked_flags.hpp) rather
  // than run the fenced protocol.
  static constexpr bool producers_flag = producers_flag_head<Config>;
  static constexpr bool consumers_flag = consumers_flag_tail<Config>;

  struct no_lots {};
  struct lots {
    parking_lot<typename wait_type::backend> producers;  // waiting for room
    parking_lot<typename wait_type::backend> consumers;  // waiting for elements
  };
  template <class W>
  struct lots_for {
    using type = no_lots;
  };
  template <parking_wait W>
  struct lots_for<W> {
    using type = lots;
  };

 public:
  waiting() noexcept {
    // Settle the fence mode now. Without membarrier every notify() must
    // issue a full fence before it reads the sleeper count; a bias that
    // keeps the count non-zero sends each one down the slow path, which
    // does, so the fast path stays one load and one branch on every system.
    // A flagged lot needs no fence (its count is exact: the bias would
    // keep its flag up).
    if constexpr (parks) {
      if (!backend::asymmetric_fence::prepare()) {
        // relaxed (both): the queue is not yet shared; publishing it to
        // other threads orders these stores before their first access.
        if constexpr (!producers_flag)
          lots_.producers.sleepers.store(fence_needed, std::memory_order_relaxed);
        if constexpr (!consumers_flag)
          lots_.consumers.sleepers.store(fence_needed, std::memory_order_relaxed);
      }
    }
  }

  // Calls `attempt` until it returns something true, and returns that; or
  // returns a false value once `stop()` holds or the deadline has passed.
  // `attempt` must have no effect when it fails (claim nothing), so that it
  // can be retried any number of times and a timed-out call leaves nothing
  // behind. During the first rounds it is only called once `ready()` holds
  // (see Refill); after them, and when parked, always. `flags` is the ring's
  // parked flag for this side (raise, lower, may_sleep: see
  // sequence_ring::raise_parked), or no_flags where the side parks with the
  // fenced protocol.
  // Kept out of line: it runs only after a failed claim, and inlined into
  // every push and pop it would crowd the fast path.
  template <class Attempt, class Stop, class Deadline, class Ready = always_ready,
            class Flags = no_flags>
  [[gnu::noinline]] auto wait(waiting_side side, Attempt&& attempt, Stop&& stop,
                              const Deadline& deadline, Ready&& ready = {},
                              Flags flags = {}) noexcept -> decltype(attempt()) {
    return budget(
        attempt, stop, deadline,
        [&] {
          if constexpr (!parks)
            return decltype(attempt()){};
          else if constexpr (std::same_as<Flags, no_flags>)
            return park(lot(side), attempt, stop, deadline);
          else
            return park_flagged(lot(side), attempt, stop, deadline, flags);
        },
        ready);
  }

  // Whether the untimed blocking calls wait in a loop inlined into the
  // caller, with the inline claim as their attempt (queue.hpp,
  // emplace_until and pop_until): for a policy that never leaves the CPU
  // (wait::spin), whose point is latency. Out of line, the wait's claim
  // hands its position back through memory, and on the 2-vCPU VM that
  // alone made the spinning round trip 1.3-1.6x that of a loop of try_pop
  // (docs/benchmarks.md, "The spinning round trip inline"). The price is
  // throughput between two threads: a consumer that takes each element
  // the moment it appears keeps its producer in lock-step (1p1c 148-190 ->
  // 109-116 M items/s), which a policy that yields or parks, there to share
  // cores, should not pay.
  static constexpr bool waits_inline =
      !parks && wait_type::spin_limit == std::numeric_limits<std::uint32_t>::max();

  // wait() for a policy that waits_inline: `attempt` until it returns true,
  // or false once stop() holds, with the same backoff and Refill rounds.
  template <class Attempt, class Stop, class Ready = always_ready>
  requires waits_inline [[gnu::always_inline]] bool spin(Attempt&& attempt, Stop&& stop,
                                                         Ready&& ready = {}) noexcept {
    return budget(
        attempt, stop, no_deadline{}, [] { return false; }, ready);
  }

  // Waits until `word` (a ticket's slot turn) reads `turn`, or stop()
  // holds; returns whether the turn came. Same budgets as wait(); then a
  // parking policy sleeps (see Ticket holders).
  template <class Stop>
  [[gnu::noinline]] bool wait_turn(waiting_side side, std::atomic<std::uint32_t>& word,
                                   std::uint32_t turn, Stop&& stop) noexcept {
    // acquire: pairs with the release store of the turn by the slot's
    // previous owner (sequence_ring's (2)): its work on the slot is done.
    auto arrived = [&] { return word.load(std::memory_order_acquire) == turn; };
    always_ready ready;
    return budget(
        arrived, stop, no_deadline{},
        [&] {
          if constexpr (parks) {
            if (side == waiting_side::consumers)
              return park(lots_.consumers, arrived, stop, no_deadline{});
            park_turn(lots_.producers, word, turn, stop);
          }
          return false;
        },
        ready);
  }

  // Called after each publish of `count` slots (one, or a batch): wakes up
  // to `count` threads parked on `side`, if any, and the ticket holders
  // asleep on those slots' turn words: `each_word(f)` calls f on each.
  template <class EachWord>
  [[gnu::always_inline]] void notify(waiting_side side, std::uint32_t count,
                                     EachWord&& each_word) noexcept {
    if constexpr (parks) {
      auto& l = lot(side);
      // Light half of the fence pair; the heavy half is in park() and
      // park_turn(). Where the light half would have to be a full fence,
      // sleepers is never zero and slow_notify() issues it.
      backend::asymmetric_fence::light();
      // relaxed (both): ordered after our publish by the fence pair above; a
      // stale non-zero count costs one needless wake, never a lost one.
      if (l.sleepers.load(std::memory_order_relaxed) != 0) [[unlikely]]
        slow_notify(l, side, count, each_word);
      else if constexpr (tickets) {
        if (l.turn_sleepers.load(std::memory_order_relaxed) != 0) [[unlikely]]
          wake_turns(l, each_word);
      }
    } else {
      (void)side;
      (void)count;
      (void)each_word;
    }
  }

  // notify() for one published slot, whose turn word is `word`.
  [[gnu::always_inline]] void notify(waiting_side side, std::atomic<std::uint32_t>& word) noexcept {
    notify(side, 1, [&word](auto&& wake) { wake(word); });
  }

  // notify() for a side whose sleepers raise a flag (parked_flags.hpp), after
  // a publish of `count` slots whose claim found the flag or not (`flagged`):
  // no load, just the test of what the claim read.
  [[gnu::always_inline]] void notify_flagged(waiting_side side, std::uint32_t count,
                                             bool flagged) noexcept {
    if constexpr (parks) {
      if (flagged) [[unlikely]]
        wake_flagged(lot(side), count);
    } else {
      (void)side;
      (void)count;
      (void)flagged;
    }
  }

  // Wakes every parked thread on both sides (close()). Producers asleep on
  // a turn word hold positions claimed before the close, which complete.
  void notify_all() noexcept {
    if constexpr (parks) {
      wake_everyone(lots_.producers);
      wake_everyone(lots_.consumers);
    }
  }

 private:
  static constexpr std::uint32_t fence_needed = 1u << 31;

  // notify() after it found sleepers non-zero: real sleepers, or the bias
  // that stands for a missing light fence (then issued here, before the
  // count is read again; the earlier read only brought us here).
  //
  // Out of line, so that it stays out of every push and pop, but not
  // [[gnu::cold]], nor are the wakes below: cold functions go to a section
  // of their own, away from the code that calls them, and a push that wakes
  // a sleeper after a long idle spell then misses in the iTLB and the
  // instruction cache on the way to the syscall, with a thread waiting on
  // it. On the 2-vCPU VM, cold: a parked consumer's wake-up took 1.11-1.16x
  // a bare futex's in paired runs; not cold: 1.05-1.10 (docs/benchmarks.md,
  // "The wake path out of the cold section").
  template <class Lot, class EachWord>
  [[gnu::noinline]] static void slow_notify(Lot& l, waiting_side side, std::uint32_t count,
                                            EachWord& each_word) noexcept {
    // relaxed: as in notify(), ordered by the fence pair.
    std::uint32_t sleeping = l.sleepers.load(std::memory_order_relaxed);
    if (sleeping & fence_needed) {
      backend::asymmetric_fence::full();
      // relaxed: ordered after our publish by the full fence just issued.
      sleeping = l.sleepers.load(std::memory_order_relaxed) & ~fence_needed;
    }
    if (sleeping != 0) {
      // claim::ticket: consumers asleep on the epoch wait for different
      // positions; only all of them are sure to include the right one.
      if (tickets && side == waiting_side::consumers)
        wake_everyone(l);
      else
        wake(l, count);
    }
    if constexpr (tickets) {
      // relaxed: as above.
      if (l.turn_sleepers.load(std::memory_order_relaxed) != 0) wake_turns(l, each_word);
    } else {
      (void)each_word;
    }
  }

  template <class Lot, class EachWord>
  static void wake_turns(Lot& l, EachWord& each_word) noexcept {
    each_word([&l](std::atomic<std::uint32_t>& word) { wake_turn(l, word); });
  }

  // notify_flagged() after a claim that found the flag. Out of line, not
  // cold, for the reason given at slow_notify().
  template <class Lot>
  [[gnu::noinline]] static void wake_flagged(Lot& l, std::uint32_t count) noexcept {
    // relaxed: ordered after the sleeper's increment by the claim's acquire
    // re-read of the counter (sequence_ring::see_sleepers), which pairs with
    // the raise. Zero: the flag outlived its sleepers for a moment (the last
    // one out lowers it).
    if (l.sleepers.load(std::memory_order_relaxed) == 0) return;
    // The epoch moves for every counted sleeper; the kernel is called only
    // if one is in (or entering) the backend's wait. A flagged sleeper may
    // be awake for a while (yielding to a claim made before its flag, or
    // woken and not yet run), and every claim meanwhile finds the flag: on
    // two cores such spells made a thousand wake calls, ~1 us each, for
    // nobody (docs/benchmarks.md, "Parked flags").
    // seq_cst (both): against the sleeper's increment of in_wait and its
    // re-read of the epoch in park_flagged(): either it sees the new epoch
    // and does not sleep, or this load sees it counted and wakes it.
    l.epoch.fetch_add(1, std::memory_order_seq_cst);
    if (l.in_wait.load(std::memory_order_seq_cst) != 0) l.backend.wake(l.epoch, count);
  }

  template <class Lot>
  [[gnu::noinline]] static void wake(Lot& l, std::uint32_t count) noexcept {
    // release: pairs with the acquire load of the epoch in park().
    l.epoch.fetch_add(1, std::memory_order_release);
    l.backend.wake(l.epoch, count);
  }

  // The most rounds a blocked producer waits for a run of free slots before
  // it claims any free slot (see Refill): the parking policies' spin phase,
  // and a bound for wait::spin, whose spin phase never ends.
  static constexpr std::uint32_t max_refill_rounds = 64;
  static constexpr std::uint32_t refill_rounds =
      wait_type::spin_limit < max_refill_rounds ? wait_type::spin_limit : max_refill_rounds;

  // The loop both waits share: `attempt` until it returns something true
  // (returned), or a false value once stop() holds or the deadline passed;
  // between attempts, spin_limit backoff rounds, then a spinning policy's
  // idle() before each further attempt, or a parking policy's yields and
  // then `sleep()` (which returns what its own last attempt returned). In
  // the first refill_rounds rounds, attempts wait for `ready()`.
  template <class Attempt, class Stop, class Deadline, class Sleep, class Ready>
  [[gnu::always_inline]] auto budget(Attempt& attempt, Stop& stop, const Deadline& deadline,
                                     Sleep&& sleep, Ready& ready) noexcept -> decltype(attempt()) {
    backoff_type backoff{};
    std::uint32_t yields = 0;
    for (std::uint32_t rounds = 0;;) {
      if (rounds >= refill_rounds || ready())
        if (auto result = attempt()) return result;
      if (stop() || expired(deadline)) return {};
      if (rounds < wait_type::spin_limit) {
        ++rounds;
        backoff();
      } else if constexpr (parks) {
        if (yields < yield_limit_of<wait_type>) {
          ++yields;
          backend::thread_yield();
        } else if (auto result = sleep()) {
          return result;
        }
      } else {
        wait_type::idle();
      }
    }
  }

  template <class Lot>
  [[gnu::noinline]] static void wake_everyone(Lot& l) noexcept {
    // release: pairs with the acquire load of the epoch in park(), so a
    // sleeper that sees the new epoch also sees what the waker did (the
    // publish, or the close).
    l.epoch.fetch_add(1, std::memory_order_release);
    l.backend.wake_all(l.epoch);
  }

  template <class Lot>
  [[gnu::noinline]] static void wake_turn(Lot& l, std::atomic<std::uint32_t>& word) noexcept {
    l.turn_backend.wake_all(word);
  }

  template <class Lot, class Stop>
  static void park_turn(Lot& l, std::atomic<std::uint32_t>& word, std::uint32_t turn,
                        Stop& stop) noexcept {
    // relaxed: the heavy fence below orders it before the re-check, against
    // the light fence and turn_sleepers load in notify().
    l.turn_sleepers.fetch_add(1, std::memory_order_relaxed);
    backend::asymmetric_fence::heavy();
    // acquire: as in wait_turn().
    const std::uint32_t seen = word.load(std::memory_order_acquire);
    if (seen != turn && !stop()) l.turn_backend.wait(word, seen);
    // relaxed: a publisher that still sees us counted makes one needless wake.
    l.turn_sleepers.fetch_sub(1, std::memory_order_relaxed);
  }

  auto& lot(waiting_side side) noexcept {
    return side == waiting_side::producers ? lots_.producers : lots_.consumers;
  }

  // A saturated deadline of max() has no timeout.
  template <class Backend, class Deadline>
  static void sleep_until(Backend& b, std::atomic<std::uint32_t>& word, std::uint32_t seen,
                          const Deadline& deadline) noexcept {
    if constexpr (std::same_as<Deadline, no_deadline>) {
      b.wait(word, seen);
    } else {
      if (deadline == Deadline::max())
        b.wait(word, seen);
      else
        b.wait_until(word, seen, deadline);
    }
  }

  template <class Lot, class Attempt, class Stop, class Deadline>
  static auto park(Lot& l, Attempt& attempt, Stop& stop, const Deadline& deadline) noexcept
      -> decltype(attempt()) {
    // acquire: pairs with the release increments in notify() and
    // notify_all(): whatever the waker did before (publishing, closing) is
    // visible to the retry below if we read its epoch.
    const std::uint32_t seen = l.epoch.load(std::memory_order_acquire);
    // relaxed: the heavy fence below orders it before the retry, against
    // the light fence and sleepers load in notify().
    l.sleepers.fetch_add(1, std::memory_order_relaxed);
    backend::asymmetric_fence::heavy();
    auto result = attempt();
    if (!result && !stop()) {
      sleep_until(l.backend, l.epoch, seen, deadline);
      // Retry here, straight after the wake, rather than in the caller's
      // loop: a thread woken after a long sleep finds our code cold, and
      // going back up through budget() first cost ~0.2 us of the wake-up
      // (bench/wake_breakdown). A claim made at the deadline is returned
      // like any other: it cannot be given back.
      result = attempt();
    }
    // relaxed: a waker that still sees us counted makes one needless wake.
    l.sleepers.fetch_sub(1, std::memory_order_relaxed);
    return result;
  }

  // park() for a side whose sleepers raise a flag in the other side's
  // counter (parked_flags.hpp has the protocol and why it needs no fence).
  template <class Lot, class Attempt, class Stop, class Deadline, class Flags>
  [[gnu::noinline]] static auto park_flagged(Lot& l, Attempt& attempt, Stop& stop,
                                             const Deadline& deadline, Flags& flags) noexcept
      -> decltype(attempt()) {
    // acquire: as in park().
    const std::uint32_t seen = l.epoch.load(std::memory_order_acquire);
    // seq_cst: counted before the raise, so that a waker whose claim reads
    // the flag sees the count (wake_flagged), and in one order with the
    // re-read in leave_flagged().
    l.sleepers.fetch_add(1, std::memory_order_seq_cst);
    const std::uint64_t mark = flags.raise();
    auto result = attempt();
    while (!result && !stop() && !expired(deadline)) {
      if (flags.may_sleep(mark)) {
        // seq_cst (both): see wake_flagged().
        l.in_wait.fetch_add(1, std::memory_order_seq_cst);
        if (l.epoch.load(std::memory_order_seq_cst) == seen) {
          sleep_until(l.backend, l.epoch, seen, deadline);
        }
        // relaxed: a waker that still counts us makes one needless call.
        l.in_wait.fetch_sub(1, std::memory_order_relaxed);
        // At once, as in park().
        result = attempt();
        break;
      }
      // A claim made before the raise is still being filled (or emptied)
      // by a thread that will wake nobody: wait for it awake, and with the
      // flag down (unless others keep it up), so that meanwhile the other
      // side's claims do not all take the slow path for a thread that is not
      // asleep. The caller's loop comes back here, to raise it again.
      leave_flagged(l, flags);
      backend::thread_yield();
      return attempt();
    }
    leave_flagged(l, flags);
    return result;
  }

  template <class Lot, class Flags>
  static void leave_flagged(Lot& l, Flags& flags) noexcept {
    // seq_cst (all three): one order with the count increments and raises
    // of other sleepers (parked_flags.hpp, Lowering).
    if (l.sleepers.fetch_sub(1, std::memory_order_seq_cst) != 1) return;
    flags.lower();
    if (l.sleepers.load(std::memory_order_seq_cst) != 0) {
      // Someone raised just before our lower and may have lost the flag.
      flags.raise();
      wake_everyone(l);
    }
  }

  [[no_unique_address]] typename lots_for<wait_type>::type lots_;
};

}  // namespace mpmc::detail
