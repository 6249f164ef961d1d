// capacity::fixed<N>: the slots live inside the queue object: no heap, one indirection less. N is
// rounded up to a power of two, as a run-time capacity is, so a position maps with a mask.
#pragma once

#include <mpmc/policy.hpp>

#include <bit>
#include <cstddef>

namespace mpmc::capacity {
template <std::size_t N>
struct fixed {
  static_assert(N >= 1, "mpmc::capacity::fixed<N>: N must be at least 1");
  static_assert(N <= (std::size_t{1} << 30),
                "mpmc::capacity::fixed<N>: N must be at most 2^30 (the ring's turn words are "
                "32 bits)");
  using category = tag::capacity;
  static constexpr bool is_fixed = true;
  static constexpr std::size_t extent = std::bit_ceil(N);

  template <class Slot>
  class storage {
   public:
    storage() = default;
    storage(const storage&) = delete;
    storage& operator=(const storage&) = delete;
    Slot* data() noexcept { return slots_; }
    static constexpr std::size_t size() noexcept { return extent; }

   private:
    Slot slots_[extent]{};
  };
};
}  // namespace mpmc::capacity
