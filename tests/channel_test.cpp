// Handles and channels: producer/consumer expose one side each and share the
// queue; channel senders and receivers count themselves, and the last of a
// side closes the channel.
#include "support/tracked.hpp"

#include <mpmc/channel.hpp>
#include <mpmc/handles.hpp>
#include <mpmc/mpmc.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <vector>

namespace {

using namespace std::chrono_literals;
using Q = mpmc::queue<int>;

// Each handle offers its own side only.
template <class H>
concept can_push = requires(H h) {
  h.push(1);
};
template <class H>
concept can_pop = requires(H h) {
  h.pop();
};
static_assert(can_push<mpmc::producer<Q>> && !can_pop<mpmc::producer<Q>>);
static_assert(can_pop<mpmc::consumer<Q>> && !can_push<mpmc::consumer<Q>>);
static_assert(can_push<mpmc::sender<Q>> && !can_pop<mpmc::sender<Q>>);
static_assert(can_pop<mpmc::receiver<Q>> && !can_push<mpmc::receiver<Q>>);
// Only make_channel makes counted handles: one wrapped around any queue would
// never close it.
static_assert(!std::is_constructible_v<mpmc::sender<Q>, std::shared_ptr<Q>>);
static_assert(!std::is_constructible_v<mpmc::receiver<Q>, std::shared_ptr<Q>>);

TEST(Handles, ShareOneQueueAndKeepItAlive) {
  auto q = std::make_shared<Q>(4);
  mpmc::producer<Q> tx(q);
  mpmc::consumer<Q> rx(q);
  q.reset();  // the handles own it now
  mpmc::producer<Q> tx2 = tx;
  EXPECT_EQ(tx.capacity(), 4u);
  ASSERT_TRUE(tx.push(1));
  ASSERT_TRUE(tx2.try_push(2));
  ASSERT_TRUE(tx.try_emplace(3));
  ASSERT_TRUE(tx2.try_push_for(4, 1ms));
  EXPECT_TRUE(rx.full());
  EXPECT_FALSE(tx.try_push_until(5, std::chrono::steady_clock::now() + 1ms));
  EXPECT_EQ(rx.size(), 4u);
  EXPECT_EQ(rx.pop(), std::optional<int>(1));
  EXPECT_EQ(rx.try_pop(), std::optional<int>(2));
  int v = 0;
  EXPECT_TRUE(rx.try_pop(v));
  EXPECT_EQ(v, 3);
  EXPECT_EQ(rx.try_pop_for(1ms), std::optional<int>(4));
  EXPECT_FALSE(rx.try_pop_until(std::chrono::steady_clock::now() + 1ms).has_value());
  EXPECT_TRUE(rx.empty());
  EXPECT_FALSE(rx.closed()) << "plain handles never close the queue";
}

TEST(Handles, RejectANullQueue) {
  EXPECT_THROW(mpmc::producer<Q>(nullptr), std::invalid_argument);
  EXPECT_THROW(mpmc::consumer<Q>(std::shared_ptr<Q>()), std::invalid_argument);
}

TEST(Channel, LastSenderGoneClosesAfterTheQueueDrains) {
  auto [tx, rx] = mpmc::make_channel<int>(8);
  {
    auto tx2 = tx;  // a second sender
    ASSERT_TRUE(tx2.push(1));
  }
  EXPECT_FALSE(rx.closed()) << "one sender is still alive";
  ASSERT_TRUE(tx.push(2));
  { auto gone = std::move(tx); }  // the last sender
  EXPECT_TRUE(rx.closed());
  EXPECT_EQ(rx.pop(), std::optional<int>(1));
  EXPECT_EQ(rx.pop(), std::optional<int>(2));
  EXPECT_FALSE(rx.pop().has_value());
}

TEST(Channel, LastReceiverGoneMakesPushesFailWithArgumentsUntouched) {
  auto [tx, rx] = mpmc::make_channel<std::unique_ptr<int>>(8);
  auto rx2 = rx;
  { auto gone = std::move(rx); }
  auto v = std::make_unique<int>(7);
  ASSERT_TRUE(tx.push(std::make_unique<int>(1))) << "one receiver is still alive";
  { auto gone = std::move(rx2); }
  EXPECT_FALSE(tx.push(std::move(v)));
  EXPECT_FALSE(tx.try_push(std::move(v)));
  EXPECT_FALSE(tx.try_push_for(std::move(v), 1ms));
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(*v, 7);
}

TEST(Channel, AssignmentAndMovesKeepTheCountsRight) {
  auto [tx, rx] = mpmc::make_channel<int>(4);
  auto [other_tx, other_rx] = mpmc::make_channel<int>(4);
  mpmc::sender<Q> a = tx;  // first channel: 2 senders
  a = other_tx;            // first: 1 (tx); second: 2 (other_tx, a)
  { auto gone = std::move(other_tx); }
  EXPECT_FALSE(other_rx.closed()) << "'a' still holds a sender of the second channel";
  a = std::move(tx);  // 'a' lets go of the second channel and takes the first's only sender
  EXPECT_TRUE(other_rx.closed());
  EXPECT_FALSE(rx.closed());
  auto& same = a;
  a = same;  // self-assignment keeps the count
  EXPECT_FALSE(rx.closed());
  { auto gone = std::move(a); }
  EXPECT_TRUE(rx.closed());
  EXPECT_FALSE(rx.pop().has_value());
}

TEST(Channel, FixedCapacityAndPolicies) {
  auto [tx, rx] = mpmc::make_channel<int, mpmc::capacity::fixed<2>, mpmc::wait::spin>();
  EXPECT_EQ(tx.capacity(), 2u);
  ASSERT_TRUE(tx.push(5));
  EXPECT_EQ(rx.pop(), std::optional<int>(5));
}

TEST(Channel, QueuedElementsDieWithTheLastHandle) {
  mpmc::test::tracked::reset();
  {
    auto [tx, rx] = mpmc::make_channel<mpmc::test::tracked>(8);
    for (int i = 0; i != 5; ++i) ASSERT_TRUE(tx.emplace(i));
  }
  const auto counts = mpmc::test::tracked::counts();
  EXPECT_EQ(counts.live, 0);
  EXPECT_EQ(counts.double_destroys, 0);
}

TEST(Channel, FourSendersFourReceiversShutDownByDroppingSenders) {
  constexpr int senders = 4, receivers = 4, each = 5'000;
  std::vector<std::thread> threads;
  std::vector<std::vector<int>> got(receivers);
  {
    auto [tx, rx] = mpmc::make_channel<int>(16);
    for (int s = 0; s != senders; ++s) {
      threads.emplace_back([tx = tx, s] {  // each thread owns a copy
        for (int i = 0; i != each; ++i) ASSERT_TRUE(tx.push(s * each + i));
      });
    }
    for (int r = 0; r != receivers; ++r) {
      threads.emplace_back([rx = rx, &mine = got[static_cast<std::size_t>(r)]] {
        while (auto v = rx.pop()) mine.push_back(*v);
      });
    }
  }  // the original handles go here; the threads' copies keep the channel open
  for (auto& t : threads) t.join();
  std::vector<int> seen(senders * each, 0);
  for (const auto& mine : got)
    for (int v : mine) ++seen[static_cast<std::size_t>(v)];
  for (int v = 0; v != senders * each; ++v) ASSERT_EQ(seen[static_cast<std::size_t>(v)], 1) << v;
}

}  // namespace
