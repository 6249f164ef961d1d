// Parking across processes: the Linux futex without FUTEX_PRIVATE_FLAG, so a wake reaches a waiter
// in any process that maps the word (a queue in shared memory). Its waiters and notifiers may be
// in different processes, so it names symmetric_fence for the event count's fence pair:
// membarrier(PRIVATE_EXPEDITED) reaches only the caller's own threads (docs/design.md, Across
// processes).
#pragma once

#include <mpmc/backend/linux_futex.hpp>
#include <mpmc/backend/symmetric_fence.hpp>

namespace mpmc::backend {
#if defined(__linux__)
struct shared_futex : basic_futex<true> {
  using fence = symmetric_fence;
  static constexpr bool process_shared = true;  // mpmc::shm::queue accepts it
};
#else
namespace detail {
template <class = void>
struct shared_futex_unavailable {
  static_assert(sizeof(shared_futex_unavailable*) == 0,
                "mpmc::wait::shared_futex: parking across processes needs Linux (a shared futex); "
                "no other backend reaches another process");
};
}  // namespace detail
using shared_futex = detail::shared_futex_unavailable<>;
#endif
}  // namespace mpmc::backend
