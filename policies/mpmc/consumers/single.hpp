// consumers::single: at most one thread pops at any moment, so a pop takes its position with a
// plain store; two at once is an undetected data race. A synchronized hand-over is fine.
#pragma once

#include <mpmc/policy.hpp>

namespace mpmc::consumers {
struct single {
  using category = tag::consumers;
  static constexpr bool exclusive = true;
};
}  // namespace mpmc::consumers
