// Every call of the queue's contract, single-threaded, over every policy mix.
#include "support/mixes.hpp"

#include <mpmc/mpmc.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace {

using namespace mpmc::test;

template <class Mix>
class QueueContract : public ::testing::Test {};
TYPED_TEST_SUITE(QueueContract, contract_mixes, contract_mix_names);

TYPED_TEST(QueueContract, CapacityRoundsUpToAPowerOfTwo) {
  using Q = typename TypeParam::template queue<int>;
  const std::pair<std::size_t, std::size_t> cases[] = {
      {1, 1}, {2, 2}, {3, 4}, {4, 4}, {5, 8}, {1000, 1024}, {1024, 1024}, {1025, 2048}};
  for (auto [asked, got] : cases) {
    Q q(asked);
    EXPECT_EQ(q.capacity(), got) << "asked for " << asked;
    EXPECT_EQ(q.size(), 0u);
    EXPECT_TRUE(q.empty());
    EXPECT_FALSE(q.full());
  }
}

TYPED_TEST(QueueContract, ZeroCapacityThrowsInvalidArgument) {
  using Q = typename TypeParam::template queue<int>;
  EXPECT_THROW(Q{0}, std::invalid_argument);
}

TYPED_TEST(QueueContract, UnaddressableCapacityThrowsLengthError) {
  using Q = typename TypeParam::template queue<int>;
  EXPECT_THROW(Q{std::numeric_limits<std::size_t>::max()}, std::length_error);
  // Turn words are 32 bits: a ring lags a current claimer by at most
  // 2 * capacity turns, which must stay below 2^31.
  EXPECT_THROW(Q{(std::size_t{1} << 30) + 1}, std::length_error);
}

TYPED_TEST(QueueContract, CapacityOneHoldsExactlyOneElement) {
  typename TypeParam::template queue<int> q(1);
  ASSERT_EQ(q.capacity(), 1u);
  for (int lap = 0; lap != 1000; ++lap) {
    ASSERT_TRUE(q.try_push(lap));
    EXPECT_TRUE(q.full());
    EXPECT_EQ(q.size(), 1u);
    EXPECT_FALSE(q.try_push(-1)) << "a second element fit into capacity 1 on lap " << lap;
    auto v = q.try_pop();
    ASSERT_TRUE(v.has_value());
    EXPECT_EQ(*v, lap);
    EXPECT_TRUE(q.empty());
    EXPECT_FALSE(q.try_pop().has_value());
  }
}

TYPED_TEST(QueueContract, FullAndEmptyEdges) {
  typename TypeParam::template queue<int> q(4);
  EXPECT_FALSE(q.try_pop().has_value());
  int out = 42;
  EXPECT_FALSE(q.try_pop(out));
  EXPECT_EQ(out, 42) << "a failed try_pop(T&) wrote its argument";
  for (int i = 0; i != 4; ++i) {
    EXPECT_EQ(q.size(), static_cast<std::size_t>(i));
    ASSERT_TRUE(q.try_push(i));
  }
  EXPECT_TRUE(q.full());
  EXPECT_FALSE(q.empty());
  EXPECT_FALSE(q.try_push(99));
  EXPECT_FALSE(q.try_emplace(99));
  EXPECT_EQ(q.size(), 4u);
  for (int i = 0; i != 4; ++i) {
    ASSERT_TRUE(q.try_pop(out));
    EXPECT_EQ(out, i);
  }
  EXPECT_TRUE(q.empty());
  EXPECT_FALSE(q.full());
}

TYPED_TEST(QueueContract, FailedPushLeavesAnRvalueArgumentUntouched) {
  typename TypeParam::template queue<std::unique_ptr<int>> q(1);
  ASSERT_TRUE(q.try_push(std::make_unique<int>(1)));
  auto second = std::make_unique<int>(2);
  EXPECT_FALSE(q.try_push(std::move(second)));
  ASSERT_NE(second, nullptr) << "a failed try_push moved from its argument";
  EXPECT_EQ(*second, 2);
  EXPECT_FALSE(q.try_emplace(std::move(second)));
  ASSERT_NE(second, nullptr) << "a failed try_emplace moved from its argument";
}

TYPED_TEST(QueueContract, AMillionLapsThroughCapacityTwo) {
  typename TypeParam::template queue<std::uint32_t> q(2);
  ASSERT_EQ(q.capacity(), 2u);
  for (std::uint32_t i = 0; i != 1'000'000; ++i) {
    ASSERT_TRUE(q.try_push(2 * i));
    ASSERT_TRUE(q.try_push(2 * i + 1));
    ASSERT_FALSE(q.try_push(0u));
    ASSERT_EQ(q.try_pop(), std::optional<std::uint32_t>(2 * i));
    ASSERT_EQ(q.try_pop(), std::optional<std::uint32_t>(2 * i + 1));
    ASSERT_FALSE(q.try_pop().has_value());
  }
}

TYPED_TEST(QueueContract, FifoAcrossWraparound) {
  typename TypeParam::template queue<int> q(64);
  int next_in = 0;
  int next_out = 0;
  // Uneven bursts so that head and tail wrap at different slots.
  for (int round = 0; round != 500; ++round) {
    const int in = 1 + (round * 7) % 50;
    for (int i = 0; i != in && !q.full(); ++i) ASSERT_TRUE(q.try_push(next_in++));
    const int out = 1 + (round * 13) % 45;
    for (int i = 0; i != out; ++i) {
      auto v = q.try_pop();
      if (!v) break;
      ASSERT_EQ(*v, next_out++);
    }
    ASSERT_EQ(q.size(), static_cast<std::size_t>(next_in - next_out));
  }
  while (auto v = q.try_pop()) ASSERT_EQ(*v, next_out++);
  EXPECT_EQ(next_in, next_out);
}

TYPED_TEST(QueueContract, BlockingCallsSucceedWithoutWaitingWhenTheyCan) {
  typename TypeParam::template queue<std::string> q(2);
  const std::string hello = "hello";
  EXPECT_TRUE(q.push(hello));
  EXPECT_EQ(hello, "hello") << "push(const T&) moved from its argument";
  EXPECT_TRUE(q.push(std::string(40, 'x')));
  EXPECT_EQ(q.pop(), std::optional<std::string>("hello"));
  EXPECT_TRUE(q.emplace(3, 'y'));
  EXPECT_EQ(q.pop(), std::optional<std::string>(std::string(40, 'x')));
  EXPECT_EQ(q.pop(), std::optional<std::string>("yyy"));
  EXPECT_TRUE(q.empty());
}

TYPED_TEST(QueueContract, EmplaceForwardsSeveralArguments) {
  typename TypeParam::template queue<std::pair<int, std::string>> q(4);
  EXPECT_TRUE(q.try_emplace(1, "one"));
  EXPECT_TRUE(q.emplace(2, "two"));
  auto a = q.try_pop();
  auto b = q.pop();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, (std::pair<int, std::string>(1, "one")));
  EXPECT_EQ(*b, (std::pair<int, std::string>(2, "two")));
}

TYPED_TEST(QueueContract, CopyPushCopies) {
  typename TypeParam::template queue<std::string> q(2);
  std::string s = "payload that is longer than the small-string buffer";
  ASSERT_TRUE(q.try_push(s));
  EXPECT_EQ(s, "payload that is longer than the small-string buffer");
  EXPECT_EQ(q.try_pop(), std::optional<std::string>(s));
}

// Counts allocate/deallocate calls in counters the test owns, so that the
// test can see the queue honour the allocator it was given.
struct allocator_counts {
  int allocations = 0;
  int deallocations = 0;
};

template <class T>
struct counting_allocator {
  using value_type = T;
  allocator_counts* counts;

  explicit counting_allocator(allocator_counts* c) noexcept : counts(c) {}
  template <class U>
  counting_allocator(const counting_allocator<U>& other) noexcept : counts(other.counts) {}

  T* allocate(std::size_t n) {
    ++counts->allocations;
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    ++counts->deallocations;
    std::allocator<T>().deallocate(p, n);
  }
  template <class U>
  bool operator==(const counting_allocator<U>& other) const noexcept {
    return counts == other.counts;
  }
};

TEST(QueueAllocator, DynamicCapacityAllocatesThroughTheGivenAllocator) {
  allocator_counts counts;
  using alloc = counting_allocator<std::byte>;
  {
    mpmc::queue<int, mpmc::capacity::basic_dynamic<alloc>> q(8, alloc(&counts));
    EXPECT_EQ(counts.allocations, 1);
    EXPECT_EQ(q.get_allocator().counts, &counts);
    for (int i = 0; i != 100; ++i) {
      ASSERT_TRUE(q.try_push(i));
      ASSERT_EQ(q.try_pop(), std::optional<int>(i));
    }
    EXPECT_EQ(counts.allocations, 1) << "push or pop allocated";
  }
  EXPECT_EQ(counts.deallocations, 1);
}

}  // namespace
