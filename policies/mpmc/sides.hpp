// Side policies: whether many threads, or one at a time, push (producers::) or pop (consumers::).
// A lone side takes its positions with a plain store; two threads at once on it are an undetected
// data race. A synchronized hand-over from one thread to another is fine.
#pragma once

#include <mpmc/concepts.hpp>

namespace mpmc::producers {
struct many {  // the default
  using category = tag::producers;
  static constexpr bool exclusive = false;
};
// close() still works from any thread: a racing push either gets in or fails.
struct single {
  using category = tag::producers;
  static constexpr bool exclusive = true;
};
}  // namespace mpmc::producers

namespace mpmc::consumers {
struct many {  // the default
  using category = tag::consumers;
  static constexpr bool exclusive = false;
};
struct single {
  using category = tag::consumers;
  static constexpr bool exclusive = true;
};
}  // namespace mpmc::consumers
