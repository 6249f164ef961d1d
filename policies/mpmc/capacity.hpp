// Capacity policies: how many slots, and where they live. A queue holds exactly what is asked.
#pragma once

#include <mpmc/concepts.hpp>

#include <cstddef>
#include <memory>

namespace mpmc::capacity {
// The default: the slot count is chosen at run time; the slots live on the heap, from an
// allocator that is rebound to the ring's slot type. Not copyable: threads hold pointers into it.
template <class Allocator = std::allocator<std::byte>>
struct basic_dynamic {
  using category = tag::capacity;
  using allocator_type = Allocator;
  static constexpr bool is_fixed = false;

  template <class Slot>
  class storage {
    using traits = typename std::allocator_traits<Allocator>::template rebind_traits<Slot>;

   public:
    // A slot (an atomic and raw bytes) cannot throw on construction: no partial cleanup.
    storage(std::size_t count, const Allocator& allocator)
        : allocator_(allocator), slots_(traits::allocate(allocator_, count)), count_(count) {
      for (std::size_t i = 0; i != count_; ++i) traits::construct(allocator_, slots_ + i);
    }
    storage(const storage&) = delete;
    storage& operator=(const storage&) = delete;
    ~storage() {
      for (std::size_t i = 0; i != count_; ++i) traits::destroy(allocator_, slots_ + i);
      traits::deallocate(allocator_, slots_, count_);
    }

    Slot* data() noexcept { return std::to_address(slots_); }
    std::size_t size() const noexcept { return count_; }
    allocator_type get_allocator() const { return allocator_type(allocator_); }

   private:
    [[no_unique_address]] typename traits::allocator_type allocator_;
    typename traits::pointer slots_;
    std::size_t count_;
  };
};
using dynamic = basic_dynamic<>;

// N slots inside the queue object: no heap, one indirection less, and the slot count is a
// constant the compiler folds into the position arithmetic.
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
