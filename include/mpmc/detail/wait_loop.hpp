// How a blocking operation waits: retry, paced by the backoff policy, for the
// wait policy's spin budget; then call the wait policy's idle action before
// each further retry. The policies decide *when*; the backend primitives they
// call decide *how*.
#pragma once

#include <mpmc/concepts.hpp>

#include <cstdint>

namespace mpmc::detail {

// Calls `attempt` until it returns something that converts to true, and
// returns that. `attempt` must have no effect when it fails (it must not claim
// anything), so that it can be retried any number of times.
template <backoff_policy Backoff, wait_policy Wait, class Attempt>
auto wait_loop(Attempt&& attempt) noexcept(noexcept(attempt())) -> decltype(attempt()) {
  Backoff backoff{};
  std::uint32_t rounds = 0;
  for (;;) {
    if (auto result = attempt()) return result;
    if (rounds < Wait::spin_limit) {
      ++rounds;
      backoff();
    } else {
      Wait::idle();
    }
  }
}

}  // namespace mpmc::detail
