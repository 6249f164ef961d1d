// claim::compare_exchange, the default: claim a position only once its slot is ready, so a blocked
// call holds nothing a running thread needs, and close() turns away every blocked push.
#pragma once

#include <mpmc/policy.hpp>

namespace mpmc::claim {
struct compare_exchange {
  using category = tag::claim;
  static constexpr bool tickets = false;
};
}  // namespace mpmc::claim
