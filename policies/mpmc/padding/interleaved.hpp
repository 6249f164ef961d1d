// padding::interleaved: dense slots, with consecutive positions spread over
// different cache lines.
//
// Dense slots keep a queue small (1024 `std::uint64_t`s take 16 KiB and stay
// in L1, where one line per slot takes 64 KiB and does not), but then the
// producer of position p and the consumer of p-1 write the same line. This
// layout keeps the slots dense and permutes where positions live: within each
// block of k lines holding k slots apiece, position i goes to line i mod k,
// so positions p and p+1 are on different lines, and the same line comes
// round again only k positions later. (atomic_queue calls this index
// shuffling.) A queue too small for a whole block spreads over what it has;
// an element as large as a line gets its own lines, and the permutation
// disappears.
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
