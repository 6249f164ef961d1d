// wait::futex: spin briefly, then sleep on a Linux futex. The fastest
// parking policy; Linux only (elsewhere using it fails to compile with a
// message naming wait::atomic_wait, the portable choice).
#pragma once

#include <mpmc/backend/linux_futex.hpp>
#include <mpmc/wait/park.hpp>

namespace mpmc::wait {

using futex = park<backend::linux_futex>;

}  // namespace mpmc::wait
