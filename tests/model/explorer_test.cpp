// The explorer on toy programs whose outcomes are known: it finds a lost update, a thread parked
// for good and a spurious wake-up, passes correct code, and counts the schedules it promises.
#include "deterministic.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>

namespace {

using namespace mpmc::model;

// Two threads increment a counter `ops` times each, by load and store (racy) or fetch_add.
scenario counter(bool racy, int ops) {
  auto n = std::make_shared<model_atomic<int>>(0);
  auto body = [n, racy, ops] {
    for (int i = 0; i != ops; ++i) {
      if (racy)
        n->store(n->load() + 1);
      else
        n->fetch_add(1);
    }
  };
  return {{body, body},
          [n, ops] {
            const int got = n->load();
            return got == 2 * ops ? std::string() : "count " + std::to_string(got);
          },
          {}};
}

TEST(Explorer, ARacyIncrementLosesAnUpdateUnderOnePreemption) {
  const report r = exhaustive({}, 1, 1000, [] { return counter(true, 1); });
  ASSERT_TRUE(r.failed());
  EXPECT_EQ(r.result, verdict::check_failed) << r.message;
  EXPECT_NE(r.message.find("count 1"), std::string::npos) << r.message;
  // The schedule it reports replays the failure.
  const report again = replay({}, r.schedule, [] { return counter(true, 1); });
  EXPECT_EQ(again.result, verdict::check_failed);
}

TEST(Explorer, RandomWalksFindTheLostUpdate) {
  const report r = random_walks({}, 1, 200, [] { return counter(true, 2); });
  EXPECT_EQ(r.result, verdict::check_failed) << r.message;
}

TEST(Explorer, WithoutPreemptionsEachThreadRunsToItsEnd) {
  // Bound 0: only who starts is chosen, so the racy counter is never torn.
  const report r = exhaustive({}, 0, 1000, [] { return counter(true, 3); });
  EXPECT_FALSE(r.failed()) << r.message;
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.schedules, 2u);
}

TEST(Explorer, AtomicIncrementsPassEverySchedule) {
  const report r = exhaustive({}, 3, 100000, [] { return counter(false, 3); });
  EXPECT_FALSE(r.failed()) << r.message;
  EXPECT_TRUE(r.complete);
  // 6 operations in all; more bound, more schedules.
  EXPECT_GT(r.schedules, exhaustive({}, 1, 100000, [] { return counter(false, 3); }).schedules);
}

TEST(Explorer, AThreadParkedWithNobodyToWakeItIsADeadlock) {
  auto make = [] {
    auto word = std::make_shared<model_atomic<std::uint32_t>>(0);
    auto flag = std::make_shared<model_atomic<int>>(0);
    return scenario{{[word, flag] {
                       // Waits for the flag, but the other thread forgets to wake it.
                       while (flag->load() == 0) model_backend().wait(*word, 0);
                     },
                     [flag] { flag->store(1); }},
                    {},
                    {}};
  };
  const report r = exhaustive({}, 2, 1000, make);
  ASSERT_EQ(r.result, verdict::deadlock) << r.message;
  EXPECT_NE(r.message.find("t0 parked"), std::string::npos) << r.message;
}

TEST(Explorer, ATimedWaitEndsAtItsDeadlineInVirtualTime) {
  auto make = [] {
    auto word = std::make_shared<model_atomic<std::uint32_t>>(0);
    auto woken = std::make_shared<bool>(true);
    return scenario{{[word, woken] {
                      const auto at = model_clock::now() + model_clock::duration(5);
                      *woken = model_backend().wait_until(*word, 0, at);
                      if (model_clock::now() < at) *woken = true;
                    }},
                    [woken] { return *woken ? "woke before its deadline" : ""; },
                    {}};
  };
  const report r = exhaustive({}, 2, 1000, make);
  EXPECT_FALSE(r.failed()) << r.message;
}

TEST(Explorer, SpuriousWakeUpsAreInjectedWhenAllowed) {
  auto make = [] {
    auto word = std::make_shared<model_atomic<std::uint32_t>>(0);
    auto flag = std::make_shared<model_atomic<int>>(0);
    auto early = std::make_shared<bool>(false);
    return scenario{{[word, flag, early] {
                       model_backend().wait(*word, 0);  // no loop: trusts the wake
                       *early = flag->load() == 0;
                     },
                     [word, flag] {
                       flag->store(1);
                       word->store(1);
                       model_backend().wake(*word, 1);
                     }},
                    [early] { return *early ? "woke with nothing done" : ""; },
                    {}};
  };
  EXPECT_FALSE(exhaustive({}, 2, 1000, make).failed());
  settings s;
  s.spurious_wakes = 1;
  EXPECT_EQ(exhaustive(s, 2, 1000, make).result, verdict::check_failed);
}

TEST(Explorer, ASpinnerThatNeverSeesAChangeIsALivelock) {
  auto make = [] {
    auto flag = std::make_shared<model_atomic<int>>(0);
    return scenario{{[flag] {
                      while (flag->load() == 0) {
                      }
                    }},
                    {},
                    {}};
  };
  settings s;
  s.max_steps = 500;
  EXPECT_EQ(random_walks(s, 1, 1, make).result, verdict::livelock);
}

}  // namespace
