// backoff::none: retry at once: least latency when the partner is about to finish, most traffic.
#pragma once

#include <mpmc/policy.hpp>

namespace mpmc::backoff {
struct none {
  using category = tag::backoff;
  void operator()() noexcept {}
};
}  // namespace mpmc::backoff
