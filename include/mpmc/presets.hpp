// Ready-made policy mixes. Each is an ordinary queue type, so `::with<...>` swaps any of its
// policies: `mpmc::spinning_queue<T>::with<capacity::fixed<64>>`.
#pragma once

#include <mpmc/backoff/exponential.hpp>
#include <mpmc/backoff/pause.hpp>
#include <mpmc/queue.hpp>
#include <mpmc/wait/futex.hpp>
#include <mpmc/wait/spin.hpp>
#include <mpmc/wait/yield.hpp>

namespace mpmc {
// Never leaves the CPU: lowest latency when every thread has a core, a poor choice otherwise.
template <class T>
using spinning_queue = queue<T, backoff::pause, wait::spin>;

// Spins briefly, then yields between attempts: stays usable when threads outnumber cores.
template <class T>
using yielding_queue = queue<T, backoff::exponential, wait::yield>;

// Spins, yields, then sleeps on a futex. Linux only, where it is the same type as `queue<T>`.
template <class T>
using parking_queue = queue<T, backoff::pause, wait::futex>;
}  // namespace mpmc
