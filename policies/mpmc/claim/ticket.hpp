// claim::ticket: blocking push and pop without a deadline take the next
// position with fetch_add, whatever its slot holds, and wait on that slot for
// their turn (folly's and atomic_queue's way). Nothing fails and retries, and
// each waiter watches a slot of its own instead of every waiter polling one.
//
// Pick it when every producer and consumer has a core of its own: measured
// on 16 cores it moved 2.7x the items of claim::compare_exchange, level with
// atomic_queue (docs/benchmarks.md). Avoid it when threads outnumber cores: a
// preempted ticket holder stalls the partner of its position, and on 2 cores
// 4 producers x 4 consumers fell from 69 to 42 M items/s, 8 x 8 from 54 to
// 32 (a spinning ticket build: 0.1). One producer feeding one consumer on
// 2 cores is its other strong case: 122-160 M items/s in every build of the
// runner tried, where compare-exchange claims swung between 20 and 124 with
// code shape (docs/benchmarks.md, "1p1c: lock-step and code shape"). try_
// and timed calls claim by compare-exchange as always.
//
// What changes for close(): a push blocked on a full queue already holds its
// position, so close() does not turn it away; it completes (and its element
// is delivered) once a consumer frees its slot. A pop blocked on an empty
// queue returns std::nullopt at close(), as with compare_exchange.
//
// Parked consumers: each element wakes every consumer parked on the queue
// (each re-checks its own slot and sleeps again), so a ticket queue with many
// idle consumers pays a few microseconds of CPU per parked consumer per
// element (detail/waiting.hpp says why).
#pragma once

#include <mpmc/policy.hpp>

namespace mpmc::claim {

struct ticket {
  using category = tag::claim;
  static constexpr bool tickets = true;
};

}  // namespace mpmc::claim
