// producers::single: at most one thread pushes at any moment, so a push takes its position with a
// plain store (detail/claim_strategy.hpp). Two concurrent pushes are an undetectable data race
// that loses or duplicates elements; another thread later is fine if the hand-over synchronizes.
// close() still works from any thread: a racing push either gets in or fails.
#pragma once

#include <mpmc/policy.hpp>

namespace mpmc::producers {
struct single {
  using category = tag::producers;
  static constexpr bool exclusive = true;
};
}  // namespace mpmc::producers
