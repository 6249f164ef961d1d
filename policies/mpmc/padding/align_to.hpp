// padding::align_to<Bytes>: every slot (turn word and element) starts on a `Bytes` boundary and
// takes a whole multiple of `Bytes`; never less than the element type's own alignment.
#pragma once

#include <mpmc/policy.hpp>

#include <bit>
#include <cstddef>

namespace mpmc::padding {
template <std::size_t Bytes>
struct align_to {
  static_assert(std::has_single_bit(Bytes),
                "mpmc::padding::align_to<Bytes>: Bytes must be a power of two");
  using category = tag::padding;
  static constexpr std::size_t alignment = Bytes;
};
}  // namespace mpmc::padding
