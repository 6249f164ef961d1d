// padding::cache_line: each slot on a cache line of its own. Under heavy contention on many cores
// it keeps neighbouring slots from bouncing between cores, at 4-8x the memory of dense slots (which
// is why it is not the default: 1024 padded slots do not stay in L1). Use padding::align_to<128>
// where lines are 128 bytes (Apple M-series, POWER) or to defeat adjacent-line prefetch on x86.
#pragma once

#include <mpmc/backend/cpu.hpp>
#include <mpmc/padding/align_to.hpp>

namespace mpmc::padding {

using cache_line = align_to<backend::cache_line_size>;

}  // namespace mpmc::padding
