// backoff::none: retry at once. Lowest latency when the partner thread is
// about to finish; burns the most memory bandwidth while it is not.
#pragma once

#include <mpmc/policy.hpp>

namespace mpmc::backoff {

struct none {
  using category = tag::backoff;
  void operator()() noexcept {}
};

}  // namespace mpmc::backoff
