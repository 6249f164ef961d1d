// consumers::single: at most one thread pops at any moment, so a pop takes its position with a
// plain store (detail/claim_strategy.hpp). Two concurrent pops are an undetectable data race that
// loses or duplicates elements; another thread later is fine if the hand-over synchronizes.
#pragma once

#include <mpmc/policy.hpp>

namespace mpmc::consumers {
struct single {
  using category = tag::consumers;
  static constexpr bool exclusive = true;
};
}  // namespace mpmc::consumers
