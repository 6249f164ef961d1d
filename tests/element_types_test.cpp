// Element types and argument value categories, over the queue itself, its
// producer/consumer handles and channels, for several policy mixes.
//
// Every way in (try_emplace, emplace, try_push, push, the timed pushes, the
// bulk pushes) must hand its arguments to T's constructor with their own
// value category, like std::optional::emplace: an lvalue reaches T(const X&)
// and is never moved from, an rvalue reaches T(X&&), and nothing is built on
// the way (no temporary of T or of an argument) where that constructor is
// noexcept (one that may throw is run first, outside the ring, and the
// element moved in: queue.hpp, try_emplace). That includes the path a
// push takes when a consumer is parked, which the tests reach by pushing
// while a consumer is blocked in pop() on an empty queue.
//
// The element types: std::string_view built from a string literal, a type
// constructible only from a const lvalue, a move-only trivially copyable
// type, std::unique_ptr, a type that counts which of its constructors ran, an
// over-aligned type, a 4 KiB type, and a type whose constructor throws.
#include "support/counting_backend.hpp"

#include <mpmc/channel.hpp>
#include <mpmc/handles.hpp>
#include <mpmc/mpmc.hpp>
#include <mpmc/ranges.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;
using mpmc::test::counting_backend;

// --- policy mixes -------------------------------------------------------------

template <class... Policies>
struct mix {
  template <class T>
  using queue = mpmc::queue<T, Policies...>;
  template <class T>
  static auto channel(std::size_t capacity) {
    return mpmc::make_channel<T, Policies...>(capacity);
  }
  // Whether the test can see a consumer fall asleep (counting_backend).
  static constexpr bool observable_parking =
      (std::same_as<Policies, mpmc::wait::park<counting_backend>> || ...);
};

// The claim paths (compare-exchange, ticket, lone producer), and parking seen by the test. The
// defaults park on the futex on Linux (wait::futex is the same type). A spinning mix would add no
// path: arguments reach the element the same way whatever a blocked call does while it waits.
using element_mixes =
    ::testing::Types<mix<>, mix<mpmc::claim::ticket>, mix<mpmc::producers::single>,
                     mix<mpmc::wait::park<counting_backend>>>;

struct element_mix_names {
  template <class Mix>
  static std::string GetName(int i) {
    static const char* const names[] = {"defaults", "ticket", "single_producer", "counted_park"};
    return names[i];
  }
};

// Handles and channels only forward to the queue, whatever its policies:
// they run with the defaults and with a parking mix the test can observe,
// which keeps this file's build time in check.
template <class Mix>
inline constexpr bool through_handles =
    std::same_as<Mix, mix<>> || std::same_as<Mix, mix<mpmc::wait::park<counting_backend>>>;

// --- element types ------------------------------------------------------------

// A small trivially copyable argument: the kind a queue is tempted to pass by
// value on its way to the constructor.
struct seed {
  int v;
};

// Records which of its constructors ran.
struct counted {
  static inline std::atomic<long> value_ctors{0};        // counted(int, int)
  static inline std::atomic<long> seed_lvalue_ctors{0};  // counted(const seed&)
  static inline std::atomic<long> seed_rvalue_ctors{0};  // counted(seed&&)
  static inline std::atomic<long> copy_ctors{0};
  static inline std::atomic<long> move_ctors{0};

  struct counts {
    long value = 0, seed_lvalue = 0, seed_rvalue = 0, copies = 0, moves = 0;
  };
  static void reset() noexcept {
    value_ctors = 0;
    seed_lvalue_ctors = 0;
    seed_rvalue_ctors = 0;
    copy_ctors = 0;
    move_ctors = 0;
  }
  static counts now() noexcept {
    return {value_ctors.load(), seed_lvalue_ctors.load(), seed_rvalue_ctors.load(),
            copy_ctors.load(), move_ctors.load()};
  }

  counted(int a_, int b_) noexcept : a(a_), b(b_) { ++value_ctors; }
  explicit counted(const seed& s) noexcept : a(s.v), b(0) { ++seed_lvalue_ctors; }
  explicit counted(seed&& s) noexcept : a(s.v), b(0) {
    s.v = -1;  // (a trivially copyable seed cannot show it was moved from)
    ++seed_rvalue_ctors;
  }
  counted(const counted& other) noexcept : a(other.a), b(other.b) { ++copy_ctors; }
  counted(counted&& other) noexcept : a(other.a), b(other.b) {
    other.a = -1;  // moved-from mark
    ++move_ctors;
  }
  counted& operator=(const counted&) = default;
  counted& operator=(counted&&) = default;

  int a, b;
};

std::ostream& operator<<(std::ostream& os, const counted::counts& c) {
  return os << "{value " << c.value << ", seed& " << c.seed_lvalue << ", seed&& " << c.seed_rvalue
            << ", copies " << c.copies << ", moves " << c.moves << "}";
}

// Constructible from a const lvalue only: its rvalue constructor is deleted.
struct only_const {
  explicit only_const(const seed& s) noexcept : v(s.v) {}
  only_const(seed&&) = delete;
  int v;
};
static_assert(std::is_trivially_copyable_v<only_const>);

// Move-only, and still trivially copyable (its one eligible copy/move
// constructor, the move, is trivial).
struct move_only_trivial {
  move_only_trivial(int x) noexcept : v(x) {}  // implicit on purpose: pushed as ints
  move_only_trivial(move_only_trivial&&) = default;
  move_only_trivial(const move_only_trivial&) = delete;
  int v;
};
static_assert(std::is_trivially_copyable_v<move_only_trivial>);
static_assert(!std::is_copy_constructible_v<move_only_trivial>);

// Over-aligned; every constructor checks the alignment of the object it
// builds (a slot, when the queue constructs in place).
struct alignas(64) over_aligned {
  static inline std::atomic<long> misaligned{0};
  static inline std::atomic<long> built{0};

  over_aligned(int x) noexcept : v(x) { note(); }  // implicit on purpose: pushed as ints
  over_aligned(const over_aligned& other) noexcept : v(other.v) { note(); }
  over_aligned(over_aligned&& other) noexcept : v(other.v) { note(); }
  over_aligned& operator=(const over_aligned&) = default;

  void note() noexcept {
    ++built;
    if (reinterpret_cast<std::uintptr_t>(this) % 64 != 0) ++misaligned;
  }
  int v;
};
static_assert(alignof(over_aligned) == 64);

// 4 KiB of payload.
struct large {
  std::array<std::uint32_t, 1024> words;
  static large make(std::uint32_t salt) noexcept {
    large l;
    for (std::uint32_t i = 0; i != l.words.size(); ++i) l.words[i] = salt * 1'000'003u + i;
    return l;
  }
  bool is(std::uint32_t salt) const noexcept { return words == make(salt).words; }
};
static_assert(sizeof(large) == 4096);

// Its constructor from int throws for `poison`; counts the live objects.
struct throwing {
  static constexpr int poison = -7;
  static inline std::atomic<long> live{0};

  throwing(int x) : v(x) {  // implicit on purpose: pushed as ints
    if (x == poison) throw std::runtime_error("poisoned");
    ++live;
  }
  throwing(const throwing& other) noexcept : v(other.v) { ++live; }
  throwing(throwing&& other) noexcept : v(other.v) { ++live; }
  throwing& operator=(const throwing&) = default;
  ~throwing() { --live; }
  int v;
};

// --- fronts: the queue, handles, channels ------------------------------------

// The queue used directly.
template <class Mix, class T>
struct queue_front {
  using Q = typename Mix::template queue<T>;
  static constexpr bool can_close = true;
  explicit queue_front(std::size_t capacity) : q(std::make_shared<Q>(capacity)) {}
  Q& tx() { return *q; }
  Q& rx() { return *q; }
  // What a consumer thread holds, so that it outlives the front.
  std::shared_ptr<Q> rx_copy() const { return q; }
  void close() { q->close(); }
  std::shared_ptr<Q> q;
};

// producer<Q> and consumer<Q> over a shared queue.
template <class Mix, class T>
struct handle_front {
  using Q = typename Mix::template queue<T>;
  static constexpr bool can_close = true;
  explicit handle_front(std::size_t capacity)
      : q(std::make_shared<Q>(capacity)), producer(q), consumer(q) {}
  mpmc::producer<Q>& tx() { return producer; }
  mpmc::consumer<Q>& rx() { return consumer; }
  mpmc::consumer<Q> rx_copy() const { return consumer; }
  void close() { q->close(); }
  std::shared_ptr<Q> q;
  mpmc::producer<Q> producer;
  mpmc::consumer<Q> consumer;
};

// sender<Q> and receiver<Q> of make_channel.
template <class Mix, class T>
struct channel_front {
  static constexpr bool can_close = false;  // only by dropping every sender
  explicit channel_front(std::size_t capacity) : ends(Mix::template channel<T>(capacity)) {}
  auto& tx() { return ends.first; }
  auto& rx() { return ends.second; }
  auto rx_copy() const { return ends.second; }
  decltype(Mix::template channel<T>(1)) ends;
};

template <class R>
auto pop_from(R& r) {
  if constexpr (requires { r->pop(); })
    return r->pop();
  else
    return r.pop();
}

// Runs f(front) for a fresh front of each kind.
template <class Mix, class T, class F>
void for_each_front(std::size_t capacity, F&& f) {
  {
    SCOPED_TRACE("through the queue");
    queue_front<Mix, T> front(capacity);
    f(front);
  }
  if constexpr (through_handles<Mix>) {
    {
      SCOPED_TRACE("through producer<Q>/consumer<Q>");
      handle_front<Mix, T> front(capacity);
      f(front);
    }
    {
      SCOPED_TRACE("through make_channel's sender/receiver");
      channel_front<Mix, T> front(capacity);
      f(front);
    }
  }
}

// Blocks a consumer in pop() on the (empty) queue, waits until it is
// parked, runs push(front.tx()), and returns what the consumer got
// (std::nullopt, and a failure, if it did not get anything in time).
template <class Mix, class Front, class Push>
auto with_parked_consumer(Front& front, Push&& push) {
  using T = std::remove_cvref_t<decltype(*pop_from(front.rx()))>;
  struct state {
    std::atomic<bool> done{false};
    std::optional<T> got;
  };
  auto s = std::make_shared<state>();
  const long sleeps_before = counting_backend::waits.load();
  std::thread consumer([s, rx = front.rx_copy()]() mutable {
    if (auto v = pop_from(rx)) s->got.emplace(std::move(*v));  // (T may not be assignable)
    s->done = true;
  });
  if constexpr (Mix::observable_parking) {
    const auto until = steady::now() + 20s;
    while (counting_backend::waits.load() == sleeps_before && steady::now() < until)
      std::this_thread::sleep_for(1ms);
    EXPECT_GT(counting_backend::waits.load(), sleeps_before) << "the consumer never slept";
  } else {
    std::this_thread::sleep_for(50ms);  // likely parked by now
  }
  EXPECT_FALSE(s->done.load()) << "pop() returned on an empty queue";
  push(front.tx());
  const auto until = steady::now() + 20s;
  while (!s->done.load() && steady::now() < until) std::this_thread::sleep_for(1ms);
  if (!s->done.load()) {
    ADD_FAILURE() << "the parked consumer was not woken by the push";
    consumer.detach();  // it holds the queue through rx_copy()
    return std::optional<T>();
  }
  consumer.join();
  return std::move(s->got);
}

template <class Mix>
class ElementTypes : public ::testing::Test {};
TYPED_TEST_SUITE(ElementTypes, element_mixes, element_mix_names);

// --- std::string_view from a string literal ----------------------------------

TYPED_TEST(ElementTypes, StringViewFromALiteral) {
  using sv = std::string_view;
  for_each_front<TypeParam, sv>(16, [](auto& front) {
    auto& tx = front.tx();
    auto& rx = front.rx();
    EXPECT_TRUE(tx.try_emplace("ab"));
    EXPECT_TRUE(tx.emplace("cd"));
    EXPECT_TRUE(tx.try_push("ef"));
    EXPECT_TRUE(tx.push("gh"));
    EXPECT_TRUE(tx.try_push_for("ij", 1s));
    EXPECT_TRUE(tx.try_push_until("kl", steady::now() + 1s));
    const char* const words[] = {"mn", "op"};
    EXPECT_EQ(tx.try_push_range(words), 2u);
    EXPECT_EQ(tx.push_range(words), 2u);
    for (sv want : {"ab", "cd", "ef", "gh", "ij", "kl", "mn", "op", "mn", "op"})
      EXPECT_EQ(rx.try_pop(), std::optional<sv>(want));
    EXPECT_TRUE(rx.empty());

    EXPECT_EQ(
        with_parked_consumer<TypeParam>(front, [](auto& p) { EXPECT_TRUE(p.try_emplace("qr")); }),
        std::optional<sv>("qr"));
    EXPECT_EQ(with_parked_consumer<TypeParam>(front, [](auto& p) { EXPECT_TRUE(p.emplace("st")); }),
              std::optional<sv>("st"));

    if constexpr (std::remove_cvref_t<decltype(front)>::can_close) {
      // A closed queue's try_emplace goes the way of a parked partner too.
      front.close();
      EXPECT_FALSE(tx.try_emplace("uv"));
      EXPECT_FALSE(tx.emplace("wx"));
    }
  });
}

// --- a type constructible only from a const lvalue ----------------------------

TYPED_TEST(ElementTypes, ConstLvalueOnlyConstructor) {
  for_each_front<TypeParam, only_const>(16, [](auto& front) {
    auto& tx = front.tx();
    auto& rx = front.rx();
    seed s{1};
    const seed cs{2};
    EXPECT_TRUE(tx.try_emplace(s));
    EXPECT_TRUE(tx.try_emplace(cs));
    EXPECT_TRUE(tx.emplace(s));
    EXPECT_TRUE(tx.emplace(cs));
    EXPECT_TRUE(tx.try_push(only_const(s)));
    EXPECT_TRUE(tx.push(only_const(cs)));
    EXPECT_TRUE(tx.try_push_for(only_const(s), 1s));
    EXPECT_TRUE(tx.try_push_until(only_const(cs), steady::now() + 1s));
    const std::vector<seed> seeds{{3}, {4}};
    EXPECT_EQ(tx.try_push_range(seeds), 2u);
    EXPECT_EQ(tx.push_range(seeds), 2u);
    for (int want : {1, 2, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4}) {
      auto got = rx.try_pop();
      ASSERT_TRUE(got);
      EXPECT_EQ(got->v, want);
    }
    EXPECT_TRUE(rx.empty());

    seed parked{5};
    auto got = with_parked_consumer<TypeParam>(
        front, [&](auto& p) { EXPECT_TRUE(p.try_emplace(parked)); });
    ASSERT_TRUE(got);
    EXPECT_EQ(got->v, 5);
    got = with_parked_consumer<TypeParam>(front, [&](auto& p) { EXPECT_TRUE(p.emplace(cs)); });
    ASSERT_TRUE(got);
    EXPECT_EQ(got->v, 2);

    if constexpr (std::remove_cvref_t<decltype(front)>::can_close) {
      front.close();
      EXPECT_FALSE(tx.try_emplace(s));
      EXPECT_FALSE(tx.try_push(only_const(s)));
    }
  });
}

// --- a move-only trivially copyable type --------------------------------------

TYPED_TEST(ElementTypes, MoveOnlyTriviallyCopyable) {
  using M = move_only_trivial;
  for_each_front<TypeParam, M>(16, [](auto& front) {
    auto& tx = front.tx();
    auto& rx = front.rx();
    EXPECT_TRUE(tx.try_push(M(1)));
    EXPECT_TRUE(tx.try_emplace(M(2)));
    EXPECT_TRUE(tx.try_emplace(3));
    EXPECT_TRUE(tx.emplace(M(4)));
    EXPECT_TRUE(tx.push(M(5)));
    EXPECT_TRUE(tx.try_push_for(M(6), 1s));
    EXPECT_TRUE(tx.try_push_until(M(7), steady::now() + 1s));
    M lvalue(8);
    EXPECT_TRUE(tx.try_push(std::move(lvalue)));
    std::vector<M> batch;
    batch.emplace_back(9);
    batch.emplace_back(10);
    EXPECT_EQ(tx.push_range(std::move(batch)), 2u);
    batch.clear();
    batch.emplace_back(11);
    EXPECT_EQ(tx.try_push_range(std::move(batch)), 1u);
    for (int want = 1; want <= 11; ++want) {
      auto got = rx.try_pop();
      ASSERT_TRUE(got);
      EXPECT_EQ(got->v, want);
    }
    EXPECT_TRUE(rx.empty());

    auto got =
        with_parked_consumer<TypeParam>(front, [](auto& p) { EXPECT_TRUE(p.try_push(M(12))); });
    ASSERT_TRUE(got);
    EXPECT_EQ(got->v, 12);
    auto again =
        with_parked_consumer<TypeParam>(front, [](auto& p) { EXPECT_TRUE(p.try_emplace(M(13))); });
    ASSERT_TRUE(again);
    EXPECT_EQ(again->v, 13);

    if constexpr (std::remove_cvref_t<decltype(front)>::can_close) {
      front.close();
      EXPECT_FALSE(tx.try_push(M(14)));
      EXPECT_FALSE(tx.try_emplace(M(15)));
    }
  });
}

// --- std::unique_ptr -----------------------------------------------------------

TYPED_TEST(ElementTypes, UniquePtr) {
  using P = std::unique_ptr<int>;
  for_each_front<TypeParam, P>(16, [](auto& front) {
    auto& tx = front.tx();
    auto& rx = front.rx();
    EXPECT_TRUE(tx.try_push(std::make_unique<int>(1)));
    EXPECT_TRUE(tx.try_emplace(new int(2)));
    P p = std::make_unique<int>(3);
    EXPECT_TRUE(tx.emplace(std::move(p)));
    EXPECT_EQ(p, nullptr);
    EXPECT_TRUE(tx.push(std::make_unique<int>(4)));
    EXPECT_TRUE(tx.try_push_for(std::make_unique<int>(5), 1s));
    EXPECT_TRUE(tx.try_push_until(std::make_unique<int>(6), steady::now() + 1s));
    std::vector<P> batch;
    batch.push_back(std::make_unique<int>(7));
    batch.push_back(std::make_unique<int>(8));
    EXPECT_EQ(tx.push_range(std::move(batch)), 2u);
    for (int want = 1; want <= 8; ++want) {
      auto got = rx.try_pop();
      ASSERT_TRUE(got && *got);
      EXPECT_EQ(**got, want);
    }
    EXPECT_TRUE(rx.empty());

    auto got = with_parked_consumer<TypeParam>(
        front, [](auto& q) { EXPECT_TRUE(q.try_push(std::make_unique<int>(9))); });
    ASSERT_TRUE(got && *got);
    EXPECT_EQ(**got, 9);

    if constexpr (std::remove_cvref_t<decltype(front)>::can_close) {
      front.close();
      P kept = std::make_unique<int>(10);
      EXPECT_FALSE(tx.try_push(std::move(kept)));
      EXPECT_NE(kept, nullptr) << "a refused push consumed its argument";
    }
  });
}

// --- which constructor runs -----------------------------------------------------

// Runs `push(tx)` (which must succeed) on an empty queue and checks the
// constructors it ran before anything was popped, then pops the element and
// checks it holds `a`.
template <class Front, class Push>
void expect_built(Front& front, Push&& push, counted::counts want, int a, const char* what) {
  SCOPED_TRACE(what);
  ASSERT_TRUE(front.rx().empty());
  counted::reset();
  EXPECT_TRUE(push(front.tx()));
  const counted::counts got = counted::now();
  EXPECT_EQ(got.value, want.value) << "got " << got << ", want " << want;
  EXPECT_EQ(got.seed_lvalue, want.seed_lvalue) << "got " << got << ", want " << want;
  EXPECT_EQ(got.seed_rvalue, want.seed_rvalue) << "got " << got << ", want " << want;
  EXPECT_EQ(got.copies, want.copies) << "got " << got << ", want " << want;
  EXPECT_EQ(got.moves, want.moves) << "got " << got << ", want " << want;
  while (auto popped = front.rx().try_pop()) EXPECT_EQ(popped->a, a);
}

// As expect_built, with a consumer parked in pop() when `push` runs. The pop
// moves the element out, so moves are not counted here.
template <class Mix, class Front, class Push>
void expect_built_for_parked(Front& front, Push&& push, counted::counts want, int a,
                             const char* what) {
  SCOPED_TRACE(std::string(what) + ", with a parked consumer");
  ASSERT_TRUE(front.rx().empty());
  counted::reset();
  auto got = with_parked_consumer<Mix>(front, [&](auto& tx) { EXPECT_TRUE(push(tx)); });
  const counted::counts c = counted::now();
  EXPECT_EQ(c.value, want.value) << "got " << c << ", want " << want;
  EXPECT_EQ(c.seed_lvalue, want.seed_lvalue) << "got " << c << ", want " << want;
  EXPECT_EQ(c.seed_rvalue, want.seed_rvalue) << "got " << c << ", want " << want;
  EXPECT_EQ(c.copies, want.copies) << "got " << c << ", want " << want;
  ASSERT_TRUE(got);
  EXPECT_EQ(got->a, a);
  while (front.rx().try_pop()) {
  }
}

TYPED_TEST(ElementTypes, ArgumentsKeepTheirValueCategory) {
  for_each_front<TypeParam, counted>(16, [](auto& front) {
    const counted::counts one_copy{.copies = 1};
    const counted::counts one_move{.moves = 1};
    const counted::counts one_value{.value = 1};
    const counted::counts from_lvalue_seed{.seed_lvalue = 1};
    const counted::counts from_rvalue_seed{.seed_rvalue = 1};

    counted x(1, 2);
    const counted cx(1, 2);
    seed s{3};
    const seed cs{3};
    // Built before the counts are reset, one for each rvalue case.
    counted r1(4, 0), r2(4, 0), r3(4, 0), r4(4, 0), r5(4, 0), r6(4, 0), r7(4, 0);

    // emplace / try_emplace: T's constructor from Args&&..., in place.
    expect_built(
        front, [&](auto& tx) { return tx.emplace(x); }, one_copy, 1, "emplace(lvalue)");
    EXPECT_EQ(x.a, 1) << "emplace(lvalue) moved from its argument";
    expect_built(
        front, [&](auto& tx) { return tx.emplace(cx); }, one_copy, 1, "emplace(const)");
    expect_built(
        front, [&](auto& tx) { return tx.emplace(std::move(r1)); }, one_move, 4, "emplace(rvalue)");
    expect_built(
        front, [](auto& tx) { return tx.emplace(5, 6); }, one_value, 5, "emplace(5, 6)");
    expect_built(
        front, [&](auto& tx) { return tx.emplace(s); }, from_lvalue_seed, 3,
        "emplace(seed lvalue)");
    expect_built(
        front, [&](auto& tx) { return tx.emplace(cs); }, from_lvalue_seed, 3,
        "emplace(const seed)");
    expect_built(
        front, [](auto& tx) { return tx.emplace(seed{7}); }, from_rvalue_seed, 7,
        "emplace(seed rvalue)");

    expect_built(
        front, [&](auto& tx) { return tx.try_emplace(x); }, one_copy, 1, "try_emplace(lvalue)");
    EXPECT_EQ(x.a, 1) << "try_emplace(lvalue) moved from its argument";
    expect_built(
        front, [&](auto& tx) { return tx.try_emplace(std::move(r2)); }, one_move, 4,
        "try_emplace(rvalue)");
    expect_built(
        front, [](auto& tx) { return tx.try_emplace(5, 6); }, one_value, 5, "try_emplace(5, 6)");
    expect_built(
        front, [&](auto& tx) { return tx.try_emplace(s); }, from_lvalue_seed, 3,
        "try_emplace(seed lvalue)");
    expect_built(
        front, [&](auto& tx) { return tx.try_emplace(cs); }, from_lvalue_seed, 3,
        "try_emplace(const seed)");
    expect_built(
        front, [](auto& tx) { return tx.try_emplace(seed{7}); }, from_rvalue_seed, 7,
        "try_emplace(seed rvalue)");

    // push / try_push / the timed pushes: a copy for an lvalue, a move for
    // an rvalue, straight into the slot.
    expect_built(
        front, [&](auto& tx) { return tx.push(x); }, one_copy, 1, "push(lvalue)");
    expect_built(
        front, [&](auto& tx) { return tx.push(std::move(r3)); }, one_move, 4, "push(rvalue)");
    expect_built(
        front, [&](auto& tx) { return tx.try_push(cx); }, one_copy, 1, "try_push(lvalue)");
    expect_built(
        front, [&](auto& tx) { return tx.try_push(std::move(r4)); }, one_move, 4,
        "try_push(rvalue)");
    expect_built(
        front, [&](auto& tx) { return tx.try_push_for(x, 1s); }, one_copy, 1,
        "try_push_for(lvalue)");
    expect_built(
        front, [&](auto& tx) { return tx.try_push_for(std::move(r5), 1s); }, one_move, 4,
        "try_push_for(rvalue)");
    expect_built(
        front, [&](auto& tx) { return tx.try_push_until(cx, steady::now() + 1s); }, one_copy, 1,
        "try_push_until(lvalue)");
    expect_built(
        front, [&](auto& tx) { return tx.try_push_until(std::move(r6), steady::now() + 1s); },
        one_move, 4, "try_push_until(rvalue)");
    EXPECT_EQ(x.a, 1);
    EXPECT_EQ(cx.a, 1);

    // Bulk: a range of lvalues is copied, a moved container moved from.
    std::vector<counted> three{counted(1, 0), counted(1, 0), counted(1, 0)};
    expect_built(
        front, [&](auto& tx) { return tx.push_range(three) == 3; }, {.copies = 3}, 1,
        "push_range(lvalue vector)");
    expect_built(
        front, [&](auto& tx) { return tx.try_push_range(three) == 3; }, {.copies = 3}, 1,
        "try_push_range(lvalue vector)");
    for (const counted& c : three) EXPECT_EQ(c.a, 1) << "a range of lvalues was moved from";
    std::vector<counted> moved1 = three, moved2 = three;
    expect_built(
        front, [&](auto& tx) { return tx.push_range(std::move(moved1)) == 3; }, {.moves = 3}, 1,
        "push_range(moved vector)");
    expect_built(
        front, [&](auto& tx) { return tx.try_push_range(std::move(moved2)) == 3; }, {.moves = 3}, 1,
        "try_push_range(moved vector)");

    // The same with a consumer parked in pop(): a parking queue's push then
    // takes the path that wakes it.
    expect_built_for_parked<TypeParam>(
        front, [&](auto& tx) { return tx.try_emplace(s); }, from_lvalue_seed, 3,
        "try_emplace(seed lvalue)");
    expect_built_for_parked<TypeParam>(
        front, [&](auto& tx) { return tx.try_emplace(cs); }, from_lvalue_seed, 3,
        "try_emplace(const seed)");
    expect_built_for_parked<TypeParam>(
        front, [](auto& tx) { return tx.try_emplace(seed{7}); }, from_rvalue_seed, 7,
        "try_emplace(seed rvalue)");
    expect_built_for_parked<TypeParam>(
        front, [&](auto& tx) { return tx.emplace(s); }, from_lvalue_seed, 3,
        "emplace(seed lvalue)");
    expect_built_for_parked<TypeParam>(
        front, [&](auto& tx) { return tx.try_emplace(x); }, one_copy, 1, "try_emplace(lvalue)");
    expect_built_for_parked<TypeParam>(
        front, [&](auto& tx) { return tx.try_push(x); }, one_copy, 1, "try_push(lvalue)");
    expect_built_for_parked<TypeParam>(
        front, [&](auto& tx) { return tx.try_push(std::move(r7)); }, {}, 4, "try_push(rvalue)");
    expect_built_for_parked<TypeParam>(
        front, [&](auto& tx) { return tx.try_push_for(cx, 1s); }, one_copy, 1,
        "try_push_for(lvalue)");
    expect_built_for_parked<TypeParam>(
        front, [](auto& tx) { return tx.try_emplace(5, 6); }, one_value, 5, "try_emplace(5, 6)");
    expect_built_for_parked<TypeParam>(
        front, [&](auto& tx) { return tx.try_push_range(three) == 3; }, {.copies = 3}, 1,
        "try_push_range(lvalue vector)");
    EXPECT_EQ(x.a, 1);
    EXPECT_EQ(s.v, 3) << "an lvalue seed was moved from";
  });
}

// --- over-aligned ----------------------------------------------------------------

TYPED_TEST(ElementTypes, OverAligned) {
  for_each_front<TypeParam, over_aligned>(8, [](auto& front) {
    auto& tx = front.tx();
    auto& rx = front.rx();
    over_aligned::misaligned = 0;
    over_aligned::built = 0;
    EXPECT_TRUE(tx.try_emplace(1));
    EXPECT_TRUE(tx.emplace(2));
    EXPECT_TRUE(tx.try_push(over_aligned(3)));
    const over_aligned four(4);
    EXPECT_TRUE(tx.push(four));
    EXPECT_TRUE(tx.try_push_for(over_aligned(5), 1s));
    const std::vector<int> more{6, 7};
    EXPECT_EQ(tx.push_range(more), 2u);
    for (int want = 1; want <= 7; ++want) {
      auto got = rx.try_pop();
      ASSERT_TRUE(got);
      EXPECT_EQ(got->v, want);
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(&*got) % 64, 0u);
    }
    auto got =
        with_parked_consumer<TypeParam>(front, [](auto& p) { EXPECT_TRUE(p.try_emplace(8)); });
    ASSERT_TRUE(got);
    EXPECT_EQ(got->v, 8);
    EXPECT_GT(over_aligned::built.load(), 8);
    EXPECT_EQ(over_aligned::misaligned.load(), 0) << "an element was built at a misaligned address";
  });
}

// --- large -----------------------------------------------------------------------

TYPED_TEST(ElementTypes, FourKilobytes) {
  for_each_front<TypeParam, large>(4, [](auto& front) {
    auto& tx = front.tx();
    auto& rx = front.rx();
    const large one = large::make(1);
    EXPECT_TRUE(tx.try_push(one));
    EXPECT_TRUE(tx.emplace(large::make(2)));
    EXPECT_TRUE(tx.try_emplace(one));
    EXPECT_TRUE(tx.try_push_until(large::make(3), steady::now() + 1s));
    for (std::uint32_t want : {1u, 2u, 1u, 3u}) {
      auto got = rx.try_pop();
      ASSERT_TRUE(got);
      EXPECT_TRUE(got->is(want)) << "the contents of element " << want << " changed";
    }
    const std::vector<large> pair{large::make(4), large::make(5)};
    EXPECT_EQ(tx.push_range(pair), 2u);
    for (std::uint32_t want : {4u, 5u}) {
      auto got = rx.pop();
      ASSERT_TRUE(got);
      EXPECT_TRUE(got->is(want));
    }
    auto got =
        with_parked_consumer<TypeParam>(front, [&](auto& p) { EXPECT_TRUE(p.try_emplace(one)); });
    ASSERT_TRUE(got);
    EXPECT_TRUE(got->is(1));
  });
}

// --- a throwing constructor -------------------------------------------------------

TYPED_TEST(ElementTypes, AThrowingConstructorLeavesTheQueueUnchanged) {
  for_each_front<TypeParam, throwing>(8, [](auto& front) {
    auto& tx = front.tx();
    auto& rx = front.rx();
    throwing::live = 0;
    EXPECT_TRUE(tx.try_emplace(1));
    EXPECT_THROW(tx.try_emplace(throwing::poison), std::runtime_error);
    EXPECT_EQ(rx.size(), 1u);
    EXPECT_THROW(tx.emplace(throwing::poison), std::runtime_error);
    EXPECT_EQ(rx.size(), 1u);
    EXPECT_EQ(throwing::live.load(), 1) << "a failed construction left an object behind";
    // A range pushes the elements before the throwing one.
    const std::vector<int> input{2, throwing::poison, 3};
    EXPECT_THROW(tx.push_range(input), std::runtime_error);
    EXPECT_EQ(rx.size(), 2u);
    EXPECT_THROW(tx.try_push_range(input), std::runtime_error);
    EXPECT_EQ(rx.size(), 3u);
    EXPECT_EQ(throwing::live.load(), 3);
    // The queue still works.
    EXPECT_TRUE(tx.try_emplace(4));
    EXPECT_TRUE(tx.emplace(5));
    EXPECT_TRUE(tx.try_push_for(6, 1s));
    for (int want : {1, 2, 2, 4, 5, 6}) {
      auto got = rx.try_pop();
      ASSERT_TRUE(got);
      EXPECT_EQ(got->v, want);
    }
    EXPECT_TRUE(rx.empty());
    EXPECT_EQ(throwing::live.load(), 0) << "elements leaked";

    // With a consumer parked: the throw wakes nobody wrongly and loses
    // nothing; the next push reaches the consumer.
    auto got = with_parked_consumer<TypeParam>(front, [](auto& p) {
      EXPECT_THROW(p.try_emplace(throwing::poison), std::runtime_error);
      EXPECT_THROW(p.emplace(throwing::poison), std::runtime_error);
      EXPECT_TRUE(p.try_emplace(9));
    });
    ASSERT_TRUE(got);
    EXPECT_EQ(got->v, 9);
    EXPECT_TRUE(rx.empty());
    got.reset();
    EXPECT_EQ(throwing::live.load(), 0) << "elements leaked";
  });
}

// --- handles: noexcept and convertible arguments -------------------------------

template <class Q>
using producer_of = mpmc::producer<Q>;
template <class Q>
using sender_of = mpmc::sender<Q>;

// Operands for the noexcept checks below: declared only (the checks are
// unevaluated), and noexcept themselves, so that only the call under test
// decides. (A literal such as 1ms would not do: constructing a duration is
// not noexcept.)
template <class Q, template <class> class Handle>
struct operands {
  using T = typename Q::value_type;
  static Q& q() noexcept;
  static const Handle<Q>& h() noexcept;
  static const T& cref() noexcept;
  static T&& rvalue() noexcept;
  static std::vector<T>& range() noexcept;
  static const std::chrono::milliseconds& timeout() noexcept;
  static const steady::time_point& deadline() noexcept;
};

// The handles' push operations are exactly as noexcept as the queue's.
template <class Q, template <class> class Handle>
constexpr bool same_noexcept() {
  using o = operands<Q, Handle>;
  static_assert(noexcept(o::h().try_push(o::cref())) == noexcept(o::q().try_push(o::cref())));
  static_assert(noexcept(o::h().try_push(o::rvalue())) == noexcept(o::q().try_push(o::rvalue())));
  static_assert(noexcept(o::h().push(o::cref())) == noexcept(o::q().push(o::cref())));
  static_assert(noexcept(o::h().push(o::rvalue())) == noexcept(o::q().push(o::rvalue())));
  static_assert(noexcept(o::h().try_emplace(o::cref())) == noexcept(o::q().try_emplace(o::cref())));
  static_assert(noexcept(o::h().try_emplace(o::rvalue())) ==
                noexcept(o::q().try_emplace(o::rvalue())));
  static_assert(noexcept(o::h().emplace(o::cref())) == noexcept(o::q().emplace(o::cref())));
  static_assert(noexcept(o::h().emplace(o::rvalue())) == noexcept(o::q().emplace(o::rvalue())));
  static_assert(noexcept(o::h().try_push_for(o::cref(), o::timeout())) ==
                noexcept(o::q().try_push_for(o::cref(), o::timeout())));
  static_assert(noexcept(o::h().try_push_for(o::rvalue(), o::timeout())) ==
                noexcept(o::q().try_push_for(o::rvalue(), o::timeout())));
  static_assert(noexcept(o::h().try_push_until(o::cref(), o::deadline())) ==
                noexcept(o::q().try_push_until(o::cref(), o::deadline())));
  static_assert(noexcept(o::h().try_push_until(o::rvalue(), o::deadline())) ==
                noexcept(o::q().try_push_until(o::rvalue(), o::deadline())));
  static_assert(noexcept(o::h().try_push_range(o::range())) ==
                noexcept(o::q().try_push_range(o::range())));
  return true;
}

// And the queue's own: a copy in is noexcept when T's copy constructor is.
template <class Q, template <class> class Handle>
constexpr bool nothrow_copy_in() {
  using o = operands<Q, Handle>;
  constexpr bool copy = std::is_nothrow_copy_constructible_v<typename o::T>;
  static_assert(noexcept(o::q().try_push(o::cref())) == copy);
  static_assert(noexcept(o::q().push(o::cref())) == copy);
  static_assert(noexcept(o::h().try_push(o::cref())) == copy);
  static_assert(noexcept(o::h().push(o::cref())) == copy);
  return true;
}

static_assert(same_noexcept<mpmc::queue<int>, producer_of>());
static_assert(same_noexcept<mpmc::queue<int>, sender_of>());
static_assert(same_noexcept<mpmc::queue<int, mpmc::wait::spin>, producer_of>());
static_assert(same_noexcept<mpmc::queue<counted>, producer_of>());
static_assert(same_noexcept<mpmc::queue<counted>, sender_of>());
static_assert(same_noexcept<mpmc::queue<throwing>, producer_of>());
static_assert(same_noexcept<mpmc::queue<std::string>, producer_of>());
static_assert(same_noexcept<mpmc::queue<std::string>, sender_of>());
static_assert(nothrow_copy_in<mpmc::queue<int>, producer_of>());
static_assert(nothrow_copy_in<mpmc::queue<int>, sender_of>());
static_assert(nothrow_copy_in<mpmc::queue<throwing>, producer_of>());
static_assert(nothrow_copy_in<mpmc::queue<std::string>, producer_of>());

// The queue's own answers, so that the equalities above cannot hold by
// both sides being wrong the same way.
using int_operands = operands<mpmc::queue<int>, producer_of>;
using string_operands = operands<mpmc::queue<std::string>, sender_of>;
static_assert(noexcept(int_operands::q().try_emplace(int_operands::cref())));
static_assert(noexcept(int_operands::h().try_emplace(int_operands::cref())));
static_assert(noexcept(int_operands::h().emplace(int_operands::rvalue())));
static_assert(noexcept(int_operands::q().try_push_for(int_operands::rvalue(),
                                                      int_operands::timeout())));
static_assert(noexcept(int_operands::h().try_push_for(int_operands::rvalue(),
                                                      int_operands::timeout())));
static_assert(noexcept(int_operands::h().try_push_until(int_operands::cref(),
                                                        int_operands::deadline())));
static_assert(!noexcept(string_operands::q().try_emplace("abc")));
static_assert(!noexcept(string_operands::h().try_emplace("abc")));
static_assert(!noexcept(string_operands::h().try_push(string_operands::cref())));
static_assert(noexcept(string_operands::h().try_push(string_operands::rvalue())));

// Arguments only convertible to T reach T through the timed pushes, as they
// do through try_push and push.
template <class Tx, class Rx>
void push_convertible(Tx& tx, Rx& rx) {
  const char* pointer = "jkl";
  EXPECT_TRUE(tx.try_push_for("abc", 10ms));
  EXPECT_TRUE(tx.try_push_until("def", steady::now() + 10ms));
  EXPECT_TRUE(tx.try_push_until("ghi", std::chrono::system_clock::now() + 10ms));
  EXPECT_TRUE(tx.try_push_for(pointer, 10ms));
  EXPECT_TRUE(tx.try_push("mno"));
  for (const char* want : {"abc", "def", "ghi", "jkl", "mno"})
    EXPECT_EQ(rx.try_pop(), std::optional<std::string>(want));
}

TEST(HandleArguments, ConvertibleArgumentsThroughTheTimedPushes) {
  using Q = mpmc::queue<std::string>;
  {
    SCOPED_TRACE("queue");
    Q q(8);
    push_convertible(q, q);
  }
  {
    SCOPED_TRACE("producer<Q>");
    auto q = std::make_shared<Q>(8);
    mpmc::producer<Q> tx(q);
    mpmc::consumer<Q> rx(q);
    push_convertible(tx, rx);
  }
  {
    SCOPED_TRACE("sender<Q>");
    auto [tx, rx] = mpmc::make_channel<std::string>(8);
    push_convertible(tx, rx);
  }
}

}  // namespace
