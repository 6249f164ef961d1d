// The parking backend this platform does best, which the default wait policy uses.
#pragma once

#if defined(__linux__)
#include <mpmc/backend/linux_futex.hpp>
namespace mpmc::backend {
using native = linux_futex;
}  // namespace mpmc::backend
#else
#include <mpmc/backend/atomic_wait.hpp>
namespace mpmc::backend {
using native = atomic_wait;
}  // namespace mpmc::backend
#endif
