// Channels: a queue shared by counted sender and receiver handles (copies count), so that, as with
// Go channels, shutdown needs no sentinel values: `auto [tx, rx] = make_channel<Job>(1024);` When
// the last sender goes the channel closes: receivers drain what is queued, then pop() returns
// std::nullopt. When the last receiver goes, the values queued are destroyed at once and every
// later or blocked push fails (false, argument untouched), in every claim mode. A moved-from handle
// counts for nothing and may only be destroyed or assigned to.
//
// Each side's handles share their own control block (shared_ptr's aliasing constructor), whose
// deleter acts on the queue; its acq_rel count orders every push or pop through them before that.
#pragma once

#include <mpmc/handles.hpp>
#include <mpmc/queue.hpp>

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
  // A handle's queue, for <mpmc/asio.hpp>.
  template <class Q>
  static Q& queue_of(const handle_base<Q>& handle) noexcept {
    return handle.queue();
  }
  // The event count side S waits on (a parking queue only), for <mpmc/asio.hpp>'s waiter records.
  template <side S, class Q>
  static auto& event(Q& queue) noexcept {
    return queue.waiting_.template event<S>();
  }
  // A handle whose last copy runs `last` on the queue, which it keeps alive until then.
  template <class Handle, class Q, class Last>
  static Handle counted(const std::shared_ptr<Q>& queue, Last last) {
    std::shared_ptr<void> side(nullptr, [queue, last](std::nullptr_t) noexcept { last(*queue); });
    return Handle(std::shared_ptr<Q>(std::move(side), queue.get()));
  }
};
}  // namespace detail

template <class Q>
class sender : public producer<Q> {
  friend struct detail::queue_access;
  explicit sender(std::shared_ptr<Q> queue) : producer<Q>(std::move(queue)) {}
};

template <class Q>
class receiver : public consumer<Q> {
  friend struct detail::queue_access;
  explicit receiver(std::shared_ptr<Q> queue) : consumer<Q>(std::move(queue)) {}
};

// `args` are the queue's constructor arguments (nothing for capacity::fixed<N>).
template <class T, class... Policies, class... Args>
std::pair<sender<queue<T, Policies...>>, receiver<queue<T, Policies...>>> make_channel(
    Args&&... args) {
  using Q = queue<T, Policies...>;
  using access = detail::queue_access;
  const auto queue = std::make_shared<Q>(std::forward<Args>(args)...);
  return {access::counted<sender<Q>>(queue, [](Q& q) noexcept { q.close(); }),
          access::counted<receiver<Q>>(queue, [](Q& q) noexcept { access::discard(q); })};
}
}  // namespace mpmc
