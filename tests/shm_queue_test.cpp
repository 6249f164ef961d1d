// mpmc::shm::queue: one queue, several processes. Each test forks children (bounded in time by
// support/processes.hpp) that open the queue by name and so map it at an address of their own.
// What is asserted: every value delivered exactly once and in each producer's order, parked
// processes woken by another process's push or close(), a parked process killed without harm to
// the rest, and each layout disagreement refused in open().
#include "support/processes.hpp"
#include "support/sanitized.hpp"

#include <mpmc/backend/condvar.hpp>
#include <mpmc/handles.hpp>
#include <mpmc/ranges.hpp>
#include <mpmc/shm.hpp>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using mpmc::test::in_eight_racing_children;
using mpmc::test::join;
using mpmc::test::shared_object;
using mpmc::test::sleeps_soon;
using mpmc::test::spawn;
using mpmc::test::unique_shm_name;
using namespace std::chrono_literals;

constexpr std::uint32_t scale = mpmc::test::sanitized_scale;

struct message {
  std::uint32_t producer;
  std::uint32_t seq;
};

// Removes the test's name however the test ends.
struct name_guard {
  std::string name;
  explicit name_guard(const char* what) : name(unique_shm_name(what)) {}
  ~name_guard() { mpmc::shm::remove(name); }
};

static_assert(mpmc::shm::is_shareable<message>::value);
static_assert(!mpmc::shm::is_shareable<int*>::value);
static_assert(!mpmc::shm::is_shareable<std::string>::value);
// What shm::queue's policy check asks of a parking policy: only the shared futex reaches other
// processes (compile_fail/shm_private_futex.cpp shows the message, for wait::futex).
static_assert(mpmc::shm::detail::parks_across_processes<mpmc::wait::shared_futex>);
static_assert(!mpmc::shm::detail::parks_across_processes<mpmc::wait::futex>);
static_assert(!mpmc::shm::detail::parks_across_processes<mpmc::wait::atomic_wait>);
static_assert(!mpmc::shm::detail::parks_across_processes<mpmc::wait::condvar>);

TEST(ShmQueue, TwoMappingsOfOneSegmentAreOneQueueOverSeveralLaps) {
  name_guard n("laps");
  auto a = mpmc::shm::queue<std::uint64_t>::create(n.name, 5);
  auto b = mpmc::shm::queue<std::uint64_t>::open(n.name);  // a second mapping, another address
  EXPECT_TRUE(a.created());
  EXPECT_FALSE(b.created());
  EXPECT_EQ(b.capacity(), 5u);
  std::uint64_t next = 0;
  for (int lap = 0; lap != 4; ++lap) {
    for (int i = 0; i != 5; ++i) ASSERT_TRUE(a.try_push(next + static_cast<std::uint64_t>(i)));
    EXPECT_FALSE(a.try_push(99u));
    EXPECT_TRUE(b.full());
    for (int i = 0; i != 5; ++i) EXPECT_EQ(b.try_pop(), next++);
    EXPECT_EQ(a.try_pop(), std::nullopt);
  }
  b.close();
  EXPECT_TRUE(a.closed());
  EXPECT_FALSE(a.try_push(1u));
}

// The segment holds no address of the process that made it: a mapping made after the creator's,
// at another address, keeps working once the creator's is unmapped. A pointer to the first
// mapping would fault there (a child runs it, so a fault is a failed status, not a crash).
TEST(ShmQueue, ALaterMappingWorksOnceTheFirstIsUnmapped) {
  name_guard n("remap");
  using queue = mpmc::shm::queue<std::uint64_t>;
  const pid_t child = spawn([&] {
    std::optional<queue> first = queue::create(n.name, 5);
    for (std::uint64_t v = 0; v != 3; ++v)
      if (!first->try_push(v)) return 1;
    queue second = queue::open(n.name);
    first.reset();  // unmaps the creator's mapping
    std::uint64_t next = 0;
    for (std::uint64_t v = 3; v != 23; ++v) {  // four laps through the second mapping only
      if (!second.try_push(v)) return 2;
      if (second.try_pop() != next++) return 3;
    }
    return second.size() == 3 ? 0 : 4;
  });
  EXPECT_EQ(join(child), 0);
}

TEST(ShmQueue, BatchesAndHandlesWorkThroughTheSegment) {
  name_guard n("batch");
  using queue = mpmc::shm::queue<int>;
  auto p = std::make_shared<queue>(queue::create(n.name, 8));
  auto c = std::make_shared<queue>(queue::open(n.name));
  mpmc::producer<queue> in(p);
  mpmc::consumer<queue> out(c);
  EXPECT_EQ(in.try_push_range(std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}), 8u);
  std::vector<int> got;
  EXPECT_EQ(out.try_pop_n(std::back_inserter(got), 5), 5u);
  EXPECT_TRUE(in.push(9));
  EXPECT_EQ(out.try_pop_n(std::back_inserter(got), 10), 4u);
  EXPECT_EQ(got, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(ShmQueue, CapacityZeroOrTooLargeThrowsAndCreatesNothing) {
  name_guard n("capacity");
  using queue = mpmc::shm::queue<int>;
  EXPECT_THROW(queue::create(n.name, 0), std::invalid_argument);
  EXPECT_THROW(queue::create(n.name, (std::size_t{1} << 30) + 1), std::length_error);
  EXPECT_FALSE(queue::remove(n.name));
}

TEST(ShmQueue, OpenOrCreateOpensTheExistingQueue) {
  name_guard n("open_or_create");
  using queue = mpmc::shm::queue<int>;
  auto first = queue::create(n.name, 4);
  ASSERT_TRUE(first.try_push(7));
  auto second = queue::create(n.name, 4, {.how = mpmc::shm::creation::open_or_create});
  EXPECT_FALSE(second.created());
  EXPECT_EQ(second.try_pop(), 7);
  EXPECT_THROW(queue::create(n.name, 4), std::system_error);  // exclusive: EEXIST
}

// posix_fallocate reserves the whole segment in create(): a queue /dev/shm cannot hold is ENOSPC
// there, and its name is gone, instead of a SIGBUS when a later push first touches a slot.
TEST(ShmQueue, ACapacityTheFileSystemCannotHoldIsENOSPC) {
  struct statvfs fs {};
  if (::statvfs("/dev/shm", &fs) != 0 || fs.f_blocks == 0)
    GTEST_SKIP() << "/dev/shm has no size limit";
  struct page {
    char bytes[4096];
  };
  const std::size_t capacity = std::size_t{1} << 30;  // 4 TiB of slots
  ASSERT_GT(capacity * sizeof(page), static_cast<std::uint64_t>(fs.f_blocks) * fs.f_frsize);
  name_guard n("enospc");
  try {
    (void)mpmc::shm::queue<page>::create(n.name, capacity);
    FAIL() << "created";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code(), std::errc::no_space_on_device) << e.what();
  }
  EXPECT_FALSE(mpmc::shm::queue<page>::remove(n.name));
}

// Eight processes create one name with open_or_create at once: exactly one creates it, all eight
// use the same queue.
TEST(ShmQueueProcesses, EightRacingCreatorsShareOneQueue) {
  name_guard n("race");
  shared_object<std::atomic<int>> created;
  in_eight_racing_children([&](int r) {
    auto q =
        mpmc::shm::queue<int>::create(n.name, 16, {.how = mpmc::shm::creation::open_or_create});
    // relaxed: read by the parent after every child has exited.
    if (q.created()) created->fetch_add(1, std::memory_order_relaxed);
    return q.push(r) ? 0 : 1;
  });
  // relaxed: as above.
  EXPECT_EQ(created->load(std::memory_order_relaxed), 1);
  auto q = mpmc::shm::queue<int>::open(n.name);
  int mask = 0;
  while (auto v = q.try_pop()) mask |= 1 << *v;
  EXPECT_EQ(mask, 0xff);
}

// Layout disagreements, each refused by open() with the field named.
template <class Opened, class Created>
std::string open_error(std::size_t capacity = 4, std::size_t open_capacity = 0) {
  name_guard n("layout");
  auto created = Created::create(n.name, capacity);
  try {
    if (open_capacity == 0)
      (void)Opened::open(n.name);
    else
      (void)Opened::create(n.name, open_capacity, {.how = mpmc::shm::creation::open_or_create});
  } catch (const mpmc::shm::layout_error& e) {
    return e.what();
  }
  return "no error";
}

TEST(ShmQueueLayout, AnotherElementType) {
  const std::string what = open_error<mpmc::shm::queue<std::uint64_t>, mpmc::shm::queue<int>>();
  EXPECT_NE(what.find("sizeof(T): segment 4, this process 8"), std::string::npos) << what;
}

TEST(ShmQueueLayout, AnotherCapacity) {
  using queue = mpmc::shm::queue<int>;
  const std::string what = open_error<queue, queue>(4, 8);
  EXPECT_NE(what.find("capacity: segment 4, this process 8"), std::string::npos) << what;
}

TEST(ShmQueueLayout, AnotherClaimOrSideOrWaitPolicy) {
  using plain = mpmc::shm::queue<int>;
  for (const std::string& what :
       {open_error<mpmc::shm::queue<int, mpmc::claim::ticket>, plain>(),
        open_error<mpmc::shm::queue<int, mpmc::producers::single>, plain>(),
        open_error<mpmc::shm::queue<int, mpmc::wait::yield>, plain>(),
        open_error<mpmc::shm::queue<int, mpmc::padding::cache_line>, plain>()})
    EXPECT_NE(what.find("policy hash"), std::string::npos) << what;
}

TEST(ShmQueueLayout, BackoffAndSpinLimitsAreEachProcesssOwn) {
  name_guard n("own_limits");
  auto created = mpmc::shm::queue<int>::create(n.name, 4);
  auto opened = mpmc::shm::queue<int, mpmc::backoff::exponential,
                                 mpmc::wait::park<mpmc::backend::shared_futex, 4, 0>>::open(n.name);
  ASSERT_TRUE(created.try_push(3));
  EXPECT_EQ(opened.try_pop(), 3);
}

// 4 producer and 4 consumer processes. Each consumer records what it got in shared counters and
// checks each producer's order itself; the parent closes the queue once the producers are done.
template <class Queue>
void four_by_four(const char* what) {
  constexpr std::uint32_t producers = 4, consumers = 4, per_producer = 40'000 / scale;
  name_guard n(what);
  auto q = Queue::create(n.name, 64);
  shared_object<std::array<std::atomic<std::uint8_t>, producers * per_producer>> seen;
  std::vector<pid_t> pids;
  for (std::uint32_t p = 0; p != producers; ++p)
    pids.push_back(spawn([&, p] {
      auto mine = Queue::open(n.name);
      for (std::uint32_t s = 0; s != per_producer; ++s)
        if (!mine.push(message{p, s})) return 1;
      return 0;
    }));
  for (std::uint32_t c = 0; c != consumers; ++c)
    pids.push_back(spawn([&] {
      auto mine = Queue::open(n.name);
      std::array<std::int64_t, producers> last;
      last.fill(-1);
      while (auto m = mine.pop()) {
        if (m->producer >= producers || m->seq >= per_producer) return 2;
        if (static_cast<std::int64_t>(m->seq) <= last[m->producer]) return 3;  // out of order
        last[m->producer] = m->seq;
        // relaxed: read by the parent after this process has exited.
        (*seen)[m->producer * per_producer + m->seq].fetch_add(1, std::memory_order_relaxed);
      }
      return 0;
    }));
  for (std::uint32_t p = 0; p != producers; ++p) EXPECT_EQ(join(pids[p], 120s), 0);
  q.close();
  for (std::uint32_t c = 0; c != consumers; ++c) EXPECT_EQ(join(pids[producers + c], 60s), 0);
  std::uint32_t once = 0;
  // relaxed: every child has exited.
  for (const auto& count : *seen) once += count.load(std::memory_order_relaxed) == 1;
  EXPECT_EQ(once, producers * per_producer);
  EXPECT_TRUE(q.empty());
}

TEST(ShmQueueProcesses, FourByFourExactlyOnceInEachProducersOrder) {
  four_by_four<mpmc::shm::queue<message>>("4x4");
}
TEST(ShmQueueProcesses, FourByFourWithTickets) {
  four_by_four<mpmc::shm::queue<message, mpmc::claim::ticket>>("4x4_ticket");
}
TEST(ShmQueueProcesses, FourByFourYielding) {
  four_by_four<mpmc::shm::queue<message, mpmc::wait::yield>>("4x4_yield");
}

// A million round trips: the parent pushes i on one queue, the child answers i + 1 on another.
TEST(ShmQueueProcesses, PingPongAMillionTimes) {
  const std::uint32_t rounds = 1'000'000 / scale;
  name_guard ping_name("ping"), pong_name("pong");
  using queue = mpmc::shm::queue<std::uint32_t>;
  auto ping = queue::create(ping_name.name, 1);
  auto pong = queue::create(pong_name.name, 1);
  const pid_t pid = spawn(
      [&] {
        auto in = queue::open(ping_name.name);
        auto out = queue::open(pong_name.name);
        while (auto v = in.pop())
          if (!out.push(*v + 1)) return 1;
        return 0;
      },
      300);
  std::uint32_t answered = 0;
  for (std::uint32_t i = 0; i != rounds; ++i) {
    ASSERT_TRUE(ping.push(i));
    const auto v = pong.pop();
    ASSERT_TRUE(v.has_value());
    ASSERT_EQ(*v, i + 1);
    ++answered;
  }
  ping.close();
  EXPECT_EQ(answered, rounds);
  EXPECT_EQ(join(pid, 60s), 0);
}

// A pop parked on an empty queue and a push parked on a full one, in two other processes, both
// asleep in the kernel: close() from this process must wake both.
TEST(ShmQueueProcesses, CloseFromOneProcessWakesParkedProcesses) {
  name_guard empty_name("close_empty"), full_name("close_full");
  using queue = mpmc::shm::queue<int>;
  auto empty = queue::create(empty_name.name, 2);
  auto full = queue::create(full_name.name, 1);
  ASSERT_TRUE(full.try_push(1));
  const pid_t popper = spawn([&] { return queue::open(empty_name.name).pop() ? 1 : 0; });
  const pid_t pusher = spawn([&] { return queue::open(full_name.name).push(2) ? 1 : 0; });
  ASSERT_TRUE(sleeps_soon(popper));
  ASSERT_TRUE(sleeps_soon(pusher));
  empty.close();
  full.close();
  EXPECT_EQ(join(popper, 10s), 0);
  EXPECT_EQ(join(pusher, 10s), 0);
  EXPECT_EQ(full.try_pop(), 1);  // what was queued before the close is still delivered
}

// A process parked in pop() is killed. Its announcement stays counted, which costs later notifies
// a system call but must not stop anyone: another parked process is still woken by a push, and
// the queue still moves values.
TEST(ShmQueueProcesses, AParkedProcessKilledLeavesTheQueueWorking) {
  name_guard n("killed");
  using queue = mpmc::shm::queue<int>;
  auto q = queue::create(n.name, 4);
  const pid_t victim = spawn([&] { return queue::open(n.name).pop() ? 0 : 1; });
  ASSERT_TRUE(sleeps_soon(victim));
  ::kill(victim, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(victim, &status, 0), victim);
  EXPECT_TRUE(WIFSIGNALED(status));
  const pid_t survivor = spawn([&] {
    const auto v = queue::open(n.name).pop();
    return v == 42 ? 0 : 1;
  });
  ASSERT_TRUE(sleeps_soon(survivor));
  ASSERT_TRUE(q.push(42));
  EXPECT_EQ(join(survivor, 10s), 0);
  for (int i = 0; i != 10; ++i) {
    ASSERT_TRUE(q.try_push(i));
    EXPECT_EQ(q.try_pop(), i);
  }
}

// A lone producer process and close() from another: the close handshake's fences must reach
// across processes, so that every push the producer saw succeed is delivered, and no other.
TEST(ShmQueueProcesses, LoneProducerRacingCloseLosesNothing) {
  constexpr std::uint32_t limit = 60'000 / scale;
  name_guard n("lone");
  using queue = mpmc::shm::queue<std::uint32_t, mpmc::producers::single>;
  for (int round = 0; round != 20; ++round) {
    auto q = queue::create(n.name, 1 << 16);
    shared_object<std::atomic<std::uint32_t>> accepted;
    const pid_t producer = spawn([&] {
      auto mine = queue::open(n.name);
      std::uint32_t i = 0;
      // release: read by the parent (acquire below).
      while (i != limit && mine.try_push(i)) accepted->store(++i, std::memory_order_release);
      return i == limit || mine.closed() ? 0 : 1;
    });
    // acquire: pairs with the child's release store; the close lands while it pushes.
    while (accepted->load(std::memory_order_acquire) == 0) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::microseconds(50 * round));
    q.close();
    ASSERT_EQ(join(producer, 10s), 0);
    std::uint32_t got = 0;
    while (auto v = q.try_pop()) EXPECT_EQ(*v, got++);
    // acquire: as above; the child has exited.
    EXPECT_EQ(got, accepted->load(std::memory_order_acquire));
    queue::remove(n.name);
  }
}

}  // namespace
