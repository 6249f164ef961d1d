// The parking protocol where membarrier() is refused (old kernels, seccomp
// sandboxes such as many containers): the asymmetric fence must fall back to
// full fences on both sides. The hot path then finds its event count's
// waiter count biased non-zero and issues the fence on its slow path
// (detail/event_count.hpp). This program refuses membarrier with a seccomp filter before
// any queue exists, then checks that nothing is lost and that the bias never
// turns into a wake call.
#include "support/parking_checks.hpp"
#include "support/run_threads.hpp"

#include <mpmc/mpmc.hpp>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <thread>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

using namespace std::chrono_literals;

// Makes membarrier() fail with ENOSYS for this process and its threads.
bool refuse_membarrier() {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_membarrier, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
}

TEST(NoMembarrier, TheFenceFallsBackToFullFences) {
  EXPECT_EQ(syscall(SYS_membarrier, 0, 0, 0), -1) << "the filter did not take";
  EXPECT_FALSE(mpmc::backend::asymmetric_fence::prepare());
}

TEST(NoMembarrier, UncontendedOperationsStillMakeNoBackendCalls) {
  // The bias that stands for the missing light fence must never be taken
  // for a sleeper.
  mpmc::test::check_uncontended_operations_make_no_backend_calls();
}

TEST(NoMembarrier, OnePushWakesAParkedConsumer) {
  mpmc::test::check_one_push_wakes_a_parked_consumer();
}

TEST(NoMembarrier, OnePopWakesAParkedProducer) {
  mpmc::test::check_one_pop_wakes_a_parked_producer();
}

// No spinning and no yields: every blocked call parks at once, so the
// store-load race between a publish and a thread going to sleep is run
// as often as possible. A lost wake-up hangs the test (and its timeout
// fails it); a lost or doubled value fails the delivery check.
TEST(NoMembarrier, ParkingAtOnceDeliversEverythingOnce) {
  mpmc::queue<std::uint64_t, mpmc::wait::park<mpmc::backend::linux_futex, 0, 0>> q(2);
  mpmc::test::run_and_check(q, 4, 4, 20'000 / mpmc::test::sanitizer_slowdown,
                            mpmc::test::ops::blocking);
}

TEST(NoMembarrier, TicketQueueDeliversEverythingOnce) {
  mpmc::queue<std::uint64_t, mpmc::wait::park<mpmc::backend::linux_futex, 0, 0>,
              mpmc::claim::ticket>
      q(2);
  mpmc::test::run_and_check(q, 4, 4, 20'000 / mpmc::test::sanitizer_slowdown,
                            mpmc::test::ops::blocking);
}

// A lone producer's handshake with close() falls back to full fences on
// both sides: pushes that got in are delivered, the rest refused.
TEST(NoMembarrier, LoneProducerCloseLosesNothing) {
  for (long after : {0L, 3L, 2000L}) {
    mpmc::queue<std::uint64_t, mpmc::producers::single,
                mpmc::wait::park<mpmc::backend::linux_futex, 0, 0>>
        q(4);
    mpmc::test::run_until_closed(q, 1, 2, after / mpmc::test::sanitizer_slowdown);
  }
}

TEST(NoMembarrier, CloseWakesEveryone) {
  mpmc::queue<int, mpmc::wait::futex> q(1);
  std::thread consumers[2];
  for (auto& t : consumers) t = std::thread([&] { EXPECT_EQ(q.pop(), std::nullopt); });
  std::this_thread::sleep_for(20ms);
  q.close();
  for (auto& t : consumers) t.join();
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything touches the fence: its mode is settled once per process.
  if (!refuse_membarrier()) {
    std::perror("seccomp");
    return 1;
  }
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
