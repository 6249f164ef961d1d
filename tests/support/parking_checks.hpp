// Checks of the parking protocol through the counting backend, shared by the
// parking tests and by the same tests run with membarrier() refused
// (no_membarrier_test.cpp): no backend call without a sleeper, one wake for
// one parked partner on either side.
#pragma once

#include "counting_backend.hpp"

#include <mpmc/mpmc.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>

namespace mpmc::test {

using counted_queue = mpmc::queue<int, mpmc::wait::park<counting_backend>>;

// Waits (bounded by the test's time limit) until a thread is asleep in the
// backend, so that the next step exercises a real wake.
inline void until_someone_sleeps() {
  while (counting_backend::waits.load() == 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

inline void check_uncontended_operations_make_no_backend_calls() {
  counting_backend::reset();
  counted_queue q(4);
  for (int i = 0; i != 10'000; ++i) {
    ASSERT_TRUE(q.push(i));
    ASSERT_EQ(q.pop(), std::optional<int>(i));
    ASSERT_TRUE(q.try_push(i));
    ASSERT_EQ(q.try_pop(), std::optional<int>(i));
  }
  EXPECT_EQ(counting_backend::wakes.load(), 0) << "a wake with nobody asleep";
  EXPECT_EQ(counting_backend::wake_alls.load(), 0);
  EXPECT_EQ(counting_backend::waits.load(), 0);
}

inline void check_one_push_wakes_a_parked_consumer() {
  counting_backend::reset();
  counted_queue q(4);
  std::optional<int> got;
  std::thread consumer([&] { got = q.pop(); });
  until_someone_sleeps();
  ASSERT_TRUE(q.push(42));
  consumer.join();
  EXPECT_EQ(got, std::optional<int>(42));
  EXPECT_EQ(counting_backend::wakes.load(), 1);
  // Later traffic with nobody asleep wakes nobody.
  for (int i = 0; i != 1000; ++i) {
    ASSERT_TRUE(q.push(i));
    ASSERT_EQ(q.pop(), std::optional<int>(i));
  }
  EXPECT_EQ(counting_backend::wakes.load(), 1);
}

inline void check_one_pop_wakes_a_parked_producer() {
  counting_backend::reset();
  counted_queue q(1);
  ASSERT_TRUE(q.push(1));
  bool pushed = false;
  std::thread producer([&] { pushed = q.push(2); });
  until_someone_sleeps();
  EXPECT_EQ(q.pop(), std::optional<int>(1));
  producer.join();
  EXPECT_TRUE(pushed);
  EXPECT_EQ(q.pop(), std::optional<int>(2));
  EXPECT_EQ(counting_backend::wakes.load(), 1);
}

}  // namespace mpmc::test
