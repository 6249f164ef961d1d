// A pointer stored as the distance from itself to its target. Every process maps a segment at an
// address of its own choosing; the distance between two objects in one segment is the same in all
// of them, so this pointer, kept in the segment, is right in each. A copy is re-based: copied out
// of the segment (onto a stack), it still points at the same target.
#pragma once

#include <cstdint>

namespace mpmc::shm::detail {
template <class T>
class relative_ptr {
 public:
  relative_ptr() noexcept = default;                 // points at itself; set before use
  relative_ptr(T* target) noexcept { set(target); }  // NOLINT: converts as a T* does
  relative_ptr(const relative_ptr& other) noexcept { set(other.get()); }
  relative_ptr& operator=(const relative_ptr& other) noexcept {
    set(other.get());
    return *this;
  }

  // The target is another object of the segment, which pointer arithmetic from `this` may not
  // reach, so its address is computed as an integer.
  T* get() const noexcept {
    // NOLINTNEXTLINE(performance-no-int-to-ptr)
    return reinterpret_cast<T*>(reinterpret_cast<std::uintptr_t>(this) + distance_);
  }
  operator T*() const noexcept { return get(); }  // NOLINT: used wherever the ring uses a T*

 private:
  // Unsigned, so that a target below this object wraps instead of overflowing.
  void set(T* target) noexcept {
    distance_ = reinterpret_cast<std::uintptr_t>(target) - reinterpret_cast<std::uintptr_t>(this);
  }
  std::uintptr_t distance_ = 0;
};
}  // namespace mpmc::shm::detail
