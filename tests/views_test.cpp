// mpmc::views::drain and mpmc::views::consume: what they pop, when they end,
// how they compose with range-v3, and that taking n pops exactly n.
#include "support/run_threads.hpp"

#include <mpmc/mpmc.hpp>
#include <mpmc/ranges.hpp>
#include <mpmc/views.hpp>

#include <range/v3/range/conversion.hpp>
#include <range/v3/view/filter.hpp>
#include <range/v3/view/move.hpp>
#include <range/v3/view/take.hpp>
#include <range/v3/view/transform.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using drain_view = decltype(mpmc::views::drain(std::declval<mpmc::queue<int>&>()));
static_assert(ranges::view_<drain_view>);
static_assert(ranges::input_range<drain_view>);
static_assert(!ranges::forward_range<drain_view>, "a queue can be read once");
static_assert(std::is_same_v<ranges::range_reference_t<drain_view>, int&>);
// Copyable (as range-v3 requires of a view) even for move-only elements.
static_assert(ranges::view_<
              decltype(mpmc::views::consume(std::declval<mpmc::queue<std::unique_ptr<int>>&>()))>);
// Only queues and consumer-side handles are sources.
template <class S>
concept drainable = requires(S& source) {
  mpmc::views::drain(source);
};
static_assert(drainable<mpmc::queue<int>>);
static_assert(drainable<mpmc::consumer<mpmc::queue<int>>>);
static_assert(drainable<const mpmc::receiver<mpmc::queue<int>>>);
static_assert(!drainable<mpmc::producer<mpmc::queue<int>>>);
static_assert(!drainable<std::vector<int>>);

TEST(Views, DrainPopsWhatIsQueuedAndEndsWhenEmpty) {
  mpmc::queue<int> q(16);
  for (int i = 0; i != 5; ++i) ASSERT_TRUE(q.try_push(i));
  std::vector<int> got;
  for (int& v : mpmc::views::drain(q)) got.push_back(v);
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(q.empty());
  EXPECT_FALSE(q.closed()) << "draining does not close";
  // Drained again later, it sees only what came since.
  ASSERT_TRUE(q.try_push(9));
  EXPECT_EQ(mpmc::views::drain(q) | ranges::to<std::vector>(), std::vector<int>{9});
  EXPECT_EQ(mpmc::views::drain(q) | ranges::to<std::vector>(), std::vector<int>{});
}

TEST(Views, ComposeWithRangeV3Views) {
  mpmc::queue<int> q(16);
  for (int i = 1; i <= 10; ++i) ASSERT_TRUE(q.try_push(i));
  const auto squares_of_odds =
      mpmc::views::drain(q) | ranges::views::filter([](int v) { return v % 2 != 0; }) |
      ranges::views::transform([](int v) { return v * v; }) | ranges::to<std::vector>();
  EXPECT_EQ(squares_of_odds, (std::vector<int>{1, 9, 25, 49, 81}));
  EXPECT_TRUE(q.empty()) << "the filtered-out elements were popped too";
}

TEST(Views, TakePopsExactlyN) {
  mpmc::queue<int> q(16);
  for (int i = 0; i != 10; ++i) ASSERT_TRUE(q.try_push(i));
  EXPECT_EQ(mpmc::views::drain(q) | ranges::views::take(3) | ranges::to<std::vector>(),
            (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(q.size(), 7u) << "no element popped ahead and lost";
  EXPECT_EQ(mpmc::views::consume(q) | ranges::views::take(7) | ranges::to<std::vector>(),
            (std::vector<int>{3, 4, 5, 6, 7, 8, 9}));
  EXPECT_TRUE(q.empty());
}

TEST(Views, MoveOnlyElementsMoveOutThroughViewsMove) {
  mpmc::queue<std::unique_ptr<std::string>> q(4);
  ASSERT_TRUE(q.try_push(std::make_unique<std::string>("a")));
  ASSERT_TRUE(q.try_push(std::make_unique<std::string>("b")));
  auto owned = mpmc::views::drain(q) | ranges::views::move | ranges::to<std::vector>();
  ASSERT_EQ(owned.size(), 2u);
  EXPECT_EQ(*owned[0], "a");
  EXPECT_EQ(*owned[1], "b");
}

TEST(Views, ConsumeWaitsAndEndsWhenTheLastSenderLeaves) {
  auto [tx, rx] = mpmc::make_channel<int>(8);
  std::thread producer([tx = std::move(tx)] {
    for (int i = 0; i != 1000; ++i) ASSERT_TRUE(tx.push(i));
  });  // the sender dies with the thread's lambda, closing the channel
  long sum = 0;
  long count = 0;
  for (int& v : mpmc::views::consume(rx)) {
    sum += v;
    ++count;
  }
  producer.join();
  EXPECT_EQ(count, 1000);
  EXPECT_EQ(sum, 999L * 1000 / 2);
  EXPECT_TRUE(rx.closed());
}

TEST(Views, ConsumersShareAStreamThroughConsume) {
  // 4 producers push batches, 4 consumers each read through views::consume
  // until the queue is closed and drained: every value exactly once, in
  // each producer's order at each consumer.
  constexpr int producers = 4;
  constexpr int consumers = 4;
  const int per_producer = 20'000 / mpmc::test::sanitizer_slowdown;
  mpmc::queue<std::uint64_t> q(32);
  std::latch produced(producers);
  std::vector<std::vector<std::uint64_t>> received(consumers);
  std::vector<std::thread> threads;
  for (int p = 0; p != producers; ++p) {
    threads.emplace_back([&, p] {
      std::vector<std::uint64_t> batch;
      for (int i = 0; i != per_producer; i += 10) {
        batch.clear();
        for (int k = i; k != std::min(i + 10, per_producer); ++k)
          batch.push_back(mpmc::test::encode(p, k));
        EXPECT_EQ(q.push_range(batch), batch.size());
      }
      produced.count_down();
    });
  }
  for (int c = 0; c != consumers; ++c) {
    threads.emplace_back([&, c] {
      received[static_cast<std::size_t>(c)] = mpmc::views::consume(q) | ranges::to<std::vector>();
    });
  }
  produced.wait();
  q.close();
  for (auto& t : threads) t.join();
  mpmc::test::check_delivery(received, std::vector<long>(producers, per_producer));
}

}  // namespace
