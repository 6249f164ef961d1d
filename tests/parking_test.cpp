// The parking protocol, observed through a backend that counts calls: no
// wake syscall unless somebody sleeps, one wake per parked partner, close
// wakes everybody; plus the presets and the generic park<> policy.
#include "support/parking_checks.hpp"

#include <mpmc/backend/condvar.hpp>
#include <mpmc/mpmc.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

namespace {

using mpmc::test::counting_backend;
using mpmc::test::until_someone_sleeps;
using namespace std::chrono_literals;

using counted = mpmc::test::counted_queue;

TEST(Parking, UncontendedOperationsMakeNoBackendCalls) {
  mpmc::test::check_uncontended_operations_make_no_backend_calls();
}

TEST(Parking, OnePushWakesAParkedConsumerWithOneWake) {
  mpmc::test::check_one_push_wakes_a_parked_consumer();
}

TEST(Parking, OnePopWakesAParkedProducer) { mpmc::test::check_one_pop_wakes_a_parked_producer(); }

TEST(Parking, EachPushWakesOneOfSeveralParkedConsumers) {
  counting_backend::reset();
  counted q(8);
  constexpr int consumers = 3;
  std::atomic<int> sum{0};
  std::vector<std::thread> threads;
  for (int c = 0; c != consumers; ++c) threads.emplace_back([&] { sum += *q.pop(); });
  while (counting_backend::waits.load() < consumers) std::this_thread::sleep_for(1ms);
  for (int i = 1; i <= consumers; ++i) ASSERT_TRUE(q.push(i));
  for (auto& t : threads) t.join();
  EXPECT_EQ(sum.load(), 1 + 2 + 3);
  // One wake per push while someone slept: no herd of wake-alls.
  EXPECT_LE(counting_backend::wakes.load(), consumers);
  EXPECT_EQ(counting_backend::wake_alls.load(), 0);
}

// An element whose move can be made to stall once, in the middle of a push
// (moved into its slot) or a pop (moved out): the claim is made, the turn
// not yet published.
struct stalling {
  static inline std::atomic<bool> armed{false}, inside{false}, released{false};
  static void arm() noexcept {
    inside = false;
    released = false;
    armed = true;
  }
  int value = 0;
  explicit stalling(int v) noexcept : value(v) {}
  stalling(stalling&& other) noexcept : value(other.value) {
    if (!armed.exchange(false)) return;
    inside = true;
    while (!released.load()) std::this_thread::yield();
  }
  stalling& operator=(stalling&&) noexcept = default;
};

// No spin or yield budget: a blocked call goes straight to parking.
using stalling_queue = mpmc::queue<stalling, mpmc::wait::park<counting_backend, 0, 0>>;

// A consumer that finds the oldest position claimed but not yet published
// sleeps; the producer's publish, whenever it comes, is what wakes it
// (detail/event_count.hpp): exactly one wake, and the element arrives.
TEST(Parking, AConsumerAsleepOnAStalledPushIsWokenByItsPublish) {
  counting_backend::reset();
  stalling_queue q(4);
  stalling::arm();
  std::thread producer([&] { EXPECT_TRUE(q.push(stalling(42))); });
  while (!stalling::inside.load()) std::this_thread::yield();  // claimed, not published
  std::atomic<int> got{0};
  std::thread consumer([&] { got = q.pop()->value; });
  until_someone_sleeps();
  EXPECT_EQ(got.load(), 0);
  stalling::released = true;
  producer.join();
  consumer.join();
  EXPECT_EQ(got.load(), 42);
  EXPECT_EQ(counting_backend::wakes.load(), 1);
}

// The mirror image: a producer waits for room that a stalled consumer, one
// lap behind, is about to free; that consumer's release wakes it.
TEST(Parking, AProducerAsleepOnAStalledPopIsWokenByItsRelease) {
  counting_backend::reset();
  stalling_queue q(1);
  ASSERT_TRUE(q.push(stalling(1)));
  stalling::arm();
  std::atomic<int> got{0};
  std::thread consumer([&] { got = q.pop()->value; });
  while (!stalling::inside.load()) std::this_thread::yield();  // claimed, not released
  std::thread producer([&] { EXPECT_TRUE(q.push(stalling(2))); });
  until_someone_sleeps();
  stalling::released = true;
  consumer.join();
  producer.join();
  EXPECT_EQ(got.load(), 1);
  EXPECT_EQ(q.try_pop()->value, 2);
  EXPECT_EQ(counting_backend::wakes.load(), 1);
}

// A woken sleeper uncounts itself: traffic after a wake-up runs the fast
// path again (no wake calls), on both sides.
TEST(Parking, WokenSleepersLeaveTheFastPathClean) {
  counting_backend::reset();
  counted q(1);
  std::thread consumer([&] { EXPECT_EQ(q.pop(), std::optional<int>(7)); });
  until_someone_sleeps();
  ASSERT_TRUE(q.push(7));
  consumer.join();
  ASSERT_TRUE(q.push(8));
  std::thread producer([&] { EXPECT_TRUE(q.push(9)); });  // full: parks
  while (counting_backend::waits.load() < 2) std::this_thread::sleep_for(1ms);
  ASSERT_EQ(q.pop(), std::optional<int>(8));
  producer.join();
  EXPECT_EQ(counting_backend::wakes.load(), 2);
  for (int i = 0; i != 1000; ++i) {
    ASSERT_EQ(q.pop(), std::optional<int>(i == 0 ? 9 : i - 1));
    ASSERT_TRUE(q.push(i));
  }
  EXPECT_EQ(counting_backend::wakes.load(), 2) << "a sleeper stayed counted";
}

TEST(Parking, CloseWakesEveryoneWithWakeAll) {
  counting_backend::reset();
  counted q(4);
  std::thread consumer([&] { EXPECT_FALSE(q.pop().has_value()); });
  until_someone_sleeps();
  q.close();
  consumer.join();
  EXPECT_EQ(counting_backend::wake_alls.load(), 1) << "one for the side with a sleeper";
  q.close();
  EXPECT_EQ(counting_backend::wake_alls.load(), 1) << "a second close wakes nobody";
}

TEST(Parking, TimedWaitsParkAndGiveUp) {
  counting_backend::reset();
  // No spin or yield budget: on a loaded machine 128 yields alone can
  // outlast the 30 ms deadline, and the point here is the timed sleep.
  mpmc::queue<int, mpmc::wait::park<counting_backend, 0, 0>> q(4);
  EXPECT_FALSE(q.try_pop_for(30ms).has_value());
  EXPECT_GE(counting_backend::waits.load(), 1) << "a 30 ms wait should have slept";
  EXPECT_EQ(counting_backend::wakes.load(), 0);
}

TEST(Parking, PresetsAndAliases) {
  using config = mpmc::parking_queue<int>::config_type;
  static_assert(std::is_same_v<config::wait, mpmc::wait::futex>);
  static_assert(std::is_same_v<mpmc::wait::futex, mpmc::wait::park<mpmc::backend::linux_futex>>);
  static_assert(mpmc::parking_backend<mpmc::backend::linux_futex> &&
                mpmc::parking_backend<mpmc::backend::atomic_wait> &&
                mpmc::parking_backend<mpmc::backend::condvar> &&
                mpmc::parking_backend<counting_backend>);
  static_assert(mpmc::wait_policy<mpmc::wait::condvar> && mpmc::wait_policy<mpmc::wait::futex>);
  mpmc::parking_queue<int> q(2);
  ASSERT_TRUE(q.push(3));
  EXPECT_EQ(q.pop(), std::optional<int>(3));
}

}  // namespace
