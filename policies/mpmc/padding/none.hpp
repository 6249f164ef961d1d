// padding::none: dense slots, only as large as turn word and element need. The default: the
// smallest footprint keeps a queue in the nearest caches.
#pragma once

#include <mpmc/padding/align_to.hpp>

namespace mpmc::padding {
using none = align_to<1>;
}  // namespace mpmc::padding
