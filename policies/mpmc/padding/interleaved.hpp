// padding::interleaved: dense slots, consecutive positions on different cache lines: in each block
// of k lines of k slots, position i goes to line i mod k (atomic_queue's index shuffling).
#pragma once

#include <mpmc/policy.hpp>

#include <cstddef>

namespace mpmc::padding {
struct interleaved {
  using category = tag::padding;
  static constexpr std::size_t alignment = 1;
  static constexpr bool interleave = true;
};
}  // namespace mpmc::padding
