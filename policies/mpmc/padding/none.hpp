// padding::none: dense slots, each only as large as its sequence word and its
// element need. Best for one producer and one consumer, or for small
// elements where memory and cache footprint matter more than false sharing.
#pragma once

#include <mpmc/padding/align_to.hpp>

namespace mpmc::padding {

using none = align_to<1>;

}  // namespace mpmc::padding
