// claim::compare_exchange: a push or pop claims its position with a
// compare-exchange of the counter, and only once the slot there is ready, so
// a blocked call holds nothing while it waits. The default: it degrades
// gracefully when threads outnumber cores (a sleeping waiter owns no slot a
// running thread needs), and close() turns away every blocked push.
#pragma once

#include <mpmc/policy.hpp>

namespace mpmc::claim {

struct compare_exchange {
  using category = tag::claim;
  static constexpr bool tickets = false;
};

}  // namespace mpmc::claim
