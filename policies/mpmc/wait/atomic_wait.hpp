// wait::atomic_wait: spin briefly, then sleep in std::atomic::wait. Portable
// C++20; timed operations poll (see backend/atomic_wait.hpp).
#pragma once

#include <mpmc/backend/atomic_wait.hpp>
#include <mpmc/wait/park.hpp>

namespace mpmc::wait {

using atomic_wait = park<backend::atomic_wait>;

}  // namespace mpmc::wait
