// producers::single: at most one thread pushes at any moment. The tail
// counter then has one writer, so a push takes its position with a plain
// store instead of a locked compare-exchange (sequence_ring.hpp, Lone
// sides). Pushing from two threads at once is a data race that loses or
// duplicates elements, and nothing can detect it: use this only where the
// design guarantees one producer (a different thread later is fine, if the
// hand-over synchronizes, e.g. through a mutex or a thread join).
//
// close() still turns pushes away, from any thread: a push that races with
// it either gets in (its element is delivered) or fails and gives its
// position back; an asymmetric fence keeps that check off the push's fast
// path (docs/design.md, "A lone producer and close()").
//
// Measured on the 2-vCPU CI machine (docs/benchmarks.md, "Lone sides"):
// with consumers::single too, a single-thread push+pop costs 0.41-0.77x
// the default queue's, and one producer feeding one consumer moved 1.0-2.5x
// the default's items/s (the default's own figure moves with the build).
#pragma once

#include <mpmc/policy.hpp>

namespace mpmc::producers {

struct single {
  using category = tag::producers;
  static constexpr bool exclusive = true;
};

}  // namespace mpmc::producers
