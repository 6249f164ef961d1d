// producers::single and consumers::single: a side with one thread at a time
// claims with plain stores. The queue's contract must not change: FIFO,
// every value delivered once, ranges, deadlines, and close(), which a lone
// producer meets through a handshake of its own (detail/claim_strategy.hpp)
// instead of the closed bit.
#include "support/mixes.hpp"
#include "support/run_threads.hpp"

#include <mpmc/backend/condvar.hpp>
#include <mpmc/mpmc.hpp>
#include <mpmc/ranges.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <thread>
#include <vector>

namespace {

using namespace mpmc::test;
using namespace std::chrono_literals;

// The composer files the new categories like any other.
using spsc = mpmc::queue<int, mpmc::producers::single, mpmc::consumers::single, mpmc::wait::spin>;
static_assert(std::same_as<spsc, mpmc::queue<int, mpmc::wait::spin, mpmc::consumers::single,
                                             mpmc::producers::single>>);
static_assert(spsc::config_type::producers::exclusive && spsc::config_type::consumers::exclusive);
static_assert(!mpmc::queue<int>::config_type::producers::exclusive &&
              !mpmc::queue<int>::config_type::consumers::exclusive);
static_assert(std::same_as<mpmc::queue<int, mpmc::wait::spin>::with<mpmc::producers::single,
                                                                    mpmc::consumers::single>,
                           spsc>);
static_assert(
    std::same_as<spsc::with<mpmc::producers::many>::config_type::producers, mpmc::producers::many>);

template <class Mix>
class LoneSides : public ::testing::Test {
 protected:
  using config = typename Mix::template queue<int>::config_type;
  static constexpr int producers = config::producers::exclusive ? 1 : 3;
  static constexpr int consumers = config::consumers::exclusive ? 1 : 3;
};

using lone_mixes = ::testing::Types<
    mix<mpmc::producers::single, mpmc::consumers::single>,  // SPSC, defaults
    mix<mpmc::producers::single, mpmc::consumers::single, mpmc::wait::spin,
        mpmc::padding::interleaved>,                                       // SPSC, spinning
    mix<mpmc::producers::single, mpmc::wait::futex, mpmc::claim::ticket>,  // SPMC, tickets
    mix<mpmc::consumers::single, mpmc::wait::yield, mpmc::claim::ticket>,  // MPSC, tickets
    mix<mpmc::consumers::single, mpmc::producers::single, mpmc::wait::condvar,
        mpmc::backoff::exponential>>;  // SPSC, condvar

struct lone_mix_names {
  template <class Mix>
  static std::string GetName(int i) {
    static const char* const names[] = {"spsc", "spsc_spin_interleaved", "spmc_futex_ticket",
                                        "mpsc_yield_ticket", "spsc_condvar"};
    return names[i];
  }
};

TYPED_TEST_SUITE(LoneSides, lone_mixes, lone_mix_names);

TYPED_TEST(LoneSides, FifoAcrossManyLaps) {
  typename TypeParam::template queue<int> q(4);
  int next_in = 0, next_out = 0;
  for (int lap = 0; lap != 25; ++lap) {
    for (int i = 0; i != 4; ++i) ASSERT_TRUE(q.try_push(next_in++));
    EXPECT_TRUE(q.full());
    EXPECT_FALSE(q.try_push(-1)) << "a full queue took a fifth element";
    for (int i = 0; i != 4; ++i) {
      int v = -1;
      ASSERT_TRUE(q.try_pop(v));
      EXPECT_EQ(v, next_out++);
    }
    EXPECT_TRUE(q.empty());
    EXPECT_FALSE(q.try_pop().has_value());
  }
}

TYPED_TEST(LoneSides, CapacityOne) {
  typename TypeParam::template queue<int> q(1);
  for (int i = 0; i != 1000; ++i) {
    ASSERT_TRUE(q.push(i));
    ASSERT_FALSE(q.try_push(i));
    ASSERT_EQ(q.pop(), i);
  }
}

TYPED_TEST(LoneSides, RangesClaimRuns) {
  typename TypeParam::template queue<int> q(8);
  const std::vector<int> in{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_EQ(q.try_push_range(in), 8u) << "a range push fills what room there is";
  std::vector<int> out(16, -1);
  EXPECT_EQ(q.try_pop_n(out.begin(), 3), 3u);
  EXPECT_EQ(q.try_push_range(std::span<const int>(in).subspan(8)), 2u);
  EXPECT_EQ(q.try_pop_n(out.begin() + 3, 16), 7u);
  for (int i = 0; i != 10; ++i) EXPECT_EQ(out[static_cast<std::size_t>(i)], i);
  EXPECT_TRUE(q.empty());
}

TYPED_TEST(LoneSides, ThreadsDeliverEverythingOnceInOrder) {
  for (auto mode : {ops::blocking, ops::non_blocking}) {
    typename TypeParam::template queue<std::uint64_t> q(8);
    run_and_check(q, this->producers, this->consumers, 40'000 / sanitizer_slowdown, mode);
  }
}

TYPED_TEST(LoneSides, CloseDuringARunLosesNothing) {
  for (long after : {0L, 1L, 7L, 500L, 3000L}) {
    typename TypeParam::template queue<std::uint64_t> q(16);
    run_until_closed(q, this->producers, this->consumers, after / sanitizer_slowdown);
  }
}

// Non-blocking pushes, single and as one-element ranges (the batch claim),
// racing close() from a third thread: a push that got in is delivered once,
// a push begun after close() returned is refused, and the refusals leave the
// queue consistent for the consumers draining it.
TYPED_TEST(LoneSides, CloseRacingTryPushesLosesNothing) {
  using queue_type = typename TypeParam::template queue<std::uint64_t>;
  const int rounds = 150 / sanitizer_slowdown;
  for (int round = 0; round != rounds; ++round) {
    queue_type q(8);
    run_until_closed_with(
        q, this->producers, this->consumers, round % 40, [](queue_type& queue, std::uint64_t v) {
          // Every other value through the batch claim.
          const std::array<std::uint64_t, 1> one{v};
          return (v & 1) == 0 ? queue.try_push(v) : queue.try_push_range(one) == 1;
        });
    if (::testing::Test::HasFailure()) return;
  }
}

// A lone side never holds a ticket: with claim::ticket too, a push blocked
// on a full queue is turned away by close(), as with compare-exchange.
TYPED_TEST(LoneSides, CloseWakesBlockedCalls) {
  typename TypeParam::template queue<std::unique_ptr<int>> q(1);
  ASSERT_TRUE(q.push(std::make_unique<int>(1)));
  auto kept = std::make_unique<int>(2);
  std::atomic<int> pushed{-1};
  std::thread producer([&] { pushed = q.push(std::move(kept)) ? 1 : 0; });
  std::this_thread::sleep_for(30ms);  // let it block (and park); the check does not rely on it
  EXPECT_EQ(pushed.load(), -1) << "a push into a full queue returned";
  q.close();
  // A ticket holder among many producers completes once its slot is free
  // (claim/ticket.hpp), so the slot is freed before the join.
  auto first = q.pop();
  ASSERT_TRUE(first && *first);
  EXPECT_EQ(**first, 1);
  producer.join();
  if constexpr (TestFixture::producers == 1) {
    EXPECT_EQ(pushed.load(), 0) << "close() did not turn away the blocked lone push";
    ASSERT_NE(kept, nullptr);
    EXPECT_EQ(*kept, 2);
  }
  if (pushed.load() == 1) {
    EXPECT_TRUE(q.pop().has_value());
  }
  std::optional<std::unique_ptr<int>> last{std::make_unique<int>(0)};
  std::thread consumer([&] { last = q.pop(); });
  consumer.join();
  EXPECT_FALSE(last.has_value()) << "pop on a closed, drained queue must end";
}

TYPED_TEST(LoneSides, TimedCallsTimeOutAndLeaveTheQueueUsable) {
  typename TypeParam::template queue<std::unique_ptr<int>> q(1);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(q.try_pop_for(20ms).has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 20ms);
  ASSERT_TRUE(q.try_push_for(std::make_unique<int>(1), 20ms));
  auto kept = std::make_unique<int>(2);
  const auto t1 = std::chrono::steady_clock::now();
  EXPECT_FALSE(q.try_push_for(std::move(kept), 20ms));
  EXPECT_GE(std::chrono::steady_clock::now() - t1, 20ms);
  ASSERT_NE(kept, nullptr) << "a timed-out push moved from its argument";
  auto one = q.try_pop_until(std::chrono::steady_clock::now() + 1s);
  ASSERT_TRUE(one && *one);
  EXPECT_EQ(**one, 1);
  EXPECT_TRUE(q.try_push(std::move(kept)));
  EXPECT_EQ(q.size(), 1u);
}

}  // namespace
