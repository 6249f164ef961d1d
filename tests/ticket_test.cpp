// claim::ticket: untimed blocking calls take positions by fetch_add and wait
// on their own slot. What must hold: pops blocked on an empty queue end at
// close(); a push blocked on a full queue keeps its position across close()
// and is delivered; timed calls never take a ticket; a ticket holder asleep
// is woken by the one publish of its slot; positions taken in vain after a
// close leave nothing behind; channels do not strand blocked senders.
#include "support/counting_backend.hpp"
#include "support/mixes.hpp"
#include "support/run_threads.hpp"
#include "support/tracked.hpp"

#include <mpmc/backend/condvar.hpp>
#include <mpmc/mpmc.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace {

using namespace mpmc::test;
using namespace std::chrono_literals;

template <class Mix>
class TicketClaim : public ::testing::Test {};
using ticket_mixes = ::testing::Types<
    mix<mpmc::claim::ticket, mpmc::wait::spin>, mix<mpmc::claim::ticket, mpmc::wait::yield>,
    mix<mpmc::claim::ticket, mpmc::wait::futex>, mix<mpmc::claim::ticket, mpmc::wait::atomic_wait>,
    mix<mpmc::claim::ticket, mpmc::wait::condvar>>;
TYPED_TEST_SUITE(TicketClaim, ticket_mixes, wait_mix_names);

TYPED_TEST(TicketClaim, BlockedPopsEndAtClose) {
  typename TypeParam::template queue<int> q(4);
  std::atomic<int> ended{0};
  std::vector<std::thread> consumers;
  for (int i = 0; i != 3; ++i)
    consumers.emplace_back([&] {
      if (!q.pop().has_value()) ++ended;
    });
  std::this_thread::sleep_for(20ms);  // let them block (the result holds either way)
  q.close();
  for (auto& t : consumers) t.join();
  EXPECT_EQ(ended.load(), 3);
  EXPECT_FALSE(q.pop().has_value()) << "a later pop takes a void position and must end too";
}

TYPED_TEST(TicketClaim, ElementsPushedBeforeCloseReachBlockedPops) {
  typename TypeParam::template queue<int> q(2);
  std::atomic<int> sum{0}, ended{0};
  std::vector<std::thread> consumers;
  for (int i = 0; i != 4; ++i)
    consumers.emplace_back([&] {
      if (auto v = q.pop())
        sum += *v;
      else
        ++ended;
    });
  ASSERT_TRUE(q.push(10));
  ASSERT_TRUE(q.push(32));
  q.close();
  for (auto& t : consumers) t.join();
  EXPECT_EQ(sum.load(), 42);
  EXPECT_EQ(ended.load(), 2);
}

TYPED_TEST(TicketClaim, TimedCallsTakeNoTicket) {
  typename TypeParam::template queue<int> q(1);
  // A timed pop that gave up holding position 0 would leave the next
  // element to nobody: try_pop would find position 1 empty.
  EXPECT_FALSE(q.try_pop_for(5ms).has_value());
  ASSERT_TRUE(q.push(7));
  EXPECT_EQ(q.try_pop(), std::optional<int>(7));
  // Likewise for a timed push on a full queue.
  ASSERT_TRUE(q.push(1));
  EXPECT_FALSE(q.try_push_for(2, 5ms));
  EXPECT_EQ(q.try_pop(), std::optional<int>(1));
  ASSERT_TRUE(q.try_push(3));
  EXPECT_EQ(q.pop(), std::optional<int>(3));
}

TYPED_TEST(TicketClaim, PushAfterCloseLeavesItsArgument) {
  typename TypeParam::template queue<std::unique_ptr<int>> q(2);
  q.close();
  auto v = std::make_unique<int>(5);
  EXPECT_FALSE(q.push(std::move(v)));
  EXPECT_FALSE(q.emplace(std::move(v)));
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(*v, 5);
}

// A push refused after close() still took a ticket, moving the tail counter
// on; size() must count only what was pushed before the close.
TYPED_TEST(TicketClaim, RefusedPushesAfterCloseLeaveSizeExact) {
  typename TypeParam::template queue<int> q(4);
  ASSERT_TRUE(q.push(1));
  q.close();
  for (int i = 0; i != 3; ++i) EXPECT_FALSE(q.push(2));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.pop(), std::optional<int>(1));
  EXPECT_EQ(q.size(), 0u);
  EXPECT_TRUE(q.empty());
}

TYPED_TEST(TicketClaim, TwoByTwoDeliversEveryValueOnce) {
  typename TypeParam::template queue<std::uint64_t> q(16);
  run_and_check(q, 2, 2, 4'000 / sanitizer_slowdown, ops::blocking);
}

// With a park-at-once counting backend a blocked call is known to be asleep
// (and to hold its ticket) once the backend has seen a wait.
using counted = mpmc::queue<int, mpmc::claim::ticket, mpmc::wait::park<counting_backend, 0, 0>>;

void until_sleeping(long n) {
  while (counting_backend::waits.load() < n) std::this_thread::sleep_for(1ms);
}

TEST(TicketParking, UncontendedOperationsMakeNoBackendCalls) {
  counting_backend::reset();
  counted q(4);
  for (int i = 0; i != 10'000; ++i) {
    ASSERT_TRUE(q.push(i));
    ASSERT_EQ(q.pop(), std::optional<int>(i));
  }
  EXPECT_EQ(counting_backend::waits.load(), 0);
  EXPECT_EQ(counting_backend::wakes.load(), 0);
  EXPECT_EQ(counting_backend::wake_alls.load(), 0);
}

TEST(TicketParking, AParkedTicketConsumerIsWokenByThePublishOfItsSlot) {
  counting_backend::reset();
  counted q(4);
  std::optional<int> got;
  std::thread consumer([&] { got = q.pop(); });
  until_sleeping(1);
  ASSERT_TRUE(q.push(42));
  consumer.join();
  EXPECT_EQ(got, std::optional<int>(42));
  EXPECT_EQ(counting_backend::wakes.load(), 0)
      << "consumers holding tickets wait for different positions: all are woken";
  EXPECT_EQ(counting_backend::wake_alls.load(), 1);
}

TEST(TicketParking, AParkedTicketProducerIsWokenOnItsSlot) {
  counting_backend::reset();
  counted q(1);
  ASSERT_TRUE(q.push(1));
  std::thread producer([&] { EXPECT_TRUE(q.push(2)); });
  until_sleeping(1);
  EXPECT_EQ(q.pop(), std::optional<int>(1));
  producer.join();
  EXPECT_EQ(q.pop(), std::optional<int>(2));
  EXPECT_EQ(counting_backend::wakes.load(), 0);
  EXPECT_EQ(counting_backend::wake_alls.load(), 1) << "one wake, on the freed slot's turn word";
}

TEST(TicketParking, APushBlockedOnAFullQueueIsDeliveredAcrossClose) {
  counting_backend::reset();
  counted q(1);
  ASSERT_TRUE(q.push(1));
  std::atomic<bool> pushed{false};
  std::thread producer([&] { pushed = q.push(2); });
  until_sleeping(1);  // asleep, holding position 1
  q.close();
  EXPECT_EQ(q.pop(), std::optional<int>(1));
  producer.join();
  EXPECT_TRUE(pushed.load()) << "a push that held its position before close() completes";
  EXPECT_EQ(q.pop(), std::optional<int>(2));
  EXPECT_FALSE(q.pop().has_value());
  EXPECT_FALSE(q.push(3));
}

TEST(TicketParking, CloseWakesEveryParkedConsumer) {
  counting_backend::reset();
  counted q(8);
  std::atomic<int> ended{0};
  std::vector<std::thread> consumers;
  for (int i = 0; i != 3; ++i)
    consumers.emplace_back([&] {
      if (!q.pop().has_value()) ++ended;
    });
  until_sleeping(3);
  q.close();
  for (auto& t : consumers) t.join();
  EXPECT_EQ(ended.load(), 3);
  // Consumers holding tickets sleep on their side's event count: one
  // wake_all reaches all of them, void positions included; the producers'
  // side, with nobody asleep, gets no call.
  EXPECT_EQ(counting_backend::wake_alls.load(), 1);
}

TEST(TicketLifetime, QueuedElementsAndVoidPositionsAreDestroyedOnce) {
  tracked::reset();
  {
    mpmc::queue<tracked, mpmc::claim::ticket, mpmc::wait::yield> q(4);
    ASSERT_TRUE(q.push(tracked(1)));
    ASSERT_TRUE(q.push(tracked(2)));
    ASSERT_TRUE(q.push(tracked(3)));
    q.close();
    auto first = q.pop();
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->value(), 1);
    EXPECT_FALSE(q.push(tracked(4)));  // takes a void position
    EXPECT_EQ(tracked::counts().live, 3) << "1 popped and held, 2 and 3 queued";
  }
  const auto counts = tracked::counts();
  EXPECT_EQ(counts.live, 0);
  EXPECT_EQ(counts.double_destroys, 0);
}

TEST(TicketChannel, DroppingTheLastReceiverReleasesABlockedSender) {
  counting_backend::reset();
  auto [tx, rx] =
      mpmc::make_channel<int, mpmc::claim::ticket, mpmc::wait::park<counting_backend, 0, 0>>(1);
  ASSERT_TRUE(tx.push(1));
  bool pushed = true;
  std::thread sender([&tx = tx, &pushed] { pushed = tx.push(2); });
  until_sleeping(1);  // asleep on a full channel, holding position 1
  { auto gone = std::move(rx); }
  sender.join();  // hangs (and the test times out) if the sender was stranded
  EXPECT_FALSE(pushed) << "a send into a channel nobody reads succeeded";
  EXPECT_TRUE(tx.closed());
  EXPECT_FALSE(tx.push(3));
}

}  // namespace
