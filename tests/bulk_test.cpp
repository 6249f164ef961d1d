// The bulk operations: try_push_range / push_range / try_pop_n. What they
// push (a prefix, in order), what they move from, what a closed or full
// queue does to them, element lifetimes, wake-ups, and many threads mixing
// batches with single operations.
#include "support/counting_backend.hpp"
#include "support/run_threads.hpp"
#include "support/tracked.hpp"

#include <mpmc/mpmc.hpp>
#include <mpmc/ranges.hpp>

#include <range/v3/view/iota.hpp>
#include <range/v3/view/istream.hpp>
#include <range/v3/view/transform.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <forward_list>
#include <iterator>
#include <latch>
#include <list>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using mpmc::test::tracked;

template <class Q>
std::vector<int> pop_all(Q& q) {
  std::vector<int> out;
  while (auto v = q.try_pop()) out.push_back(*v);
  return out;
}

TEST(Bulk, TryPushRangePushesEverythingThatFitsInOrder) {
  mpmc::queue<int> q(8);
  const std::vector<int> source{1, 2, 3, 4, 5};
  EXPECT_EQ(q.try_push_range(source), 5u);
  EXPECT_EQ(q.size(), 5u);
  EXPECT_EQ(source, (std::vector<int>{1, 2, 3, 4, 5})) << "an lvalue range is copied from";
  EXPECT_EQ(pop_all(q), source);
}

TEST(Bulk, TryPushRangePushesThePrefixThatFits) {
  mpmc::queue<int> q(8);
  ASSERT_TRUE(q.try_push(-1));
  ASSERT_TRUE(q.try_push(-2));
  const std::vector<int> source{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(q.try_push_range(source), 6u);
  EXPECT_TRUE(q.full());
  EXPECT_EQ(q.try_push_range(source), 0u);
  EXPECT_EQ(pop_all(q), (std::vector<int>{-1, -2, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(q.try_push_range(std::vector<int>{}), 0u);
}

TEST(Bulk, RangesOfEveryKind) {
  mpmc::queue<long> q(64);
  // A sized range-v3 view of values computed on the fly.
  EXPECT_EQ(q.try_push_range(ranges::views::iota(0, 10) |
                             ranges::views::transform([](int i) { return i * 10L; })),
            10u);
  // A forward range that does not know its size.
  const std::forward_list<long> forward{100, 101, 102};
  EXPECT_EQ(q.try_push_range(forward), 3u);
  // A bidirectional one, and a built-in array.
  const std::list<long> list{200, 201};
  EXPECT_EQ(q.try_push_range(list), 2u);
  const long array[] = {300, 301};
  EXPECT_EQ(q.try_push_range(array), 2u);
  // A single-pass range: pushed one claim at a time, all of it.
  std::istringstream text("400 401 402 403");
  EXPECT_EQ(q.try_push_range(ranges::istream_view<long>(text)), 4u);

  std::vector<long> out(64);
  const std::size_t n = q.try_pop_n(out.data(), out.size());
  out.resize(n);
  EXPECT_EQ(out, (std::vector<long>{0,   10,  20,  30,  40,  50,  60,  70,  80,  90, 100,
                                    101, 102, 200, 201, 300, 301, 400, 401, 402, 403}));
}

TEST(Bulk, AnOwningRvalueRangeIsMovedFromOnlyWhereItWasPushed) {
  mpmc::queue<std::unique_ptr<int>> q(4);
  std::vector<std::unique_ptr<int>> source;
  for (int i = 0; i != 6; ++i) source.push_back(std::make_unique<int>(i));
  EXPECT_EQ(q.try_push_range(std::move(source)), 4u);
  for (int i = 0; i != 4; ++i) EXPECT_EQ(source[static_cast<std::size_t>(i)], nullptr);
  ASSERT_NE(source[4], nullptr);
  ASSERT_NE(source[5], nullptr);
  EXPECT_EQ(*source[4], 4);
  EXPECT_EQ(*source[5], 5);
  for (int i = 0; i != 4; ++i) EXPECT_EQ(*q.try_pop().value(), i);
}

template <class Q, class R>
concept pushable_range = requires(Q& q, R&& r) {
  q.try_push_range(std::forward<R>(r));
};
template <class H>
concept pushes_ranges = requires(H& h, std::vector<int> v) {
  h.try_push_range(v);
};
template <class H>
concept pops_batches = requires(H& h, int* out) {
  h.try_pop_n(out, 1);
};

TEST(Bulk, ViewsAndLvaluesAreNeverMovedFrom) {
  using Q = mpmc::queue<std::unique_ptr<int>>;
  std::vector<std::unique_ptr<int>> owners;
  // Neither an lvalue container nor a view of one may be moved from, and a
  // unique_ptr cannot be copied: so neither is accepted.
  static_assert(!pushable_range<Q, std::vector<std::unique_ptr<int>>&>);
  static_assert(!pushable_range<Q, decltype(ranges::views::all(owners))>);
  static_assert(pushable_range<Q, std::vector<std::unique_ptr<int>>>);
  // A view of copyable elements is copied from, as an rvalue too.
  mpmc::queue<std::string> strings(4);
  std::vector<std::string> words{"alpha", "beta"};
  EXPECT_EQ(strings.try_push_range(ranges::views::all(words)), 2u);
  EXPECT_EQ(words, (std::vector<std::string>{"alpha", "beta"}));
  EXPECT_EQ(strings.try_pop(), std::optional<std::string>("alpha"));
}

TEST(Bulk, TryPopNPopsUpToNOldestFirst) {
  mpmc::queue<int> q(16);
  for (int i = 0; i != 10; ++i) ASSERT_TRUE(q.try_push(i));
  std::array<int, 4> four{};
  EXPECT_EQ(q.try_pop_n(four.begin(), 4), 4u);
  EXPECT_EQ(four, (std::array<int, 4>{0, 1, 2, 3}));
  std::vector<int> rest;  // a back_inserter may throw: popped one at a time
  EXPECT_EQ(q.try_pop_n(std::back_inserter(rest), 100), 6u);
  EXPECT_EQ(rest, (std::vector<int>{4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(q.try_pop_n(four.begin(), 4), 0u);
  EXPECT_EQ(q.try_pop_n(four.begin(), 0), 0u);
  static_assert(noexcept(q.try_pop_n(four.begin(), 4)));
  static_assert(!noexcept(q.try_pop_n(std::back_inserter(rest), 4)));
}

TEST(Bulk, BatchesWrapAroundTheRingManyTimes) {
  // Batches of every length from 1 to twice the capacity, each pushed and
  // popped across the ring's wrap point, in two queue configurations.
  auto laps = [](auto& q) {
    int next_in = 0;
    int next_out = 0;
    std::vector<int> batch;
    std::vector<int> out(2 * q.capacity());
    for (int round = 0; round != 2000; ++round) {
      const std::size_t len = 1 + static_cast<std::size_t>(round) % (2 * q.capacity());
      batch.clear();
      for (std::size_t i = 0; i != len; ++i) batch.push_back(next_in + static_cast<int>(i));
      const std::size_t pushed = q.try_push_range(batch);
      ASSERT_EQ(pushed, std::min(len, q.capacity())) << "round " << round;
      next_in += static_cast<int>(pushed);
      const std::size_t popped = q.try_pop_n(out.data(), out.size());
      ASSERT_EQ(popped, pushed);
      for (std::size_t i = 0; i != popped; ++i) ASSERT_EQ(out[i], next_out++);
    }
  };
  mpmc::queue<int> defaults(8);
  laps(defaults);
  mpmc::queue<int, mpmc::capacity::fixed<1>, mpmc::padding::none> one;
  laps(one);
}

TEST(Bulk, ABatchStopsAtASlotStillInUse) {
  // Slots are released out of order: while the consumer of the oldest
  // element is still moving it out, later slots may be free again. A batch
  // push must claim only the free run in front of it, never past the busy
  // slot. Simulated here by a consumer that is slow to move out.
  struct slow {
    int value;
    std::atomic<bool>* gate;
    slow(int v, std::atomic<bool>* g) noexcept : value(v), gate(g) {}
    slow(slow&& other) noexcept : value(other.value), gate(other.gate) {
      if (value == 2)
        while (!gate->load()) std::this_thread::yield();
    }
  };
  std::atomic<bool> gate{false};
  mpmc::queue<slow> q(4);
  for (int i = 0; i != 4; ++i) ASSERT_TRUE(q.try_emplace(i, &gate));
  EXPECT_EQ(q.try_pop()->value, 0);
  EXPECT_EQ(q.try_pop()->value, 1);
  // This consumer claims position 2 and then stalls moving it out.
  std::thread stuck([&] { EXPECT_EQ(q.try_pop()->value, 2); });
  while (q.size() != 1) std::this_thread::yield();
  EXPECT_EQ(q.try_pop()->value, 3);
  // Slots 0 and 1 are free for the next lap, slot 2 is busy, slot 3 free.
  std::vector<slow> more;
  for (int i = 10; i != 14; ++i) more.emplace_back(i, &gate);
  EXPECT_EQ(q.try_push_range(std::move(more)), 2u) << "only the free run before the busy slot";
  EXPECT_EQ(more[2].value, 12) << "not moved from";
  gate = true;
  stuck.join();
  std::vector<slow> rest;
  for (int i = 12; i != 14; ++i) rest.emplace_back(i, &gate);
  EXPECT_EQ(q.try_push_range(std::move(rest)), 2u);
  std::vector<int> values;
  while (auto v = q.try_pop()) values.push_back(v->value);
  EXPECT_EQ(values, (std::vector<int>{10, 11, 12, 13}));
}

TEST(Bulk, ClosedQueueTakesNoBatchAndLeavesTheRangeAlone) {
  mpmc::queue<std::unique_ptr<int>> q(4);
  ASSERT_TRUE(q.try_push(std::make_unique<int>(7)));
  q.close();
  std::vector<std::unique_ptr<int>> source;
  source.push_back(std::make_unique<int>(1));
  EXPECT_EQ(q.try_push_range(std::move(source)), 0u);
  EXPECT_EQ(q.push_range(std::move(source)), 0u);
  ASSERT_NE(source[0], nullptr);
  // Pops still drain what is there.
  std::vector<std::unique_ptr<int>> out(4);
  EXPECT_EQ(q.try_pop_n(out.begin(), 4), 1u);
  EXPECT_EQ(*out[0], 7);
}

TEST(Bulk, PushRangeWaitsForRoomUntilAllIsPushed) {
  mpmc::queue<int> q(4);
  std::vector<int> source(1000);
  for (int i = 0; i != 1000; ++i) source[static_cast<std::size_t>(i)] = i;
  std::size_t pushed = 0;
  std::thread producer([&] { pushed = q.push_range(source); });
  std::vector<int> got;
  std::array<int, 3> buffer{};
  while (got.size() < source.size()) {
    const std::size_t n = q.try_pop_n(buffer.begin(), buffer.size());
    got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<long>(n));
  }
  producer.join();
  EXPECT_EQ(pushed, 1000u);
  EXPECT_EQ(got, source);
}

TEST(Bulk, CloseEndsABlockedPushRangeWithItsCount) {
  mpmc::queue<int> q(4);
  std::size_t pushed = 99;
  std::thread producer([&] { pushed = q.push_range(ranges::views::iota(0, 10)); });
  while (!q.full()) std::this_thread::sleep_for(1ms);
  q.close();
  producer.join();
  EXPECT_EQ(pushed, 4u);
  EXPECT_EQ(pop_all(q), (std::vector<int>{0, 1, 2, 3}));
}

TEST(Bulk, ElementLifetimesBalance) {
  tracked::reset();
  {
    mpmc::queue<tracked> q(8);
    std::vector<tracked> source;
    for (int i = 0; i != 12; ++i) source.emplace_back(i);
    EXPECT_EQ(q.try_push_range(source), 8u);  // copies
    std::vector<tracked> out;
    out.reserve(8);
    for (int i = 0; i != 8; ++i) out.emplace_back(-1);
    EXPECT_EQ(q.try_pop_n(out.begin(), 5), 5u);  // moves, then destroys in the slot
    for (int i = 0; i != 5; ++i) EXPECT_EQ(out[static_cast<std::size_t>(i)].value(), i);
    EXPECT_EQ(q.try_push_range(std::move(source)), 5u);  // moves 5 more in
    // 3 + 5 elements left in the queue for its destructor.
    EXPECT_EQ(q.size(), 8u);
  }
  const auto counts = tracked::counts();
  EXPECT_EQ(counts.live, 0) << "constructed " << counts.constructed << ", destroyed "
                            << counts.destroyed;
  EXPECT_EQ(counts.double_destroys, 0);
}

struct throws_on_copy {
  int value;
  explicit throws_on_copy(int v) noexcept : value(v) {}
  throws_on_copy(const throws_on_copy& other) : value(other.value) {
    if (value < 0) throw std::runtime_error("copy refused");
  }
  throws_on_copy(throws_on_copy&&) noexcept = default;
  throws_on_copy& operator=(throws_on_copy&&) noexcept = default;
};

TEST(Bulk, AThrowingCopyLeavesWhatCameBeforeIt) {
  mpmc::queue<throws_on_copy> q(8);
  std::vector<throws_on_copy> source;
  for (int v : {1, 2, -3, 4}) source.emplace_back(v);
  EXPECT_THROW(q.try_push_range(source), std::runtime_error);
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.try_pop()->value, 1);
  EXPECT_EQ(q.try_pop()->value, 2);
  EXPECT_FALSE(q.try_pop().has_value());
  // The queue is whole: a batch of nothrow moves still goes through.
  source.erase(source.begin() + 2);
  EXPECT_EQ(q.try_push_range(std::move(source)), 3u);
}

TEST(Bulk, ARangeWhoseIteratorThrowsIsPushedUpToTheThrow) {
  // The throw comes from the view itself, not from T: the batch must not
  // claim slots it then cannot fill.
  mpmc::queue<int> q(8);
  auto checked = ranges::views::iota(0, 6) | ranges::views::transform([](int v) {
                   if (v == 3) throw std::out_of_range("three");
                   return v;
                 });
  EXPECT_THROW(q.try_push_range(checked), std::out_of_range);
  EXPECT_EQ(pop_all(q), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(q.try_push_range(std::vector<int>{7, 8}), 2u) << "no slot left claimed and unfilled";
  EXPECT_EQ(pop_all(q), (std::vector<int>{7, 8}));
}

TEST(Bulk, ABatchWakesAsManyParkedConsumersAsItHasElements) {
  using counting_backend = mpmc::test::counting_backend;
  counting_backend::reset();
  mpmc::queue<int, mpmc::wait::park<counting_backend, 0, 0>> q(8);
  constexpr int consumers = 3;
  std::atomic<int> sum{0};
  std::vector<std::thread> threads;
  for (int c = 0; c != consumers; ++c) threads.emplace_back([&] { sum += q.pop().value(); });
  while (counting_backend::waits.load() < consumers) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(q.try_push_range(std::array<int, 3>{1, 2, 3}), 3u);
  for (auto& t : threads) t.join();
  EXPECT_EQ(sum.load(), 6);
  // One wake call asked for three. (A consumer that lost its element to a
  // sibling may park once more and be woken by a later publish; here there
  // are exactly as many elements as sleepers, so none does.)
  EXPECT_GE(counting_backend::wakes.load(), 1);
  EXPECT_EQ(counting_backend::woken.load() - (counting_backend::wakes.load() - 1), 3);
}

TEST(Bulk, HandlesAndChannelsForwardTheBulkOperations) {
  auto q = std::make_shared<mpmc::queue<int>>(8);
  mpmc::producer<mpmc::queue<int>> tx(q);
  mpmc::consumer<mpmc::queue<int>> rx(q);
  EXPECT_EQ(tx.try_push_range(std::vector<int>{1, 2, 3}), 3u);
  EXPECT_EQ(tx.push_range(std::vector<int>{4}), 1u);
  std::array<int, 8> out{};
  EXPECT_EQ(rx.try_pop_n(out.begin(), 8), 4u);
  EXPECT_EQ(out[3], 4);

  auto [sender, receiver] = mpmc::make_channel<int>(8);
  EXPECT_EQ(sender.try_push_range(std::vector<int>{5, 6}), 2u);
  EXPECT_EQ(receiver.try_pop_n(out.begin(), 8), 2u);
  EXPECT_EQ(out[0], 5);
  static_assert(pushes_ranges<decltype(tx)> && pops_batches<decltype(rx)>);
  static_assert(!pushes_ranges<decltype(rx)> && !pops_batches<decltype(tx)>);
  static_assert(pushes_ranges<decltype(sender)> && pops_batches<decltype(receiver)>);
}

// Producers push batches of varying length (blocking), consumers pop
// batches into arrays (non-blocking): every value exactly once and in each
// producer's order at each consumer.
template <class Queue>
void batches_across_threads(Queue& q, int producers, int consumers, int per_producer) {
  const long total = static_cast<long>(producers) * per_producer;
  std::atomic<long> delivered{0};
  std::latch start(producers + consumers);
  std::vector<std::vector<std::uint64_t>> received(static_cast<std::size_t>(consumers));
  std::vector<std::thread> threads;
  for (int p = 0; p != producers; ++p) {
    threads.emplace_back([&, p] {
      start.arrive_and_wait();
      std::vector<std::uint64_t> batch;
      for (int i = 0; i != per_producer;) {
        const int len = std::min(1 + (i * 7 + p) % 37, per_producer - i);
        batch.clear();
        for (int k = 0; k != len; ++k) batch.push_back(mpmc::test::encode(p, i + k));
        EXPECT_EQ(q.push_range(batch), static_cast<std::size_t>(len));
        i += len;
      }
    });
  }
  for (int c = 0; c != consumers; ++c) {
    threads.emplace_back([&, c] {
      auto& mine = received[static_cast<std::size_t>(c)];
      start.arrive_and_wait();
      std::array<std::uint64_t, 16> buffer{};
      while (delivered.load() < total) {
        const std::size_t n = q.try_pop_n(buffer.begin(), 1 + mine.size() % buffer.size());
        if (n == 0) {
          std::this_thread::yield();
          continue;
        }
        mine.insert(mine.end(), buffer.begin(), buffer.begin() + static_cast<long>(n));
        delivered += static_cast<long>(n);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_TRUE(q.empty());
  mpmc::test::check_delivery(received,
                             std::vector<long>(static_cast<std::size_t>(producers), per_producer));
}

TEST(BulkThreads, FourByFourBatchesThroughADefaultQueue) {
  mpmc::queue<std::uint64_t> q(64);
  batches_across_threads(q, 4, 4, 40'000 / mpmc::test::sanitizer_slowdown);
}

TEST(BulkThreads, EightByEightBatchesThroughASmallSpinningQueue) {
  mpmc::spinning_queue<std::uint64_t>::with<mpmc::wait::yield> q(16);
  batches_across_threads(q, 8, 8, 10'000 / mpmc::test::sanitizer_slowdown);
}

TEST(BulkThreads, BatchesThroughCapacityOne) {
  mpmc::queue<std::uint64_t, mpmc::capacity::fixed<1>> q;
  batches_across_threads(q, 2, 2, 5'000 / mpmc::test::sanitizer_slowdown);
}

}  // namespace
