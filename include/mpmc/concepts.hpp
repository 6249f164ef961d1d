// What makes a type a policy, and what a user-written policy must provide, one concept per category
// (docs/policies.md). A policy names its category (`using category = mpmc::tag::backoff;`), or a
// type you cannot edit gets mpmc::policy_category specialized; config.hpp checks the concepts.
#pragma once

#include <mpmc/detail/chrono.hpp>

#include <atomic>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>

// clang-format 14 mangles requires-expressions (`}\n&&std::...`); this file is formatted by hand.
// clang-format off
namespace mpmc {
namespace tag {
struct capacity {};
struct padding {};
struct backoff {};
struct wait {};
struct claim {};
struct producers {};
struct consumers {};
}  // namespace tag

// Empty for a non-policy, which then fails `policy` (no category type to substitute) instead of
// erring deep inside the composer.
template <class P>
struct policy_category {};
template <class P>
requires requires { typename P::category; }
struct policy_category<P> {
  using type = typename P::category;
};
template <class P>
using policy_category_t = typename policy_category<P>::type;

namespace detail {
template <class Tag, class... Tags>
inline constexpr bool one_of = (std::same_as<Tag, Tags> || ...);
// Stands in for the ring's (over-aligned) slot type when a capacity policy's storage is checked.
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

template <class P>
concept policy = detail::one_of<policy_category_t<P>, tag::capacity, tag::padding, tag::backoff,
                                tag::wait, tag::claim, tag::producers, tag::consumers>;
template <class P, class Tag>
concept policy_of = policy<P> && std::same_as<policy_category_t<P>, Tag>;

// Constructed afresh for every blocking call, so a growing delay starts over each time.
template <class B>
concept backoff_policy = policy_of<B, tag::backoff> && std::default_initializable<B> &&
                         requires(B& backoff) { { backoff() } noexcept; };

// `wait` sleeps while the word holds `seen` (or returns spuriously); `wait_until` also gives up at
// the deadline and says whether it is still ahead. The queue changes the word, then wakes.
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
concept spinning_wait = requires { { W::idle() } noexcept; };
template <class W>
concept parking_wait = requires { typename W::backend; } && parking_backend<typename W::backend>;
}  // namespace detail

// After `spin_limit` backoff rounds: `idle()` before every further attempt, or park on `backend`.
template <class W>
concept wait_policy = policy_of<W, tag::wait> &&
                      requires { { W::spin_limit } -> std::convertible_to<std::uint32_t>; } &&
                      (detail::spinning_wait<W> || detail::parking_wait<W>);
template <class C>
concept claim_policy = policy_of<C, tag::claim> &&
                       requires { { C::tickets } -> std::convertible_to<bool>; };
// `exclusive`: one thread at a time on this side, which then takes positions with a plain store.
template <class P>
concept producers_policy = policy_of<P, tag::producers> &&
                           requires { { P::exclusive } -> std::convertible_to<bool>; };
template <class P>
concept consumers_policy = policy_of<P, tag::consumers> &&
                           requires { { P::exclusive } -> std::convertible_to<bool>; };
// `alignment`: a slot's least alignment and size granule. `interleave` (optional): spread
// consecutive positions over different cache lines.
template <class P>
concept padding_policy = policy_of<P, tag::padding> &&
                         requires { { P::alignment } -> std::convertible_to<std::size_t>; } &&
                         std::has_single_bit(static_cast<std::size_t>(P::alignment)) &&
                         (!requires { P::interleave; } ||
                          requires { { P::interleave } -> std::convertible_to<bool>; });
// Fixed storage is default-constructible; dynamic storage takes a count and an `allocator_type`.
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
