// Parked flags: how a publisher learns, at no cost to its fast path, that
// the other side has threads asleep.
//
// Where every thread of a side claims positions with a read-modify-write of
// its counter (compare-exchange claims by many threads: the default), the
// threads of the *other* side that are about to sleep raise a flag in that
// counter. A claim reads the counter anyway, and the push's claim already
// tests the counter's top bit for close(): the flag sets that same bit, so a
// push that finds nobody asleep runs exactly the instructions it runs with a
// spinning wait policy, and a pop one more (a test of the top bit of the
// value it loaded), where the fenced protocol below costs each a load, a
// test and a compiler barrier (sequence_ring.hpp, Parked flags, for the
// bits).
//
//   sleeper (a consumer; producers mirror)   waker (a producer)
//   e = epoch                  (acquire)    claim p: the compare-exchange of
//   ++sleepers                 (seq_cst)      tail_ reads the flag, or not
//   mark = tail_ | flag, as was (seq_cst)   fill the slot, publish its turn
//   retry the claim                         if the claim read the flag:
//   if it fails:                              re-read tail_ (acquire)
//     if head_ >= mark's position:            if sleepers != 0:
//       ++in_wait              (seq_cst)        ++epoch           (seq_cst)
//       if epoch == e (seq_cst):                if in_wait != 0   (seq_cst)
//         sleep while epoch == e                  wake one sleeper on epoch
//       --in_wait
//     else: leave (below), yield, come back
//   --sleepers; the last one out lowers the flag
//
// No fence on the fast path, and none on the sleeper's side beyond its own
// read-modify-writes: the raise and every claim are read-modify-writes of one
// word, so they happen in one order. A claim after the raise reads the flag,
// and (through the raise's release and the waker's acquire re-read) sees the
// sleeper counted, then bumps the epoch after publishing: the sleeper either
// sees its element on the retry, or finds the epoch moved when the kernel
// checks it, or is woken. A claim before the raise did not read the flag and
// will wake nobody; but the raise returns the counter as it was, so the
// sleeper knows every position claimed before it (those below mark). If
// consumers have claimed all of them (head_ at or past mark), whatever it
// could still get is claimed after the raise, by a waker. If not, one of those
// claims is still being filled by a producer that will not wake anyone (the
// retry failed), and the sleeper must not sleep: it leaves the lot (lowering
// the flag, if it was the last), yields, and comes back to raise it again,
// until that producer publishes. Waiting awake with the flag up would send
// every claim of the other side meanwhile down the slow path, each with a
// wake for nobody. That wait is the ring's own blocking (a stalled
// producer stalls its position's consumer, sequence_ring.hpp, Progress),
// not a new one. A producer waiting for room mirrors all this with head_,
// and needs the consumer of the position one lap behind its own, tail_ -
// capacity, to have claimed after its raise.
//
// in_wait: a counted sleeper is not always in the kernel (it may be about to
// leave, or woken and not yet run), and every claim while its flag is up
// wakes. The waker bumps the epoch in any case but calls the kernel only if
// a sleeper has declared itself about to wait (in_wait); the sleeper, after
// declaring, re-reads the epoch and does not wait if it moved. Store then
// load on both sides, all seq_cst: one of the two sees the other.
//
// Lowering: the last sleeper out clears the flag, then reads sleepers again.
// A sleeper that raised (already set) just before the clear lost its flag,
// but counted itself before raising, and the re-read, after the clear in the
// same seq_cst order, sees it: the flag goes up again and every sleeper is
// woken (the epoch bumped), to re-check with the flag up. A rare herd, only
// when sleepers come and go at the same moment.
//
// Where a side's counter has a writer that stores it plainly (a lone side,
// producers::single or consumers::single) or takes tickets (claim::ticket),
// the other side's sleepers use the parking lot's fenced protocol instead
// (waiting.hpp, Parking protocol): a publisher then loads the lot's sleeper
// count after every publish.
#pragma once

#include <mpmc/concepts.hpp>

namespace mpmc::detail {

// Whether consumers about to sleep flag it in tail_ (producers claim only by
// compare-exchange of it), and producers in head_.
template <class Config>
inline constexpr bool consumers_flag_tail =
    parking_wait<typename Config::wait> && !Config::claim::tickets && !Config::producers::exclusive;
template <class Config>
inline constexpr bool producers_flag_head =
    parking_wait<typename Config::wait> && !Config::claim::tickets && !Config::consumers::exclusive;

// The flags argument of waiting::wait for a side that parks with the lot's
// fenced protocol instead.
struct no_flags {};

}  // namespace mpmc::detail
