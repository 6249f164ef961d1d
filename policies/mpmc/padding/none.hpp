// padding::none: dense slots, each only as large as its sequence word and its
// element need. The default: the smallest footprint, which keeps a queue in
// the caches closest to the core. Neighbouring positions share lines; padding::interleaved or
// padding::cache_line avoid that where many cores hammer one queue.
#pragma once

#include <mpmc/padding/align_to.hpp>

namespace mpmc::padding {

using none = align_to<1>;

}  // namespace mpmc::padding
