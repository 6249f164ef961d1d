// mpmc::queue<T, Policies...>: a bounded multi-producer multi-consumer FIFO
// queue. Policies, given in any order and at most one per category, choose
// capacity, padding, backoff and waiting; see docs/policies.md.
//
//     mpmc::queue<Order> q(1024);                           // all defaults
//     mpmc::queue<Order, mpmc::capacity::fixed<256>,        // no heap,
//                 mpmc::wait::spin> q;                      // never sleeps
//
// `queue<T, A, B>` and `queue<T, B, A>` are the same type: the alias resolves
// the policies into a canonical `config` before the class is named.
#pragma once

#include <mpmc/config.hpp>
#include <mpmc/detail/range_source.hpp>
#include <mpmc/detail/sequence_ring.hpp>
#include <mpmc/detail/waiting.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace mpmc {

namespace detail {
// The allocator a capacity policy takes, or an empty stand-in for fixed
// capacity, so that the queue's allocator constructor can be declared (and
// constrained away) for both.
struct no_allocator {};
template <class Capacity>
struct allocator_of {
  using type = no_allocator;
};
template <class Capacity>
requires requires { typename Capacity::allocator_type; }
struct allocator_of<Capacity> {
  using type = typename Capacity::allocator_type;
};
}  // namespace detail

template <class T, class Config>
class basic_queue {
  static_assert(std::is_object_v<T> && !std::is_array_v<T> && !std::is_const_v<T> &&
                    !std::is_volatile_v<T>,
                "mpmc::queue<T>: T must be a non-const, non-volatile object type (not a "
                "reference, array or function); queue a pointer or std::reference_wrapper instead");
  static_assert(std::is_nothrow_destructible_v<T>,
                "mpmc::queue<T>: T's destructor must be noexcept");
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "mpmc::queue<T>: T's move constructor must be noexcept (an element moved out of "
                "a slot cannot be put back if the move throws); mark it noexcept or queue a "
                "std::unique_ptr<T>");

  using ring_type = detail::sequence_ring<T, Config>;
  using slot_type = typename ring_type::slot_type;
  static constexpr bool fixed_capacity = Config::capacity::is_fixed;

 public:
  using value_type = T;
  using size_type = std::size_t;
  using config_type = Config;
  using allocator_type = typename detail::allocator_of<typename Config::capacity>::type;

  // This queue type with some policies replaced, the rest kept:
  // `spinning_queue<T>::with<capacity::fixed<64>>`.
  template <class... Policies>
  using with = basic_queue<T, typename detail::compose<Config, Policies...>::type>;

  // capacity::dynamic: room for at least `capacity` elements, rounded up to a
  // power of two. Throws std::invalid_argument when capacity is 0,
  // std::length_error when it exceeds 2^30 (the most the ring's 32-bit turn
  // words serve), and whatever the allocator throws.
  explicit basic_queue(size_type capacity) requires(!fixed_capacity)
      : ring_(capacity, allocator_type()) {}

  basic_queue(size_type capacity, const allocator_type& allocator) requires(!fixed_capacity)
      : ring_(capacity, allocator) {}

  // capacity::fixed<N>: the slots are inside the object; nothing to allocate.
  basic_queue() requires fixed_capacity = default;

  // Threads hold references to a queue; it never moves.
  basic_queue(const basic_queue&) = delete;
  basic_queue& operator=(const basic_queue&) = delete;

  // Destroys the elements still queued. No operation may be in flight.
  ~basic_queue() = default;

  allocator_type get_allocator() const requires(!fixed_capacity) {
    return ring_.storage().get_allocator();
  }

  size_type capacity() const noexcept { return ring_.capacity(); }
  // Never above capacity(); exact when no operation is in flight.
  size_type size() const noexcept { return ring_.size(); }
  bool empty() const noexcept { return size() == 0; }
  bool full() const noexcept { return size() == capacity(); }

  // --- non-blocking --------------------------------------------------------

  // False when the queue is full or closed; the argument is then left
  // untouched.
  //
  // The non-blocking calls are always inlined: their fast path is a handful
  // of instructions around one compare-exchange, and gcc, left to choose,
  // made try_emplace an out-of-line call in some programs and not in others
  // (a push+pop pair 1.13-1.27x the bare ring in the runner, 0.98-1.04x
  // inlined; docs/benchmarks.md, "The pair at the floor").
  [[gnu::always_inline]] bool try_push(const T& value) noexcept(nothrow_copy) {
    return try_emplace(value);
  }
  [[gnu::always_inline]] bool try_push(T&& value) noexcept { return try_emplace(std::move(value)); }

  // Constructs the element from `args` in place. If that constructor may
  // throw, the element is built first, outside the ring, and moved in, so a
  // throw leaves the queue unchanged; if the queue then turns out to be full
  // the built element is discarded (rvalue arguments may have been moved
  // from). With a noexcept constructor nothing is consumed on failure.
  template <class... Args>
  requires std::constructible_from<T, Args...>
  [[gnu::always_inline]] bool try_emplace(Args&&... args) noexcept(
      std::is_nothrow_constructible_v<T, Args...>) {
    if constexpr (std::is_nothrow_constructible_v<T, Args...>) {
      typename ring_type::claimed c;
      switch (ring_.claim_push_inline(c)) {
        case claim_result::claimed:
          break;
        case claim_result::failed:
          return false;
        case claim_result::flagged:
          return try_emplace_flagged(std::forward<Args>(args)...);
      }
      std::construct_at(c.slot->value(), std::forward<Args>(args)...);
      ring_type::publish_claimed(c);
      notify<side::consumers>(false, 1, c.slot->turn);  // found no flag: nobody asleep
      return true;
    } else {
      if (full() || closed()) return false;  // spare a construction that is plainly futile
      T built(std::forward<Args>(args)...);
      return try_emplace(std::move(built));
    }
  }

  // Empty when no element is ready. Note the Vyukov ring's corner: if the
  // oldest element's producer has claimed its slot but not finished writing,
  // this reports empty even though later elements may be complete.
  [[gnu::always_inline]] std::optional<T> try_pop() noexcept {
    std::optional<T> out;
    typename ring_type::claimed c;
    switch (ring_.claim_pop_inline(c)) {
      case claim_result::claimed:
        out.emplace(std::move(*c.slot->value()));
        release_claimed(c);
        break;
      case claim_result::failed:
        break;
      case claim_result::flagged:
        if (std::optional<T> value = try_pop_flagged()) out.emplace(std::move(*value));
        break;
    }
    return out;
  }

  // Move-assigns the oldest element to `out`; false (and `out` untouched)
  // when none is ready.
  [[gnu::always_inline]] bool try_pop(T& out) noexcept {
    static_assert(std::is_nothrow_move_assignable_v<T>,
                  "mpmc::queue<T>::try_pop(T&): T's move assignment must be noexcept; use "
                  "try_pop() returning std::optional<T> instead");
    typename ring_type::claimed c;
    switch (ring_.claim_pop_inline(c)) {
      case claim_result::claimed:
        break;
      case claim_result::failed:
        return false;
      case claim_result::flagged:
        // Returned, not written through `out`: its address handed to an
        // out-of-line call would keep the caller's variable in memory.
        if (std::optional<T> value = try_pop_flagged()) {
          out = std::move(*value);
          return true;
        }
        return false;
    }
    out = std::move(*c.slot->value());
    release_claimed(c);
    return true;
  }

  // --- blocking ------------------------------------------------------------
  // push/emplace wait while the queue is full, pop while it is empty: backoff
  // rounds, then the wait policy (spin, yield, or park). push returns false,
  // and leaves its argument untouched, only when the queue is closed; pop
  // returns std::nullopt only when the queue is closed and drained.

  bool push(const T& value) noexcept(nothrow_copy) { return emplace(value); }
  bool push(T&& value) noexcept { return emplace(std::move(value)); }

  template <class... Args>
  requires std::constructible_from<T, Args...>
  bool emplace(Args&&... args) noexcept(std::is_nothrow_constructible_v<T, Args...>) {
    return emplace_until(detail::no_deadline{}, std::forward<Args>(args)...);
  }

  std::optional<T> pop() noexcept { return pop_until(detail::no_deadline{}); }

  // --- timed ---------------------------------------------------------------
  // As push and pop, but give up at a deadline: false (argument untouched)
  // or std::nullopt. A call that gives up has claimed nothing: it waits
  // first and claims a slot only when it can fill or empty it at once.

  // Deadlines of any clock and duration saturate: one beyond what the clock
  // can hold waits until woken or closed, one already past tries once.
  template <class Rep, class Period>
  bool try_push_for(const T& value,
                    const std::chrono::duration<Rep, Period>& timeout) noexcept(nothrow_copy) {
    return emplace_until(detail::deadline_after(timeout), value);
  }
  template <class Rep, class Period>
  bool try_push_for(T&& value, const std::chrono::duration<Rep, Period>& timeout) noexcept {
    return emplace_until(detail::deadline_after(timeout), std::move(value));
  }
  template <class Clock, class Duration>
  bool try_push_until(
      const T& value,
      const std::chrono::time_point<Clock, Duration>& deadline) noexcept(nothrow_copy) {
    return emplace_until(detail::saturated(deadline), value);
  }
  template <class Clock, class Duration>
  bool try_push_until(T&& value,
                      const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    return emplace_until(detail::saturated(deadline), std::move(value));
  }

  template <class Rep, class Period>
  std::optional<T> try_pop_for(const std::chrono::duration<Rep, Period>& timeout) noexcept {
    return pop_until(detail::deadline_after(timeout));
  }
  template <class Clock, class Duration>
  std::optional<T> try_pop_until(
      const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    return pop_until(detail::saturated(deadline));
  }

  // --- bulk ----------------------------------------------------------------
  // Batches claim a run of slots with one compare-exchange (see
  // sequence_ring::claim_n), so n elements cost one claim on the shared
  // counter instead of n. Ranges are range-v3 ranges (standard containers,
  // arrays and range-v3 views among them). A range given as an rvalue that
  // owns its elements (a container, not a view) is moved from, and only the
  // elements actually pushed are; anything else is copied from.
  //
  // A range whose elements may throw on the way in (T's constructor from
  // them, or the range's own iterator, e.g. a transform) is pushed one
  // element at a time instead: each is built before its slot is claimed, as
  // in try_emplace, so a throw leaves the elements before it pushed and the
  // queue consistent; the count is lost with the exception.

  // Pushes a prefix of `r`, in order, as far as there is room; returns its
  // length (0 when full or closed).
  template <ranges::input_range R>
  requires std::constructible_from<T, detail::source_reference_t<R>> size_type
  try_push_range(R&& r) {
    return push_from<false>(std::forward<R>(r), detail::no_deadline{});
  }

  // Pushes all of `r`, in order, waiting for room as push() does; returns
  // how many were pushed: r's length, or fewer if the queue was closed.
  // Other producers' elements may be interleaved with r's.
  template <ranges::input_range R>
  requires std::constructible_from<T, detail::source_reference_t<R>> size_type push_range(R&& r) {
    return push_from<true>(std::forward<R>(r), detail::no_deadline{});
  }

  // Pops up to `n` elements, oldest first, assigning each to `*out++`;
  // returns how many. Batched when writing through `out` cannot throw (a
  // pointer or a container's iterator into room already there); otherwise
  // one element at a time, so that a throwing write (a back_inserter that
  // cannot allocate) loses only the element being written.
  template <class OutIt>
  requires ranges::output_iterator<OutIt, T&&> size_type try_pop_n(OutIt out, size_type n)
  noexcept(nothrow_output<OutIt>) {
    size_type popped = 0;
    while (popped < n) {
      if constexpr (nothrow_output<OutIt>) {
        std::uint64_t pos;
        bool parked;
        const std::size_t k = ring_.claim_pop_n(std::min(n - popped, batch_limit), pos, parked);
        if (k == 0) break;
        out = ring_.empty_n(pos, k, move_out<OutIt>{std::move(out)}).out;
        notify<side::producers>(parked, static_cast<std::uint32_t>(k), run_words(pos, k));
        popped += k;
      } else {
        std::optional<T> value = try_pop();
        if (!value) break;
        *out = std::move(*value);
        ++out;
        ++popped;
      }
    }
    return popped;
  }

  // --- closing -------------------------------------------------------------

  // After close(), pushes fail (returning false, argument untouched); pops
  // drain what is queued, then pop() returns std::nullopt. A push that had
  // claimed its slot before the close completes and its element is
  // delivered. Wakes every blocked or parked thread. Idempotent.
  void close() noexcept {
    if (!ring_.close()) return;
    waiting_.notify_all();
  }
  bool closed() const noexcept { return ring_.closed(); }

 private:
  using side = detail::waiting_side;
  using claim_result = typename ring_type::claim_result;

  static constexpr bool nothrow_copy = std::is_nothrow_copy_constructible_v<T>;

  // How long a run of free slots a blocked producer waits for before it
  // claims again (waiting.hpp, Refill): two 64-byte lines of 16-byte slots
  // would do for the line it avoids, but the longer the run, the longer
  // the consumer works undisturbed. At 1p1c with a slower consumer
  // (docs/benchmarks.md, "Refill") runs of 32, 64 and 128 measured 16.5,
  // 17.5 and 18.9 M items/s against 12.2 for claiming every freed slot;
  // longer runs outlast the spin phase that bounds the wait. Clamped to
  // half the capacity (sequence_ring::has_room_for).
  static constexpr std::size_t refill_run = 128;

  // The `ready` of a blocked producer's wait (waiting.hpp, Refill).
  auto room_for_refill() const noexcept {
    return [this] { return ring_.has_room_for(refill_run); };
  }

  // The most slots one batch claims. Claiming reads every slot's turn
  // before the compare-exchange; a longer run gives single-element claims of
  // other producers more time to make it fail, and 128 already spreads the
  // one exchange over enough elements that its cost disappears.
  static constexpr size_type batch_limit = 128;

  template <class OutIt>
  static constexpr bool nothrow_output =
      noexcept(*std::declval<OutIt&>() = std::declval<T&&>()) && noexcept(++std::declval<OutIt&>());

  // Whether `which` side's sleepers raise a parked flag (detail/parked_flags.hpp).
  template <side Which>
  static constexpr bool flags_for = Which == side::consumers ? detail::consumers_flag_tail<Config>
                                                             : detail::producers_flag_head<Config>;

  // Wakes sleepers of side Which after a publish of `count` slots: through
  // the parked flag the claim read, where that side raises one, or else
  // through the fenced check of its parking lot. `words`: the slots' turn
  // words, for ticket holders asleep on them (see run_words), or one slot's
  // turn word.
  template <side Which, class Words>
  [[gnu::always_inline]] void notify(bool parked, std::uint32_t count, Words&& words) noexcept {
    if constexpr (flags_for<Which>)
      waiting_.notify_flagged(Which, count, parked);
    else
      notify_lot(Which, count, words);
  }
  template <class Words>
  [[gnu::always_inline]] void notify_lot(side which, std::uint32_t count, Words& words) noexcept {
    if constexpr (std::same_as<std::remove_cvref_t<Words>, std::atomic<std::uint32_t>>)
      waiting_.notify(which, words);
    else
      waiting_.notify(which, count, words);
  }

  // waiting::wait's handle on a side's parked flag (sequence_ring.hpp,
  // Parked flags), or detail::no_flags where that side parks with its lot's
  // fenced protocol.
  struct parked_flag {
    ring_type* ring;
    bool consumers;
    std::uint64_t raise() noexcept { return ring->raise_parked(consumers); }
    void lower() noexcept { ring->lower_parked(consumers); }
    bool may_sleep(std::uint64_t mark) const noexcept { return ring->may_sleep(consumers, mark); }
  };
  template <side Which>
  auto flag_of() noexcept {
    if constexpr (flags_for<Which>)
      return parked_flag{&ring_, Which == side::consumers};
    else
      return detail::no_flags{};
  }

  // For waiting::notify after a batch: the turn words of positions
  // [pos, pos + n), for the ticket holders asleep on them.
  auto run_words(std::uint64_t pos, std::size_t n) noexcept {
    return [this, pos, n](auto&& wake) {
      for (std::size_t i = 0; i != n; ++i) wake(ring_.turn_word(pos + i));
    };
  }

  // What a batch does to each slot of its run (see sequence_ring::fill_n).
  template <class R, class It>
  struct build_from {
    It it;
    void operator()(slot_type& s) noexcept {
      std::construct_at(s.value(), detail::source_element<R>(it));
      ++it;
    }
  };
  template <class OutIt>
  struct move_out {
    OutIt out;
    void operator()(slot_type& s) noexcept {
      *out = std::move(*s.value());
      ++out;
      std::destroy_at(s.value());
    }
  };

  template <bool Wait, class R, class Deadline>
  size_type push_from(R&& r, const Deadline& deadline) {
    auto it = ranges::begin(r);
    const auto end = ranges::end(r);
    size_type pushed = 0;
    while (it != end) {
      if constexpr (detail::nothrow_batch<R, T>) {
        const std::size_t want = detail::available(it, end, batch_limit);
        std::uint64_t pos;
        bool parked;
        std::size_t n = ring_.claim_push_n(want, pos, parked);
        if (n == 0) {
          if constexpr (!Wait) break;
          n = waiting_.wait(
              side::producers, [&] { return ring_.claim_push_n(want, pos, parked); },
              [&] { return ring_.stopping(false); }, deadline, room_for_refill(),
              flag_of<side::producers>());
          if (n == 0) break;
        }
        it = ring_.fill_n(pos, n, build_from<R, decltype(it)>{std::move(it)}).it;
        notify<side::consumers>(parked, static_cast<std::uint32_t>(n), run_words(pos, n));
        pushed += n;
      } else {
        const bool ok = Wait ? emplace_until(deadline, detail::source_element<R>(it))
                             : try_emplace(detail::source_element<R>(it));
        if (!ok) break;
        ++it;
        ++pushed;
      }
    }
    return pushed;
  }

  template <class Deadline, class... Args>
  bool emplace_until(const Deadline& deadline,
                     Args&&... args) noexcept(std::is_nothrow_constructible_v<T, Args...>) {
    // (An element whose construction may throw is built first, below, and
    // comes back here as a T&&.)
    if constexpr (spins_inline<Deadline, typename Config::producers> &&
                  std::is_nothrow_constructible_v<T, Args...>) {
      typename ring_type::claimed c;
      // Where nobody parks, a set top bit means closed: the inline claim
      // then fails without claiming, and stopping() ends the wait.
      auto attempt = [&] { return ring_.claim_push_inline(c) == claim_result::claimed; };
      if (!attempt() && !waiting_.spin(
                            attempt, [&] { return ring_.stopping(false); }, room_for_refill()))
        return false;
      std::construct_at(c.slot->value(), std::forward<Args>(args)...);
      ring_type::publish_claimed(c);  // nobody parks, so nobody to wake
      return true;
    } else if constexpr (std::is_nothrow_constructible_v<T, Args...>) {
      std::uint64_t pos;
      bool parked = false;
      slot_type* s = nullptr;
      if constexpr (by_ticket<Deadline, typename Config::producers>) {
        s = take_push_ticket(pos);
      } else {
        s = ring_.claim_push(pos, parked);
        if (s == nullptr)
          s = waiting_.wait(
              side::producers, [&] { return ring_.claim_push(pos, parked); },
              [&] { return ring_.stopping(false); }, deadline, room_for_refill(),
              flag_of<side::producers>());
      }
      if (s == nullptr) return false;
      commit_push(*s, pos, parked, std::forward<Args>(args)...);
      return true;
    } else {
      if (closed()) return false;            // spare the construction when it is plainly futile
      T built(std::forward<Args>(args)...);  // may throw: nothing claimed yet
      return emplace_until(deadline, std::move(built));
    }
  }

  template <class Deadline>
  std::optional<T> pop_until(const Deadline& deadline) noexcept {
    std::optional<T> out;
    if constexpr (spins_inline<Deadline, typename Config::consumers>) {
      static_assert(!ring_type::head_flagged, "head_ carries no flag where nobody parks");
      typename ring_type::claimed c;
      auto attempt = [&] { return ring_.claim_pop_inline(c) == claim_result::claimed; };
      if (!attempt() && !waiting_.spin(attempt, [&] { return ring_.stopping(true); })) return out;
      out.emplace(std::move(*c.slot->value()));
      release_claimed(c);
    } else {
      std::uint64_t pos;
      bool parked = false;
      slot_type* s = nullptr;
      if constexpr (by_ticket<Deadline, typename Config::consumers>) {
        s = take_pop_ticket(pos);
      } else {
        s = ring_.claim_pop(pos, parked);
        if (s == nullptr)
          s = waiting_.wait(
              side::consumers, [&] { return ring_.claim_pop(pos, parked); },
              [&] { return ring_.stopping(true); }, deadline, detail::always_ready{},
              flag_of<side::consumers>());
      }
      if (s == nullptr) return out;
      out.emplace(std::move(*s->value()));
      release_pop(*s, pos, parked);
    }
    return out;
  }

  // claim::ticket: untimed blocking calls claim by ticket (sequence_ring.hpp,
  // Tickets); timed ones cannot, as a timeout cannot give a ticket back. A
  // lone side (producers::single, consumers::single) never does: with no
  // rival its claim already waits on the one slot it will take.
  template <class Deadline, class Side>
  static constexpr bool by_ticket =
      Config::claim::tickets && !Side::exclusive && std::same_as<Deadline, detail::no_deadline>;

  // Untimed blocking calls of a policy that waits inline (wait::spin;
  // waiting::waits_inline) claim and wait in code inlined into the caller,
  // the same instructions as a loop of try_emplace or try_pop.
  template <class Deadline, class Side>
  static constexpr bool spins_inline =
      (detail::waiting<Config>::waits_inline) && std::same_as<Deadline, detail::no_deadline> &&
      !by_ticket<Deadline, Side>;

  // Takes a ticket and waits for its slot's turn. nullptr: closed (push),
  // or closed with no element for this position (pop).
  slot_type* take_push_ticket(std::uint64_t& pos) noexcept {
    slot_type* s = ring_.ticket_push(pos);
    if (s == nullptr) return nullptr;
    // A push ticket is never abandoned: it was taken before any close, so
    // its element must be delivered, once a consumer frees the slot.
    // acquire: pairs with the release store of the turn by the slot's
    // previous owner (sequence_ring's (2)), as in wait_turn().
    if (s->turn.load(std::memory_order_acquire) != ring_.push_turn(pos)) [[unlikely]]
      waiting_.wait_turn(side::producers, s->turn, ring_.push_turn(pos), [] { return false; });
    return s;
  }

  slot_type* take_pop_ticket(std::uint64_t& pos) noexcept {
    slot_type* s = ring_.ticket_pop(pos);
    if (s == nullptr) return nullptr;
    // acquire: as in take_push_ticket().
    if (s->turn.load(std::memory_order_acquire) == ring_.pop_turn(pos)) [[likely]]
      return s;
    // A consumer ticket at or past the final tail will never be filled.
    if (!waiting_.wait_turn(side::consumers, s->turn, ring_.pop_turn(pos),
                            [&] { return ring_.abandoned(pos); }))
      return nullptr;
    return s;
  }

  // `parked`: whether the claim found consumers' parked flag (always false
  // for a ticket, whose queue has none).
  template <class... Args>
  void commit_push(slot_type& s, std::uint64_t pos, bool parked, Args&&... args) noexcept {
    std::construct_at(s.value(), std::forward<Args>(args)...);
    ring_.publish_push(s, pos);
    notify<side::consumers>(parked, 1, s.turn);
  }

  // release_pop() for a claim_pop_inline claim, which found no flag.
  [[gnu::always_inline]] void release_claimed(const typename ring_type::claimed& c) noexcept {
    std::destroy_at(c.slot->value());
    ring_type::publish_claimed(c);
    notify<side::producers>(false, 1, c.slot->turn);
  }

  // try_emplace and try_pop after the inline claim found the counter's top
  // bit set (sequence_ring::claim_push_inline): claimed through the
  // out-of-line claim, which fails if closed and reports a parked flag for
  // the wake.
  template <class... Args>
  [[gnu::noinline]] bool try_emplace_flagged(Args&&... args) noexcept {
    std::uint64_t pos;
    bool parked;
    slot_type* s = ring_.claim_push(pos, parked);
    if (s == nullptr) return false;
    commit_push(*s, pos, parked, std::forward<Args>(args)...);
    return true;
  }
  [[gnu::noinline]] std::optional<T> try_pop_flagged() noexcept {
    std::optional<T> out;
    std::uint64_t pos;
    bool parked;
    slot_type* s = ring_.claim_pop(pos, parked);
    if (s == nullptr) return out;
    out.emplace(std::move(*s->value()));
    release_pop(*s, pos, parked);
    return out;
  }

  // The element has been moved out: destroy it and hand the slot on.
  // `parked`: as for commit_push, producers' flag.
  void release_pop(slot_type& s, std::uint64_t pos, bool parked) noexcept {
    std::destroy_at(s.value());
    ring_.publish_pop(s, pos);
    notify<side::producers>(parked, 1, s.turn);
  }

  ring_type ring_;
  [[no_unique_address]] detail::waiting<Config> waiting_;
};

// The queue type for T and a list of policies in any order.
template <class T, class... Policies>
using queue = basic_queue<T, config_t<Policies...>>;

}  // namespace mpmc
