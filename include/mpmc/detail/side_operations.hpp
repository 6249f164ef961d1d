// The push-side and pop-side operations of every handle type (producer/consumer, sender/receiver),
// written once. A handle derives from one and gives it access to `queue()`. Each call forwards its
// arguments with their own value category and keeps the queue's noexcept.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>

namespace mpmc::detail {
template <class Handle, class Queue>
class push_operations {
  using T = typename Queue::value_type;
  static constexpr bool nothrow_copy = std::is_nothrow_copy_constructible_v<T>;

 public:
  bool try_push(const T& value) const noexcept(nothrow_copy) { return target().try_push(value); }
  bool try_push(T&& value) const noexcept { return target().try_push(std::move(value)); }
  template <class... Args>
  requires std::constructible_from<T, Args...>
  bool try_emplace(Args&&... args) const noexcept(std::is_nothrow_constructible_v<T, Args...>) {
    return target().try_emplace(std::forward<Args>(args)...);
  }
  bool push(const T& value) const noexcept(nothrow_copy) { return target().push(value); }
  bool push(T&& value) const noexcept { return target().push(std::move(value)); }
  template <class... Args>
  requires std::constructible_from<T, Args...>
  bool emplace(Args&&... args) const noexcept(std::is_nothrow_constructible_v<T, Args...>) {
    return target().emplace(std::forward<Args>(args)...);
  }
  template <class R>
  requires requires(Queue& q, R&& r) { q.try_push_range(std::forward<R>(r)); }
  std::size_t try_push_range(R&& r) const { return target().try_push_range(std::forward<R>(r)); }
  template <class R>
  requires requires(Queue& q, R&& r) { q.push_range(std::forward<R>(r)); }
  std::size_t push_range(R&& r) const { return target().push_range(std::forward<R>(r)); }
  template <class Rep, class Period>
  bool try_push_for(const T& value, const std::chrono::duration<Rep, Period>& timeout) const
      noexcept(nothrow_copy) {
    return target().try_push_for(value, timeout);
  }
  template <class Rep, class Period>
  bool try_push_for(T&& value, const std::chrono::duration<Rep, Period>& timeout) const noexcept {
    return target().try_push_for(std::move(value), timeout);
  }
  template <class Clock, class Duration>
  bool try_push_until(const T& value,
                      const std::chrono::time_point<Clock, Duration>& deadline) const
      noexcept(nothrow_copy) {
    return target().try_push_until(value, deadline);
  }
  template <class Clock, class Duration>
  bool try_push_until(T&& value,
                      const std::chrono::time_point<Clock, Duration>& deadline) const noexcept {
    return target().try_push_until(std::move(value), deadline);
  }

 private:
  auto& target() const noexcept { return static_cast<const Handle&>(*this).queue(); }
};

template <class Handle, class Queue>
class pop_operations {
  using T = typename Queue::value_type;

 public:
  std::optional<T> try_pop() const noexcept { return target().try_pop(); }
  bool try_pop(T& out) const noexcept { return target().try_pop(out); }
  template <class OutIt>
  requires requires(Queue& q, OutIt out) { q.try_pop_n(out, std::size_t{}); }
  std::size_t try_pop_n(OutIt out, std::size_t n) const
      noexcept(noexcept(std::declval<Queue&>().try_pop_n(out, n))) {
    return target().try_pop_n(std::move(out), n);
  }
  std::optional<T> pop() const noexcept { return target().pop(); }
  template <class Rep, class Period>
  std::optional<T> try_pop_for(const std::chrono::duration<Rep, Period>& timeout) const noexcept {
    return target().try_pop_for(timeout);
  }
  template <class Clock, class Duration>
  std::optional<T> try_pop_until(
      const std::chrono::time_point<Clock, Duration>& deadline) const noexcept {
    return target().try_pop_until(deadline);
  }

 private:
  auto& target() const noexcept { return static_cast<const Handle&>(*this).queue(); }
};
}  // namespace mpmc::detail
