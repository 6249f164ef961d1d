// padding::cache_line: a line per slot, so neighbours never bounce between cores, at several times
// the memory. align_to<128> suits 128-byte lines, or defeats x86's adjacent-line prefetch.
#pragma once

#include <mpmc/backend/cpu.hpp>
#include <mpmc/padding/align_to.hpp>

namespace mpmc::padding {
using cache_line = align_to<backend::cache_line_size>;
}  // namespace mpmc::padding
