// How the bulk pushes read their input range: which ranges they accept,
// whether they may move the elements out, and how many elements they can
// promise to a batch claim before they have read them.
#pragma once

#include <range/v3/iterator/access.hpp>
#include <range/v3/iterator/concepts.hpp>
#include <range/v3/iterator/operations.hpp>
#include <range/v3/range/access.hpp>
#include <range/v3/range/concepts.hpp>
#include <range/v3/range/traits.hpp>

#include <cstddef>
#include <ranges>
#include <type_traits>

namespace mpmc::detail {

// A range given as an rvalue that owns its elements (a container, not a
// view): the bulk push may move from it. Views are never moved from, even
// as rvalues, since the elements they show belong to someone else. Both
// range-v3's and the standard library's notion of a view count.
template <class R>
inline constexpr bool moves_elements =
    !std::is_lvalue_reference_v<R> && !ranges::view_<std::remove_cvref_t<R>> &&
    !std::ranges::enable_view<std::remove_cvref_t<R>>;

// What the push constructs each element from: the iterator's reference, or
// its rvalue reference for a range it may move from.
template <class R>
using source_reference_t =
    std::conditional_t<moves_elements<R>, ranges::range_rvalue_reference_t<R>,
                       ranges::range_reference_t<R>>;

template <class R, class It>
decltype(auto) source_element(It& it) noexcept(moves_elements<R> ? noexcept(ranges::iter_move(it))
                                                                 : noexcept(*it)) {
  if constexpr (moves_elements<R>) {
    return ranges::iter_move(it);
  } else {
    return *it;
  }
}

// Whether a batch can build T from the range without anything throwing:
// reading an element, converting it to T, stepping the iterator. A batch
// claims its slots before it reads, and a claimed slot must be filled, so a
// range that may throw is pushed one element at a time instead.
template <class R, class T>
inline constexpr bool nothrow_batch =
    std::is_nothrow_constructible_v<T, source_reference_t<R>>&& noexcept(source_element<R>(
        std::declval<
            ranges::iterator_t<R>&>())) && noexcept(++std::declval<ranges::iterator_t<R>&>());

// How many elements, at most `limit`, remain in [it, end) and can be
// counted without consuming them: exact for sized and multi-pass ranges,
// and 1 for a single-pass range, which cannot be read ahead (the caller has
// already checked it != end).
template <class It, class S>
std::size_t available(const It& it, const S& end, std::size_t limit) {
  if constexpr (ranges::sized_sentinel_for<S, It>) {
    const auto n = static_cast<std::size_t>(end - it);
    return n < limit ? n : limit;
  } else if constexpr (ranges::forward_iterator<It>) {
    std::size_t n = 0;
    for (It probe = it; n < limit && probe != end; ++probe) ++n;
    return n;
  } else {
    return 1;
  }
}

}  // namespace mpmc::detail
