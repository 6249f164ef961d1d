// Deadlines of any clock and duration, for every wait policy: a deadline too
// far away to be represented in another clock's units saturates to
// "forever" (the call waits until it is woken or the queue is closed), and
// one in the past, however far, means "try once" (the call returns at once,
// with what was ready). Timeouts likewise: duration::max() in any unit waits
// forever, duration::min() and negative durations try once.
//
// Every call that may block runs on a thread of its own (blocking_call),
// which the test checks has or has not returned; the queue it uses is shared
// with it, so that a call that never returns fails the test instead of
// hanging it.
#include "support/mixes.hpp"

#include <mpmc/mpmc.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <ratio>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using namespace mpmc::test;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;
using sys = std::chrono::system_clock;
using std::chrono::hours;
using std::chrono::seconds;

// How long a call with a "forever" deadline must stay blocked before the
// test wakes it.
constexpr auto still_blocked_after = 100ms;
// Generous bounds: the machine is shared and oversubscribed at times.
constexpr auto returns_within = 1s;  // a call that tries once
constexpr auto gives_up_after = 5s;  // how long the test waits for one that does not
constexpr auto wakes_within = 20s;   // a call that was woken

// A call on a thread of its own. The callable must own what it uses (hold
// the queue by shared_ptr): if the call never returns, the thread is
// detached at the end and the test fails instead of hanging.
template <class R>
class blocking_call {
 public:
  template <class F>
  blocking_call(std::string name, F f) : name_(std::move(name)), state_(std::make_shared<state>()) {
    thread_ = std::thread([s = state_, f = std::move(f)]() mutable {
      const auto start = steady::now();
      s->result.emplace(f());
      s->took = steady::now() - start;
      s->done.store(true);
    });
  }
  blocking_call(const blocking_call&) = delete;
  blocking_call& operator=(const blocking_call&) = delete;
  ~blocking_call() {
    if (state_->done.load())
      thread_.join();
    else
      thread_.detach();  // the test has failed already (see finished_within)
  }

  const std::string& name() const { return name_; }
  bool returned() const { return state_->done.load(); }
  bool finished_within(steady::duration limit) const {
    const auto until = steady::now() + limit;
    while (!returned() && steady::now() < until) std::this_thread::sleep_for(1ms);
    return returned();
  }
  // Valid once returned().
  const R& result() const { return *state_->result; }
  steady::duration took() const { return state_->took; }

 private:
  struct state {
    std::atomic<bool> done{false};
    std::optional<R> result;
    steady::duration took{};
  };
  std::string name_;
  std::shared_ptr<state> state_;
  std::thread thread_;
};

// Calls f(name, deadline) for each deadline that lies beyond any wait: the
// maxima of several clocks and durations, and a coarse one that is not a
// maximum but still overflows nanoseconds.
template <class F>
void for_each_forever_deadline(F&& f) {
  f("steady_clock::time_point::max()", steady::time_point::max());
  f("time_point<steady_clock, hours>::max()", std::chrono::time_point<steady, hours>::max());
  f("time_point<steady_clock, seconds>::max()", std::chrono::time_point<steady, seconds>::max());
  f("time_point<steady_clock, hours>(2^40 h)",
    std::chrono::time_point<steady, hours>(hours(std::int64_t{1} << 40)));
  f("system_clock::time_point::max()", sys::time_point::max());
  f("time_point<system_clock, seconds>::max()", std::chrono::time_point<sys, seconds>::max());
  f("time_point<system_clock, hours>::max()", std::chrono::time_point<sys, hours>::max());
}

// Calls f(name, timeout) for each timeout that lasts beyond any wait.
template <class F>
void for_each_forever_timeout(F&& f) {
  f("nanoseconds::max()", std::chrono::nanoseconds::max());
  f("microseconds::max()", std::chrono::microseconds::max());
  f("milliseconds::max()", std::chrono::milliseconds::max());
  f("seconds::max()", seconds::max());
  f("hours::max()", hours::max());
  f("hours(2^40)", hours(std::int64_t{1} << 40));
  f("duration<double>::max()", std::chrono::duration<double>::max());
  f("duration<double, std::milli>::max()", std::chrono::duration<double, std::milli>::max());
}

// Calls f(name, deadline) for each deadline already past: the minima, and
// recent past deadlines in fine and coarse units.
template <class F>
void for_each_past_deadline(F&& f) {
  f("steady_clock::time_point::min()", steady::time_point::min());
  f("time_point<steady_clock, hours>::min()", std::chrono::time_point<steady, hours>::min());
  f("time_point<steady_clock, seconds>::min()", std::chrono::time_point<steady, seconds>::min());
  f("steady_clock::now() - 1h", steady::now() - 1h);
  f("floor<hours>(steady_clock::now()) - 1h", std::chrono::floor<hours>(steady::now()) - 1h);
  f("system_clock::time_point::min()", sys::time_point::min());
  f("time_point<system_clock, seconds>::min()", std::chrono::time_point<sys, seconds>::min());
  f("time_point<system_clock, hours>::min()", std::chrono::time_point<sys, hours>::min());
  f("system_clock::now() - 1h", sys::now() - 1h);
  f("floor<seconds>(system_clock::now()) - 10s", std::chrono::floor<seconds>(sys::now()) - 10s);
  f("time_point<system_clock, seconds>{} (the epoch)", std::chrono::time_point<sys, seconds>{});
}

// Calls f(name, timeout) for each timeout that is already over.
template <class F>
void for_each_past_timeout(F&& f) {
  f("nanoseconds::min()", std::chrono::nanoseconds::min());
  f("milliseconds::min()", std::chrono::milliseconds::min());
  f("seconds::min()", seconds::min());
  f("hours::min()", hours::min());
  f("duration<double>::min()", std::chrono::duration<double>::min());
  f("-1s", -1s);
  f("-1h", -1h);
  f("hours(-2^40)", hours(-(std::int64_t{1} << 40)));
  f("0ns", 0ns);
}

// One waiting call per deadline and per timeout, each on a queue of its own.
template <class Q, class R>
struct waiting_case {
  std::shared_ptr<Q> queue;
  std::unique_ptr<blocking_call<R>> call;
};

// What a push reports: whether it succeeded, and whether its argument (a
// unique_ptr) was left untouched.
struct push_outcome {
  bool pushed;
  bool argument_intact;
};

template <class Mix>
class Deadlines : public ::testing::Test {
 protected:
  using int_queue = typename Mix::template queue<int>;
  using ptr_queue = typename Mix::template queue<std::unique_ptr<int>>;
  using pop_case = waiting_case<int_queue, std::optional<int>>;
  using push_case = waiting_case<ptr_queue, push_outcome>;

  // try_pop_until / try_pop_for on an empty queue, for every forever
  // deadline and timeout.
  static std::vector<pop_case> start_forever_pops() {
    std::vector<pop_case> cases;
    auto add = [&](std::string name, auto pop) {
      auto q = std::make_shared<int_queue>(4);
      cases.push_back({q, std::make_unique<blocking_call<std::optional<int>>>(
                              std::move(name), [q, pop] { return pop(*q); })});
    };
    for_each_forever_deadline([&](const char* name, auto deadline) {
      add(std::string("try_pop_until(") + name + ")",
          [deadline](int_queue& q) { return q.try_pop_until(deadline); });
    });
    for_each_forever_timeout([&](const char* name, auto timeout) {
      add(std::string("try_pop_for(") + name + ")",
          [timeout](int_queue& q) { return q.try_pop_for(timeout); });
    });
    return cases;
  }

  // try_push_until / try_push_for of a unique_ptr holding 2 on a full queue
  // of capacity 1 (holding 1), for every forever deadline and timeout.
  static std::vector<push_case> start_forever_pushes() {
    std::vector<push_case> cases;
    auto add = [&](std::string name, auto push) {
      auto q = std::make_shared<ptr_queue>(1);
      EXPECT_TRUE(q->try_push(std::make_unique<int>(1)));
      cases.push_back({q, std::make_unique<blocking_call<push_outcome>>(std::move(name), [q, push] {
                         auto value = std::make_unique<int>(2);
                         const bool pushed = push(*q, value);
                         return push_outcome{pushed, value != nullptr && *value == 2};
                       })});
    };
    for_each_forever_deadline([&](const char* name, auto deadline) {
      add(std::string("try_push_until(") + name + ")",
          [deadline](ptr_queue& q, std::unique_ptr<int>& v) {
            return q.try_push_until(std::move(v), deadline);
          });
    });
    for_each_forever_timeout([&](const char* name, auto timeout) {
      add(std::string("try_push_for(") + name + ")",
          [timeout](ptr_queue& q, std::unique_ptr<int>& v) {
            return q.try_push_for(std::move(v), timeout);
          });
    });
    return cases;
  }

  template <class Case>
  static void expect_all_still_blocked(const std::vector<Case>& cases) {
    std::this_thread::sleep_for(still_blocked_after);
    for (const auto& c : cases)
      EXPECT_FALSE(c.call->returned())
          << c.call->name() << " returned after "
          << std::chrono::duration<double>(c.call->took()).count() << " s instead of waiting";
  }
};
TYPED_TEST_SUITE(Deadlines, wait_mixes, wait_mix_names);

TYPED_TEST(Deadlines, PopWithAForeverDeadlineWaitsUntilAnElementArrives) {
  auto cases = TestFixture::start_forever_pops();
  TestFixture::expect_all_still_blocked(cases);
  for (auto& c : cases) ASSERT_TRUE(c.queue->try_push(42));
  for (auto& c : cases) {
    if (!c.call->finished_within(wakes_within)) {
      ADD_FAILURE() << c.call->name() << " was not woken by a push";
      c.queue->close();
      continue;
    }
    EXPECT_EQ(c.call->result(), std::optional<int>(42)) << c.call->name();
  }
}

TYPED_TEST(Deadlines, PopWithAForeverDeadlineWaitsUntilClosed) {
  auto cases = TestFixture::start_forever_pops();
  TestFixture::expect_all_still_blocked(cases);
  for (auto& c : cases) c.queue->close();
  for (auto& c : cases) {
    if (!c.call->finished_within(wakes_within)) {
      ADD_FAILURE() << c.call->name() << " was not woken by close()";
      continue;
    }
    EXPECT_EQ(c.call->result(), std::nullopt) << c.call->name();
  }
}

TYPED_TEST(Deadlines, PushWithAForeverDeadlineWaitsUntilAPopMakesRoom) {
  auto cases = TestFixture::start_forever_pushes();
  TestFixture::expect_all_still_blocked(cases);
  for (auto& c : cases) {
    auto first = c.queue->try_pop();
    ASSERT_TRUE(first && *first) << c.call->name();  // the element the queue was filled with
    EXPECT_EQ(**first, 1) << c.call->name();
  }
  for (auto& c : cases) {
    if (!c.call->finished_within(wakes_within)) {
      ADD_FAILURE() << c.call->name() << " was not woken by a pop";
      c.queue->close();
      continue;
    }
    EXPECT_TRUE(c.call->result().pushed) << c.call->name();
    auto second = c.queue->try_pop();
    if (!second || !*second) {
      ADD_FAILURE() << c.call->name() << ": its element is not in the queue";
      continue;
    }
    EXPECT_EQ(**second, 2) << c.call->name();
  }
}

TYPED_TEST(Deadlines, PushWithAForeverDeadlineWaitsUntilClosed) {
  auto cases = TestFixture::start_forever_pushes();
  TestFixture::expect_all_still_blocked(cases);
  for (auto& c : cases) c.queue->close();
  for (auto& c : cases) {
    if (!c.call->finished_within(wakes_within)) {
      ADD_FAILURE() << c.call->name() << " was not woken by close()";
      continue;
    }
    EXPECT_FALSE(c.call->result().pushed) << c.call->name();
    EXPECT_TRUE(c.call->result().argument_intact)
        << c.call->name() << " consumed its argument without pushing it";
    EXPECT_EQ(c.queue->size(), 1u) << c.call->name();
  }
}

// Runs `call(queue, name, past)` for each past deadline and timeout, each on
// a fresh queue prepared by `prepare`, on a thread of its own, and checks
// with `check` what it returned; every call must return within
// returns_within.
template <class Q, class R, class Prepare, class Call, class Check>
void for_each_past(std::size_t capacity, Prepare prepare, Call call, Check check) {
  std::vector<waiting_case<Q, R>> cases;
  auto add = [&](std::string name, auto past) {
    auto q = std::make_shared<Q>(capacity);
    prepare(*q);
    cases.push_back(
        {q, std::make_unique<blocking_call<R>>(name, [q, call, past] { return call(*q, past); })});
  };
  for_each_past_deadline([&](const char* name, auto d) { add(std::string("until ") + name, d); });
  for_each_past_timeout([&](const char* name, auto d) { add(std::string("for ") + name, d); });
  for (auto& c : cases) {
    if (!c.call->finished_within(gives_up_after)) {
      ADD_FAILURE() << c.call->name() << " did not return: a past deadline waited";
      c.queue->close();
      continue;
    }
    EXPECT_LT(c.call->took(), returns_within)
        << c.call->name() << " took " << std::chrono::duration<double>(c.call->took()).count()
        << " s: a past deadline waited";
    check(*c.queue, c.call->result(), c.call->name());
  }
}

// try_pop_until(past) / try_pop_for(past): the queue's one element or, for a
// deadline given as a time point, a timeout given as a duration.
template <class Q, class D>
std::optional<int> pop_by(Q& q, const D& past) {
  if constexpr (requires { past.time_since_epoch(); })
    return q.try_pop_until(past);
  else
    return q.try_pop_for(past);
}
template <class Q, class D>
push_outcome push_by(Q& q, const D& past) {
  auto value = std::make_unique<int>(2);
  bool pushed;
  if constexpr (requires { past.time_since_epoch(); })
    pushed = q.try_push_until(std::move(value), past);
  else
    pushed = q.try_push_for(std::move(value), past);
  return {pushed, value != nullptr && *value == 2};
}

TYPED_TEST(Deadlines, PopWithAPastDeadlineReturnsAtOnceOnAnEmptyQueue) {
  using Q = typename TestFixture::int_queue;
  for_each_past<Q, std::optional<int>>(
      4, [](Q&) {}, [](Q& q, auto past) { return pop_by(q, past); },
      [](Q& q, const std::optional<int>& got, const std::string& name) {
        EXPECT_EQ(got, std::nullopt) << name;
        EXPECT_TRUE(q.empty()) << name;
      });
}

TYPED_TEST(Deadlines, PopWithAPastDeadlineTakesAReadyElement) {
  using Q = typename TestFixture::int_queue;
  for_each_past<Q, std::optional<int>>(
      4, [](Q& q) { EXPECT_TRUE(q.try_push(7)); }, [](Q& q, auto past) { return pop_by(q, past); },
      [](Q& q, const std::optional<int>& got, const std::string& name) {
        EXPECT_EQ(got, std::optional<int>(7)) << name;
        EXPECT_TRUE(q.empty()) << name;
      });
}

TYPED_TEST(Deadlines, PushWithAPastDeadlineFailsAtOnceOnAFullQueue) {
  using Q = typename TestFixture::ptr_queue;
  for_each_past<Q, push_outcome>(
      1, [](Q& q) { EXPECT_TRUE(q.try_push(std::make_unique<int>(1))); },
      [](Q& q, auto past) { return push_by(q, past); },
      [](Q& q, const push_outcome& got, const std::string& name) {
        EXPECT_FALSE(got.pushed) << name;
        EXPECT_TRUE(got.argument_intact) << name << " consumed its argument without pushing it";
        EXPECT_EQ(q.size(), 1u) << name;
        auto first = q.try_pop();
        ASSERT_TRUE(first && *first) << name;
        EXPECT_EQ(**first, 1) << name;
      });
}

TYPED_TEST(Deadlines, PushWithAPastDeadlineSucceedsWhenThereIsRoom) {
  using Q = typename TestFixture::ptr_queue;
  for_each_past<Q, push_outcome>(
      1, [](Q&) {}, [](Q& q, auto past) { return push_by(q, past); },
      [](Q& q, const push_outcome& got, const std::string& name) {
        EXPECT_TRUE(got.pushed) << name;
        auto first = q.try_pop();
        ASSERT_TRUE(first && *first) << name;
        EXPECT_EQ(**first, 2) << name;
      });
}

}  // namespace
