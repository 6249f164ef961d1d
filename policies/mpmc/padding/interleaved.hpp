// padding::interleaved: dense slots, with consecutive positions on different cache lines so the
// producer of p and the consumer of p-1 do not share one: in each block of k lines of k slots,
// position i goes to line i mod k (atomic_queue's "index shuffling"). A line-sized element gets
// lines of its own and nothing is permuted.
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
