// claim::ticket: untimed blocking calls take the next position with fetch_add and wait on its slot
// (try_ and timed calls cannot give a ticket back, so they still compare-exchange). Only for
// threads that each have a core: a preempted ticket holder stalls everyone behind it. A push
// blocked on a full queue keeps its position across close() and is delivered.
#pragma once

#include <mpmc/policy.hpp>

namespace mpmc::claim {
struct ticket {
  using category = tag::claim;
  static constexpr bool tickets = true;
};
}  // namespace mpmc::claim
