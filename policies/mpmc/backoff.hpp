// Backoff policies: what a thread does between two failed attempts, before the wait policy acts.
#pragma once

#include <mpmc/backend/cpu.hpp>
#include <mpmc/concepts.hpp>

#include <cstdint>

namespace mpmc::backoff {
// Retry at once: least latency when the partner is about to finish, most traffic.
struct none {
  using category = tag::backoff;
  void operator()() noexcept {}
};

// One relax instruction between attempts (backend/cpu.hpp says what it does). The default.
struct pause {
  using category = tag::backoff;
  void operator()() noexcept { backend::cpu_relax(); }
};

// Yield between attempts: a syscall each, worth it only if threads outnumber cores.
struct yield {
  using category = tag::backoff;
  void operator()() noexcept { backend::thread_yield(); }
};

// Runs of relax instructions that double after each failed attempt, from Min up to Max, so
// contending threads spread out in time instead of retrying one line together.
template <std::uint32_t Min, std::uint32_t Max>
struct basic_exponential {
  static_assert(Min >= 1, "mpmc::backoff::basic_exponential<Min, Max>: Min must be at least 1");
  static_assert(Min <= Max, "mpmc::backoff::basic_exponential<Min, Max>: Min must not exceed Max");
  using category = tag::backoff;
  void operator()() noexcept {
    for (std::uint32_t i = 0; i != run_; ++i) backend::cpu_relax();
    run_ = run_ < Max / 2 ? run_ * 2 : Max;
  }

 private:
  std::uint32_t run_ = Min;
};

// Up to 32 relaxes: long enough for a contended line to settle, short next to a time slice.
using exponential = basic_exponential<1, 32>;
}  // namespace mpmc::backoff
