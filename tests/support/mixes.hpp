// Policy mixes the typed test suites run over. A mix is a list of policies;
// `queue<T>` applies it to an element type.
#pragma once

#include <mpmc/backend/condvar.hpp>
#include <mpmc/mpmc.hpp>

#include <gtest/gtest.h>

#include <string>

namespace mpmc::test {

template <class... Policies>
struct mix {
  template <class T>
  using queue = mpmc::queue<T, Policies...>;
};

// Every backoff and wait policy, every padding, dynamic capacity.
using contract_mixes = ::testing::Types<
    mix<>,                                                                 // the defaults
    mix<padding::none, backoff::none, wait::spin>,                         // dense, raw spin
    mix<wait::spin, backoff::pause, padding::align_to<128>>,               // spinning preset, 128 B
    mix<backoff::yield, wait::yield>,                                      // yield everywhere
    mix<wait::basic_yield<0>, backoff::exponential, padding::cache_line>,  // yield at once
    mix<padding::interleaved, backoff::none, wait::spin>>;                 // interleaved

// One mix per wait policy, for the suites about blocking, closing and
// deadlines.
using wait_mixes = ::testing::Types<mix<wait::spin, backoff::pause>, mix<wait::yield>,
                                    mix<wait::futex>, mix<wait::atomic_wait>, mix<wait::condvar>>;

struct wait_mix_names {
  template <class Mix>
  static std::string GetName(int i) {
    static const char* const names[] = {"spin", "yield", "futex", "atomic_wait", "condvar"};
    return names[i];
  }
};

// Readable test names for the mixes above, in the same order.
struct contract_mix_names {
  template <class Mix>
  static std::string GetName(int i) {
    static const char* const names[] = {"defaults",    "dense_spin_none", "spin_pause_128",
                                        "yield_yield", "yield_at_once",   "interleaved"};
    return names[i];
  }
};

}  // namespace mpmc::test
