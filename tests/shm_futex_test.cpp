// Parking across processes (backend::shared_futex, wait::shared_futex): an event count in memory
// that a fork shares wakes a waiter in the other process. A private futex, or a fence that does
// not reach the other process, would leave a child asleep, and the bounded join would fail.
#include "support/processes.hpp"

#include <mpmc/backend/shared_futex.hpp>
#include <mpmc/concepts.hpp>
#include <mpmc/detail/event_count.hpp>
#include <mpmc/wait.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <thread>

#include <unistd.h>

namespace {

namespace backend = mpmc::backend;
using mpmc::test::join;
using mpmc::test::shared_object;
using mpmc::test::spawn;
using mpmc::test::state_of;
using namespace std::chrono_literals;

static_assert(mpmc::parking_backend<backend::shared_futex>);
static_assert(mpmc::wait_policy<mpmc::wait::shared_futex>);
// The process-shared backend brings its own fence; the others keep the asymmetric one.
static_assert(std::same_as<backend::fence_of_t<backend::shared_futex>, backend::symmetric_fence>);
static_assert(
    std::same_as<backend::fence_of_t<mpmc::wait::shared_futex>, backend::symmetric_fence>);
static_assert(std::same_as<backend::fence_of_t<backend::linux_futex>, backend::asymmetric_fence>);
static_assert(std::same_as<backend::fence_of_t<mpmc::wait::futex>, backend::asymmetric_fence>);
static_assert(std::same_as<backend::fence_of_t<mpmc::wait::spin>, backend::asymmetric_fence>);

// Counts, in the shared mapping, the sleeps and the wakes that reach the kernel, so a test can
// assert that parking happened across processes. Inherits the fence of shared_futex.
struct tally {
  std::atomic<long> waits{0};
  std::atomic<long> wakes{0};
};
struct counting_shared_futex : backend::shared_futex {
  static inline tally* counts = nullptr;  // set before the fork: the same address in both
  void wait(std::atomic<std::uint32_t>& word, std::uint32_t seen) noexcept {
    // relaxed: a statistic, read after the child has exited.
    counts->waits.fetch_add(1, std::memory_order_relaxed);
    shared_futex::wait(word, seen);
  }
  template <class Clock, class Duration>
  bool wait_until(std::atomic<std::uint32_t>& word, std::uint32_t seen,
                  const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    // relaxed: as in wait().
    counts->waits.fetch_add(1, std::memory_order_relaxed);
    return shared_futex::wait_until(word, seen, deadline);
  }
  void wake(std::atomic<std::uint32_t>& word, std::uint32_t count) noexcept {
    // relaxed: as in wait().
    counts->wakes.fetch_add(1, std::memory_order_relaxed);
    shared_futex::wake(word, count);
  }
};
static_assert(std::same_as<backend::fence_of_t<counting_shared_futex>, backend::symmetric_fence>);

using event = mpmc::detail::event_count<counting_shared_futex>;

struct shared_state {
  event ping;  // the parent's moves; the child waits here
  event pong;  // the child's moves; the parent waits here
  std::atomic<std::uint32_t> turn{0};
  tally counts;
};

// The waiting protocol as the queue runs it: announce, re-check, sleep. False at the deadline.
template <class Deadline>
bool wait_for(event& ec, const std::atomic<std::uint32_t>& turn, std::uint32_t want,
              const Deadline& deadline) {
  // (T1) acquire: pairs with release (T2); the move's writes are visible.
  while (turn.load(std::memory_order_acquire) != want) {
    if constexpr (!std::same_as<Deadline, mpmc::detail::no_deadline>)
      if (std::chrono::steady_clock::now() >= deadline) return false;
    const auto key = ec.prepare_wait();
    // acquire: as (T1); the re-check after announcing.
    if (turn.load(std::memory_order_acquire) == want) {
      ec.cancel_wait();
      break;
    }
    ec.commit_wait(key, deadline);
  }
  return true;
}

TEST(SharedFutex, ANotifyWakesAChildParkedInCommitWait) {
  shared_object<shared_state> s;
  counting_shared_futex::counts = &s->counts;
  // No deadline: a wake that does not reach the child leaves it asleep until join() kills it.
  const pid_t pid =
      spawn([&] { return wait_for(s->ping, s->turn, 1, mpmc::detail::no_deadline{}) ? 0 : 1; });
  // Publish only once the child sleeps in the kernel: then only a wake that reaches another
  // process lets it go (a timed-out wait would make it exit 1).
  const auto limit = std::chrono::steady_clock::now() + 10s;
  // relaxed: a progress hint; the sleep state read next is what the test relies on.
  while ((s->counts.waits.load(std::memory_order_relaxed) == 0 || state_of(pid) != 'S') &&
         std::chrono::steady_clock::now() < limit)
    std::this_thread::sleep_for(1ms);
  ASSERT_EQ(state_of(pid), 'S');
  // (T2) release: pairs with acquire (T1) in the child.
  s->turn.store(1, std::memory_order_release);
  s->ping.notify(1);
  EXPECT_EQ(join(pid, 10s), 0);
  // relaxed: the child has exited.
  EXPECT_GE(s->counts.waits.load(std::memory_order_relaxed), 1);
  EXPECT_GE(s->counts.wakes.load(std::memory_order_relaxed), 1);
}

// 1000 rounds of ping-pong: each side moves, notifies, then parks until the other has moved. Every
// round must complete; some of them must have gone through a sleep and a kernel wake (the fast
// path alone would pass without the shared futex or the fence).
TEST(SharedFutex, PingPongBetweenTwoProcesses) {
  constexpr std::uint32_t rounds = 1000;
  shared_object<shared_state> s;
  counting_shared_futex::counts = &s->counts;
  const pid_t pid = spawn([&] {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    for (std::uint32_t r = 0; r < rounds; ++r) {
      if (!wait_for(s->ping, s->turn, 2 * r + 1, deadline)) return 1;
      // release: as (T2), for the parent's acquire (T1).
      s->turn.store(2 * r + 2, std::memory_order_release);
      s->pong.notify(1);
    }
    return 0;
  });
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  std::uint32_t completed = 0;
  for (std::uint32_t r = 0; r < rounds; ++r) {
    // release: as (T2).
    s->turn.store(2 * r + 1, std::memory_order_release);
    s->ping.notify(1);
    if (!wait_for(s->pong, s->turn, 2 * r + 2, deadline)) break;
    ++completed;
  }
  EXPECT_EQ(completed, rounds);
  EXPECT_EQ(join(pid, 10s), 0);
  // relaxed: the child has exited.
  EXPECT_GT(s->counts.waits.load(std::memory_order_relaxed), 0);
  EXPECT_GT(s->counts.wakes.load(std::memory_order_relaxed), 0);
}

}  // namespace
