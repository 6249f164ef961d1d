// The range operations of a queue: try_push_range and push_range read any range-v3 input range once
// this header is included, which specializes detail::range_source. queue.hpp includes no range
// library: it would more than double the compile time of every file that uses a queue.
#pragma once

#include <mpmc/queue.hpp>

#include <range/v3/iterator/access.hpp>
#include <range/v3/iterator/concepts.hpp>
#include <range/v3/range/access.hpp>
#include <range/v3/range/concepts.hpp>
#include <range/v3/range/traits.hpp>

#include <cstddef>
#include <ranges>
#include <type_traits>
#include <utility>

namespace mpmc::detail {
template <class R>
requires ranges::input_range<R>
struct range_source<R> {
  static constexpr bool known = true;

  // An rvalue range that owns its elements (a container) may be moved from; a view (range-v3's or
  // the standard's), even an rvalue one, shows elements that belong to someone else.
  static constexpr bool moves_elements = !std::is_lvalue_reference_v<R> &&
                                         !ranges::view_<std::remove_cvref_t<R>> &&
                                         !std::ranges::enable_view<std::remove_cvref_t<R>>;

  using iterator = ranges::iterator_t<R>;
  using reference = std::conditional_t<moves_elements, ranges::range_rvalue_reference_t<R>,
                                       ranges::range_reference_t<R>>;

  static iterator begin(R& r) { return ranges::begin(r); }
  static auto end(R& r) { return ranges::end(r); }

  static decltype(auto) element(iterator& it) noexcept(moves_elements
                                                           ? noexcept(ranges::iter_move(it))
                                                           : noexcept(*it)) {
    if constexpr (moves_elements)
      return ranges::iter_move(it);
    else
      return *it;
  }

  // Whether reading, converting to T and stepping cannot throw. A batch claims its slots before it
  // reads, and a claimed slot must be filled, so other ranges are pushed one element at a time.
  template <class T>
  static constexpr bool nothrow_batch =
      noexcept(element(std::declval<iterator&>())) && noexcept(++std::declval<iterator&>()) &&
      std::is_nothrow_constructible_v<T, reference>;

  // How many elements, at most `limit`, remain in [it, end) without consuming any: 1 for a
  // single-pass range, which cannot be read ahead (the caller has checked it != end).
  template <class S>
  static std::size_t available(const iterator& it, const S& end, std::size_t limit) {
    if constexpr (ranges::sized_sentinel_for<S, iterator>) {
      return smaller(static_cast<std::size_t>(end - it), limit);
    } else if constexpr (ranges::forward_iterator<iterator>) {
      std::size_t n = 0;
      for (iterator probe = it; n < limit && probe != end; ++probe) ++n;
      return n;
    } else {
      return 1;
    }
  }
};
}  // namespace mpmc::detail
