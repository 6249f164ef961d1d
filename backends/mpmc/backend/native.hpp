// The parking backend this platform does best, which the default wait policy uses.
#pragma once

#include <mpmc/backend/atomic_wait.hpp>
#include <mpmc/backend/linux_futex.hpp>

namespace mpmc::backend {
#if defined(__linux__)
using native = linux_futex;
#else
using native = atomic_wait;
#endif
}  // namespace mpmc::backend
