// wait::futex: park<> on a Linux futex, the fastest parking policy. Linux only; elsewhere it fails
// to compile with a message naming wait::atomic_wait.
#pragma once

#include <mpmc/backend/linux_futex.hpp>
#include <mpmc/wait/park.hpp>

namespace mpmc::wait {
using futex = park<backend::linux_futex>;
}  // namespace mpmc::wait
