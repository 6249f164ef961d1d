// Producers and consumers running in parallel, for every wait policy, at 2x2,
// 4x4 and 8x8 threads (oversubscribed on a 2-core machine): every value
// delivered exactly once, each producer's values in order at each consumer,
// size() never above capacity().
#include "support/run_threads.hpp"

#include <mpmc/backend/condvar.hpp>
#include <mpmc/mpmc.hpp>
#include <mpmc/ranges.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

namespace {

using namespace mpmc::test;

template <class Q>
class QueueThreads : public ::testing::Test {};

using thread_queues = ::testing::Types<
    mpmc::spinning_queue<std::uint64_t>,  // spin + pause
    mpmc::yielding_queue<std::uint64_t>,  // yield
    mpmc::queue<std::uint64_t, mpmc::wait::spin, mpmc::backoff::exponential,
                mpmc::padding::none>,                                             // dense slots
    mpmc::queue<std::uint64_t, mpmc::wait::basic_yield<0>, mpmc::backoff::none>,  // yield at once
    mpmc::queue<std::uint64_t, mpmc::capacity::fixed<8>, mpmc::wait::yield>,      // fixed, small
    mpmc::parking_queue<std::uint64_t>,                                           // futex
    mpmc::queue<std::uint64_t, mpmc::wait::atomic_wait>,                          // atomic wait
    mpmc::queue<std::uint64_t, mpmc::wait::condvar, mpmc::padding::none>,         // condvar
    mpmc::queue<std::uint64_t, mpmc::wait::park<mpmc::backend::linux_futex, 0>>,  // park at once
    mpmc::queue<std::uint64_t, mpmc::padding::interleaved, mpmc::wait::yield>,    // interleaved
    mpmc::queue<std::uint64_t, mpmc::padding::interleaved, mpmc::capacity::fixed<4>,
                mpmc::wait::yield>,                   // interleaved, tiny ring
    mpmc::queue<std::uint64_t, mpmc::claim::ticket>,  // tickets, park
    mpmc::queue<std::uint64_t, mpmc::claim::ticket, mpmc::wait::condvar,
                mpmc::capacity::fixed<8>>>;  // tickets, condvar, several laps waited at once
struct thread_queue_names {
  template <class Q>
  static std::string GetName(int i) {
    static const char* const names[] = {
        "spinning",     "yielding",    "dense_spin",     "yield_at_once", "fixed8_yield",
        "futex",        "atomic_wait", "condvar",        "park_at_once",  "interleaved",
        "interleaved4", "ticket",      "ticket_condvar8"};
    return names[i];
  }
};
TYPED_TEST_SUITE(QueueThreads, thread_queues, thread_queue_names);

template <class Q>
Q make(std::size_t capacity) {
  if constexpr (Q::config_type::capacity::is_fixed) {
    (void)capacity;
    return Q();
  } else {
    return Q(capacity);
  }
}

// Spinning waiters hold their core for a whole time slice when oversubscribed,
// so the spinning mixes get fewer items at 8x8 to stay bounded in time.
template <class Q>
constexpr int scale = std::is_same_v<typename Q::config_type::wait, mpmc::wait::spin> ? 4 : 1;

TYPED_TEST(QueueThreads, TwoByTwo) {
  auto q = make<TypeParam>(16);
  run_and_check(q, 2, 2, 40'000 / sanitizer_slowdown, ops::blocking);
}

TYPED_TEST(QueueThreads, FourByFour) {
  auto q = make<TypeParam>(16);
  run_and_check(q, 4, 4, 10'000 / sanitizer_slowdown, ops::blocking);
}

TYPED_TEST(QueueThreads, EightByEight) {
  auto q = make<TypeParam>(16);
  run_and_check(q, 8, 8, 4'000 / sanitizer_slowdown / scale<TypeParam>, ops::blocking);
}

TYPED_TEST(QueueThreads, FourByFourNonBlocking) {
  auto q = make<TypeParam>(16);
  run_and_check(q, 4, 4, 10'000 / sanitizer_slowdown, ops::non_blocking);
}

TYPED_TEST(QueueThreads, CapacityOneEightByEight) {
  using one = typename TypeParam::template with<mpmc::capacity::dynamic>;
  one q(1);
  run_and_check(q, 8, 8, 1'000 / sanitizer_slowdown / scale<TypeParam>, ops::blocking);
}

TYPED_TEST(QueueThreads, OneProducerOneConsumerKeepsTotalOrder) {
  auto q = make<TypeParam>(16);
  run_and_check(q, 1, 1, 100'000 / sanitizer_slowdown, ops::blocking);
}

// A producer blocked on a full queue goes through as soon as a consumer
// frees one slot and stops, in every wait policy (wait::spin included, whose
// spin phase never ends) and with tickets. The same for a blocking range
// push.
template <class Q, class Push>
void check_blocked_push_takes_a_single_freed_slot(Push push) {
  auto q = make<Q>(256);
  const auto capacity = static_cast<std::uint64_t>(q.capacity());
  for (std::uint64_t v = 0; v != capacity; ++v) ASSERT_TRUE(q.try_push(v));
  std::atomic<bool> pushed{false};
  std::thread producer([&] {
    EXPECT_TRUE(push(q, capacity));
    pushed.store(true);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // blocked by now, most likely
  EXPECT_EQ(q.pop(), std::optional<std::uint64_t>(0));
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pushed.load() && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_TRUE(pushed.load()) << "the push did not take the one free slot within 10 s";
  // Every element is still there, in order, the blocked one last (popping
  // them also frees a stuck producer, so that the test ends either way).
  for (std::uint64_t v = 1; v <= capacity; ++v) EXPECT_EQ(q.pop(), std::optional<std::uint64_t>(v));
  producer.join();
}

TYPED_TEST(QueueThreads, BlockedPushTakesASingleFreedSlot) {
  check_blocked_push_takes_a_single_freed_slot<TypeParam>(
      [](TypeParam& q, std::uint64_t v) { return q.push(v); });
}

TYPED_TEST(QueueThreads, BlockedRangePushTakesASingleFreedSlot) {
  check_blocked_push_takes_a_single_freed_slot<TypeParam>([](TypeParam& q, std::uint64_t v) {
    const std::uint64_t one[] = {v};
    return q.push_range(one) == 1;
  });
}

}  // namespace
