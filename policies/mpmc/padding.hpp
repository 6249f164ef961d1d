// Padding policies: how slots lie in memory, trading footprint against cross-core line bouncing.
#pragma once

#include <mpmc/backend/cpu.hpp>
#include <mpmc/concepts.hpp>

#include <bit>
#include <cstddef>

namespace mpmc::padding {
// Every slot (turn word and element) starts on a `Bytes` boundary and takes a whole multiple of
// `Bytes`; never less than the element type's own alignment.
template <std::size_t Bytes>
struct align_to {
  static_assert(std::has_single_bit(Bytes),
                "mpmc::padding::align_to<Bytes>: Bytes must be a power of two");
  using category = tag::padding;
  static constexpr std::size_t alignment = Bytes;
};

// The default: dense slots; the smallest footprint stays in the nearest caches.
using none = align_to<1>;

// A line per slot, so neighbours never bounce between cores, at several times the memory.
// align_to<128> suits 128-byte lines, or defeats x86's adjacent-line prefetch.
using cache_line = align_to<backend::cache_line_size>;

// Dense slots, consecutive positions on different cache lines: in each block of k lines of k
// slots, position i goes to line i mod k (atomic_queue's index shuffling).
struct interleaved {
  using category = tag::padding;
  static constexpr std::size_t alignment = 1;
  static constexpr bool interleave = true;
};
}  // namespace mpmc::padding
