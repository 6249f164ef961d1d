// Where a position lives: slot p mod n of a ring's n slots (exactly the capacity asked for), and
// what a slot holds. p mod n is a mask when n is a power of two; otherwise a multiply by a
// reciprocal worked out once, m = ceil(2^(63 + l) / n) with l = ceil(log2 n), since floor(p * m /
// 2^(63 + l)) == p / n for every p < 2^63 (Granlund and Montgomery). Positions are 63 bits and
// never wrap (docs/design.md), so nothing else is needed.
#pragma once

#include <mpmc/backend/cpu.hpp>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <new>

namespace mpmc::detail {

// One cell: the turn word first, so that with padding both share one line; the element's bytes are
// raw storage, so T needs no default constructor.
template <class T, std::size_t Alignment, template <class> class Atom = std::atomic>
struct slot {
  static constexpr std::size_t alignment =
      std::max({Alignment, alignof(Atom<std::uint32_t>), alignof(T)});

  alignas(alignment) Atom<std::uint32_t> turn{0};
  alignas(T) std::byte bytes[sizeof(T)];

  T* value() noexcept { return std::launder(reinterpret_cast<T*>(bytes)); }
};

// padding::interleaved's permutation of slot indices: swaps the lowest `spread` bits with the next
// `spread`, a transpose of each block of 2^spread lines of 2^spread slots, so consecutive indices
// land one line apart. A bijection on [0, n) whenever 2^(2*spread) divides n.
constexpr std::size_t interleave_index(std::size_t index, unsigned spread) noexcept {
  const std::size_t low = (std::size_t{1} << spread) - 1;
  return (index & ~(low | (low << spread))) | ((index & low) << spread) | ((index >> spread) & low);
}

// The ring's slots and how positions map onto them; `Fixed` is capacity::fixed's N (0 for a
// capacity chosen at run time). Read-only after construction.
template <class Slot, std::size_t Fixed, bool Interleave>
struct slot_map {
  Slot* slots = nullptr;
  std::uint64_t size = 0;
  std::uint64_t mask = 0;        // size - 1
  std::uint64_t reciprocal = 0;  // 0 when size is a power of two
  unsigned shift = 0;
  unsigned spread = 0;

  slot_map() = default;
  slot_map(Slot* first, std::uint64_t n) noexcept : slots(first), size(n), mask(n - 1) {
    if (!std::has_single_bit(n)) {
      const auto l = static_cast<unsigned>(std::bit_width(n - 1));  // ceil(log2 n)
      __extension__ using wide = unsigned __int128;
      reciprocal = static_cast<std::uint64_t>((wide{1} << (63 + l)) / n + 1);
      shift = l - 1;
    }
    // k slots per line and k lines to a block: the largest such square block dividing n.
    if constexpr (Interleave) {
      constexpr auto per_line =
          std::bit_floor(std::max<std::size_t>(1, backend::cache_line_size / sizeof(Slot)));
      spread = std::min(static_cast<unsigned>(std::countr_zero(per_line)),
                        static_cast<unsigned>(std::countr_zero(n)) / 2);
    }
  }

  // pos mod size. Bit 63 (the producers' closed flag) is not part of a position: a mask of at
  // most 30 bits drops it, a division must not see it.
  std::size_t index(std::uint64_t pos) const noexcept {
    if constexpr (Fixed != 0) {
      return static_cast<std::size_t>((pos << 1 >> 1) % Fixed);
    } else {
      if (reciprocal == 0) return static_cast<std::size_t>(pos & mask);
      pos = pos << 1 >> 1;
      __extension__ using wide = unsigned __int128;
      const auto high = static_cast<std::uint64_t>((wide{pos} * reciprocal) >> 64);
      return static_cast<std::size_t>(pos - (high >> shift) * size);
    }
  }
  // The index i places after `first`, for i < size.
  std::size_t next(std::size_t first, std::size_t i) const noexcept {
    return first + i < size ? first + i : first + i - size;
  }
  Slot& slot(std::size_t index) const noexcept {
    if constexpr (Interleave) index = interleave_index(index, spread);
    return slots[index];
  }
  Slot& at(std::uint64_t pos) const noexcept { return slot(index(pos)); }
};

}  // namespace mpmc::detail
