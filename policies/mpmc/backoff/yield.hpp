// backoff::yield: yield between attempts: a syscall each, worth it only if threads outnumber cores.
#pragma once

#include <mpmc/backend/cpu.hpp>
#include <mpmc/policy.hpp>

namespace mpmc::backoff {
struct yield {
  using category = tag::backoff;
  void operator()() noexcept { backend::thread_yield(); }
};
}  // namespace mpmc::backoff
