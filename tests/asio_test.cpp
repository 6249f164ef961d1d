// <mpmc/asio.hpp> with callback handlers, use_future and deferred (builds with every compiler we
// support, clang 14 included): the fast path posts, waiting ops wake threads and are woken by
// them, cancellation and close hand values back, a notification that reached a cancelled op is
// passed on, a dying io_context destroys its pending ops, completions respect strands, and the
// steady state allocates nothing. The coroutine side is in asio_coro_test.cpp.
#define MPMC_TEST_COUNT_ALLOCATIONS
#include "asio_support.hpp"

#include <mpmc/asio.hpp>
#include <mpmc/backend/condvar.hpp>
#include <mpmc/channel.hpp>

#include <asio/bind_allocator.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/bind_executor.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/io_context.hpp>
#include <asio/strand.hpp>
#include <asio/use_future.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <system_error>
#include <thread>
#include <vector>

#if defined(__SANITIZE_THREAD__)
#define MPMC_TEST_TSAN
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MPMC_TEST_TSAN
#endif
#endif

namespace {
using namespace std::chrono_literals;
using Q = mpmc::queue<int>;
// No yields before an op links its record: it is linked when the initiating call returns, which
// the tests of what a notify does to a linked record need.
using linked_at_once = mpmc::queue<int, mpmc::wait::park<mpmc::backend::native, 64, 0>>;

// What a handler saw.
struct result {
  int calls = 0;
  std::error_code ec;
  std::optional<int> value;
};

auto record(asio::io_context& ioc, result& r) {
  return asio::bind_executor(ioc, [&r](std::error_code ec, std::optional<int> v) {
    ++r.calls;
    r.ec = ec;
    r.value = v;
  });
}

TEST(AsioErrc, IsAnErrorCodeEnumWithItsOwnCategory) {
  static_assert(std::is_error_code_enum_v<mpmc::errc>);
  const std::error_code ec = mpmc::errc::closed;
  EXPECT_EQ(ec, mpmc::errc::closed);
  EXPECT_STREQ(ec.category().name(), "mpmc");
  EXPECT_EQ(ec.message(), "queue closed");
  EXPECT_NE(ec, std::error_code(asio::error::operation_aborted));
}

// The ready path never runs the handler inside the initiating call.
TEST(AsioFastPath, CompletionIsPostedNotRunInline) {
  asio::io_context ioc;
  Q q(2);
  ASSERT_TRUE(q.push(1));
  result pop, push;
  mpmc::async_pop(q, record(ioc, pop));
  mpmc::async_push(q, 2, record(ioc, push));
  EXPECT_EQ(pop.calls, 0);
  EXPECT_EQ(push.calls, 0);
  EXPECT_EQ(q.size(), 1u);  // both claimed at initiation: 1 out, 2 in
  ioc.run();
  EXPECT_EQ(pop.calls, 1);
  EXPECT_FALSE(pop.ec);
  EXPECT_EQ(pop.value, 1);
  EXPECT_EQ(push.calls, 1);
  EXPECT_FALSE(push.ec);
  EXPECT_FALSE(push.value);
  EXPECT_EQ(q.try_pop(), 2);
}

// A parking backend and fence pair that count the calls that would be system calls (a futex
// wait or wake, a membarrier): the only ones the library makes.
struct counting_fence {
  static inline std::atomic<int> heavy_calls{0};
  static bool prepare() noexcept { return mpmc::backend::asymmetric_fence::prepare(); }
  static void light() noexcept { mpmc::backend::asymmetric_fence::light(); }
  static void heavy() noexcept {
    ++heavy_calls;
    mpmc::backend::asymmetric_fence::heavy();
  }
  static void full() noexcept { mpmc::backend::asymmetric_fence::full(); }
};
struct counting_backend {
  using fence = counting_fence;
  static inline std::atomic<int> calls{0};
  mpmc::backend::native os;
  void wait(std::atomic<std::uint32_t>& w, std::uint32_t seen) noexcept {
    ++calls;
    os.wait(w, seen);
  }
  bool wait_until(std::atomic<std::uint32_t>& w, std::uint32_t seen,
                  std::chrono::steady_clock::time_point deadline) noexcept {
    ++calls;
    return os.wait_until(w, seen, deadline);
  }
  void wake(std::atomic<std::uint32_t>& w, std::uint32_t n) noexcept {
    ++calls;
    os.wake(w, n);
  }
  void wake_all(std::atomic<std::uint32_t>& w) noexcept {
    ++calls;
    os.wake_all(w);
  }
};

// Operations ready at once make no system call: no fence's heavy half, no futex call.
TEST(AsioFastPath, ReadyOperationsMakeNoSystemCall) {
  using counted = mpmc::queue<int, mpmc::wait::park<counting_backend>>;
  asio::io_context ioc(1);
  counted q(4);
  counting_backend::calls = 0;
  counting_fence::heavy_calls = 0;
  for (int i = 0; i != 100; ++i) {
    result push, pop;
    mpmc::async_push(q, i, record(ioc, push));
    mpmc::async_pop(q, record(ioc, pop));
    ioc.restart();
    ioc.poll();
    ASSERT_EQ(push.calls, 1);
    ASSERT_EQ(pop.value, i);
  }
  EXPECT_EQ(counting_backend::calls.load(), 0);
  EXPECT_EQ(counting_fence::heavy_calls.load(), 0);
  // The counters count: a pop that waits links its record behind the heavy fence.
  result waiting;
  mpmc::async_pop(q, record(ioc, waiting));
  ioc.restart();
  ioc.poll();
  EXPECT_EQ(counting_fence::heavy_calls.load(), 1);
  q.close();
  ioc.restart();
  ioc.poll();
  EXPECT_EQ(waiting.ec, mpmc::errc::closed);
}

template <class Queue>
void thread_push_completes_a_waiting_pop() {
  asio::io_context ioc;
  Queue q(2);
  result pop;
  mpmc::async_pop(q, record(ioc, pop));
  ioc.poll();
  EXPECT_EQ(pop.calls, 0);
  std::thread producer([&] {
    std::this_thread::sleep_for(20ms);
    q.push(42);
  });
  ioc.run_for(10s);  // the waiting op holds work: returns once it completes
  producer.join();
  EXPECT_EQ(pop.calls, 1);
  EXPECT_EQ(pop.value, 42);
}

TEST(AsioWaiting, PopCompletesWhenAThreadPushes) { thread_push_completes_a_waiting_pop<Q>(); }

// Every parking wait policy carries async ops: its event count holds their records, whatever the
// backend a thread would sleep on.
TEST(AsioWaiting, EveryParkingPolicy) {
  thread_push_completes_a_waiting_pop<mpmc::queue<int, mpmc::wait::futex>>();
  thread_push_completes_a_waiting_pop<mpmc::queue<int, mpmc::wait::atomic_wait>>();
  thread_push_completes_a_waiting_pop<mpmc::queue<int, mpmc::wait::condvar>>();
}

TEST(AsioWaiting, PushCompletesWhenAThreadPops) {
  asio::io_context ioc;
  Q q(1);
  ASSERT_TRUE(q.push(1));
  result push;
  mpmc::async_push(q, 2, record(ioc, push));
  ioc.poll();
  EXPECT_EQ(push.calls, 0);
  std::optional<int> first, second;
  std::thread consumer([&] {
    std::this_thread::sleep_for(20ms);
    first = q.pop();
    second = q.pop();
  });
  ioc.run_for(10s);
  consumer.join();
  EXPECT_EQ(push.calls, 1);
  EXPECT_FALSE(push.ec);
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 2);
}

// Threads blocked in pop() and push() are woken by async operations (the sync side parks on the
// same event count).
// Before it links its record, an op yields to its executor (one handler run each). Yields that go
// unrewarded halve the next ops' count, down to 8; a yield that finds the op ready doubles it.
TEST(AsioWaiting, YieldsAdaptToWhetherTheyPayOff) {
  using yielding = mpmc::queue<int, mpmc::wait::park<mpmc::backend::native, 64, 128>>;
  asio::io_context ioc;
  yielding q(2);
  for (const std::size_t yields : {128u, 64u, 32u, 16u, 8u, 8u}) {
    result pop;
    mpmc::async_pop(q, record(ioc, pop));
    ioc.restart();
    EXPECT_EQ(ioc.poll(), yields);  // the last one linked the record
    EXPECT_EQ(pop.calls, 0);
    ASSERT_TRUE(q.push(static_cast<int>(yields)));
    ioc.restart();
    ioc.poll();
    EXPECT_EQ(pop.value, static_cast<int>(yields));
  }
  // A push while the op yields: the next yield takes the value, and the next op yields 16 times.
  result pop;
  mpmc::async_pop(q, record(ioc, pop));
  ioc.restart();
  EXPECT_EQ(ioc.poll_one(), 1u);
  ASSERT_TRUE(q.push(1));
  ioc.poll();
  EXPECT_EQ(pop.value, 1);
  result next;
  mpmc::async_pop(q, record(ioc, next));
  ioc.restart();
  EXPECT_EQ(ioc.poll(), 16u);
  q.close();
  ioc.restart();
  ioc.poll();
  EXPECT_EQ(next.ec, mpmc::errc::closed);
}

TEST(AsioWaiting, BlockedThreadsWakeForAsyncOperations) {
  asio::io_context ioc;
  Q q(1);
  std::optional<int> popped;
  std::thread consumer([&] { popped = q.pop(); });
  std::this_thread::sleep_for(50ms);  // long enough to park, usually; either way it must end
  result push;
  mpmc::async_push(q, 7, record(ioc, push));
  ioc.run_for(10s);
  consumer.join();
  EXPECT_EQ(popped, 7);

  ASSERT_TRUE(q.push(1));
  bool pushed = false;
  std::thread producer([&] { pushed = q.push(2); });
  std::this_thread::sleep_for(50ms);
  result pop;
  ioc.restart();
  mpmc::async_pop(q, record(ioc, pop));
  ioc.run_for(10s);
  producer.join();
  EXPECT_EQ(pop.value, 1);
  EXPECT_TRUE(pushed);
  EXPECT_EQ(q.try_pop(), 2);
}

TEST(AsioCancel, WaitingPopCancelledTakesNothing) {
  for (auto type : {asio::cancellation_type::terminal, asio::cancellation_type::partial,
                    asio::cancellation_type::total}) {
    asio::io_context ioc;
    Q q(2);
    asio::cancellation_signal signal;
    result pop;
    mpmc::async_pop(q, asio::bind_cancellation_slot(signal.slot(), record(ioc, pop)));
    ioc.poll();
    signal.emit(type);
    EXPECT_EQ(pop.calls, 0);  // posted, not run inside emit()
    ioc.run_for(10s);
    EXPECT_EQ(pop.calls, 1);
    EXPECT_EQ(pop.ec, asio::error::operation_aborted);
    EXPECT_FALSE(pop.value);
    ASSERT_TRUE(q.push(3));
    EXPECT_EQ(q.try_pop(), 3);
    signal.emit(type);  // after completion: nothing happens
  }
}

TEST(AsioCancel, WaitingPushCancelledHandsItsValueBack) {
  asio::io_context ioc;
  mpmc::queue<std::unique_ptr<int>> q(1);
  ASSERT_TRUE(q.push(std::make_unique<int>(1)));
  asio::cancellation_signal signal;
  std::error_code ec;
  std::unique_ptr<int> back;
  mpmc::async_push(q, std::make_unique<int>(2),
                   asio::bind_cancellation_slot(
                       signal.slot(), asio::bind_executor(ioc, [&](std::error_code e, auto v) {
                         ec = e;
                         if (v) back = std::move(*v);
                       })));
  ioc.poll();
  signal.emit(asio::cancellation_type::terminal);
  ioc.run_for(10s);
  EXPECT_EQ(ec, asio::error::operation_aborted);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, 2);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(**q.try_pop(), 1);
}

// A notification that reached a waiter which is then cancelled is passed on: the push's one
// wake-up goes to the first op's record, the op is cancelled before its run, and the run hands the
// wake-up to the next waiter, an op or a parked thread.
TEST(AsioCancel, NotifiedThenCancelledPassesTheWakeUpOn) {
  asio::io_context ioc;
  linked_at_once q(2);
  asio::cancellation_signal signal;
  result first, second;
  mpmc::async_pop(q, asio::bind_cancellation_slot(signal.slot(), record(ioc, first)));
  mpmc::async_pop(q, record(ioc, second));
  ASSERT_TRUE(q.push(5));  // runs the first record: its run is posted, not yet run
  signal.emit(asio::cancellation_type::terminal);
  ioc.run_for(10s);
  EXPECT_EQ(first.ec, asio::error::operation_aborted);
  EXPECT_FALSE(first.value);
  EXPECT_EQ(second.calls, 1);
  EXPECT_EQ(second.value, 5);

  // The same with a parked thread behind the op: records run first, so only the pass-on wakes it.
  ioc.restart();
  result third;
  mpmc::async_pop(q, asio::bind_cancellation_slot(signal.slot(), record(ioc, third)));
  std::optional<int> popped;
  std::thread consumer([&] { popped = q.pop(); });
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(q.push(6));
  signal.emit(asio::cancellation_type::terminal);
  ioc.run_for(10s);
  consumer.join();
  EXPECT_EQ(third.ec, asio::error::operation_aborted);
  EXPECT_EQ(popped, 6);
}

TEST(AsioClose, CompletesEveryWaitingOp) {
  asio::io_context ioc;
  Q empty(2);
  std::vector<result> pops(3);
  for (auto& r : pops) mpmc::async_pop(empty, record(ioc, r));
  Q full(1);
  ASSERT_TRUE(full.push(0));
  std::vector<result> pushes(3);
  for (int i = 0; i != 3; ++i) mpmc::async_push(full, i + 1, record(ioc, pushes[i]));
  ioc.poll();
  std::thread closer([&] {
    empty.close();
    full.close();
  });
  ioc.run_for(10s);
  closer.join();
  for (auto& r : pops) {
    EXPECT_EQ(r.calls, 1);
    EXPECT_EQ(r.ec, mpmc::errc::closed);
    EXPECT_FALSE(r.value);
  }
  for (int i = 0; i != 3; ++i) {
    EXPECT_EQ(pushes[i].calls, 1);
    EXPECT_EQ(pushes[i].ec, mpmc::errc::closed);
    EXPECT_EQ(pushes[i].value, i + 1);
  }
  EXPECT_EQ(full.try_pop(), 0);
}

// Blocked threads and waiting async ops of one side, in one mix: close() ends them all, the
// thread's push with false and the op's with its value back.
TEST(AsioClose, EndsBlockedThreadsAndWaitingOpsOfOneSideAlike) {
  asio::io_context ioc;
  Q full(1);
  ASSERT_TRUE(full.push(0));
  std::atomic<int> thread_push{-1};
  std::thread blocked([&] { thread_push = full.push(10) ? 1 : 0; });
  result op;
  mpmc::async_push(full, 11, record(ioc, op));
  ioc.poll();
  std::this_thread::sleep_for(20ms);  // the thread has blocked (or will find the queue closed)
  EXPECT_EQ(thread_push.load(), -1);
  full.close();
  ioc.run_for(10s);
  blocked.join();
  EXPECT_EQ(thread_push.load(), 0);
  EXPECT_EQ(op.calls, 1);
  EXPECT_EQ(op.ec, mpmc::errc::closed);
  EXPECT_EQ(op.value, 11);
  EXPECT_EQ(full.try_pop(), 0);
  EXPECT_EQ(full.try_pop(), std::nullopt);
}

TEST(AsioClose, PopsDrainBeforeTheyReportClosed) {
  asio::io_context ioc;
  Q q(4);
  ASSERT_TRUE(q.push(1));
  ASSERT_TRUE(q.push(2));
  q.close();
  std::vector<result> pops(3);
  for (auto& r : pops) mpmc::async_pop(q, record(ioc, r));
  result push;
  mpmc::async_push(q, 9, record(ioc, push));
  ioc.run_for(10s);
  EXPECT_EQ(pops[0].value, 1);
  EXPECT_EQ(pops[1].value, 2);
  EXPECT_EQ(pops[2].ec, mpmc::errc::closed);
  EXPECT_EQ(push.ec, mpmc::errc::closed);
  EXPECT_EQ(push.value, 9);
}

// The io_context dies with ops pending: nothing is called, nothing leaks (ASan), and the queue is
// left as it was, including when a notify had already posted an op's run.
TEST(AsioLifetime, DestroyedContextDestroysPendingOps) {
  Q q(1);
  mpmc::queue<std::unique_ptr<int>> full(1);
  ASSERT_TRUE(full.push(std::make_unique<int>(0)));
  bool called = false;
  {
    asio::io_context ioc;
    auto h = asio::bind_executor(ioc, [&](std::error_code, auto) { called = true; });
    mpmc::async_pop(q, h);
    mpmc::async_push(full, std::make_unique<int>(1), h);
    ioc.poll();
  }
  EXPECT_FALSE(called);
  ASSERT_TRUE(q.push(1));  // no record left on the queue
  EXPECT_EQ(q.try_pop(), 1);
  EXPECT_EQ(full.size(), 1u);

  linked_at_once linked(1);
  {
    asio::io_context ioc;
    mpmc::async_pop(linked,
                    asio::bind_executor(ioc, [&](std::error_code, auto) { called = true; }));
    ASSERT_TRUE(linked.push(2));  // the record runs and posts a run the context never runs
  }
  EXPECT_FALSE(called);
  EXPECT_EQ(linked.try_pop(), 2);  // claimed by nobody

  {
    asio::io_context ioc;
    mpmc::async_pop(q, asio::bind_executor(ioc, [&](std::error_code, auto) { called = true; }));
    ASSERT_TRUE(q.push(3));  // the op is yielding, not linked: its posted retry never runs
  }
  EXPECT_FALSE(called);
  EXPECT_EQ(q.try_pop(), 3);

  // A pending op through a receiver holds a copy of it; destroying the op releases it, so the
  // channel sees its last receiver go.
  auto [tx, rx] = mpmc::make_channel<int>(1);
  {
    asio::io_context ioc;
    mpmc::async_pop(rx, asio::bind_executor(ioc, [&](std::error_code, auto) { called = true; }));
    ioc.poll();
    { auto gone = std::move(rx); }
    EXPECT_TRUE(tx.try_push(1));  // the op keeps a receiver alive
    EXPECT_EQ(tx.size(), 1u);
  }
  EXPECT_FALSE(called);
  EXPECT_FALSE(tx.try_push(2));  // last receiver gone with the op
}

TEST(AsioHandles, SenderAndReceiverCompleteLikeTheQueue) {
  asio::io_context ioc;
  auto [tx, rx] = mpmc::make_channel<int>(2);
  result pop, push;
  mpmc::async_pop(rx, record(ioc, pop));
  ioc.poll();
  mpmc::async_push(tx, 4, record(ioc, push));
  ioc.run_for(10s);
  EXPECT_FALSE(push.ec);
  EXPECT_EQ(pop.value, 4);
  // The last sender goes: a waiting pop completes with closed.
  ioc.restart();
  result last;
  mpmc::async_pop(rx, record(ioc, last));
  ioc.poll();
  { auto gone = std::move(tx); }
  ioc.run_for(10s);
  EXPECT_EQ(last.ec, mpmc::errc::closed);

  mpmc::producer<Q> p(std::make_shared<Q>(1));
  result via_producer;
  ioc.restart();
  mpmc::async_push(p, 1, record(ioc, via_producer));
  ioc.run_for(10s);
  EXPECT_FALSE(via_producer.ec);
  EXPECT_EQ(p.size(), 1u);
}

// Completions run on the handler's executor: a strand of a four-thread context.
TEST(AsioExecutor, CompletionsRunOnTheHandlersStrand) {
  asio::io_context ioc(4);
  auto strand = asio::make_strand(ioc);
  Q q(4);
  constexpr int n = 2000;
  std::atomic<int> done{0}, off_strand{0};
  int sum = 0;  // touched on the strand only
  for (int i = 0; i != n; ++i)
    mpmc::async_pop(q, asio::bind_executor(strand, [&](std::error_code ec, std::optional<int> v) {
                      if (!strand.running_in_this_thread()) ++off_strand;
                      if (!ec) sum += *v;
                      ++done;
                    }));
  std::vector<std::thread> threads;
  for (int t = 0; t != 4; ++t) threads.emplace_back([&] { ioc.run_for(30s); });
  for (int i = 1; i <= n; ++i) ASSERT_TRUE(q.push(i));
  EXPECT_TRUE(mpmc_test::eventually([&] { return done.load() == n; }));
  for (auto& t : threads) t.join();
  EXPECT_EQ(off_strand.load(), 0);
  EXPECT_EQ(sum, n * (n + 1) / 2);
}

// use_future: the handler has no executor of its own, so Asio's system executor completes it.
TEST(AsioTokens, UseFuture) {
  Q q(1);
  auto popped = mpmc::async_pop(q, asio::use_future);
  ASSERT_TRUE(q.push(8));
  EXPECT_EQ(popped.get(), 8);
  ASSERT_TRUE(q.push(1));
  auto pushed = mpmc::async_push(q, 2, asio::use_future);
  EXPECT_EQ(pushed.wait_for(20ms), std::future_status::timeout);
  EXPECT_EQ(q.try_pop(), 1);
  EXPECT_FALSE(pushed.get());
  // An error is thrown from get(). Not under TSan: the exception's reference count lives in
  // uninstrumented libstdc++, so freeing it in Asio's thread shows as a race with our read.
#if !defined(MPMC_TEST_TSAN)
  q.close();
  auto refused = mpmc::async_push(q, 3, asio::use_future);
  try {
    (void)refused.get();
    ADD_FAILURE() << "no exception";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), mpmc::errc::closed);
  }
#endif
}

// deferred: nothing happens until the deferred operation is launched.
TEST(AsioTokens, Deferred) {
  asio::io_context ioc;
  Q q(1);
  ASSERT_TRUE(q.push(1));
  auto op = mpmc::async_pop(q, asio::experimental::deferred);
  EXPECT_EQ(q.size(), 1u);
  result r;
  std::move(op)(record(ioc, r));
  ioc.run_for(10s);
  EXPECT_EQ(r.value, 1);
}

// Both claim modes and a lone consumer: threads pushing (ticket holders, with claim::ticket) and
// chains of async pops, each value exactly once.
template <class Queue>
void threads_feed_async_pops(int chains) {
  asio::io_context ioc(2);
  Queue q(4);
  constexpr int producers = 2, per = 3000;
  std::vector<int> seen(producers * per, 0);
  std::atomic<int> ended{0};
  // A chain pops until closed; one op at a time (what a lone consumer needs).
  struct chain {
    Queue* q;
    asio::io_context* ioc;
    std::vector<int>* seen;
    std::atomic<int>* ended;
    void operator()(std::error_code ec, std::optional<int> v) const {
      if (ec) {
        ++*ended;
        return;
      }
      ++(*seen)[*v];  // distinct values: distinct elements, no race
      mpmc::async_pop(*q, asio::bind_executor(*ioc, *this));
    }
  };
  for (int c = 0; c != chains; ++c)
    mpmc::async_pop(q, asio::bind_executor(ioc, chain{&q, &ioc, &seen, &ended}));
  std::vector<std::thread> threads;
  for (int t = 0; t != 2; ++t) threads.emplace_back([&] { ioc.run_for(60s); });
  std::vector<std::thread> feeders;
  for (int p = 0; p != producers; ++p)
    feeders.emplace_back([&, p] {
      for (int i = 0; i != per; ++i) ASSERT_TRUE(q.push(p * per + i));
    });
  for (auto& t : feeders) t.join();
  q.close();
  EXPECT_TRUE(mpmc_test::eventually([&] { return ended.load() == chains; }));
  for (auto& t : threads) t.join();
  for (int i = 0; i != producers * per; ++i) ASSERT_EQ(seen[i], 1) << "value " << i;
}

TEST(AsioClaimModes, CompareExchange) { threads_feed_async_pops<Q>(8); }
TEST(AsioClaimModes, Ticket) { threads_feed_async_pops<mpmc::queue<int, mpmc::claim::ticket>>(8); }
TEST(AsioClaimModes, LoneConsumerOneOpAtATime) {
  threads_feed_async_pops<mpmc::queue<int, mpmc::consumers::single>>(1);
}

// With claim::ticket a waiting async op holds no ticket (one cannot be given back): ops cancelled
// while they wait leave no position behind, and the threads' tickets that follow are served in
// order. A lost position would hand a thread the wrong value, or none.
TEST(AsioClaimModes, TicketCancelledOpsLeaveNoPositionBehind) {
  using ticketed = mpmc::queue<int, mpmc::claim::ticket>;
  asio::io_context ioc;
  ticketed q(2);
  asio::cancellation_signal s1, s2, s3;
  result pop1, pop2, push;
  mpmc::async_pop(q, asio::bind_cancellation_slot(s1.slot(), record(ioc, pop1)));
  mpmc::async_pop(q, asio::bind_cancellation_slot(s2.slot(), record(ioc, pop2)));
  ioc.poll();
  s1.emit(asio::cancellation_type::terminal);
  s2.emit(asio::cancellation_type::terminal);
  ioc.restart();
  ioc.poll();
  EXPECT_EQ(pop1.ec, asio::error::operation_aborted);
  EXPECT_EQ(pop2.ec, asio::error::operation_aborted);
  ASSERT_TRUE(q.push(1));
  ASSERT_TRUE(q.push(2));
  mpmc::async_push(q, 3, asio::bind_cancellation_slot(s3.slot(), record(ioc, push)));
  ioc.restart();
  ioc.poll();
  s3.emit(asio::cancellation_type::terminal);
  ioc.restart();
  ioc.poll();
  EXPECT_EQ(push.ec, asio::error::operation_aborted);
  EXPECT_EQ(push.value, 3);
  // Blocking calls take tickets; each must find its value at once.
  auto pops = std::async(std::launch::async, [&] {
    std::vector<std::optional<int>> got;
    got.push_back(q.pop());
    got.push_back(q.pop());
    const bool pushed = q.push(4);
    got.push_back(q.pop());
    got.push_back(pushed ? 0 : -1);
    return got;
  });
  ASSERT_EQ(pops.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(pops.get(), (std::vector<std::optional<int>>{1, 2, 4, 0}));
}

// In the steady state an async push and pop allocate nothing: the op comes from Asio's
// per-thread recycling allocator, and so do the posted run and completion.
// Hands out memory and counts it; bound to a handler, it is the handler's associated allocator.
template <class T>
struct counting_allocator {
  using value_type = T;
  long* handed_out;
  explicit counting_allocator(long* count) noexcept : handed_out(count) {}
  template <class U>
  counting_allocator(const counting_allocator<U>& other) noexcept  // NOLINT: rebinding converts
      : handed_out(other.handed_out) {}
  T* allocate(std::size_t n) {
    ++*handed_out;
    void* p = nullptr;  // posix_memalign: neither the counted operator new nor aligned_alloc
    if (::posix_memalign(&p, alignof(T) < sizeof(void*) ? sizeof(void*) : alignof(T),
                         n * sizeof(T)) != 0)
      throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t) noexcept { std::free(p); }
  template <class U>
  bool operator==(const counting_allocator<U>& other) const noexcept {
    return handed_out == other.handed_out;
  }
};

// A waiting operation, its queued runs and its completion take their memory from the handler's
// associated allocator, and nothing from the global heap.
TEST(AsioAllocation, AWaitingOpUsesTheHandlersAllocator) {
  asio::io_context ioc(1);
  Q q(1);
  long handed_out = 0;
  result first;  // the context's first operation also creates the library's service in it
  mpmc::async_pop(q, record(ioc, first));
  ASSERT_TRUE(q.push(6));
  ioc.run();
  ASSERT_EQ(first.value, 6);
  ioc.restart();
  result pop;
  mpmc_test::allocations = 0;
  mpmc_test::counting = true;
  mpmc::async_pop(q, asio::bind_allocator(counting_allocator<void>(&handed_out), record(ioc, pop)));
  ioc.poll();  // its yields, then it links its record
  mpmc_test::counting = false;
  EXPECT_EQ(pop.calls, 0);
  EXPECT_GE(handed_out, 2);  // the operation and at least one yield
  EXPECT_EQ(mpmc_test::allocations.load(), 0);
  ASSERT_TRUE(q.push(7));
  ioc.restart();
  ioc.poll();
  EXPECT_EQ(pop.value, 7);
}

TEST(AsioAllocation, SteadyStateAllocatesNothing) {
  asio::io_context ioc(1);
  Q q(1);
  constexpr int warm_up = 200, measured = 2000;
  mpmc_test::allocations = 0;
  mpmc_test::counting = true;
  int* volatile probe = new int(1);  // the counter counts (volatile: not elided)
  delete probe;
  ASSERT_EQ(mpmc_test::allocations.exchange(0), 1);
#if !MPMC_TEST_SANITIZED
  void* volatile aligned = std::aligned_alloc(64, 64);  // where Asio's recycling allocator draws
  std::free(aligned);
  ASSERT_EQ(mpmc_test::allocations.exchange(0), 1);
#endif
  mpmc_test::counting = false;
  // One chain of pushes and one of pops, counted from the warm_up-th pop on: the steady state,
  // where each operation is started by the completion of the one before.
  struct counters {
    int pushed = 0, popped = 0;
  } c;
  struct pusher {
    Q* q;
    asio::io_context* ioc;
    counters* c;
    void operator()(std::error_code ec, std::optional<int>) const {
      if (ec || ++c->pushed == warm_up + measured) return;
      mpmc::async_push(*q, c->pushed, asio::bind_executor(*ioc, *this));
    }
  };
  struct popper {
    Q* q;
    asio::io_context* ioc;
    counters* c;
    void operator()(std::error_code ec, std::optional<int>) const {
      if (ec) return;
      if (++c->popped == warm_up) mpmc_test::counting = true;
      if (c->popped == warm_up + measured) return;
      mpmc::async_pop(*q, asio::bind_executor(*ioc, *this));
    }
  };
  mpmc::async_pop(q, asio::bind_executor(ioc, popper{&q, &ioc, &c}));
  mpmc::async_push(q, 0, asio::bind_executor(ioc, pusher{&q, &ioc, &c}));
  ioc.run_for(10s);
  mpmc_test::counting = false;
  EXPECT_EQ(c.popped, warm_up + measured);
  EXPECT_EQ(mpmc_test::allocations.load(), 0);
}

// A cancel racing a push, at random offsets: the value is delivered exactly once, to the op or
// left in the queue (pop); pushed or handed back (push). The cancel is emitted on the context's
// one thread, as Asio asks.
TEST(AsioRace, CancelVersusPushAndPop) {
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> delay(0, 3000);
  auto spin = [](int n) {
    for (int i = 0; i < n; ++i) asm volatile("" ::: "memory");
  };
  asio::io_context ioc(1);
  auto work = asio::make_work_guard(ioc);
  std::thread runner([&] { ioc.run(); });
  for (int round = 0; round != 300; ++round) {
    const int d1 = delay(rng), d2 = delay(rng);
    Q q(1);
    asio::cancellation_signal signal;
    std::promise<result> done;
    asio::post(ioc, [&] {
      mpmc::async_pop(
          q, asio::bind_cancellation_slot(signal.slot(),
                                          asio::bind_executor(ioc, [&](std::error_code ec, auto v) {
                                            done.set_value({1, ec, v});
                                          })));
    });
    std::thread pusher([&] {
      spin(d1);
      q.push(round);
    });
    spin(d2);
    asio::post(ioc, [&] { signal.emit(asio::cancellation_type::terminal); });
    const result r = done.get_future().get();
    pusher.join();
    const std::optional<int> left = q.try_pop();
    if (r.ec) {
      ASSERT_EQ(r.ec, asio::error::operation_aborted);
      ASSERT_EQ(left, round) << "round " << round;
    } else {
      ASSERT_EQ(r.value, round);
      ASSERT_FALSE(left);
    }
    // Let the posted emit run before the signal goes.
    std::promise<void> drained;
    asio::post(ioc, [&] { drained.set_value(); });
    drained.get_future().wait();
  }
  for (int round = 0; round != 300; ++round) {
    const int d1 = delay(rng), d2 = delay(rng);
    Q q(1);
    ASSERT_TRUE(q.push(-1));
    asio::cancellation_signal signal;
    std::promise<result> done;
    asio::post(ioc, [&] {
      mpmc::async_push(q, round,
                       asio::bind_cancellation_slot(
                           signal.slot(), asio::bind_executor(ioc, [&](std::error_code ec, auto v) {
                             done.set_value({1, ec, v});
                           })));
    });
    std::thread popper([&] {
      spin(d1);
      EXPECT_EQ(q.pop(), -1);
    });
    spin(d2);
    asio::post(ioc, [&] { signal.emit(asio::cancellation_type::terminal); });
    const result r = done.get_future().get();
    popper.join();
    const std::optional<int> left = q.try_pop();
    if (r.ec) {
      ASSERT_EQ(r.ec, asio::error::operation_aborted);
      ASSERT_EQ(r.value, round);
      ASSERT_FALSE(left);
    } else {
      ASSERT_FALSE(r.value);
      ASSERT_EQ(left, round) << "round " << round;
    }
    std::promise<void> drained;
    asio::post(ioc, [&] { drained.set_value(); });
    drained.get_future().wait();
  }
  work.reset();
  runner.join();
}
}  // namespace
