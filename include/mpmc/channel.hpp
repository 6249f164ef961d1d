// Channels: a queue shared by counted sender and receiver handles (copies count), so that, as with
// Go channels, shutdown needs no sentinel values: `auto [tx, rx] = make_channel<Job>(1024);` When
// the last sender goes the channel closes: receivers drain what is queued, then pop() returns
// std::nullopt. When the last receiver goes, the values queued are destroyed at once and every
// later or blocked push fails (false, argument untouched), in every claim mode. A moved-from handle
// counts for nothing and may only be destroyed or assigned to.
#pragma once

#include <mpmc/detail/side_operations.hpp>
#include <mpmc/queue.hpp>

#include <atomic>
#include <cstddef>
#include <memory>
#include <utility>

namespace mpmc {
namespace detail {
struct queue_access {
  template <class Q>
  static void discard(Q& queue) noexcept {
    queue.discard();
  }
};

template <class Q>
struct channel_state {
  template <class... Args>
  explicit channel_state(Args&&... args) : queue(std::forward<Args>(args)...) {}
  Q queue;
  std::atomic<std::size_t> senders{1};
  std::atomic<std::size_t> receivers{1};
};

// A handle of the side whose counter `Count` points to; the last one destroyed closes the queue.
template <class Q, std::atomic<std::size_t> channel_state<Q>::*Count>
class counted_handle {
 public:
  using queue_type = Q;
  using value_type = typename Q::value_type;
  using size_type = typename Q::size_type;

  explicit counted_handle(std::shared_ptr<channel_state<Q>> state) noexcept
      : state_(std::move(state)) {}
  counted_handle(const counted_handle& other) noexcept : state_(other.state_) {
    // relaxed: copied from a live handle, so the count cannot reach zero meanwhile, and nothing is
    // published through it (as in shared_ptr).
    if (state_) ((*state_).*Count).fetch_add(1, std::memory_order_relaxed);
  }
  counted_handle(counted_handle&&) noexcept = default;
  // Copy or move, then swap: the parameter's destructor releases what this held.
  counted_handle& operator=(counted_handle other) noexcept {
    state_.swap(other.state_);
    return *this;
  }
  ~counted_handle() {
    // acq_rel: pairs with the other handles' decrements: each releases its handle's pushes and
    // pops, and the last acquires them all, so they happen before the close.
    if (state_ && ((*state_).*Count).fetch_sub(1, std::memory_order_acq_rel) == 1) {
      if constexpr (Count == &channel_state<Q>::receivers)
        queue_access::discard(state_->queue);
      else
        state_->queue.close();
    }
  }

  size_type capacity() const noexcept { return queue().capacity(); }
  size_type size() const noexcept { return queue().size(); }
  bool empty() const noexcept { return queue().empty(); }
  bool full() const noexcept { return queue().full(); }
  // True once every handle of one side is gone.
  bool closed() const noexcept { return queue().closed(); }

 protected:
  Q& queue() const noexcept { return state_->queue; }

 private:
  std::shared_ptr<channel_state<Q>> state_;
};
}  // namespace detail

template <class Q>
class sender : public detail::counted_handle<Q, &detail::channel_state<Q>::senders>,
               public detail::push_operations<sender<Q>, Q> {
  friend class detail::push_operations<sender<Q>, Q>;

 public:
  using detail::counted_handle<Q, &detail::channel_state<Q>::senders>::counted_handle;
};

template <class Q>
class receiver : public detail::counted_handle<Q, &detail::channel_state<Q>::receivers>,
                 public detail::pop_operations<receiver<Q>, Q> {
  friend class detail::pop_operations<receiver<Q>, Q>;

 public:
  using detail::counted_handle<Q, &detail::channel_state<Q>::receivers>::counted_handle;
};

// `args` are the queue's constructor arguments (nothing for capacity::fixed<N>).
template <class T, class... Policies, class... Args>
std::pair<sender<queue<T, Policies...>>, receiver<queue<T, Policies...>>> make_channel(
    Args&&... args) {
  using Q = queue<T, Policies...>;
  auto state = std::make_shared<detail::channel_state<Q>>(std::forward<Args>(args)...);
  return {sender<Q>(state), receiver<Q>(std::move(state))};
}
}  // namespace mpmc
