// What a user-written policy must provide, one concept per category.
//
// A policy first names its category (see policy.hpp); the concept of that
// category then says what the queue will call on it. The composer checks both
// and reports the first one that fails in words (see config.hpp).
#pragma once

#include <mpmc/policy.hpp>

#include <atomic>
#include <bit>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>

// clang-format 14 mangles requires-expressions (`}\n&&std::...`); this file is
// formatted by hand.
// clang-format off
namespace mpmc {

namespace detail {
// Stands in for the ring's slot type when a capacity policy's storage is
// checked: aligned and sized like a real slot, but of no particular element.
struct alignas(64) probe_slot {
  std::atomic<std::uint32_t> turn{0};
};

template <class C>
concept fixed_storage = std::default_initializable<typename C::template storage<probe_slot>>;

template <class C>
concept allocating_storage =
    requires { typename C::allocator_type; } &&
    std::constructible_from<typename C::template storage<probe_slot>, std::size_t,
                            const typename C::allocator_type&>;
}  // namespace detail

// Paces retries while a thread still spins. A fresh object is constructed for
// every blocking call, so state (such as a growing delay) starts over each time.
template <class B>
concept backoff_policy = policy_of<B, tag::backoff> && std::default_initializable<B> &&
                         requires(B& backoff) {
                           { backoff() } noexcept;
                         };

// How a parked thread sleeps and is woken, on a 32-bit word: `wait` sleeps
// while the word holds `seen` (it may return spuriously), `wait_until` also
// gives up at a deadline and returns whether the deadline is still ahead,
// `wake` wakes up to `count` sleepers and `wake_all` every one. The queue
// changes the word before it wakes, so a backend need not detect that itself.
template <class B>
concept parking_backend =
    std::default_initializable<B> &&
    requires(B& backend, std::atomic<std::uint32_t>& word, std::uint32_t value,
             std::chrono::steady_clock::time_point deadline) {
      { backend.wait(word, value) } noexcept;
      { backend.wait_until(word, value, deadline) } noexcept -> std::same_as<bool>;
      { backend.wake(word, value) } noexcept;
      { backend.wake_all(word) } noexcept;
    };

namespace detail {
template <class W>
concept spinning_wait = requires {
  { W::idle() } noexcept;
};

template <class W>
concept parking_wait = requires { typename W::backend; } && parking_backend<typename W::backend>;
}  // namespace detail

// Decides when a blocked thread stops spinning: after `spin_limit` backoff
// rounds it either calls `idle()` before every further attempt (a spinning
// policy), or parks on its `backend` (a parking policy) until woken.
template <class W>
concept wait_policy = policy_of<W, tag::wait> && requires {
  { W::spin_limit } -> std::convertible_to<std::uint32_t>;
} && (detail::spinning_wait<W> || detail::parking_wait<W>);

// How blocking calls without a deadline claim positions: `tickets` false
// (compare-exchange, claim::compare_exchange) or true (claim::ticket).
template <class C>
concept claim_policy = policy_of<C, tag::claim> && requires {
  { C::tickets } -> std::convertible_to<bool>;
};

// How many threads may use one side of the queue at once: `exclusive` true
// (producers::single, consumers::single: one at a time, so positions are
// taken with a plain store) or false (producers::many, consumers::many).
template <class P>
concept producers_policy = policy_of<P, tag::producers> && requires {
  { P::exclusive } -> std::convertible_to<bool>;
};
template <class P>
concept consumers_policy = policy_of<P, tag::consumers> && requires {
  { P::exclusive } -> std::convertible_to<bool>;
};

// Lays slots out: `alignment` is the least alignment (and size granule) of a
// slot, a power of two. An optional `interleave` (bool) asks for consecutive
// positions to be spread over different cache lines (padding::interleaved).
template <class P>
concept padding_policy = policy_of<P, tag::padding> && requires {
  { P::alignment } -> std::convertible_to<std::size_t>;
} && std::has_single_bit(static_cast<std::size_t>(P::alignment)) &&
  (!requires { P::interleave; } || requires {
    { P::interleave } -> std::convertible_to<bool>;
  });

// Holds the slots. `storage<Slot>` exposes `data()` and `size()`; with
// `is_fixed` it is default-constructible and sized at compile time, otherwise
// it is built from a slot count and an `allocator_type`.
template <class C>
concept capacity_policy =
    policy_of<C, tag::capacity> && requires {
      { C::is_fixed } -> std::convertible_to<bool>;
      typename C::template storage<detail::probe_slot>;
    } && requires(typename C::template storage<detail::probe_slot>& s) {
      { s.data() } noexcept -> std::same_as<detail::probe_slot*>;
      { s.size() } noexcept -> std::convertible_to<std::size_t>;
    } && (C::is_fixed ? detail::fixed_storage<C> : detail::allocating_storage<C>);

}  // namespace mpmc
// clang-format on
