// padding::none, the default: dense slots; the smallest footprint stays in the nearest caches.
#pragma once

#include <mpmc/padding/align_to.hpp>

namespace mpmc::padding {
using none = align_to<1>;
}  // namespace mpmc::padding
