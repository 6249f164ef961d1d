// The policy composer: order independence, defaults, replacement with
// `with<>`, adopting third-party types, the category concepts, and the wait
// loop calling the policies it was handed.
#include <mpmc/mpmc.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <type_traits>

namespace {

using namespace mpmc;

// --- order independence and defaults (checked at compile time) ---

static_assert(std::is_same_v<queue<int, wait::spin, padding::none, backoff::pause>,
                             queue<int, backoff::pause, wait::spin, padding::none>>);
static_assert(std::is_same_v<queue<int, capacity::fixed<8>, backoff::none>,
                             queue<int, backoff::none, capacity::fixed<8>>>);
static_assert(std::is_same_v<config_t<>, default_config>);
static_assert(
    std::is_same_v<queue<int>,
                   queue<int, capacity::dynamic, padding::none, backoff::pause, wait::park<>>>,
    "naming a default explicitly gives the same type");
static_assert(std::is_same_v<queue<int>, parking_queue<int>>,
              "on Linux the default parks on a futex");
static_assert(std::is_same_v<padding::cache_line, padding::align_to<64>>);

using spin_config = spinning_queue<int>::config_type;
static_assert(std::is_same_v<spin_config::wait, wait::spin>);
static_assert(std::is_same_v<spin_config::backoff, backoff::pause>);
static_assert(std::is_same_v<spin_config::capacity, capacity::dynamic>);

// with<> replaces by category and keeps the rest.
using small_spinner = spinning_queue<int>::with<capacity::fixed<64>>;
static_assert(std::is_same_v<small_spinner::config_type::capacity, capacity::fixed<64>>);
static_assert(std::is_same_v<small_spinner::config_type::wait, wait::spin>);
static_assert(
    std::is_same_v<small_spinner, queue<int, wait::spin, capacity::fixed<64>, backoff::pause>>);
static_assert(
    std::is_same_v<yielding_queue<int>::with<wait::spin, backoff::pause>, spinning_queue<int>>);

// --- concepts ---

static_assert(backoff_policy<backoff::none> && backoff_policy<backoff::pause> &&
              backoff_policy<backoff::exponential> && backoff_policy<backoff::yield>);
static_assert(wait_policy<wait::spin> && wait_policy<wait::yield>);
static_assert(padding_policy<padding::none> && padding_policy<padding::align_to<128>>);
static_assert(capacity_policy<capacity::dynamic> && capacity_policy<capacity::fixed<3>>);
static_assert(claim_policy<claim::ticket> && claim_policy<claim::compare_exchange>);
static_assert(
    std::is_same_v<queue<int, claim::ticket, wait::spin>, queue<int, wait::spin, claim::ticket>>,
    "a claim policy composes in any position like the others");
static_assert(std::is_same_v<queue<int>::config_type::claim, claim::compare_exchange>);
static_assert(!claim_policy<wait::spin>, "a policy of another category");
static_assert(!policy<int> && !policy<std::atomic<int>>);
static_assert(!backoff_policy<wait::spin>, "a policy of another category");
static_assert(policy_of<backoff::pause, tag::backoff> && !policy_of<backoff::pause, tag::wait>);

struct tagged_but_empty {
  using category = tag::backoff;
};
static_assert(policy<tagged_but_empty> && !backoff_policy<tagged_but_empty>);

struct throwing_backoff {
  using category = tag::backoff;
  void operator()() {}
};
static_assert(!backoff_policy<throwing_backoff>, "operator() must be noexcept");

}  // namespace

// --- adopting a type we cannot edit ---

namespace third_party {
// A spinner from elsewhere: it knows nothing of mpmc and has no `category`.
struct spinner {
  static inline std::atomic<int> calls{0};
  void operator()() noexcept { ++calls; }
};
}  // namespace third_party

template <>
struct mpmc::policy_category<third_party::spinner> {
  using type = mpmc::tag::backoff;
};

namespace {

static_assert(mpmc::backoff_policy<third_party::spinner>);
static_assert(std::is_same_v<mpmc::queue<int, third_party::spinner>::config_type::backoff,
                             third_party::spinner>);

// A wait policy that counts idle calls, with a budget of three backoff rounds.
struct counting_wait {
  using category = mpmc::tag::wait;
  static constexpr std::uint32_t spin_limit = 3;
  static inline std::atomic<int> idles{0};
  static void idle() noexcept {
    ++idles;
    std::this_thread::yield();
  }
};

TEST(Composer, BlockingPopRunsTheBackoffBudgetThenTheWaitPolicy) {
  third_party::spinner::calls = 0;
  counting_wait::idles = 0;
  mpmc::queue<int, counting_wait, third_party::spinner> q(4);
  std::thread producer([&] {
    // Push only once the consumer has exhausted its spin budget and idled.
    while (counting_wait::idles.load() == 0) std::this_thread::yield();
    q.push(42);
  });
  auto v = q.pop();
  producer.join();
  ASSERT_EQ(v, std::optional<int>(42));
  EXPECT_EQ(third_party::spinner::calls.load(), 3) << "backoff rounds before idling";
  EXPECT_GE(counting_wait::idles.load(), 1);
}

TEST(Composer, OperationsThatNeedNoWaitCallNoPolicy) {
  third_party::spinner::calls = 0;
  counting_wait::idles = 0;
  mpmc::queue<int, counting_wait, third_party::spinner> q(2);
  ASSERT_TRUE(q.push(1));
  ASSERT_TRUE(q.push(2));
  EXPECT_FALSE(q.try_push(3));
  EXPECT_EQ(q.pop(), std::optional<int>(1));
  EXPECT_EQ(q.pop(), std::optional<int>(2));
  EXPECT_FALSE(q.try_pop());
  EXPECT_EQ(third_party::spinner::calls.load(), 0);
  EXPECT_EQ(counting_wait::idles.load(), 0);
}

TEST(Composer, BlockingPushWaitsForRoom) {
  third_party::spinner::calls = 0;
  counting_wait::idles = 0;
  mpmc::queue<int, counting_wait, third_party::spinner> q(1);
  ASSERT_TRUE(q.push(1));
  std::thread consumer([&] {
    while (counting_wait::idles.load() == 0) std::this_thread::yield();
    EXPECT_EQ(q.pop(), std::optional<int>(1));
  });
  ASSERT_TRUE(q.push(2));  // blocks until the consumer makes room
  consumer.join();
  EXPECT_EQ(q.pop(), std::optional<int>(2));
  EXPECT_EQ(third_party::spinner::calls.load(), 3);
}

}  // namespace
