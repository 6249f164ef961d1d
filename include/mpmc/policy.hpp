// What makes a type a policy: it names one of the library's categories.
//
// A policy says so with a member alias, `using category = mpmc::tag::backoff;`.
// A type you cannot edit (a third-party backoff, say) is adopted by
// specializing `mpmc::policy_category` for it instead:
//
//     template <> struct mpmc::policy_category<their::spinner> {
//       using type = mpmc::tag::backoff;
//     };
#pragma once

#include <concepts>
#include <type_traits>

namespace mpmc {

namespace tag {
// How many slots and where they live (heap or inside the queue object).
struct capacity {};
// How slots are laid out in memory (one per cache line, or dense).
struct padding {};
// What a thread does between two failed attempts while it still spins.
struct backoff {};
// What a thread does once spinning has not helped: keep spinning, yield, park.
struct wait {};
// How a blocking push or pop takes its position: compare-exchange or ticket.
struct claim {};
// Whether several threads may push at once, or only one at a time.
struct producers {};
// Whether several threads may pop at once, or only one at a time.
struct consumers {};
}  // namespace tag

// Maps a policy to its category tag. The primary template is deliberately
// empty: a type that is not a policy then fails the `policy` concept below
// instead of producing a hard error deep inside the composer.
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
template <class Tag>
inline constexpr bool is_category =
    std::same_as<Tag, tag::capacity> || std::same_as<Tag, tag::padding> ||
    std::same_as<Tag, tag::backoff> || std::same_as<Tag, tag::wait> ||
    std::same_as<Tag, tag::claim> || std::same_as<Tag, tag::producers> ||
    std::same_as<Tag, tag::consumers>;
}  // namespace detail

// A policy: a type whose category is one of the tags above.
template <class P>
concept policy = requires {
  typename policy_category_t<P>;
}
&&detail::is_category<policy_category_t<P>>;

// A policy of the given category.
template <class P, class Tag>
concept policy_of = policy<P> && std::same_as<policy_category_t<P>, Tag>;

}  // namespace mpmc
