// capacity::fixed<N>: N slots inside the queue object: no heap, one indirection less, and a
// position maps to its slot by a division the compiler turns into a mask or a multiply.
#pragma once

#include <mpmc/policy.hpp>

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
  static constexpr std::size_t extent = N;

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
