// What makes a type a policy: it names its category (`using category = mpmc::tag::backoff;`), or,
// for a type you cannot edit, mpmc::policy_category is specialized for it (docs/policies.md).
#pragma once

#include <concepts>
#include <type_traits>

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
}  // namespace detail

template <class P>
concept policy = detail::one_of<policy_category_t<P>, tag::capacity, tag::padding, tag::backoff,
                                tag::wait, tag::claim, tag::producers, tag::consumers>;
template <class P, class Tag>
concept policy_of = policy<P> && std::same_as<policy_category_t<P>, Tag>;
}  // namespace mpmc
