// mpmc::queue<T, Policies...>: a bounded multi-producer multi-consumer FIFO queue. Policies, in any
// order, one per category, choose capacity, padding, backoff, waiting, claiming (docs/policies.md).
#pragma once

#include <mpmc/config.hpp>
#include <mpmc/detail/chrono.hpp>
#include <mpmc/detail/sequence_ring.hpp>
#include <mpmc/detail/waiting.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace mpmc {
namespace detail {
struct queue_access;  // channel.hpp

// How the bulk pushes read a range R (the type their argument binds to): <mpmc/ranges.hpp>
// specializes it for range-v3's input ranges.
template <class R>
struct range_source {
  static constexpr bool known = false;
};

// A range the bulk pushes accept: one <mpmc/ranges.hpp> can read, whose elements construct a T.
template <class R, class T>
concept pushable_range =
    range_source<R>::known && std::constructible_from<T, typename range_source<R>::reference>;

// The capacity policy's allocator, or a stand-in for fixed capacity (no constructor takes one).
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
  using claimed = typename ring_type::claimed;
  using side = detail::side;
  using enum detail::side;
  static constexpr bool fixed_capacity = Config::capacity::is_fixed;

 public:
  using value_type = T;
  using size_type = std::size_t;
  using config_type = Config;
  using allocator_type = typename detail::allocator_of<typename Config::capacity>::type;

  // This queue type with some policies replaced: `spinning_queue<T>::with<capacity::fixed<64>>`.
  template <class... Policies>
  using with = basic_queue<T, typename detail::compose<Config, Policies...>::type>;

  // capacity::dynamic: room for exactly `capacity` elements. Throws std::invalid_argument when
  // capacity is 0, std::length_error above 2^30, and whatever the allocator throws.
  explicit basic_queue(size_type capacity) requires(!fixed_capacity)
      : ring_(capacity, allocator_type()) {}

  basic_queue(size_type capacity, const allocator_type& allocator) requires(!fixed_capacity)
      : ring_(capacity, allocator) {}

  // For tests: positions start `first.count` in (sequence_ring.hpp).
  basic_queue(size_type capacity, detail::first_position first) requires(!fixed_capacity)
      : ring_(capacity, allocator_type(), first) {}

  // capacity::fixed<N>: the slots are inside the object; nothing to allocate.
  basic_queue() requires fixed_capacity = default;

  // Threads hold references to a queue; it never moves. Its destructor destroys the elements still
  // queued; no operation may be in flight.
  basic_queue(const basic_queue&) = delete;
  basic_queue& operator=(const basic_queue&) = delete;

  allocator_type get_allocator() const requires(!fixed_capacity) {
    return ring_.storage().get_allocator();
  }

  size_type capacity() const noexcept { return ring_.capacity(); }
  // Never above capacity(); exact when no operation is in flight.
  size_type size() const noexcept { return ring_.size(); }
  bool empty() const noexcept { return size() == 0; }
  bool full() const noexcept { return size() == capacity(); }

  // --- non-blocking --------------------------------------------------------

  // False when the queue is full or closed; the argument is then left untouched. Full means full at
  // some instant of the call: a consumer still reading the slot in front is waited for (try_pop
  // likewise waits for a producer still writing), so these can wait for a preempted partner.
  bool try_push(const T& value) noexcept(nothrow_copy) { return try_emplace(value); }
  bool try_push(T&& value) noexcept { return try_emplace(std::move(value)); }

  // Constructs the element in its slot from `args`, forwarded as given (as std::optional::emplace).
  // A constructor that may throw runs first, outside the ring, so a throw leaves the queue as it
  // was; the element is then moved in, or discarded if the queue is full (rvalues moved from).
  // Non-blocking calls are always inlined: a call and return are much of a push+pop
  // (bench/compare, pair).
  template <class... Args>
  requires std::constructible_from<T, Args...>
  [[gnu::always_inline]] bool try_emplace(Args&&... args) noexcept(
      std::is_nothrow_constructible_v<T, Args...>) {
    if constexpr (std::is_nothrow_constructible_v<T, Args...>) {
      auto fill = [&](const claimed& c) {
        commit_push(c, std::forward<Args>(args)...);
        return true;
      };
      claimed c;
      if (ring_.template claim<producers>(c, 1, false) == 0) return after_partner<producers>(fill);
      return fill(c);
    } else {
      if (full() || closed()) return false;  // spare a construction that is plainly futile
      T built(std::forward<Args>(args)...);
      return try_emplace(std::move(built));
    }
  }

  // Empty only when the queue held no element at some instant of the call.
  [[gnu::always_inline]] std::optional<T> try_pop() noexcept {
    auto empty = [this](const claimed& c) { return take(c); };
    claimed c;
    if (ring_.template claim<consumers>(c, 1, false) == 0) return after_partner<consumers>(empty);
    return take(c);
  }

  // Move-assigns the oldest element to `out`; false (and `out` untouched) when none is ready.
  [[gnu::always_inline]] bool try_pop(T& out) noexcept {
    static_assert(std::is_nothrow_move_assignable_v<T>,
                  "mpmc::queue<T>::try_pop(T&): T's move assignment must be noexcept; use "
                  "try_pop() returning std::optional<T> instead");
    auto empty = [this, &out](const claimed& c) {
      out = std::move(*c.slot->value());
      release(c);
      return true;
    };
    claimed c;
    if (ring_.template claim<consumers>(c, 1, false) == 0) return after_partner<consumers>(empty);
    return empty(c);
  }

  // --- blocking ------------------------------------------------------------
  // push/emplace wait while the queue is full, pop while it is empty: backoff rounds, then the wait
  // policy (spin, yield, or park). push returns false, and leaves its argument untouched, only when
  // the queue is closed; pop returns std::nullopt only when the queue is closed and drained.

  bool push(const T& value) noexcept(nothrow_copy) { return emplace(value); }
  bool push(T&& value) noexcept { return emplace(std::move(value)); }

  template <class... Args>
  requires std::constructible_from<T, Args...>
  bool emplace(Args&&... args) noexcept(std::is_nothrow_constructible_v<T, Args...>) {
    return emplace_until(detail::no_deadline{}, std::forward<Args>(args)...);
  }

  std::optional<T> pop() noexcept { return pop_until(detail::no_deadline{}); }

  // --- timed ---------------------------------------------------------------
  // As push and pop, but give up at a deadline: false (argument untouched) or std::nullopt. A call
  // that gives up has claimed nothing: it waits first and claims a slot only when it can fill or
  // empty it at once. Deadlines of any clock and duration saturate: one beyond what the clock can
  // hold waits until woken or closed, one already past tries once.

  // `value` is a T, or converts to one; U defaults to T so that a braced list `{...}` makes a T.
  template <class U = T, class Rep, class Period>
  requires std::convertible_to<U, T>
  bool try_push_for(U&& value, const std::chrono::duration<Rep, Period>& timeout) noexcept(
      std::is_nothrow_constructible_v<T, U>) {
    return emplace_until(detail::deadline_after(timeout), std::forward<U>(value));
  }
  template <class U = T, class Clock, class Duration>
  requires std::convertible_to<U, T>
  bool try_push_until(U&& value, const std::chrono::time_point<Clock, Duration>& deadline) noexcept(
      std::is_nothrow_constructible_v<T, U>) {
    return emplace_until(detail::saturated(deadline), std::forward<U>(value));
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
  // A batch claims a run of slots with one take of the shared counter. Ranges are range-v3 input
  // ranges, read once <mpmc/ranges.hpp> is included; an rvalue range that owns its elements (a
  // container, not a view) is moved from as far as pushed, anything else copied. One whose elements
  // may throw on the way in goes an element at a time, each built before its slot is claimed: a
  // throw leaves those before it pushed (their count is lost).

  // Pushes a prefix of `r`, in order, as far as there is room; returns its length: 0 only when full
  // or closed. Waits for a partner in flight (as try_push) only before its first element.
  template <class R>
  requires detail::pushable_range<R, T> size_type try_push_range(R&& r) {
    return push_from<false>(std::forward<R>(r));
  }

  // Pushes all of `r`, in order, waiting for room as push() does; returns how many were pushed: r's
  // length, or fewer if the queue was closed. Other producers' elements may come in between.
  template <class R>
  requires detail::pushable_range<R, T> size_type push_range(R&& r) {
    return push_from<true>(std::forward<R>(r));
  }

  // Pops up to `n` elements, oldest first, assigning each to `*out++`; returns how many: 0 only
  // when empty (a partner in flight is waited for only before the first element). Batched when
  // writing through `out` cannot throw; otherwise one element at a time, so that a throwing write
  // (a back_inserter that cannot allocate) loses only the element being written.
  template <std::output_iterator<T&&> OutIt>
  size_type try_pop_n(OutIt out, size_type n) noexcept(nothrow_output<OutIt>) {
    size_type popped = 0;
    if constexpr (!nothrow_output<OutIt>) {
      for (; popped < n; ++popped, ++out) {
        std::optional<T> value = try_pop();
        if (!value) break;
        *out = std::move(*value);
      }
    } else {
      claimed c;
      while (popped < n) {
        const std::size_t k = ring_.template claim<consumers>(
            c, detail::smaller(n - popped, batch_limit), popped == 0);
        if (k == 0) break;
        out = ring_.template publish_n<consumers>(c.pos, k, move_out<OutIt>{std::move(out)}).out;
        after_pop(static_cast<std::uint32_t>(k));
        popped += k;
      }
    }
    return popped;
  }

  // --- closing -------------------------------------------------------------

  // After close(), pushes fail (returning false, argument untouched); pops drain what is queued,
  // then pop() returns std::nullopt. A push that had claimed its slot before the close completes
  // and its element is delivered. Wakes every blocked or parked thread. Idempotent.
  void close() noexcept {
    if (!ring_.close()) return;
    waiting_.template notify_all<producers>();
    waiting_.template notify_all<consumers>();
  }
  bool closed() const noexcept { return ring_.closed(); }

 private:
  static constexpr bool nothrow_copy = std::is_nothrow_copy_constructible_v<T>;

  // The most slots one batch claims: a longer run gives other threads' claims more time to make it
  // fail, and 128 already spreads the one take so thin that its cost disappears.
  static constexpr size_type batch_limit = 128;

  template <class OutIt>
  static constexpr bool nothrow_output =
      noexcept(*std::declval<OutIt&>() = std::declval<T&&>()) && noexcept(++std::declval<OutIt&>());

  // claim::ticket: untimed blocking calls of a side that many threads share take a ticket
  // (sequence_ring::take_ticket); timed ones cannot, as a timeout cannot give a ticket back, and a
  // lone side needs none: its claim already waits on the one slot it will take.
  template <class Deadline, class SidePolicy>
  static constexpr bool by_ticket = Config::claim::tickets && !SidePolicy::exclusive &&
                                    std::same_as<Deadline, detail::no_deadline>;

  // What a batch does to each slot of its run (sequence_ring::publish_n).
  template <class Source>
  struct build_from {
    typename Source::iterator it;
    void operator()(typename ring_type::slot_type& s) noexcept {
      std::construct_at(s.value(), Source::element(it));
      ++it;
    }
  };
  template <class OutIt>
  struct move_out {
    OutIt out;
    void operator()(typename ring_type::slot_type& s) noexcept {
      *out = std::move(*s.value());
      ++out;
      std::destroy_at(s.value());
    }
  };

  template <bool Wait, class R>
  size_type push_from(R&& r) {
    using source = detail::range_source<R>;
    auto it = source::begin(r);
    const auto end = source::end(r);
    size_type pushed = 0;
    while (it != end) {
      if constexpr (source::template nothrow_batch<T>) {
        const std::size_t want = source::available(it, end, batch_limit);
        claimed c;
        auto attempt = [&] {
          return ring_.template claim<producers>(c, want, !Wait && pushed == 0);
        };
        std::size_t n = attempt();
        if (n == 0 && Wait)
          n = waiting_.template wait<producers>(
              attempt, [&] { return ring_.template stopping<producers>(); }, detail::no_deadline{});
        if (n == 0) break;
        it = ring_.template publish_n<producers>(c.pos, n, build_from<source>{std::move(it)}).it;
        waiting_.template notify<producers>(static_cast<std::uint32_t>(n));
        pushed += n;
      } else {
        const bool ok = Wait ? emplace(source::element(it)) : try_emplace(source::element(it));
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
    if constexpr (!std::is_nothrow_constructible_v<T, Args...>) {
      if (closed()) return false;            // spare the construction when it is plainly futile
      T built(std::forward<Args>(args)...);  // may throw: nothing claimed yet
      return emplace_until(deadline, std::move(built));
    } else {
      claimed c;
      if (!claim_or_wait<producers>(c, deadline)) return false;
      commit_push(c, std::forward<Args>(args)...);
      return true;
    }
  }

  template <class Deadline>
  std::optional<T> pop_until(const Deadline& deadline) noexcept {
    claimed c;
    if (!claim_or_wait<consumers>(c, deadline)) return std::nullopt;
    return take(c);
  }

  // Claims a position for side S, waiting as the policies say. False when the queue is closed
  // (push), closed and drained (pop), or the deadline passed. A push ticket taken before the close
  // is never given up; a pop ticket at or past the final tail will never be filled.
  template <side S, class Deadline>
  bool claim_or_wait(claimed& c, const Deadline& deadline) noexcept {
    using side_policy =
        std::conditional_t<S == producers, typename Config::producers, typename Config::consumers>;
    if constexpr (by_ticket<Deadline, side_policy>) {
      if (!ring_.template take_ticket<S>(c)) return false;
      const bool ready = ring_.template ready<S>(c) ||
                         waiting_.template wait<S>(
                             [&] { return ring_.template ready<S>(c); },
                             [&] { return S == consumers && ring_.abandoned(c.pos); }, deadline);
      if (!ready) return false;
      if (S == consumers || !ring_.holds_discarded(c)) return true;
      // A channel's last receiver is gone: the turn passes, with nothing written, to the next
      // lap's producer, who may be asleep on it.
      waiting_.template notify<consumers>(1);
      return false;
    } else {
      auto attempt = [&] { return ring_.template claim<S>(c, 1, false) != 0; };
      return attempt() || waiting_.template wait<S>(
                              attempt, [&] { return ring_.template stopping<S>(); }, deadline);
    }
  }

  // When a non-blocking call's first claim fails, this claims again, waiting for a partner in
  // flight, and on success runs `then`. Never inlined, and reached by a tail call: inlined, its
  // loop makes the fast path save and restore registers on every call (bench/compare, pair).
  template <side S, class Then>
  [[gnu::noinline]] auto after_partner(Then then) noexcept -> decltype(then(claimed{})) {
    claimed c;
    if (ring_.template claim<S>(c) == 0) return {};
    return then(c);
  }

  template <class... Args>
  void commit_push(const claimed& c, Args&&... args) noexcept {
    std::construct_at(c.slot->value(), std::forward<Args>(args)...);
    ring_type::publish(c);
    waiting_.template notify<producers>(1);
  }

  std::optional<T> take(const claimed& c) noexcept {
    std::optional<T> out(std::in_place, std::move(*c.slot->value()));
    release(c);
    return out;
  }

  // The element has been moved out: destroy it and hand the slot on.
  void release(const claimed& c) noexcept {
    std::destroy_at(c.slot->value());
    ring_type::publish(c);
    after_pop(1);
  }

  // After a pop of k elements. Once closed, the pop that takes the last element drains the queue,
  // which lets every blocked pop end; the publish that let this pop on woke only one of them.
  void after_pop(std::uint32_t k) noexcept {
    waiting_.template notify<consumers>(k);
    if constexpr (detail::waiting<Config>::parks)
      if (ring_.template stopping<consumers>()) waiting_.template notify_all<consumers>();
  }

  // A channel's last receiver is gone: pushes fail from now on, and what is queued, or being
  // pushed, is destroyed now rather than when the queue is.
  friend struct detail::queue_access;
  void discard() noexcept {
    ring_.begin_discard();
    close();
    ring_.discard([this] { waiting_.template notify<consumers>(1); });
  }

  ring_type ring_;
  [[no_unique_address]] detail::waiting<Config> waiting_;
};

// The queue type for T and a list of policies in any order.
template <class T, class... Policies>
using queue = basic_queue<T, config_t<Policies...>>;

// Ready-made policy mixes, each an ordinary queue type, so `::with<...>` swaps any of its policies.
// Never leaves the CPU: lowest latency when every thread has a core, a poor choice otherwise.
template <class T>
using spinning_queue = queue<T, backoff::pause, wait::spin>;
// Spins briefly, then yields between attempts: stays usable when threads outnumber cores.
template <class T>
using yielding_queue = queue<T, backoff::exponential, wait::yield>;
// Spins, yields, then sleeps on a futex. Linux only, where it is the same type as `queue<T>`.
template <class T>
using parking_queue = queue<T, backoff::pause, wait::futex>;

}  // namespace mpmc
