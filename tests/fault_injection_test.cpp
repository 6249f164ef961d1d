// Faults injected where the queue meets user code: a copy constructor that
// throws at a chosen count, an allocator that fails, an output iterator that
// throws while try_pop_n writes. What the docs promise, checked after each:
// - a push whose element cannot be built throws to its caller and leaves the
//   queue as it was (strong guarantee); a range push keeps the elements
//   before the throwing one (basic guarantee, with that prefix);
// - a queue whose allocation fails is never built and leaks nothing;
// - try_pop_n through a throwing iterator loses only the element being
//   written;
// and in every case the queue stays usable, no value is lost or delivered
// twice, and no element outlives the queue.
#include "support/run_threads.hpp"

#include <mpmc/mpmc.hpp>
#include <mpmc/ranges.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <new>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

// Copies count down a shared budget and throw when it runs out; moves never
// throw (the queue requires that). Live objects are counted.
struct fragile {
  static inline std::atomic<long> copies_left{-1};  // -1: never throw
  static inline std::atomic<long> live{0};

  explicit fragile(int v) noexcept : value(v) { ++live; }
  fragile(const fragile& other) : value(other.value) {
    if (copies_left.load() >= 0 && copies_left.fetch_sub(1) == 0)
      throw std::runtime_error("copy failed");
    ++live;
  }
  fragile(fragile&& other) noexcept : value(other.value) { ++live; }
  fragile& operator=(const fragile&) = default;
  fragile& operator=(fragile&&) noexcept = default;
  ~fragile() { --live; }

  int value;
};

struct FaultInjection : ::testing::Test {
  void SetUp() override {
    fragile::copies_left = -1;
    fragile::live = 0;
  }
  void TearDown() override {
    EXPECT_EQ(fragile::live.load(), 0) << "an element outlived its queue";
  }
};

// Pops everything and returns the values in order.
template <class Q>
std::vector<int> drain(Q& q) {
  std::vector<int> out;
  while (auto v = q.try_pop()) out.push_back(v->value);
  return out;
}

// Every push that copies its argument, made to throw on each of its copies in
// turn: the exception reaches the caller, and the queue holds what it held.
TEST_F(FaultInjection, AThrowingCopyLeavesTheQueueAsItWas) {
  using Q = mpmc::queue<fragile>;
  using push_fn = bool (*)(Q&, const fragile&);
  const push_fn pushes[] = {
      [](Q& q, const fragile& v) { return q.try_push(v); },
      [](Q& q, const fragile& v) { return q.push(v); },
      [](Q& q, const fragile& v) { return q.try_emplace(v); },
      [](Q& q, const fragile& v) { return q.emplace(v); },
      [](Q& q, const fragile& v) { return q.try_push_for(v, 1ms); },
      [](Q& q, const fragile& v) {
        return q.try_push_until(v, std::chrono::steady_clock::now() + 1ms);
      },
  };
  for (const push_fn push : pushes) {
    Q q(4);
    const fragile one(1), two(2), three(3);
    ASSERT_TRUE(push(q, one));
    fragile::copies_left = 0;  // the next copy throws
    EXPECT_THROW(push(q, two), std::runtime_error);
    EXPECT_EQ(q.size(), 1u);
    EXPECT_EQ(two.value, 2) << "the argument was changed";
    fragile::copies_left = -1;
    ASSERT_TRUE(push(q, three));
    EXPECT_EQ(drain(q), (std::vector<int>{1, 3}));
  }
}

// A range of lvalues is copied element by element; a throw on the k-th copy
// leaves exactly the k elements before it pushed, for every k.
TEST_F(FaultInjection, ARangePushKeepsThePrefixBeforeTheThrow) {
  for (long k = 0; k != 5; ++k) {
    for (const bool blocking : {false, true}) {
      SCOPED_TRACE(testing::Message() << "throw on copy " << k << (blocking ? " push_range" : ""));
      mpmc::queue<fragile> q(8);
      std::vector<fragile> input;
      for (int i = 0; i != 5; ++i) input.emplace_back(i);
      fragile::copies_left = k;
      EXPECT_THROW(blocking ? q.push_range(input) : q.try_push_range(input), std::runtime_error);
      fragile::copies_left = -1;
      std::vector<int> want(static_cast<std::size_t>(k));
      for (int i = 0; i != k; ++i) want[static_cast<std::size_t>(i)] = i;
      EXPECT_EQ(drain(q), want);
      EXPECT_EQ(q.try_push_range(input), 5u) << "the queue is still usable";
      EXPECT_EQ(drain(q), (std::vector<int>{0, 1, 2, 3, 4}));
    }
  }
}

// An output iterator whose assignment throws on the k-th element: try_pop_n
// goes one element at a time, so only that element is lost; the rest stay
// queued, in order.
TEST_F(FaultInjection, APopThroughAThrowingIteratorLosesOnlyOneElement) {
  struct throwing_sink {
    using difference_type = std::ptrdiff_t;
    std::vector<int>* got = nullptr;
    int* writes_left = nullptr;
    throwing_sink& operator*() { return *this; }
    throwing_sink& operator=(fragile&& v) {
      if ((*writes_left)-- == 0) throw std::runtime_error("sink full");
      got->push_back(v.value);
      return *this;
    }
    throwing_sink& operator++() { return *this; }
    throwing_sink operator++(int) { return *this; }
  };
  for (int k = 0; k != 4; ++k) {
    mpmc::queue<fragile> q(8);
    for (int i = 0; i != 6; ++i) ASSERT_TRUE(q.try_emplace(i));
    std::vector<int> got;
    int writes_left = k;
    EXPECT_THROW(q.try_pop_n(throwing_sink{&got, &writes_left}, 6), std::runtime_error);
    std::vector<int> want_got, want_left;
    for (int i = 0; i != k; ++i) want_got.push_back(i);
    for (int i = k + 1; i != 6; ++i) want_left.push_back(i);
    EXPECT_EQ(got, want_got);
    EXPECT_EQ(drain(q), want_left) << "more than the element being written was lost";
  }
}

// An allocator that fails on its n-th allocation and counts what it holds.
struct alloc_stats {
  long allocations_left = -1;
  long outstanding = 0;
};
template <class T>
struct failing_allocator {
  using value_type = T;
  alloc_stats* stats;
  explicit failing_allocator(alloc_stats* s) noexcept : stats(s) {}
  template <class U>
  failing_allocator(const failing_allocator<U>& other) noexcept : stats(other.stats) {}
  T* allocate(std::size_t n) {
    if (stats->allocations_left >= 0 && stats->allocations_left-- == 0) throw std::bad_alloc();
    ++stats->outstanding;
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, std::size_t n) noexcept {
    --stats->outstanding;
    std::allocator<T>().deallocate(p, n);
  }
  friend bool operator==(const failing_allocator& a, const failing_allocator& b) noexcept {
    return a.stats == b.stats;
  }
};

TEST_F(FaultInjection, AFailedAllocationBuildsNoQueueAndLeaksNothing) {
  using Q = mpmc::queue<fragile, mpmc::capacity::basic_dynamic<failing_allocator<std::byte>>>;
  alloc_stats stats;
  stats.allocations_left = 0;
  EXPECT_THROW(Q(16, failing_allocator<std::byte>(&stats)), std::bad_alloc);
  EXPECT_EQ(stats.outstanding, 0);
  // A channel whose queue cannot be allocated throws from make_channel.
  stats.allocations_left = 0;
  EXPECT_THROW(
      (mpmc::make_channel<fragile, mpmc::capacity::basic_dynamic<failing_allocator<std::byte>>>(
          16, failing_allocator<std::byte>(&stats))),
      std::bad_alloc);
  EXPECT_EQ(stats.outstanding, 0);
  {
    stats.allocations_left = -1;
    Q q(3, failing_allocator<std::byte>(&stats));
    EXPECT_EQ(stats.outstanding, 1);
    for (int i = 0; i != 3; ++i) ASSERT_TRUE(q.try_emplace(i));
    EXPECT_FALSE(q.try_emplace(9));
  }
  EXPECT_EQ(stats.outstanding, 0);
}

// Producers whose copies throw now and then, against consumers: every push
// that returned true is delivered exactly once, none that threw ever is.
TEST_F(FaultInjection, ThrowingProducersLoseAndDuplicateNothing) {
  constexpr int producers = 3, per_producer = 20000 / mpmc::test::sanitizer_slowdown;
  mpmc::queue<fragile> q(8);
  std::vector<std::vector<int>> pushed(producers);
  std::vector<std::vector<int>> got(2);
  fragile::copies_left = 1'000'000;  // armed below, per thread, by count
  std::atomic<int> done{0};
  auto body = [&](int t) {
    if (t < producers) {
      for (int i = 0; i != per_producer; ++i) {
        const fragile v(t * per_producer + i);
        // Every seventh element's copy throws: the shared budget is reset to
        // zero just before it (copies by other producers may take the throw
        // instead; either way a throw means no push).
        if (i % 7 == 3) fragile::copies_left = 0;
        try {
          if (i % 2 == 0 ? q.push(v) : q.try_push_for(v, 10s)) pushed[t].push_back(v.value);
        } catch (const std::runtime_error&) {
        }
      }
      ++done;
    } else {
      auto& mine = got[t - producers];
      for (;;) {
        if (auto v = q.try_pop_for(1ms)) {
          mine.push_back(v->value);
        } else if (done.load() == producers && q.empty()) {
          return;
        }
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t != producers + 2; ++t) threads.emplace_back(body, t);
  for (auto& thread : threads) thread.join();
  fragile::copies_left = -1;
  std::multiset<int> delivered;
  for (const auto& mine : got) delivered.insert(mine.begin(), mine.end());
  std::multiset<int> expected;
  for (const auto& mine : pushed) expected.insert(mine.begin(), mine.end());
  EXPECT_EQ(delivered, expected);
  EXPECT_LT(expected.size(), static_cast<std::size_t>(producers * per_producer)) << "nothing threw";
  EXPECT_TRUE(q.empty());
}

}  // namespace
