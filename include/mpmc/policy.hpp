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
template <class Tag>
inline constexpr bool is_category =
    std::same_as<Tag, tag::capacity> || std::same_as<Tag, tag::padding> ||
    std::same_as<Tag, tag::backoff> || std::same_as<Tag, tag::wait> ||
    std::same_as<Tag, tag::claim> || std::same_as<Tag, tag::producers> ||
    std::same_as<Tag, tag::consumers>;
}  // namespace detail

template <class P>
concept policy = detail::is_category<policy_category_t<P>>;

template <class P, class Tag>
concept policy_of = policy<P> && std::same_as<policy_category_t<P>, Tag>;
}  // namespace mpmc
