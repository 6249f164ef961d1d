// padding::align_to<Bytes>: every slot (its sequence word and its element)
// starts on a `Bytes` boundary and occupies a whole multiple of `Bytes`.
//
// Aligning slots to the cache line means a producer writing slot i and a
// consumer reading slot i+1 never fight over one line (false sharing), at the
// price of memory: a queue of 1024 ints takes 64 KiB instead of 8 KiB.
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
  // The least alignment of a slot; a slot is never aligned below what its
  // element type needs.
  static constexpr std::size_t alignment = Bytes;
};

}  // namespace mpmc::padding
