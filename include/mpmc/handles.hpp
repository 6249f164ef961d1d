// producer<Q> and consumer<Q>: one side of a shared queue each. A handle is a copyable view that
// keeps the queue alive and exposes only its side's operations, so a function that takes a consumer
// cannot push. Handles forward to the queue and never close it (unlike channel.hpp's).
#pragma once

#include <mpmc/detail/side_operations.hpp>
#include <mpmc/queue.hpp>

#include <memory>
#include <stdexcept>
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
  std::shared_ptr<Q> queue_;
};
}  // namespace detail

template <class Q>
class producer : public detail::handle_base<Q>, public detail::push_operations<producer<Q>, Q> {
  friend class detail::push_operations<producer<Q>, Q>;

 public:
  using detail::handle_base<Q>::handle_base;
};

template <class Q>
class consumer : public detail::handle_base<Q>, public detail::pop_operations<consumer<Q>, Q> {
  friend class detail::pop_operations<consumer<Q>, Q>;

 public:
  using detail::handle_base<Q>::handle_base;
};
}  // namespace mpmc
