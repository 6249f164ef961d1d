// wait::condvar: spin briefly, then sleep on a mutex and condition variable.
// Portable with native deadlines; every wake takes a mutex, so it is the
// slowest of the parking policies.
#pragma once

#include <mpmc/backend/condvar.hpp>
#include <mpmc/wait/park.hpp>

namespace mpmc::wait {

using condvar = park<backend::condvar>;

}  // namespace mpmc::wait
