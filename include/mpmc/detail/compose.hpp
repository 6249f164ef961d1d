// The policy composer: the policies a user listed, in any order, become one `config`, the rest
// taken from a base config. The only header that uses Boost.Hana; no Hana type leaves it.
#pragma once

#include <mpmc/policy.hpp>

#include <boost/hana/count_if.hpp>
#include <boost/hana/find_if.hpp>
#include <boost/hana/optional.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <type_traits>

namespace mpmc {
template <class Capacity, class Padding, class Backoff, class Wait, class Claim, class Producers,
          class Consumers>
struct config;

namespace detail {
namespace hana = boost::hana;

// A named function object, not a lambda: clang 14 rejects some lambdas as Hana predicates in
// constant expressions.
template <class Tag>
struct in_category {
  template <class P>
  constexpr auto operator()(hana::basic_type<P>) const noexcept {
    return hana::bool_c<policy_of<P, Tag>>;
  }
};

template <class Base, class... Policies>
class compose {
  static constexpr auto policies = hana::tuple_t<Policies...>;

  template <class Tag>
  static constexpr bool unique = decltype(hana::count_if(policies, in_category<Tag>{}))::value <= 1;

  // The user's policy of this category, or the base config's.
  template <class Tag, class Fallback>
  using pick = typename std::remove_cvref_t<
      decltype(hana::find_if(policies, in_category<Tag>{}).value_or(hana::type_c<Fallback>))>::type;

  static_assert((policy<Policies> && ...),
                "mpmc::queue: a template argument after T is not a policy; a policy names its "
                "category with `using category = mpmc::tag::...;`, or specialize "
                "mpmc::policy_category for a type you cannot change");
  static_assert(unique<tag::capacity>,
                "mpmc::queue: more than one capacity policy given; pass at most one of each "
                "category");
  static_assert(unique<tag::padding>,
                "mpmc::queue: more than one padding policy given; pass at most one of each "
                "category");
  static_assert(unique<tag::backoff>,
                "mpmc::queue: more than one backoff policy given; pass at most one of each "
                "category");
  static_assert(unique<tag::wait>,
                "mpmc::queue: more than one wait policy given; pass at most one of each category");
  static_assert(unique<tag::claim>,
                "mpmc::queue: more than one claim policy given; pass at most one of each "
                "category");
  static_assert(unique<tag::producers>,
                "mpmc::queue: more than one producers policy given; pass at most one of each "
                "category");
  static_assert(unique<tag::consumers>,
                "mpmc::queue: more than one consumers policy given; pass at most one of each "
                "category");

 public:
  using type =
      config<pick<tag::capacity, typename Base::capacity>,
             pick<tag::padding, typename Base::padding>, pick<tag::backoff, typename Base::backoff>,
             pick<tag::wait, typename Base::wait>, pick<tag::claim, typename Base::claim>,
             pick<tag::producers, typename Base::producers>,
             pick<tag::consumers, typename Base::consumers>>;
};
}  // namespace detail
}  // namespace mpmc
