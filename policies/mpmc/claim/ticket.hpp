// claim::ticket: blocking push and pop without a deadline take the next
// position with fetch_add, whatever its slot holds, and wait on that slot for
// their turn (folly's and atomic_queue's way). Nothing fails and retries, and
// each waiter watches a slot of its own instead of every waiter polling one.
//
// Pick it when every producer and consumer has a core of its own: a claim
// never fails and retries, and waiters do not all poll one line. Avoid it
// when threads outnumber cores: a preempted ticket holder stalls the partner
// of its position, and everyone behind it. try_ and timed calls claim by
// compare-exchange as always (a timeout cannot give a ticket back).
//
// What changes for close(): a push blocked on a full queue already holds its
// position, so close() does not turn it away; it completes (and its element
// is delivered) once a consumer frees its slot. A pop blocked on an empty
// queue returns std::nullopt at close(), as with compare_exchange.
//
// Parked threads: each publish wakes every thread parked on the other side
// (each re-checks its own slot and sleeps again), so a ticket queue with many
// idle threads pays a wake-up per parked thread per element
// (detail/waiting.hpp says why).
#pragma once

#include <mpmc/policy.hpp>

namespace mpmc::claim {

struct ticket {
  using category = tag::claim;
  static constexpr bool tickets = true;
};

}  // namespace mpmc::claim
