// backoff::yield: give the core away between attempts. Useful only where threads outnumber
// cores; with a core each it costs a syscall per attempt.
#pragma once

#include <mpmc/backend/cpu.hpp>
#include <mpmc/policy.hpp>

namespace mpmc::backoff {
struct yield {
  using category = tag::backoff;
  void operator()() noexcept { backend::thread_yield(); }
};
}  // namespace mpmc::backoff
