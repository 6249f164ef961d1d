// Ranges of popped elements for range-v3: `for (Job& job : mpmc::views::drain(q)) run(job);`
// Single-pass input views over a source that must outlive them. An element is popped when the
// iteration asks for another (`it != end`), not when it advances, so `| ranges::views::take(n)`
// pops exactly n; one popped but never read is destroyed with the view. The reference is
// `value_type&`: move from it to take ownership. A copy of a view is a fresh view of the source,
// without the element the original holds, so views stay copyable even for move-only elements.
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
  pop_view(pop_view&&) = default;
  pop_view& operator=(const pop_view& other) noexcept { return *this = pop_view(other); }
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
    void next() noexcept { view->advance(); }
    bool equal(ranges::default_sentinel_t) const noexcept { return !view->current(); }
  };

  cursor begin_cursor() noexcept { return cursor{this}; }

  // The element just read is finished with; the next is popped only when asked for.
  void advance() noexcept {
    current_.reset();
    stale_ = true;
  }

  // Pops on first use after advance().
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
}  // namespace detail

namespace views {
// Pops until the source is momentarily empty.
struct drain_fn {
  template <pop_source Source>
  auto operator()(Source& source) const noexcept {
    return detail::pop_view<Source, detail::pop_mode::drain>(source);
  }
};

// Pops, waiting like pop(), until the source is closed and drained.
struct consume_fn {
  template <pop_source Source>
  auto operator()(Source& source) const noexcept {
    return detail::pop_view<Source, detail::pop_mode::consume>(source);
  }
};

inline constexpr drain_fn drain{};
inline constexpr consume_fn consume{};
}  // namespace views
}  // namespace mpmc
