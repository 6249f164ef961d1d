// consumers::many: any number of threads may pop at once. The default.
#pragma once

#include <mpmc/policy.hpp>

namespace mpmc::consumers {
struct many {
  using category = tag::consumers;
  static constexpr bool exclusive = false;
};
}  // namespace mpmc::consumers
