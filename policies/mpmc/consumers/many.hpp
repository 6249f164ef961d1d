// consumers::many: any number of threads may pop at the same time. Each pop
// takes its position with a compare-exchange of the shared head counter (or
// a fetch_add, with claim::ticket). The default.
#pragma once

#include <mpmc/policy.hpp>

namespace mpmc::consumers {

struct many {
  using category = tag::consumers;
  static constexpr bool exclusive = false;
};

}  // namespace mpmc::consumers
