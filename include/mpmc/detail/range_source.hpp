// How the bulk pushes read their input range: whether they may move the elements out, and how many
// they can promise to a batch claim before reading them.
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
// An rvalue range that owns its elements (a container) may be moved from; a view (range-v3's or the
// standard's), even an rvalue one, shows elements that belong to someone else.
template <class R>
inline constexpr bool moves_elements =
    !std::is_lvalue_reference_v<R> && !ranges::view_<std::remove_cvref_t<R>> &&
    !std::ranges::enable_view<std::remove_cvref_t<R>>;

template <class R>
using source_reference_t =
    std::conditional_t<moves_elements<R>, ranges::range_rvalue_reference_t<R>,
                       ranges::range_reference_t<R>>;

template <class R, class It>
decltype(auto) source_element(It& it) noexcept(moves_elements<R> ? noexcept(ranges::iter_move(it))
                                                                 : noexcept(*it)) {
  if constexpr (moves_elements<R>)
    return ranges::iter_move(it);
  else
    return *it;
}

// Whether reading, converting to T and stepping cannot throw. A batch claims its slots before it
// reads, and a claimed slot must be filled, so other ranges are pushed one element at a time.
template <class R, class T, class It = ranges::iterator_t<R>>
inline constexpr bool nothrow_batch =
    noexcept(source_element<R>(std::declval<It&>())) && noexcept(++std::declval<It&>()) &&
    std::is_nothrow_constructible_v<T, source_reference_t<R>>;

// How many elements, at most `limit`, remain in [it, end) without consuming any: 1 for a
// single-pass range, which cannot be read ahead (the caller has checked it != end).
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
