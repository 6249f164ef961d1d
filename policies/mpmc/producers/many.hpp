// producers::many: any number of threads may push at the same time. Each
// push takes its position with a compare-exchange of the shared tail
// counter (or a fetch_add, with claim::ticket). The default.
#pragma once

#include <mpmc/policy.hpp>

namespace mpmc::producers {

struct many {
  using category = tag::producers;
  static constexpr bool exclusive = false;
};

}  // namespace mpmc::producers
