// The resolved policies of a queue, and the composer that makes them. `config` holds one policy per
// category in a fixed order, so the same choices give the same type in any order. The composer
// (Boost.Hana, in this header only; no Hana type leaves it) fills the rest in from a base config.
#pragma once

#include <mpmc/concepts.hpp>

#include <mpmc/backoff.hpp>
#include <mpmc/capacity.hpp>
#include <mpmc/claim.hpp>
#include <mpmc/padding.hpp>
#include <mpmc/sides.hpp>
#include <mpmc/wait.hpp>

#include <boost/hana/find_if.hpp>
#include <boost/hana/optional.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include <type_traits>

namespace mpmc {
// Checked here, so a custom policy that lacks something is reported in words, once, whichever way
// it reached the queue (the composer or `queue::with`).
template <class Capacity, class Padding, class Backoff, class Wait,
          class Claim = claim::compare_exchange, class Producers = producers::many,
          class Consumers = consumers::many>
struct config {
  static_assert(capacity_policy<Capacity>,
                "mpmc::queue: the capacity policy does not satisfy "
                "mpmc::capacity_policy (docs/policies.md)");
  static_assert(padding_policy<Padding>,
                "mpmc::queue: the padding policy does not satisfy "
                "mpmc::padding_policy (a static constexpr power-of-two std::size_t alignment)");
  static_assert(backoff_policy<Backoff>,
                "mpmc::queue: the backoff policy does not satisfy "
                "mpmc::backoff_policy (a default constructor and a noexcept operator()())");
  static_assert(wait_policy<Wait>,
                "mpmc::queue: the wait policy does not satisfy "
                "mpmc::wait_policy (a static constexpr std::uint32_t spin_limit, and a static "
                "noexcept idle() or a backend type that satisfies mpmc::parking_backend)");
  static_assert(claim_policy<Claim>,
                "mpmc::queue: the claim policy does not satisfy "
                "mpmc::claim_policy (a static constexpr bool tickets)");

  using capacity = Capacity;
  using padding = Padding;
  using backoff = Backoff;
  using wait = Wait;
  using claim = Claim;
  using producers = Producers;
  using consumers = Consumers;
};

// The defaults: dense slots stay in L1 where padded ones do not; tickets collapse when threads
// outnumber cores; a single side is a promise only the user can make.
using default_config = config<capacity::dynamic, padding::none, backoff::pause, wait::park<>>;

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
  static constexpr bool unique = (std::size_t{policy_of<Policies, Tag>} + ... + 0) <= 1;

  // The user's policy of this category, or the base config's.
  template <class Tag, class Fallback>
  using pick = typename std::remove_cvref_t<
      decltype(hana::find_if(policies, in_category<Tag>{}).value_or(hana::type_c<Fallback>))>::type;

  static_assert((policy<Policies> && ...),
                "mpmc::queue: a template argument after T is not a policy; a policy names its "
                "category with `using category = mpmc::tag::...;`, or specialize "
                "mpmc::policy_category for a type you cannot change");
  static_assert(unique<tag::capacity>, "mpmc::queue: more than one capacity policy given");
  static_assert(unique<tag::padding>, "mpmc::queue: more than one padding policy given");
  static_assert(unique<tag::backoff>, "mpmc::queue: more than one backoff policy given");
  static_assert(unique<tag::wait>, "mpmc::queue: more than one wait policy given");
  static_assert(unique<tag::claim>, "mpmc::queue: more than one claim policy given");
  static_assert(unique<tag::producers>, "mpmc::queue: more than one producers policy given");
  static_assert(unique<tag::consumers>, "mpmc::queue: more than one consumers policy given");

 public:
  using type =
      config<pick<tag::capacity, typename Base::capacity>,
             pick<tag::padding, typename Base::padding>, pick<tag::backoff, typename Base::backoff>,
             pick<tag::wait, typename Base::wait>, pick<tag::claim, typename Base::claim>,
             pick<tag::producers, typename Base::producers>,
             pick<tag::consumers, typename Base::consumers>>;
};
}  // namespace detail

template <class... Policies>
using config_t = typename detail::compose<default_config, Policies...>::type;
}  // namespace mpmc
