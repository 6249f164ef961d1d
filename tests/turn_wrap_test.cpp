// A slot's turn word is 2 * position in 32 bits (sequence_ring.hpp), so the
// words wrap once positions pass 2^31: about 20 s of a busy queue. These
// tests drive one queue's positions past that point and check that full,
// empty, FIFO order and every element survive it, through single, bulk and
// blocking calls.
//
// Getting there takes 2^31 elements; bulk calls move them in a few seconds
// in an optimized build. Under a sanitizer that would take minutes, so the
// sanitizer builds skip these (the protocol they instrument is the same
// either side of the wrap).
#include "support/sanitized.hpp"

#include <mpmc/mpmc.hpp>
#include <mpmc/ranges.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <numeric>
#include <span>

namespace {

constexpr std::uint64_t wrap_point = std::uint64_t{1} << 31;  // where 2 * position overflows
constexpr std::size_t capacity = 64;

// Pushes and pops whole batches until fewer than `margin` positions are left
// before the wrap point; returns the next position.
template <class Q>
std::uint64_t advance_to_wrap(Q& q, std::uint64_t margin) {
  std::array<std::uint64_t, capacity> in{}, out{};
  std::uint64_t pos = 0;
  while (pos + capacity + margin < wrap_point) {
    std::iota(in.begin(), in.end(), pos);
    if (q.try_push_range(std::span<const std::uint64_t>(in)) != capacity) return pos;
    if (q.try_pop_n(out.data(), capacity) != capacity) return pos;
    if (out != in) return pos;
    pos += capacity;
  }
  return pos;
}

class TurnWrap : public ::testing::Test {
 protected:
  void SetUp() override {
    if (mpmc::test::sanitized) GTEST_SKIP() << "2^31 elements take minutes under a sanitizer";
  }
};

TEST_F(TurnWrap, FullEmptyAndOrderHoldAcrossTheWrap) {
  mpmc::queue<std::uint64_t, mpmc::wait::spin> q(capacity);
  std::uint64_t pos = advance_to_wrap(q, 4 * capacity);
  ASSERT_GE(pos + 4 * capacity + capacity, wrap_point) << "a batch went missing on the way";
  // Fill to the brim and drain, one element at a time, until well past the
  // wrap: every round must hold exactly `capacity` elements, in order.
  while (pos < wrap_point + 8 * capacity) {
    for (std::size_t i = 0; i != capacity; ++i) ASSERT_TRUE(q.try_push(pos + i)) << pos + i;
    ASSERT_FALSE(q.try_push(0)) << "a full ring took one more at position " << pos;
    for (std::size_t i = 0; i != capacity; ++i) {
      const auto v = q.try_pop();
      ASSERT_TRUE(v.has_value()) << pos + i;
      ASSERT_EQ(*v, pos + i);
    }
    ASSERT_FALSE(q.try_pop().has_value()) << "an empty ring gave one more at position " << pos;
    pos += capacity;
  }
  // Half-full rounds, so that the head and tail cross the wrap apart.
  for (int round = 0; round != 64; ++round) {
    for (std::size_t i = 0; i != capacity / 2; ++i) ASSERT_TRUE(q.push(pos + i));
    for (std::size_t i = 0; i != capacity / 2; ++i) ASSERT_EQ(q.pop(), pos + i);
    pos += capacity / 2;
  }
  EXPECT_TRUE(q.empty());
}

TEST_F(TurnWrap, BulkCallsCrossTheWrapInOneBatch) {
  mpmc::queue<std::uint64_t, mpmc::wait::spin> q(capacity);
  // Stop half a batch before the wrap, so that the next batches straddle it.
  std::uint64_t pos = advance_to_wrap(q, capacity / 2);
  ASSERT_GE(pos + capacity / 2 + capacity, wrap_point) << "a batch went missing on the way";
  std::array<std::uint64_t, capacity> in{}, out{};
  for (int round = 0; round != 16; ++round) {
    std::iota(in.begin(), in.end(), pos);
    ASSERT_EQ(q.try_push_range(std::span<const std::uint64_t>(in)), capacity) << pos;
    ASSERT_EQ(q.try_push(0), false) << "a full ring took one more at position " << pos;
    ASSERT_EQ(q.try_pop_n(out.data(), capacity), capacity) << pos;
    ASSERT_EQ(out, in) << pos;
    pos += capacity;
  }
  EXPECT_TRUE(q.empty());
}

}  // namespace
