// Timed operations for every wait policy: they give up at their deadline
// (not much later), leave their argument and the queue untouched, and
// succeed when a partner makes room or an element in time.
#include "support/mixes.hpp"

#include <mpmc/mpmc.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>

namespace {

using namespace mpmc::test;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

template <class Mix>
class QueueTimed : public ::testing::Test {};
TYPED_TEST_SUITE(QueueTimed, wait_mixes, wait_mix_names);

// Generous upper bound: the machine is shared and oversubscribed at times;
// the point is that the call returns, not how promptly.
constexpr auto slack = 2s;

TYPED_TEST(QueueTimed, PopTimesOutOnAnEmptyQueue) {
  typename TypeParam::template queue<int> q(4);
  const auto start = steady::now();
  EXPECT_FALSE(q.try_pop_for(30ms).has_value());
  const auto took = steady::now() - start;
  EXPECT_GE(took, 30ms);
  EXPECT_LT(took, 30ms + slack);

  const auto until = steady::now() + 20ms;
  EXPECT_FALSE(q.try_pop_until(until).has_value());
  EXPECT_GE(steady::now(), until);

  // The queue is untouched and usable.
  EXPECT_TRUE(q.empty());
  ASSERT_TRUE(q.try_push(5));
  EXPECT_EQ(q.try_pop_for(0ms), std::optional<int>(5));
}

TYPED_TEST(QueueTimed, PushTimesOutOnAFullQueueAndLeavesItsArgument) {
  typename TypeParam::template queue<std::unique_ptr<int>> q(1);
  ASSERT_TRUE(q.push(std::make_unique<int>(1)));
  auto v = std::make_unique<int>(2);
  const auto start = steady::now();
  EXPECT_FALSE(q.try_push_for(std::move(v), 30ms));
  const auto took = steady::now() - start;
  EXPECT_GE(took, 30ms);
  EXPECT_LT(took, 30ms + slack);
  ASSERT_NE(v, nullptr) << "a timed-out push moved from its argument";
  EXPECT_FALSE(q.try_push_until(std::move(v), std::chrono::system_clock::now() + 10ms));
  ASSERT_NE(v, nullptr);

  // Nothing was claimed: the queue holds exactly its one element, in order.
  EXPECT_EQ(q.size(), 1u);
  auto first = q.try_pop();
  ASSERT_TRUE(first && *first);
  EXPECT_EQ(**first, 1);
  EXPECT_TRUE(q.try_push_for(std::move(v), 0ms));
  auto second = q.pop();
  ASSERT_TRUE(second && *second);
  EXPECT_EQ(**second, 2);
}

TYPED_TEST(QueueTimed, ADeadlineInThePastStillTakesWhatIsReady) {
  typename TypeParam::template queue<int> q(2);
  ASSERT_TRUE(q.try_push_until(1, steady::now() - 1s));
  EXPECT_EQ(q.try_pop_until(steady::now() - 1s), std::optional<int>(1));
  EXPECT_FALSE(q.try_pop_until(steady::now() - 1s).has_value());
}

TYPED_TEST(QueueTimed, PopSucceedsWhenAnElementArrivesInTime) {
  typename TypeParam::template queue<int> q(2);
  std::thread producer([&] {
    std::this_thread::sleep_for(20ms);
    q.push(42);
  });
  EXPECT_EQ(q.try_pop_for(60s), std::optional<int>(42));
  producer.join();
}

TYPED_TEST(QueueTimed, PushSucceedsWhenRoomAppearsInTime) {
  typename TypeParam::template queue<int> q(1);
  ASSERT_TRUE(q.push(1));
  std::thread consumer([&] {
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(q.pop(), std::optional<int>(1));
  });
  EXPECT_TRUE(q.try_push_for(2, 60s));
  consumer.join();
  EXPECT_EQ(q.pop(), std::optional<int>(2));
}

TYPED_TEST(QueueTimed, HugeTimeoutsDoNotOverflow) {
  typename TypeParam::template queue<int> q(1);
  ASSERT_TRUE(q.try_push_for(1, std::chrono::hours::max()));
  EXPECT_EQ(q.try_pop_for(std::chrono::nanoseconds::max()), std::optional<int>(1));
}

// A timed push takes what try_push takes: a T, an lvalue (copied, left as it
// was), a value that converts to T, or a braced list that builds one; through
// a producer handle too.
TEST(QueueTimedArguments, TakeLvaluesConversionsAndBracedLists) {
  using pair = std::pair<int, std::string>;
  auto q = std::make_shared<mpmc::queue<pair>>(8);
  const pair kept{1, "one"};
  ASSERT_TRUE(q->try_push_for(kept, 1ms));
  EXPECT_EQ(kept.second, "one");
  ASSERT_TRUE(q->try_push_for({2, "two"}, 1ms));
  ASSERT_TRUE(q->try_push_until({3, "three"}, steady::now() + 1ms));
  ASSERT_TRUE(q->try_push_for(std::pair<int, const char*>(4, "four"), 1ms));
  const mpmc::producer<mpmc::queue<pair>> tx(q);
  ASSERT_TRUE(tx.try_push_for({5, "five"}, 1ms));
  ASSERT_TRUE(tx.try_push_until(kept, steady::now() + 1ms));
  for (const char* want : {"one", "two", "three", "four", "five", "one"})
    EXPECT_EQ(q->try_pop().value().second, want);

  mpmc::queue<std::string> strings(1);
  ASSERT_TRUE(strings.try_push_for("literal", 1ms));
  EXPECT_EQ(strings.try_pop(), std::optional<std::string>("literal"));
}

}  // namespace
