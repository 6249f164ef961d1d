// Non-blocking calls fail only when the queue really was empty (full): a
// try_pop that finds the oldest position claimed but not yet written waits
// for its producer, and a try_push that finds its slot still being read
// waits for that consumer. And positions near the end of their range map to
// the right slots for every capacity.
#include "support/mixes.hpp"
#include "support/run_threads.hpp"

#include <mpmc/mpmc.hpp>
#include <mpmc/ranges.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace {

using namespace mpmc::test;

using strong_mixes =
    ::testing::Types<mix<>, mix<mpmc::claim::ticket>, mix<mpmc::wait::spin, mpmc::backoff::none>,
                     mix<mpmc::wait::yield, mpmc::padding::interleaved>>;
struct strong_mix_names {
  template <class Mix>
  static std::string GetName(int i) {
    static const char* const names[] = {"defaults", "ticket", "spin", "yield_interleaved"};
    return names[i];
  }
};

template <class Mix>
class StrongTry : public ::testing::Test {};
TYPED_TEST_SUITE(StrongTry, strong_mixes, strong_mix_names);

constexpr int threads = 4;
constexpr int rounds = 4'000 / sanitizer_slowdown;

// Built and moved in place, between a claim and its publish: now and then it sleeps there,
// leaving its position claimed and unfinished while the other threads run, the window in which
// a try call must wait for its partner rather than fail.
struct slow_to_build {
  int value;
  slow_to_build(int v) noexcept : value(v) { pause(); }
  slow_to_build(slow_to_build&& other) noexcept : value(other.value) { pause(); }
  slow_to_build& operator=(slow_to_build&&) noexcept = default;
  void pause() const {
    if (value % 64 == 0) std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
};

// Each thread pushes, then pops: its own element (or another) is in the
// queue when its try_pop begins, so the pop must succeed.
TYPED_TEST(StrongTry, APopAfterOwnPushNeverFindsTheQueueEmpty) {
  typename TypeParam::template queue<slow_to_build> q(threads);
  std::atomic<long> fails{0};
  std::vector<std::thread> pool;
  for (int t = 0; t != threads; ++t)
    pool.emplace_back([&q, &fails] {
      for (int i = 0; i != rounds; ++i) {
        while (!q.try_emplace(i)) {
        }
        if (!q.try_pop()) fails.fetch_add(1);
      }
    });
  for (auto& t : pool) t.join();
  EXPECT_EQ(fails.load(), 0) << "try_pop reported empty with an element queued";
  EXPECT_TRUE(q.empty());
}

// The mirror: from a full queue, each thread pops, then pushes: it holds one
// element taken out, so the queue cannot be full when its try_push begins.
TYPED_TEST(StrongTry, APushAfterOwnPopNeverFindsTheQueueFull) {
  typename TypeParam::template queue<slow_to_build> q(threads);
  for (int i = 0; i != threads; ++i) ASSERT_TRUE(q.try_emplace(i));
  std::atomic<long> fails{0};
  std::vector<std::thread> pool;
  for (int t = 0; t != threads; ++t)
    pool.emplace_back([&q, &fails] {
      for (int i = 0; i != rounds; ++i) {
        std::optional<slow_to_build> v;
        while (!(v = q.try_pop())) {
        }
        if (!q.try_emplace(v->value + 1)) fails.fetch_add(1);
      }
    });
  for (auto& t : pool) t.join();
  EXPECT_EQ(fails.load(), 0) << "try_push reported full with a free slot";
  EXPECT_EQ(q.size(), static_cast<std::size_t>(threads));
}

// Batches: try_pop_n returns 0 only on an empty queue. Each batch's first element is slow to
// build.
TYPED_TEST(StrongTry, ABatchPopAfterOwnPushTakesSomething) {
  typename TypeParam::template queue<slow_to_build> q(2 * threads);
  std::atomic<long> fails{0};
  std::vector<std::thread> pool;
  for (int t = 0; t != threads; ++t)
    pool.emplace_back([&q, &fails] {
      const std::array<int, 2> in{64, 1};
      std::array<std::optional<slow_to_build>, 2> out;
      for (int i = 0; i != rounds / 4; ++i) {
        while (q.try_push_range(in) != 2) q.try_pop_n(out.begin(), 2);  // room; undo a part
        if (q.try_pop_n(out.begin(), 2) == 0) fails.fetch_add(1);
      }
    });
  for (auto& t : pool) t.join();
  EXPECT_EQ(fails.load(), 0) << "try_pop_n took nothing with elements queued";
}

// A lone consumer (MPSC): once a push has returned, the consumer's try_pop
// must find an element, even while another producer's earlier position is
// still being written.
TEST(StrongTryLoneConsumer, AnElementPushedBeforeTheCallIsFound) {
  mpmc::queue<slow_to_build, mpmc::consumers::single> q(8);
  constexpr int producers = 3, each = 4'000 / sanitizer_slowdown;
  std::atomic<long> pushed{0};
  std::vector<std::thread> pool;
  for (int p = 0; p != producers; ++p)
    pool.emplace_back([&] {
      for (int i = 0; i != each; ++i) {
        q.push(i);
        pushed.fetch_add(1, std::memory_order_release);
      }
    });
  long popped = 0, fails = 0;
  while (popped != long{producers} * each) {
    const long ready = pushed.load(std::memory_order_acquire);
    while (popped < ready) {
      if (q.try_pop())
        ++popped;
      else
        ++fails;  // `ready` pushes returned before this call, `popped` of them were taken
    }
  }
  for (auto& t : pool) t.join();
  EXPECT_EQ(fails, 0) << "try_pop reported empty with a completed push queued";
}

// Positions are 63 bits and do not wrap; close to the end of that range the
// reduction to a slot must still be exact, and the 32-bit turns wrap there
// (2 * position passes a multiple of 2^32). Drives the ring itself from a
// start just below 2^63, single and batched, for capacities that are and
// are not powers of two.
template <class Config>
void run_near_the_end(std::size_t capacity) {
  using ring_type = mpmc::detail::sequence_ring<std::uint64_t, Config>;
  using mpmc::detail::side;
  // Positions are lap-encoded (a lap spans capacity rounded up to a power of two): start eight
  // laps before the end of the 63-bit range, half a lap in, and run six laps.
  const std::uint64_t lap = std::bit_ceil(capacity);
  const std::uint64_t start = ((std::uint64_t{1} << 63) / lap - 8) * capacity + capacity / 2;
  ring_type ring(capacity, std::allocator<std::byte>(), mpmc::detail::first_position{start});
  typename ring_type::claimed c;
  std::uint64_t next_in = start, next_out = start;
  auto push = [&](std::size_t max) {
    const std::size_t n = ring.template claim<side::producers>(c, max);
    ring.template publish_n<side::producers>(
        c.pos, n, [&](auto& s) { std::construct_at(s.value(), next_in++); });
    return n;
  };
  auto pop = [&](std::size_t max) {
    const std::size_t n = ring.template claim<side::consumers>(c, max);
    ring.template publish_n<side::consumers>(c.pos, n, [&](auto& s) {
      EXPECT_EQ(*s.value(), next_out++);
      std::destroy_at(s.value());
    });
    return n;
  };
  while (next_in < start + 6 * capacity) {
    // Fill to exactly capacity (one at a time, then a batch), then empty.
    ASSERT_EQ(push(1), 1u);
    while (ring.size() < capacity) ASSERT_NE(push(capacity), 0u);
    ASSERT_EQ(push(1), 0u) << "more than " << capacity << " fit";
    ASSERT_EQ(pop(1), 1u);
    while (ring.size() != 0) ASSERT_NE(pop(5), 0u);
    ASSERT_EQ(pop(1), 0u);
    ASSERT_EQ(next_in, next_out);
  }
}

TEST(PositionRange, SlotsStayExactUpToTheEndOfThePositions) {
  using Config = mpmc::queue<std::uint64_t, mpmc::producers::single>::config_type;
  using Interleaved = mpmc::queue<std::uint64_t, mpmc::padding::interleaved>::config_type;
  for (const std::size_t n : {1, 2, 3, 5, 100, 1000, 1024}) {
    SCOPED_TRACE(n);
    run_near_the_end<Config>(n);
    run_near_the_end<Interleaved>(n);
  }
}

}  // namespace
