// Claim policies: how a blocking call of a side that many threads share takes its position.
#pragma once

#include <mpmc/concepts.hpp>

namespace mpmc::claim {
// The default: claim a position only once its slot is ready, so a blocked call holds nothing a
// running thread needs, and close() turns away every blocked push.
struct compare_exchange {
  using category = tag::claim;
  static constexpr bool tickets = false;
};

// Untimed blocking calls take the next position with fetch_add and wait on its slot (try_ and
// timed calls cannot give a ticket back, so they still compare-exchange). Only for threads that
// each have a core: a preempted ticket holder stalls everyone behind it. A push blocked on a full
// queue keeps its position across close() and is delivered.
struct ticket {
  using category = tag::claim;
  static constexpr bool tickets = true;
};
}  // namespace mpmc::claim
