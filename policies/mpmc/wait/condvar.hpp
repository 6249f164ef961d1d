// wait::condvar: park<> on a mutex and condition variable. Portable with native deadlines; the
// slowest parking policy, since every wake takes the mutex.
#pragma once

#include <mpmc/backend/condvar.hpp>
#include <mpmc/wait/park.hpp>

namespace mpmc::wait {
using condvar = park<backend::condvar>;
}  // namespace mpmc::wait
