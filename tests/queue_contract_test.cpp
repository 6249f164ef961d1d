// Every call of the queue's contract, single-threaded, over every policy mix.
#include "support/mixes.hpp"

#include <mpmc/mpmc.hpp>
#include <mpmc/ranges.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace mpmc::test;

template <class Mix>
class QueueContract : public ::testing::Test {};
TYPED_TEST_SUITE(QueueContract, contract_mixes, contract_mix_names);

// Every capacity holds exactly what was asked for, lap after lap, single
// and batched, each lap starting at another slot (the reduction of a
// position to its slot is a mask or a reciprocal multiply).
TYPED_TEST(QueueContract, HoldsExactlyTheCapacityAskedFor) {
  using Q = typename TypeParam::template queue<int>;
  for (const std::size_t n : {1, 2, 3, 5, 7, 100, 1000, 1024, 1025}) {
    Q q(n);
    ASSERT_EQ(q.capacity(), n);
    EXPECT_TRUE(q.empty());
    std::vector<int> in(n + 1), out(n + 1, -1);
    std::iota(in.begin(), in.end(), 0);
    for (int lap = 0; lap != 3; ++lap) {
      for (std::size_t i = 0; i != n; ++i) ASSERT_TRUE(q.try_push(static_cast<int>(i)));
      EXPECT_TRUE(q.full());
      EXPECT_EQ(q.size(), n);
      EXPECT_FALSE(q.try_push(-1)) << "capacity " << n << " took an extra element";
      for (std::size_t i = 0; i != n; ++i) ASSERT_EQ(q.try_pop(), std::optional<int>(i));
      EXPECT_FALSE(q.try_pop().has_value());
      EXPECT_EQ(q.try_push_range(in), n) << "a batch overfilled capacity " << n;
      EXPECT_EQ(q.try_pop_n(out.begin(), n + 1), n);
      EXPECT_TRUE(
          std::equal(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), in.begin()));
      ASSERT_TRUE(q.try_push(lap));  // move the next lap's start one slot on
      ASSERT_EQ(q.try_pop(), std::optional<int>(lap));
    }
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
