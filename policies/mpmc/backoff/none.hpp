// backoff::none: retry at once. Lowest latency when the partner is about to finish; the most
// memory traffic while it is not.
#pragma once

#include <mpmc/policy.hpp>

namespace mpmc::backoff {
struct none {
  using category = tag::backoff;
  void operator()() noexcept {}
};
}  // namespace mpmc::backoff
