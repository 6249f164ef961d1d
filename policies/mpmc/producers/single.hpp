// producers::single: at most one thread pushes at any moment, so a push takes its position with a
// plain store; two at once is an undetected data race. A synchronized hand-over is fine, and
// close() works from any thread: a racing push either gets in or fails.
#pragma once

#include <mpmc/policy.hpp>

namespace mpmc::producers {
struct single {
  using category = tag::producers;
  static constexpr bool exclusive = true;
};
}  // namespace mpmc::producers
