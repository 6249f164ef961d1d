// Where a position lives, and what a slot holds. Positions are lap-encoded: p = lap * L + index,
// L = n rounded up to a power of two, so the slot is p & (L - 1) (docs/design.md, The ring). They
// are 63 bits (bit 63 of the tail is the closed flag) and never wrap: 146 years at 10^9 a second.
#pragma once

#include <mpmc/backend/cpu.hpp>

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

namespace mpmc::detail {

// std::min and std::max without <algorithm>, which would add to every queue user's compile time.
template <class T>
constexpr T smaller(T a, T b) noexcept {
  return b < a ? b : a;
}
template <class T>
constexpr T larger(T a, T b) noexcept {
  return a < b ? b : a;
}

// One cell: the turn word first, so that with padding both share one line; the element's bytes are
// raw storage, so T needs no default constructor.
template <class T, std::size_t Alignment, template <class> class Atom = std::atomic>
struct slot {
  static constexpr std::size_t alignment =
      larger(larger(Alignment, alignof(Atom<std::uint32_t>)), alignof(T));

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

// The policies' say in the map: padding::interleaved's flag, capacity::fixed's N.
template <class P>
inline constexpr bool interleaves = false;
template <class P>
requires requires { P::interleave; }
inline constexpr bool interleaves<P> = P::interleave;

template <class C>
inline constexpr std::size_t fixed_extent = 0;
template <class C>
requires(C::is_fixed&& requires {
  C::extent;
}) inline constexpr std::size_t fixed_extent<C> = C::extent;

// How the map holds its slots: as the storage's `pointer` where it names one, else a plain pointer.
template <class Storage>
struct storage_pointer {
  using type = decltype(std::declval<Storage&>().data());
};
template <class Storage>
requires requires { typename Storage::pointer; }
struct storage_pointer<Storage> {
  using type = typename Storage::pointer;
};
template <class Storage>
using pointer_of = typename storage_pointer<Storage>::type;

// The ring's slots and how positions map onto them; `Fixed` is capacity::fixed's N (0 for a
// capacity chosen at run time); `Pointer` the storage's (one that holds in every process mapping a
// segment: shm/relative_ptr.hpp). Read-only after construction.
template <class Slot, std::size_t Fixed, bool Interleave, class Pointer = Slot*>
struct slot_map {
  Pointer slots{};
  std::uint64_t size = 0;  // n
  std::uint64_t lap = 0;   // L: n rounded up to a power of two
  unsigned spread = 0;

  slot_map() = default;
  slot_map(Slot* first, std::uint64_t n) noexcept : slots(first), size(n), lap(std::bit_ceil(n)) {
    // k slots per line and k lines to a block: the largest such square block dividing n.
    if constexpr (Interleave) {
      constexpr auto per_line =
          std::bit_floor(larger<std::size_t>(1, backend::cache_line_size / sizeof(Slot)));
      spread = smaller(static_cast<unsigned>(std::countr_zero(per_line)),
                       static_cast<unsigned>(std::countr_zero(n)) / 2);
    }
  }

  std::uint64_t slot_count() const noexcept { return Fixed != 0 ? Fixed : size; }
  std::uint64_t lap_length() const noexcept { return Fixed != 0 ? std::bit_ceil(Fixed) : lap; }
  bool contiguous() const noexcept { return slot_count() == lap_length(); }

  // The slot index of pos; the mask (at most 30 bits) drops the closed flag.
  std::size_t index(std::uint64_t pos) const noexcept {
    return static_cast<std::size_t>(pos & (lap_length() - 1));
  }
  // The position k after pos, for k up to what is left of pos's lap.
  std::uint64_t after(std::uint64_t pos, std::uint64_t k = 1) const noexcept {
    return index(pos) + k < slot_count() ? pos + k : pos + k + (lap_length() - slot_count());
  }
  // How many positions lie before pos, and the position that many lie before.
  std::uint64_t count(std::uint64_t pos) const noexcept {
    return (pos >> std::countr_zero(lap_length())) * slot_count() + index(pos);
  }
  std::uint64_t position(std::uint64_t count) const noexcept {
    return count / slot_count() * lap_length() + count % slot_count();
  }
  Slot& slot(std::size_t index) const noexcept {
    if constexpr (Interleave) index = interleave_index(index, spread);
    return slots[index];
  }
  Slot& at(std::uint64_t pos) const noexcept { return slot(index(pos)); }
};

}  // namespace mpmc::detail
