// close(): pushes fail with their argument untouched, pops drain then report
// the end, every blocked thread wakes, and a close in the middle of a run
// loses nothing that a push reported as sent. For every wait policy.
#include "support/mixes.hpp"
#include "support/run_threads.hpp"

#include <mpmc/mpmc.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

namespace {

using namespace mpmc::test;
using namespace std::chrono_literals;

template <class Mix>
class QueueClose : public ::testing::Test {};
TYPED_TEST_SUITE(QueueClose, wait_mixes, wait_mix_names);

TYPED_TEST(QueueClose, PushesFailAndPopsDrainAfterClose) {
  typename TypeParam::template queue<std::unique_ptr<int>> q(4);
  ASSERT_TRUE(q.push(std::make_unique<int>(1)));
  ASSERT_TRUE(q.try_push(std::make_unique<int>(2)));
  EXPECT_FALSE(q.closed());
  q.close();
  EXPECT_TRUE(q.closed());
  q.close();  // idempotent
  EXPECT_TRUE(q.closed());

  auto v = std::make_unique<int>(3);
  EXPECT_FALSE(q.try_push(std::move(v)));
  EXPECT_FALSE(q.push(std::move(v)));
  EXPECT_FALSE(q.emplace(std::move(v)));
  EXPECT_FALSE(q.try_emplace(std::move(v)));
  EXPECT_FALSE(q.try_push_for(std::move(v), 1ms));
  ASSERT_NE(v, nullptr) << "a push refused by a closed queue moved from its argument";
  EXPECT_EQ(*v, 3);

  EXPECT_EQ(q.size(), 2u);
  auto a = q.pop();
  ASSERT_TRUE(a && *a);
  EXPECT_EQ(**a, 1);
  auto b = q.try_pop();
  ASSERT_TRUE(b && *b);
  EXPECT_EQ(**b, 2);
  EXPECT_FALSE(q.pop().has_value()) << "pop on a closed, drained queue must end";
  EXPECT_FALSE(q.try_pop().has_value());
  EXPECT_FALSE(q.try_pop_for(10s).has_value()) << "a timed pop on a drained queue must not wait";
}

TYPED_TEST(QueueClose, CloseWakesABlockedPop) {
  typename TypeParam::template queue<int> q(4);
  std::atomic<bool> returned{false};
  std::optional<int> got = 7;
  std::thread consumer([&] {
    got = q.pop();
    returned = true;
  });
  // Give the consumer time to block (and park); correctness does not depend
  // on it, the test's purpose does.
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(returned.load());
  q.close();
  consumer.join();
  EXPECT_FALSE(got.has_value());
}

TYPED_TEST(QueueClose, CloseWakesABlockedPush) {
  typename TypeParam::template queue<int> q(1);
  ASSERT_TRUE(q.push(1));
  std::atomic<int> result{-1};
  std::thread producer([&] { result = q.push(2) ? 1 : 0; });
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(result.load(), -1) << "push into a full queue returned early";
  q.close();
  producer.join();
  EXPECT_EQ(result.load(), 0) << "a push blocked at close must fail";
  EXPECT_EQ(q.pop(), std::optional<int>(1));
  EXPECT_FALSE(q.pop().has_value());
}

TYPED_TEST(QueueClose, CloseWakesEveryBlockedThread) {
  typename TypeParam::template queue<int> q(2);
  std::atomic<int> ended{0};
  std::vector<std::thread> consumers;
  for (int i = 0; i != 6; ++i) {
    consumers.emplace_back([&] {
      while (q.pop()) {
      }
      ++ended;
    });
  }
  std::this_thread::sleep_for(50ms);
  q.close();
  for (auto& t : consumers) t.join();
  EXPECT_EQ(ended.load(), 6);
}

// A push that claimed its slot before close() publishes after it: its
// element is delivered, and every other blocked pop still ends once the queue
// is drained (that publish wakes one consumer, and close() had come first).
TYPED_TEST(QueueClose, APushFinishingAfterCloseLetsEveryBlockedPopEnd) {
  struct slow {
    int v;
    explicit slow(int x) noexcept : v(x) {}
    slow(slow&& other) noexcept : v(other.v) {
      if (v == 1) std::this_thread::sleep_for(200ms);  // written into its slot slowly
    }
  };
  typename TypeParam::template queue<slow> q(4);
  std::atomic<int> ended{0}, got{0};
  std::vector<std::thread> consumers;
  for (int i = 0; i != 3; ++i)
    consumers.emplace_back([&] {
      while (q.pop()) ++got;
      ++ended;
    });
  std::this_thread::sleep_for(50ms);  // the consumers block on an empty queue
  std::thread producer([&] { EXPECT_TRUE(q.push(slow(1))); });
  std::this_thread::sleep_for(50ms);  // the push has claimed its slot and is writing
  q.close();
  producer.join();
  for (auto& t : consumers) t.join();
  EXPECT_EQ(got.load(), 1);
  EXPECT_EQ(ended.load(), 3);
}

TYPED_TEST(QueueClose, CloseDuringFourByFourDeliversEverySuccessfulPushExactlyOnce) {
  typename TypeParam::template queue<std::uint64_t> q(16);
  run_until_closed(q, 4, 4, 20'000 / sanitizer_slowdown);
}

}  // namespace
