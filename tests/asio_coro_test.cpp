// <mpmc/asio.hpp> from C++20 coroutines (use_awaitable, as_tuple, awaitable operators): threads
// and coroutines wake each other, a timer raced with || never loses a value, the steady state
// allocates nothing, and a stress mix of threads and 1000 coroutines delivers every value once.
// Built where Asio's awaitables compile (tests/CMakeLists.txt); elsewhere it is not built.
#define MPMC_TEST_COUNT_ALLOCATIONS
#include "asio_support.hpp"

#include <mpmc/asio.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#if !defined(ASIO_HAS_CO_AWAIT)
#error "asio_coro_test needs Asio's coroutine support (ASIO_HAS_CO_AWAIT)"
#endif

#include <atomic>
#include <exception>
#include <optional>
#include <random>
#include <thread>
#include <variant>
#include <vector>

namespace {
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;
using Q = mpmc::queue<int>;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto tuple_awaitable = asio::experimental::as_tuple(use_awaitable);

// Rethrows a coroutine's exception in the test.
void check(std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
}

TEST(AsioCoro, CoroutinePopWakesForAThreadsPush) {
  asio::io_context ioc;
  Q q(2);
  std::optional<int> got;
  asio::co_spawn(
      ioc, [&]() -> awaitable<void> { got = co_await mpmc::async_pop(q, use_awaitable); }, check);
  ioc.poll();
  EXPECT_FALSE(got);
  std::thread producer([&] {
    std::this_thread::sleep_for(20ms);
    q.push(3);
  });
  ioc.run_for(10s);
  producer.join();
  EXPECT_EQ(got, 3);
}

TEST(AsioCoro, ThreadPopWakesForACoroutinesPush) {
  asio::io_context ioc;
  Q q(1);
  std::optional<int> popped;
  std::thread consumer([&] { popped = q.pop(); });
  std::this_thread::sleep_for(50ms);
  asio::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        auto back = co_await mpmc::async_push(q, 11, use_awaitable);
        EXPECT_FALSE(back);
      },
      check);
  ioc.run_for(10s);
  consumer.join();
  EXPECT_EQ(popped, 11);
}

TEST(AsioCoro, AsTupleCarriesTheErrorAndTheValue) {
  asio::io_context ioc;
  Q q(1);
  q.close();
  asio::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        auto [ec, back] = co_await mpmc::async_push(q, 5, tuple_awaitable);
        EXPECT_EQ(ec, mpmc::errc::closed);
        EXPECT_EQ(back, 5);
        auto [pop_ec, value] = co_await mpmc::async_pop(q, tuple_awaitable);
        EXPECT_EQ(pop_ec, mpmc::errc::closed);
        EXPECT_FALSE(value);
      },
      check);
  ioc.run_for(10s);
}

// A pop raced with a timer by ||: the loser is cancelled, and a value is never taken by a pop that
// lost (on a one-thread context the claim happens after the last look at the cancellation state).
TEST(AsioCoro, TimerRaceNeverLosesAValue) {
  asio::io_context ioc(1);
  Q q(4);
  constexpr int n = 300;
  std::vector<int> seen(n, 0);
  int timeouts = 0;
  asio::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        auto ex = co_await asio::this_coro::executor;
        asio::steady_timer timer(ex);
        for (;;) {
          timer.expires_after(std::chrono::microseconds(50));
          auto r =
              co_await (mpmc::async_pop(q, tuple_awaitable) || timer.async_wait(tuple_awaitable));
          if (r.index() == 1) {
            ++timeouts;
            continue;
          }
          auto [ec, v] = std::get<0>(std::move(r));
          if (ec == mpmc::errc::closed) break;
          EXPECT_FALSE(ec);
          ++seen.at(*v);
        }
      },
      check);
  std::thread producer([&] {
    std::mt19937 rng(7);
    for (int i = 0; i != n; ++i) {
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 100));
      q.push(i);
    }
    q.close();
  });
  ioc.run_for(60s);
  producer.join();
  for (int i = 0; i != n; ++i) EXPECT_EQ(seen[i], 1) << "value " << i;
  EXPECT_GT(timeouts, 0);
  // The push side: a push that lost the race hands its value back, so nothing is pushed twice.
  Q full(1);
  ASSERT_TRUE(full.push(-1));
  ioc.restart();
  asio::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor, 1ms);
        auto r = co_await (mpmc::async_push(full, 9, tuple_awaitable) ||
                           timer.async_wait(tuple_awaitable));
        EXPECT_EQ(r.index(), 1u);
      },
      check);
  ioc.run_for(10s);
  EXPECT_EQ(full.try_pop(), -1);
  EXPECT_FALSE(full.try_pop());
}

// The push side at random timing: a thread pops a full queue at random moments while each push
// races a timer; a push that lost hands its value back and is retried. Every value arrives once,
// in order.
TEST(AsioCoro, PushRacingATimerNeverDuplicatesAValue) {
  asio::io_context ioc(1);
  Q q(1);
  constexpr int n = 300;
  int timeouts = 0;
  asio::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        for (int i = 0; i != n;) {
          timer.expires_after(std::chrono::microseconds(50));
          auto r = co_await (mpmc::async_push(q, i, tuple_awaitable) ||
                             timer.async_wait(tuple_awaitable));
          if (r.index() == 1) {
            ++timeouts;
            continue;  // i was handed back, not pushed: push it again
          }
          auto [ec, back] = std::get<0>(std::move(r));
          EXPECT_FALSE(ec);
          EXPECT_FALSE(back);
          ++i;
        }
        q.close();
      },
      check);
  std::vector<int> got;
  std::thread consumer([&] {
    std::mt19937 rng(11);
    for (;;) {
      std::this_thread::sleep_for(std::chrono::microseconds(rng() % 100));
      auto v = q.pop();
      if (!v) break;
      got.push_back(*v);
    }
  });
  ioc.run_for(60s);
  consumer.join();
  std::vector<int> want(n);
  for (int i = 0; i != n; ++i) want[i] = i;
  EXPECT_EQ(got, want);
  EXPECT_GT(timeouts, 0);
}

// `&&` of awaitable operators: both operations complete, each with its own value.
TEST(AsioCoro, BothOperatorWaitsForBothQueues) {
  asio::io_context ioc(1);
  Q a(2), b(2);
  std::optional<int> from_a, from_b;
  asio::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        auto [ra, rb] =
            co_await (mpmc::async_pop(a, use_awaitable) && mpmc::async_pop(b, use_awaitable));
        from_a = ra;
        from_b = rb;
      },
      check);
  std::thread producer([&] {
    std::this_thread::sleep_for(10ms);
    a.push(1);
    std::this_thread::sleep_for(10ms);
    b.push(2);
  });
  ioc.run_for(10s);
  producer.join();
  EXPECT_EQ(from_a, 1);
  EXPECT_EQ(from_b, 2);
}

// Two coroutines ping-pong on one thread: after a warm-up, no allocation at all.
TEST(AsioCoro, SteadyStateAllocatesNothing) {
  asio::io_context ioc(1);
  Q q(1);
  constexpr int warm_up = 200, measured = 2000;
  std::atomic<int> popped{0};
  auto producer = [&](int n) -> awaitable<void> {
    for (int i = 0; i != n; ++i) co_await mpmc::async_push(q, i, use_awaitable);
  };
  auto consumer = [&](int n) -> awaitable<void> {
    for (int i = 0; i != n; ++i) {
      if (i == warm_up) {
        mpmc_test::allocations = 0;
        mpmc_test::counting = true;
      }
      auto v = co_await mpmc::async_pop(q, use_awaitable);
      EXPECT_EQ(v, i);
      ++popped;
    }
    mpmc_test::counting = false;
  };
  asio::co_spawn(ioc, consumer(warm_up + measured), check);
  asio::co_spawn(ioc, producer(warm_up + measured), check);
  ioc.run_for(30s);
  EXPECT_EQ(popped.load(), warm_up + measured);
  EXPECT_EQ(mpmc_test::allocations.load(), 0);
}

// Four threads and 1000 coroutines on a four-thread context, a small queue: threads push,
// coroutines push and pop, a thread pops too; every value arrives exactly once.
TEST(AsioCoro, StressThreadsAndCoroutines) {
  asio::io_context ioc(4);
  Q q(8);
  constexpr int thread_producers = 4, per_thread = 2000;
  constexpr int coro_producers = 250, per_coro = 20, coro_consumers = 750;
  constexpr int total = thread_producers * per_thread + coro_producers * per_coro;
  std::vector<std::atomic<int>> seen(total);
  std::atomic<int> producers_left{thread_producers + coro_producers}, consumers_done{0};
  auto producer_finished = [&] {
    if (--producers_left == 0) q.close();
  };
  for (int c = 0; c != coro_producers; ++c)
    asio::co_spawn(
        ioc,
        [&, c]() -> awaitable<void> {
          for (int i = 0; i != per_coro; ++i) {
            auto back = co_await mpmc::async_push(
                q, thread_producers * per_thread + c * per_coro + i, use_awaitable);
            EXPECT_FALSE(back);
          }
          producer_finished();
        },
        check);
  for (int c = 0; c != coro_consumers; ++c)
    asio::co_spawn(
        ioc,
        [&]() -> awaitable<void> {
          for (;;) {
            auto [ec, v] = co_await mpmc::async_pop(q, tuple_awaitable);
            if (ec) {
              EXPECT_EQ(ec, mpmc::errc::closed);
              break;
            }
            ++seen.at(*v);
          }
          ++consumers_done;
        },
        check);
  std::vector<std::thread> threads;
  for (int t = 0; t != 4; ++t) threads.emplace_back([&] { ioc.run_for(120s); });
  for (int p = 0; p != thread_producers; ++p)
    threads.emplace_back([&, p] {
      for (int i = 0; i != per_thread; ++i) EXPECT_TRUE(q.push(p * per_thread + i));
      producer_finished();
    });
  threads.emplace_back([&] {
    while (auto v = q.pop()) ++seen.at(*v);
  });
  for (auto& t : threads) t.join();
  EXPECT_EQ(consumers_done.load(), coro_consumers);
  for (int i = 0; i != total; ++i) ASSERT_EQ(seen[i].load(), 1) << "value " << i;
}
}  // namespace
