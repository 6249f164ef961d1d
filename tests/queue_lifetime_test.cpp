// Element lifetimes: move-only and non-default-constructible elements, exact
// construction/destruction counts, the strong guarantee when a constructor
// throws, and fixed capacity living inside the object.
#include "support/tracked.hpp"

#include <mpmc/mpmc.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace {

using mpmc::test::tracked;

// The element-lifetime tests run on the default queue and on the spinning
// preset: their untimed push, emplace and pop are different code (inlined
// into the caller, queue.hpp spins_inline).
struct default_queue {
  template <class T, class... Policies>
  using type = mpmc::queue<T, Policies...>;
};
struct spinning_queue {
  template <class T, class... Policies>
  using type = typename mpmc::spinning_queue<T>::template with<Policies...>;
};

template <class Family>
class QueueLifetime : public ::testing::Test {};
using families = ::testing::Types<default_queue, spinning_queue>;
struct family_names {
  template <class Family>
  static std::string GetName(int i) {
    return i == 0 ? "default" : "spinning";
  }
};
TYPED_TEST_SUITE(QueueLifetime, families, family_names);

template <class Family, class T, class... Policies>
using queue_of = typename Family::template type<T, Policies...>;

TYPED_TEST(QueueLifetime, MoveOnlyElements) {
  queue_of<TypeParam, std::unique_ptr<int>> q(4);
  ASSERT_TRUE(q.try_push(std::make_unique<int>(1)));
  ASSERT_TRUE(q.push(std::make_unique<int>(2)));
  ASSERT_TRUE(q.try_emplace(new int(3)));
  auto a = q.try_pop();
  ASSERT_TRUE(a && *a);
  EXPECT_EQ(**a, 1);
  std::unique_ptr<int> b;
  ASSERT_TRUE(q.try_pop(b));
  EXPECT_EQ(*b, 2);
  auto c = q.pop();
  ASSERT_TRUE(c && *c);
  EXPECT_EQ(**c, 3);
}

struct no_default {
  explicit no_default(int v) noexcept : value(v) {}
  int value;
};

TYPED_TEST(QueueLifetime, ElementsNeedNoDefaultConstructor) {
  static_assert(!std::is_default_constructible_v<no_default>);
  queue_of<TypeParam, no_default, mpmc::padding::none> q(2);
  ASSERT_TRUE(q.try_emplace(7));
  ASSERT_TRUE(q.try_push(no_default(8)));
  EXPECT_EQ(q.try_pop()->value, 7);
  EXPECT_EQ(q.pop()->value, 8);
  ASSERT_TRUE(q.emplace(9));
  EXPECT_EQ(q.pop()->value, 9);
}

TYPED_TEST(QueueLifetime, EveryConstructionHasExactlyOneDestruction) {
  tracked::reset();
  {
    queue_of<TypeParam, tracked> q(16);
    for (int i = 0; i != 5; ++i) ASSERT_TRUE(q.try_emplace(i));
    for (int i = 5; i != 10; ++i) ASSERT_TRUE(q.emplace(i));  // blocking calls, never blocked
    EXPECT_EQ(tracked::counts().live, 10);
    for (int i = 0; i != 4; ++i) {
      auto v = q.try_pop();
      ASSERT_TRUE(v);
      EXPECT_EQ(v->value(), i);
    }
    // The four popped copies are gone; six remain queued.
    EXPECT_EQ(tracked::counts().live, 6);
    tracked t(100);
    ASSERT_TRUE(q.try_pop(t));
    EXPECT_EQ(t.value(), 4);
    EXPECT_EQ(tracked::counts().live, 6);  // five queued, plus t
    {
      std::optional<tracked> v = q.pop();
      ASSERT_TRUE(v);
      EXPECT_EQ(v->value(), 5);
      EXPECT_EQ(tracked::counts().live, 6);  // four queued, t and v
    }
    EXPECT_EQ(tracked::counts().live, 5);
  }
  const auto counts = tracked::counts();
  EXPECT_EQ(counts.live, 0) << "the destructor leaked queued elements";
  EXPECT_EQ(counts.double_destroys, 0);
  EXPECT_EQ(counts.constructed, counts.destroyed);
}

TEST(QueueLifetimeLayout, DestructorDrainsAcrossWraparound) {
  tracked::reset();
  {
    mpmc::queue<tracked, mpmc::capacity::fixed<4>> q;
    // Walk the positions past a slot boundary, then fill across it.
    for (int i = 0; i != 10; ++i) {
      ASSERT_TRUE(q.try_emplace(i));
      ASSERT_TRUE(q.try_pop());
    }
    for (int i = 0; i != 4; ++i) ASSERT_TRUE(q.try_emplace(i));
    EXPECT_EQ(q.size(), 4u);
    EXPECT_EQ(tracked::counts().live, 4);
    ASSERT_FALSE(q.try_emplace(99));
  }
  const auto counts = tracked::counts();
  EXPECT_EQ(counts.live, 0);
  EXPECT_EQ(counts.double_destroys, 0);
}

// Throws from its value constructor on request, and from its copy
// constructor when the value says so. Moves never throw.
struct fragile {
  explicit fragile(int v, bool fail = false) : value(v) {
    if (fail) throw std::runtime_error("fragile: construction failed");
  }
  fragile(const fragile& other) : value(other.value) {
    if (other.value < 0) throw std::runtime_error("fragile: copy failed");
  }
  fragile(fragile&&) noexcept = default;
  fragile& operator=(fragile&&) noexcept = default;
  int value;
};

TYPED_TEST(QueueLifetime, ThrowingConstructorLeavesTheQueueUnchangedAndUsable) {
  queue_of<TypeParam, fragile> q(2);
  ASSERT_TRUE(q.try_emplace(1));
  EXPECT_THROW(q.try_emplace(2, true), std::runtime_error);
  EXPECT_THROW(q.emplace(3, true), std::runtime_error);
  const fragile bad(-1);
  EXPECT_THROW(q.try_push(bad), std::runtime_error);
  EXPECT_THROW(q.push(bad), std::runtime_error);
  EXPECT_EQ(q.size(), 1u);
  // Still fully usable: one free slot, FIFO intact.
  ASSERT_TRUE(q.try_emplace(4));
  EXPECT_FALSE(q.try_emplace(5));
  EXPECT_EQ(q.try_pop()->value, 1);
  EXPECT_EQ(q.pop()->value, 4);
  EXPECT_TRUE(q.empty());
  ASSERT_TRUE(q.try_push(fragile(6)));
  EXPECT_EQ(q.pop()->value, 6);
}

TEST(QueueLifetimeLayout, FixedCapacityLivesInsideTheObject) {
  using Q = mpmc::queue<int, mpmc::capacity::fixed<100>, mpmc::padding::none>;
  static_assert(sizeof(Q) >= 100 * (sizeof(int) + 4), "the slots are not inside the object");
  // Allocation could throw std::bad_alloc; construction that cannot throw
  // allocates nothing.
  static_assert(std::is_nothrow_default_constructible_v<Q>);
  static_assert(!std::is_constructible_v<Q, std::size_t>, "fixed capacity takes no size");
  static_assert(!std::is_default_constructible_v<mpmc::queue<int>>, "dynamic capacity needs one");
  Q q;
  EXPECT_EQ(q.capacity(), 100u);
  for (int i = 0; i != 100; ++i) ASSERT_TRUE(q.try_push(i));
  EXPECT_FALSE(q.try_push(100)) << "fixed<100> holds more than 100";
  for (int i = 0; i != 100; ++i) ASSERT_EQ(q.try_pop(), std::optional<int>(i));
  for (int i = 0; i != 1000; ++i) {
    ASSERT_TRUE(q.try_push(i));
    ASSERT_EQ(q.pop(), std::optional<int>(i));
  }
}

// A closed producer counter carries a flag in its top bit; reducing a
// position to a slot must ignore it, or a push on a closed queue of a
// capacity that does not divide 2^63 reads the wrong slot (and spins).
TEST(QueueLifetimeLayout, AClosedQueueOfOddFixedCapacityRefusesPushes) {
  for (int shift = 0; shift != 6; ++shift) {
    mpmc::queue<int, mpmc::capacity::fixed<3>, mpmc::wait::spin> q;
    for (int i = 0; i != shift; ++i) {
      ASSERT_TRUE(q.try_push(i));
      ASSERT_EQ(q.try_pop(), std::optional<int>(i));
    }
    ASSERT_TRUE(q.try_push(7));
    ASSERT_EQ(q.try_pop(), std::optional<int>(7));  // its slot now waits for the next lap
    q.close();
    EXPECT_FALSE(q.try_push(8));
    EXPECT_FALSE(q.push(8));
    EXPECT_FALSE(q.try_push_for(8, std::chrono::milliseconds(1)));
    EXPECT_FALSE(q.pop().has_value());
  }
}

// Bytes per slot (docs/policies.md quotes these): the 4-byte turn word plus
// the element, rounded up to the padding's alignment.
template <class T, class Padding>
constexpr std::size_t slot_bytes =
    sizeof(mpmc::detail::slot<T, mpmc::queue<T, Padding>::config_type::padding::alignment>);
static_assert(slot_bytes<int, mpmc::padding::none> == 8);
static_assert(slot_bytes<std::uint64_t, mpmc::padding::none> == 16);
static_assert(slot_bytes<int, mpmc::padding::cache_line> == 64);
static_assert(slot_bytes<std::uint64_t, mpmc::padding::cache_line> == 64);
static_assert(slot_bytes<int, mpmc::padding::align_to<128>> == 128);
struct hundred_bytes {
  char bytes[100];
};
static_assert(slot_bytes<hundred_bytes, mpmc::padding::cache_line> == 128, "two lines if need be");

static_assert(slot_bytes<int, mpmc::padding::interleaved> == 8, "dense");
static_assert(slot_bytes<std::uint64_t, mpmc::padding::interleaved> == 16, "dense");

TEST(QueueLifetimeLayout, InterleavedLayoutSpreadsNeighboursOverLines) {
  // For ring sizes and the spreads the ring uses with them (square blocks
  // that divide the size), the permutation is a bijection, and consecutive
  // positions never share a line.
  for (const std::size_t size : {1, 2, 3, 4, 5, 12, 16, 48, 100, 256, 1000, 1024}) {
    for (unsigned spread = 0; size % (std::size_t{1} << (2 * spread)) == 0 && spread <= 3;
         ++spread) {
      std::vector<int> hits(size, 0);
      for (std::size_t i = 0; i != size; ++i) {
        const std::size_t j = mpmc::detail::interleave_index(i, spread);
        ASSERT_LT(j, size) << "size " << size << " spread " << spread;
        ++hits[j];
      }
      for (std::size_t j = 0; j != size; ++j) ASSERT_EQ(hits[j], 1) << "not a permutation";
      const std::size_t per_line = std::size_t{1} << spread;
      for (std::size_t i = 0; i + 1 < size && spread > 0; ++i) {
        const std::size_t a = mpmc::detail::interleave_index(i, spread) / per_line;
        const std::size_t b = mpmc::detail::interleave_index(i + 1, spread) / per_line;
        ASSERT_NE(a, b) << "positions " << i << " and " << i + 1 << " share a line";
      }
    }
  }
}

TEST(QueueLifetimeLayout, SlotLayoutFollowsThePaddingPolicy) {
  // A dense slot is the 4-byte turn word plus the element; a padded slot
  // fills its line. Counters and header add less than 1 KiB.
  using dense_fixed = mpmc::queue<int, mpmc::padding::none, mpmc::capacity::fixed<64>>;
  using padded_fixed = mpmc::queue<int, mpmc::padding::cache_line, mpmc::capacity::fixed<64>>;
  using wide_fixed = mpmc::queue<int, mpmc::padding::align_to<128>, mpmc::capacity::fixed<64>>;
  EXPECT_LT(sizeof(dense_fixed), 64 * 8 + 1024);
  EXPECT_GE(sizeof(padded_fixed), 64 * 64);
  EXPECT_LT(sizeof(padded_fixed), 64 * 64 + 1024);
  EXPECT_GE(sizeof(wide_fixed), 64 * 128);
  EXPECT_EQ(alignof(padded_fixed) % 64, 0u);
}

}  // namespace
