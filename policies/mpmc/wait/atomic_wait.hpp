// wait::atomic_wait: park<> on std::atomic::wait. Portable C++20; timed waits poll.
#pragma once

#include <mpmc/backend/atomic_wait.hpp>
#include <mpmc/wait/park.hpp>

namespace mpmc::wait {
using atomic_wait = park<backend::atomic_wait>;
}  // namespace mpmc::wait
