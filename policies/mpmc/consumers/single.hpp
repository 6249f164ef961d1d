// consumers::single: at most one thread pops at any moment. The head counter
// then has one writer, so a pop takes its position with a plain store
// instead of a locked compare-exchange (detail/claim_strategy.hpp).
// Popping from two threads at once is a data race that loses or duplicates
// elements, and nothing can detect it: use this only where the design
// guarantees one consumer (a different thread later is fine, if the
// hand-over synchronizes).
//
// With producers::single as well this is a single-producer single-consumer
// queue; with producers::many, a multi-producer single-consumer one.
#pragma once

#include <mpmc/policy.hpp>

namespace mpmc::consumers {

struct single {
  using category = tag::consumers;
  static constexpr bool exclusive = true;
};

}  // namespace mpmc::consumers
