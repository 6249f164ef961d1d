// producer<Q> and consumer<Q>: one side of a shared queue each. A handle is a copyable view that
// keeps the queue alive and exposes only its side's operations, so a function that takes a consumer
// cannot push. These handles never close the queue; channel.hpp's sender and receiver do.
#pragma once

#include <mpmc/detail/chrono.hpp>
#include <mpmc/queue.hpp>

#include <concepts>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace mpmc {
namespace detail {
template <class Q>
class handle_base {
 public:
  using queue_type = Q;
  using value_type = typename Q::value_type;
  using size_type = typename Q::size_type;

  // Throws std::invalid_argument for a null queue, so a handle always works.
  explicit handle_base(std::shared_ptr<Q> queue) : queue_(std::move(queue)) {
    if (!queue_) throw std::invalid_argument("mpmc::producer/consumer: the queue is null");
  }
  size_type capacity() const noexcept { return queue_->capacity(); }
  size_type size() const noexcept { return queue_->size(); }
  bool empty() const noexcept { return queue_->empty(); }
  bool full() const noexcept { return queue_->full(); }
  bool closed() const noexcept { return queue_->closed(); }

 protected:
  Q& queue() const noexcept { return *queue_; }

 private:
  friend struct queue_access;  // channel.hpp
  std::shared_ptr<Q> queue_;
};
}  // namespace detail

template <class Q>
class producer : public detail::handle_base<Q> {
  using T = typename Q::value_type;
  static constexpr bool nothrow_copy = std::is_nothrow_copy_constructible_v<T>;
  using detail::handle_base<Q>::queue;

 public:
  using detail::handle_base<Q>::handle_base;

  bool try_push(const T& value) const noexcept(nothrow_copy) { return queue().try_push(value); }
  bool try_push(T&& value) const noexcept { return queue().try_push(std::move(value)); }
  template <class... Args>
  requires std::constructible_from<T, Args...>
  bool try_emplace(Args&&... args) const noexcept(std::is_nothrow_constructible_v<T, Args...>) {
    return queue().try_emplace(std::forward<Args>(args)...);
  }
  bool push(const T& value) const noexcept(nothrow_copy) { return queue().push(value); }
  bool push(T&& value) const noexcept { return queue().push(std::move(value)); }
  template <class... Args>
  requires std::constructible_from<T, Args...>
  bool emplace(Args&&... args) const noexcept(std::is_nothrow_constructible_v<T, Args...>) {
    return queue().emplace(std::forward<Args>(args)...);
  }
  template <class R>
  requires requires(Q& q, R&& r) { q.try_push_range(std::forward<R>(r)); }
  std::size_t try_push_range(R&& r) const { return queue().try_push_range(std::forward<R>(r)); }
  template <class R>
  requires requires(Q& q, R&& r) { q.push_range(std::forward<R>(r)); }
  std::size_t push_range(R&& r) const { return queue().push_range(std::forward<R>(r)); }
  template <class U = T, class Rep, class Period>
  requires std::convertible_to<U, T>
  bool try_push_for(U&& value, const std::chrono::duration<Rep, Period>& timeout) const
      noexcept(std::is_nothrow_constructible_v<T, U>) {
    return queue().try_push_for(std::forward<U>(value), timeout);
  }
  template <class U = T, class Clock, class Duration>
  requires std::convertible_to<U, T>
  bool try_push_until(U&& value, const std::chrono::time_point<Clock, Duration>& deadline) const
      noexcept(std::is_nothrow_constructible_v<T, U>) {
    return queue().try_push_until(std::forward<U>(value), deadline);
  }
};

template <class Q>
class consumer : public detail::handle_base<Q> {
  using T = typename Q::value_type;
  using detail::handle_base<Q>::queue;

 public:
  using detail::handle_base<Q>::handle_base;

  std::optional<T> try_pop() const noexcept { return queue().try_pop(); }
  bool try_pop(T& out) const noexcept { return queue().try_pop(out); }
  template <class OutIt>
  requires requires(Q& q, OutIt out) { q.try_pop_n(out, std::size_t{}); }
  std::size_t try_pop_n(OutIt out, std::size_t n) const
      noexcept(noexcept(std::declval<Q&>().try_pop_n(out, n))) {
    return queue().try_pop_n(std::move(out), n);
  }
  std::optional<T> pop() const noexcept { return queue().pop(); }
  template <class Rep, class Period>
  std::optional<T> try_pop_for(const std::chrono::duration<Rep, Period>& timeout) const noexcept {
    return queue().try_pop_for(timeout);
  }
  template <class Clock, class Duration>
  std::optional<T> try_pop_until(
      const std::chrono::time_point<Clock, Duration>& deadline) const noexcept {
    return queue().try_pop_until(deadline);
  }
};
}  // namespace mpmc
