// mpmc::views::drain and consume: single-pass range-v3 views over a source that must outlive them.
// They pop when the iteration asks for the next element (`it != end`), not when it advances, so `|
// ranges::views::take(n)` pops exactly n; move from the `T&` to keep an element, as one popped but
// never read dies with the view. A copy is a fresh view of the source, without the element the
// original holds, so views stay copyable even for move-only elements.
#pragma once

#include <range/v3/iterator/default_sentinel.hpp>
#include <range/v3/range/concepts.hpp>
#include <range/v3/view/facade.hpp>

#include <concepts>
#include <optional>
#include <type_traits>
#include <utility>

namespace mpmc {
// Anything the views can pop from: a queue, consumer<Q> or receiver<Q>.
template <class S>
concept pop_source = requires(S& source) {
  typename std::remove_const_t<S>::value_type;
  { source.try_pop() } -> std::same_as<std::optional<typename std::remove_const_t<S>::value_type>>;
  { source.pop() } -> std::same_as<std::optional<typename std::remove_const_t<S>::value_type>>;
};

namespace detail {
enum class pop_mode { drain, consume };

template <class Source, pop_mode Mode>
class pop_view : public ranges::view_facade<pop_view<Source, Mode>, ranges::unknown> {
  friend ranges::range_access;
  using value_type = typename std::remove_const_t<Source>::value_type;

 public:
  pop_view() = default;
  explicit pop_view(Source& source) noexcept : source_(&source) {}
  pop_view(const pop_view& other) noexcept : source_(other.source_) {}
  pop_view(pop_view&&) noexcept = default;  // the element's move is noexcept (queue.hpp)
  pop_view& operator=(const pop_view& other) noexcept {
    *this = pop_view(other);
    return *this;
  }
  // By hand, like current()'s emplace: value_type need not be move-assignable.
  pop_view& operator=(pop_view&& other) noexcept {
    source_ = other.source_;
    current_.reset();
    if (other.current_) current_.emplace(std::move(*other.current_));
    stale_ = other.stale_;
    return *this;
  }

 private:
  struct cursor {
    using single_pass = std::true_type;
    pop_view* view = nullptr;
    value_type& read() const noexcept { return *view->current(); }
    // The element just read is finished with; the next is popped only when asked for.
    void next() noexcept {
      view->current_.reset();
      view->stale_ = true;
    }
    bool equal(ranges::default_sentinel_t) const noexcept { return !view->current(); }
  };
  cursor begin_cursor() noexcept { return cursor{this}; }

  // Pops on first use after next().
  std::optional<value_type>& current() noexcept {
    if (std::exchange(stale_, false))
      if (auto next = Mode == pop_mode::drain ? source_->try_pop() : source_->pop())
        current_.emplace(std::move(*next));
    return current_;
  }

  Source* source_ = nullptr;
  std::optional<value_type> current_;
  bool stale_ = true;
};

template <pop_mode Mode>
struct pop_fn {
  template <pop_source Source>
  auto operator()(Source& source) const noexcept {
    return pop_view<Source, Mode>(source);
  }
};
}  // namespace detail

namespace views {
// Pops until the source is momentarily empty.
inline constexpr detail::pop_fn<detail::pop_mode::drain> drain{};
// Pops, waiting like pop(), until the source is closed and drained.
inline constexpr detail::pop_fn<detail::pop_mode::consume> consume{};
}  // namespace views
}  // namespace mpmc
