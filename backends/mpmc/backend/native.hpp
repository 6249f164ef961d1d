// The parking backend this platform does best: the futex on Linux, C++20's
// std::atomic::wait elsewhere. The default wait policy parks on it.
#pragma once

#if defined(__linux__)
#include <mpmc/backend/linux_futex.hpp>
#else
#include <mpmc/backend/atomic_wait.hpp>
#endif

namespace mpmc::backend {

#if defined(__linux__)
using native = linux_futex;
#else
using native = atomic_wait;
#endif

}  // namespace mpmc::backend
