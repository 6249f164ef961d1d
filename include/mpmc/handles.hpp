// producer<Q> and consumer<Q>: one side of a shared queue each, the seed's
// `Producer::new(Arc::clone(&queue))`. A handle is a copyable view that keeps
// the queue alive and exposes only its side's operations, so a function that
// takes a consumer cannot push.
//
//     auto q = std::make_shared<mpmc::queue<Job>>(1024);
//     mpmc::producer<mpmc::queue<Job>> tx(q);
//     mpmc::consumer<mpmc::queue<Job>> rx(q);
//
// Handles add no synchronization of their own: they forward to the queue.
// Unlike channel handles (channel.hpp), they never close the queue.
#pragma once

#include <mpmc/queue.hpp>

#include <chrono>
#include <concepts>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>

namespace mpmc {

namespace detail {
// What the two handle kinds share: ownership of the queue and its sizes.
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
  std::shared_ptr<Q> queue_;
};
}  // namespace detail

template <class Q>
class producer : public detail::handle_base<Q> {
  using base = detail::handle_base<Q>;
  using T = typename Q::value_type;

 public:
  using base::base;

  bool try_push(const T& value) const { return this->queue().try_push(value); }
  bool try_push(T&& value) const noexcept { return this->queue().try_push(std::move(value)); }
  template <class... Args>
  requires std::constructible_from<T, Args...>
  bool try_emplace(Args&&... args) const {
    return this->queue().try_emplace(std::forward<Args>(args)...);
  }
  bool push(const T& value) const { return this->queue().push(value); }
  bool push(T&& value) const noexcept { return this->queue().push(std::move(value)); }
  template <class... Args>
  requires std::constructible_from<T, Args...>
  bool emplace(Args&&... args) const { return this->queue().emplace(std::forward<Args>(args)...); }
  template <class V, class Rep, class Period>
  requires std::same_as<std::remove_cvref_t<V>, T>
  bool try_push_for(V&& value, const std::chrono::duration<Rep, Period>& timeout) const {
    return this->queue().try_push_for(std::forward<V>(value), timeout);
  }
  template <class V, class Clock, class Duration>
  requires std::same_as<std::remove_cvref_t<V>, T>
  bool try_push_until(V&& value, const std::chrono::time_point<Clock, Duration>& deadline) const {
    return this->queue().try_push_until(std::forward<V>(value), deadline);
  }
};

template <class Q>
class consumer : public detail::handle_base<Q> {
  using base = detail::handle_base<Q>;
  using T = typename Q::value_type;

 public:
  using base::base;

  std::optional<T> try_pop() const noexcept { return this->queue().try_pop(); }
  bool try_pop(T& out) const noexcept { return this->queue().try_pop(out); }
  std::optional<T> pop() const noexcept { return this->queue().pop(); }
  template <class Rep, class Period>
  std::optional<T> try_pop_for(const std::chrono::duration<Rep, Period>& timeout) const noexcept {
    return this->queue().try_pop_for(timeout);
  }
  template <class Clock, class Duration>
  std::optional<T> try_pop_until(
      const std::chrono::time_point<Clock, Duration>& deadline) const noexcept {
    return this->queue().try_pop_until(deadline);
  }
};

}  // namespace mpmc
