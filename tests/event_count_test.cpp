// The event count on its own (detail/event_count.hpp): a notify with nobody
// waiting calls nothing, a waiter is woken by the notify that follows a
// publish, and records (the waiters an asynchronous layer registers) are run
// once, in order, or taken back.
#include "support/counting_backend.hpp"

#include <mpmc/detail/event_count.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace {

using mpmc::test::counting_backend;
using event = mpmc::detail::event_count<counting_backend>;
using namespace std::chrono_literals;

// Waits, as the queue does, until `ready` holds.
void wait_for(event& ec, const std::atomic<int>& ready, int value) {
  while (ready.load() < value) {
    const auto key = ec.prepare_wait();
    if (ready.load() >= value) {
      ec.cancel_wait();
      return;
    }
    ec.commit_wait(key, mpmc::detail::no_deadline{});
  }
}

void until_asleep(long waits) {
  while (counting_backend::waits.load() < waits) std::this_thread::sleep_for(1ms);
}

struct counted_record : mpmc::detail::waiter {
  std::atomic<int> runs{0};
  counted_record() {
    on_notify = [](mpmc::detail::waiter& w) noexcept { ++static_cast<counted_record&>(w).runs; };
  }
};

TEST(EventCount, NotifyWithNobodyWaitingCallsNothing) {
  counting_backend::reset();
  event ec;
  for (int i = 0; i != 1000; ++i) ec.notify(1);
  ec.notify_all();
  EXPECT_EQ(counting_backend::wakes.load(), 0);
  EXPECT_EQ(counting_backend::wake_alls.load(), 0);
}

TEST(EventCount, APreparedWaiterThatFindsItsConditionDoesNotSleep) {
  counting_backend::reset();
  event ec;
  std::atomic<int> ready{1};
  wait_for(ec, ready, 1);
  ec.notify(1);
  EXPECT_EQ(counting_backend::waits.load(), 0);
  EXPECT_EQ(counting_backend::wakes.load(), 0) << "a cancelled waiter is still counted";
}

TEST(EventCount, ANotifyAfterThePublishWakesTheSleeper) {
  counting_backend::reset();
  event ec;
  std::atomic<int> ready{0};
  std::thread waiter([&] { wait_for(ec, ready, 1); });
  until_asleep(1);
  ready.store(1);
  ec.notify(1);
  waiter.join();
  EXPECT_EQ(counting_backend::wakes.load(), 1);
  ec.notify(1);
  EXPECT_EQ(counting_backend::wakes.load(), 1) << "the woken waiter is still counted";
}

TEST(EventCount, NotifyAllWakesEverySleeper) {
  counting_backend::reset();
  event ec;
  std::atomic<int> ready{0};
  std::vector<std::thread> waiters;
  for (int i = 0; i != 3; ++i) waiters.emplace_back([&] { wait_for(ec, ready, 1); });
  until_asleep(3);
  ready.store(1);
  ec.notify_all();
  for (auto& t : waiters) t.join();
  EXPECT_EQ(counting_backend::wake_alls.load(), 1);
}

TEST(EventCount, RecordsRunOncePerNotifyInOrderBeforeThreads) {
  counting_backend::reset();
  event ec;
  counted_record first, second;
  ec.add(first);
  ec.add(second);
  ec.notify(1);
  EXPECT_EQ(first.runs.load(), 1);
  EXPECT_EQ(second.runs.load(), 0);
  EXPECT_EQ(counting_backend::wakes.load(), 0) << "a record served the notify";
  EXPECT_FALSE(ec.remove(first)) << "a record that ran is no longer linked";
  ec.notify(1);
  EXPECT_EQ(second.runs.load(), 1);
  ec.notify(5);
  EXPECT_EQ(first.runs.load(), 1);
  EXPECT_EQ(second.runs.load(), 1);
  EXPECT_EQ(counting_backend::wakes.load(), 0) << "nobody left to wake";
}

TEST(EventCount, ARemovedRecordIsNotRunAndNotCounted) {
  counting_backend::reset();
  event ec;
  counted_record r;
  ec.add(r);
  EXPECT_TRUE(ec.remove(r));
  ec.notify(1);
  EXPECT_EQ(r.runs.load(), 0);
  EXPECT_EQ(counting_backend::wakes.load(), 0);
}

TEST(EventCount, NotifyAllRunsEveryRecordAndWakesThreads) {
  counting_backend::reset();
  event ec;
  std::atomic<int> ready{0};
  std::thread waiter([&] { wait_for(ec, ready, 1); });
  until_asleep(1);
  counted_record a, b;
  ec.add(a);
  ec.add(b);
  ready.store(1);
  ec.notify_all();
  waiter.join();
  EXPECT_EQ(a.runs.load(), 1);
  EXPECT_EQ(b.runs.load(), 1);
  EXPECT_EQ(counting_backend::wake_alls.load(), 1);
}

// Many waiters, each waiting for its own count, one notify per step: every
// waiter gets through (a lost wake-up would hang the join, bounded by the
// test's time limit).
TEST(EventCount, NoWakeUpIsLostUnderContention) {
  event ec;
  std::atomic<int> ready{0};
  constexpr int steps = 20'000;
  std::vector<std::thread> waiters;
  for (int i = 0; i != 3; ++i)
    waiters.emplace_back([&] {
      for (int v = 1; v <= steps; v += 97) wait_for(ec, ready, v);
    });
  for (int v = 1; v <= steps; ++v) {
    ready.store(v);
    ec.notify_all();
  }
  for (auto& t : waiters) t.join();
  EXPECT_EQ(ready.load(), steps);
}

}  // namespace
