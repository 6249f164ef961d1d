// producers::many: any number of threads may push at once. The default.
#pragma once

#include <mpmc/policy.hpp>

namespace mpmc::producers {
struct many {
  using category = tag::producers;
  static constexpr bool exclusive = false;
};
}  // namespace mpmc::producers
