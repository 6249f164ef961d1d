// The parking backends on their own: a wait on a changed word returns at
// once, a wake releases a sleeper, wake_all releases every sleeper, a timed
// wait gives up at its deadline and says so, whatever the clock.
#include <mpmc/backend/atomic_wait.hpp>
#include <mpmc/backend/condvar.hpp>
#include <mpmc/backend/linux_futex.hpp>
#include <mpmc/concepts.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

template <class Backend>
class ParkingBackend : public ::testing::Test {};

using backends = ::testing::Types<mpmc::backend::linux_futex, mpmc::backend::atomic_wait,
                                  mpmc::backend::condvar>;
struct backend_names {
  template <class B>
  static std::string GetName(int i) {
    static const char* const names[] = {"linux_futex", "atomic_wait", "condvar"};
    return names[i];
  }
};
TYPED_TEST_SUITE(ParkingBackend, backends, backend_names);

TYPED_TEST(ParkingBackend, SatisfiesTheConcept) { static_assert(mpmc::parking_backend<TypeParam>); }

TYPED_TEST(ParkingBackend, WaitOnAChangedWordReturnsAtOnce) {
  TypeParam backend;
  std::atomic<std::uint32_t> word{1};
  // A mismatch must return at once (a hang is caught by the time limit).
  backend.wait(word, 0);
  EXPECT_TRUE(backend.wait_until(word, 0, steady::now() + 60s));
}

TYPED_TEST(ParkingBackend, WakeReleasesASleeper) {
  TypeParam backend;
  std::atomic<std::uint32_t> word{0};
  std::atomic<int> woken{0};
  std::thread sleeper([&] {
    while (word.load() == 0) backend.wait(word, 0);
    ++woken;
  });
  std::this_thread::sleep_for(20ms);  // let it fall asleep (not needed for correctness)
  word.store(1);
  backend.wake(word, 1);
  sleeper.join();
  EXPECT_EQ(woken.load(), 1);
}

TYPED_TEST(ParkingBackend, WakeAllReleasesEverySleeper) {
  TypeParam backend;
  std::atomic<std::uint32_t> word{0};
  std::atomic<int> woken{0};
  std::thread sleepers[4];
  for (auto& t : sleepers) {
    t = std::thread([&] {
      while (word.load() == 0) backend.wait(word, 0);
      ++woken;
    });
  }
  std::this_thread::sleep_for(20ms);
  word.store(1);
  backend.wake_all(word);
  for (auto& t : sleepers) t.join();
  EXPECT_EQ(woken.load(), 4);
}

TYPED_TEST(ParkingBackend, TimedWaitGivesUpAtItsDeadline) {
  TypeParam backend;
  std::atomic<std::uint32_t> word{0};
  const auto start = steady::now();
  const auto deadline = start + 30ms;
  // Early (spurious) returns report true; a caller loops, as here.
  while (backend.wait_until(word, 0, deadline)) {
  }
  EXPECT_GE(steady::now(), deadline);
  EXPECT_LT(steady::now() - start, 30ms + 2s);
  EXPECT_FALSE(backend.wait_until(word, 0, deadline)) << "a passed deadline must report false";
}

TYPED_TEST(ParkingBackend, TimedWaitWorksWithAnyClock) {
  TypeParam backend;
  std::atomic<std::uint32_t> word{0};
  const auto deadline = std::chrono::system_clock::now() + 10ms;
  while (backend.wait_until(word, 0, deadline)) {
  }
  EXPECT_GE(std::chrono::system_clock::now(), deadline);
}

}  // namespace
