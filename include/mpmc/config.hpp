// The resolved policies of a queue: one per category in a fixed order, so the same choices give the
// same type whatever order the user wrote them in.
#pragma once

#include <mpmc/concepts.hpp>
#include <mpmc/detail/compose.hpp>

#include <mpmc/backoff/pause.hpp>
#include <mpmc/capacity/dynamic.hpp>
#include <mpmc/claim/compare_exchange.hpp>
#include <mpmc/consumers/many.hpp>
#include <mpmc/padding/none.hpp>
#include <mpmc/producers/many.hpp>
#include <mpmc/wait/park.hpp>

namespace mpmc {
// Checked here, so a custom policy that lacks something is reported in words, once, whichever way
// it reached the queue (the composer or `queue::with`).
template <class Capacity, class Padding, class Backoff, class Wait,
          class Claim = claim::compare_exchange, class Producers = producers::many,
          class Consumers = consumers::many>
struct config {
  static_assert(capacity_policy<Capacity>,
                "mpmc::queue: the capacity policy does not satisfy mpmc::capacity_policy; "
                "see docs/policies.md, or use mpmc::capacity::dynamic or mpmc::capacity::fixed<N>");
  static_assert(padding_policy<Padding>,
                "mpmc::queue: the padding policy does not satisfy mpmc::padding_policy "
                "(it needs a static constexpr std::size_t alignment that is a power of two)");
  static_assert(backoff_policy<Backoff>,
                "mpmc::queue: the backoff policy does not satisfy mpmc::backoff_policy "
                "(it needs a default constructor and a noexcept operator()())");
  static_assert(wait_policy<Wait>,
                "mpmc::queue: the wait policy does not satisfy mpmc::wait_policy "
                "(it needs a static constexpr std::uint32_t spin_limit and either a static "
                "noexcept idle() or a backend type that satisfies mpmc::parking_backend)");
  static_assert(claim_policy<Claim>,
                "mpmc::queue: the claim policy does not satisfy mpmc::claim_policy "
                "(it needs a static constexpr bool tickets); use mpmc::claim::compare_exchange "
                "or mpmc::claim::ticket");

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
using default_config = config<capacity::dynamic, padding::none, backoff::pause, wait::park<>,
                              claim::compare_exchange, producers::many, consumers::many>;

template <class... Policies>
using config_t = typename detail::compose<default_config, Policies...>::type;
}  // namespace mpmc
