// padding::cache_line: each slot on a cache line of its own (the seed's
// layout). The default: under contention it keeps neighbouring slots from
// bouncing between cores. Use padding::align_to<128> where lines are 128 bytes
// (Apple M-series, POWER) or to defeat adjacent-line prefetch on x86.
#pragma once

#include <mpmc/backend/cpu.hpp>
#include <mpmc/padding/align_to.hpp>

namespace mpmc::padding {

using cache_line = align_to<backend::cache_line_size>;

}  // namespace mpmc::padding
