// Channels: a queue shared by counted sender and receiver handles.
//
//     auto [tx, rx] = mpmc::make_channel<Job>(1024);          // any queue policies:
//     auto [tx2, rx2] = mpmc::make_channel<Job, mpmc::wait::spin>(64);
//
// Handles are copied freely (each copy counts). When the last sender is
// destroyed the channel closes: receivers drain what is queued, then pop()
// returns std::nullopt. When the last receiver is destroyed, the channel
// closes too, so pushes fail (false, argument untouched) instead of filling
// a queue nobody reads. As with Go channels and crossbeam, shutdown needs no
// exceptions and no sentinel values. A moved-from handle counts for nothing
// and may only be destroyed or assigned to.
#pragma once

#include <mpmc/detail/side_operations.hpp>
#include <mpmc/queue.hpp>

#include <atomic>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace mpmc {

template <class Q>
class sender;
template <class Q>
class receiver;

namespace detail {
template <class Q>
struct channel_state {
  template <class... Args>
  explicit channel_state(Args&&... args) : queue(std::forward<Args>(args)...) {}
  Q queue;
  std::atomic<std::size_t> senders{1};
  std::atomic<std::size_t> receivers{1};
};

// Copy counts one more handle of a side; destruction of the last one closes
// the queue. Member pointer `Count` picks the side's counter.
template <class Q, std::atomic<std::size_t> channel_state<Q>::*Count>
class counted_handle {
 public:
  using queue_type = Q;
  using value_type = typename Q::value_type;
  using size_type = typename Q::size_type;

  explicit counted_handle(std::shared_ptr<channel_state<Q>> state) noexcept
      : state_(std::move(state)) {}
  counted_handle(const counted_handle& other) noexcept : state_(other.state_) {
    // relaxed: a copy is made from a live handle, so the count cannot reach
    // zero meanwhile; nothing is published through it (as in shared_ptr).
    if (state_) ((*state_).*Count).fetch_add(1, std::memory_order_relaxed);
  }
  counted_handle(counted_handle&&) noexcept = default;
  counted_handle& operator=(const counted_handle& other) noexcept {
    counted_handle copy(other);
    state_.swap(copy.state_);
    return *this;  // copy's destructor releases what this held
  }
  counted_handle& operator=(counted_handle&& other) noexcept {
    counted_handle moved(std::move(other));
    state_.swap(moved.state_);
    return *this;
  }
  ~counted_handle() {
    // acq_rel: the last handle's decrement acquires every other handle's
    // release, so all their pushes and pops happen before the close.
    if (state_ && ((*state_).*Count).fetch_sub(1, std::memory_order_acq_rel) == 1) {
      state_->queue.close();
      // claim::ticket: a sender blocked on a full queue holds a position
      // that close() cannot take back; with no receiver left to free its
      // slot it would wait forever. Draining frees them all (their elements
      // are dropped with the rest).
      if constexpr (Count == &channel_state<Q>::receivers && Q::config_type::claim::tickets)
        while (state_->queue.pop()) {
        }
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
  // Pushes fail (false, argument untouched) once no receiver is left.
  using detail::counted_handle<Q, &detail::channel_state<Q>::senders>::counted_handle;
};

template <class Q>
class receiver : public detail::counted_handle<Q, &detail::channel_state<Q>::receivers>,
                 public detail::pop_operations<receiver<Q>, Q> {
  friend class detail::pop_operations<receiver<Q>, Q>;

 public:
  // pop() returns std::nullopt once every sender is gone and nothing is left.
  using detail::counted_handle<Q, &detail::channel_state<Q>::receivers>::counted_handle;
};

// A channel over `queue<T, Policies...>`; `args` are the queue's constructor
// arguments (a capacity, or nothing for capacity::fixed<N>).
template <class T, class... Policies, class... Args>
std::pair<sender<queue<T, Policies...>>, receiver<queue<T, Policies...>>> make_channel(
    Args&&... args) {
  using Q = queue<T, Policies...>;
  auto state = std::make_shared<detail::channel_state<Q>>(std::forward<Args>(args)...);
  return {sender<Q>(state), receiver<Q>(std::move(state))};
}

}  // namespace mpmc
