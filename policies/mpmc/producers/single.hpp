// producers::single: at most one thread pushes at any moment. The tail
// counter then has one writer, so a push takes its position with a plain
// store instead of a locked compare-exchange (detail/claim_strategy.hpp). Pushing from two threads
// at once is a data race that loses or duplicates elements, and nothing can detect it: use this
// only where the design guarantees one producer (a different thread later is fine, if the hand-over
// synchronizes, e.g. through a mutex or a thread join).
//
// close() still turns pushes away, from any thread: a push that races with
// it either gets in (its element is delivered) or fails and gives its
// position back; an asymmetric fence keeps that check off the push's fast
// path (detail/claim_strategy.hpp).
#pragma once

#include <mpmc/policy.hpp>

namespace mpmc::producers {

struct single {
  using category = tag::producers;
  static constexpr bool exclusive = true;
};

}  // namespace mpmc::producers
