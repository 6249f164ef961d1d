// The explorer finds planted bugs (model_queue.hpp's flaws) within the budget CI gives the
// scenarios that pass: a notify dropped, a sleeper that checks its condition before announcing
// itself, a drain that wakes no other consumer (lost wake-ups, reported as a deadlock), and a pop
// that hands its slot on before reading it (a wrong element). Each flaw is caught by the exhaustive
// search, and all but the drain by random walks too.
#include "scenarios.hpp"

#include <gtest/gtest.h>

namespace {

using namespace mpmc::model;

template <flaw F, class Wait = park, class Claim = mpmc::claim::compare_exchange>
using flawed = model_queue<value, model_config<Wait, Claim>, F>;

void expect_caught(const report& r, verdict v, const char* what) {
  ASSERT_TRUE(r.failed()) << what << " went unnoticed over " << r.schedules << " schedules";
  EXPECT_EQ(r.result, v) << r.message;
  std::printf("  caught after %zu schedule(s): %s\n", r.schedules, to_string(r.result).c_str());
}

TEST(ModelNegative, ADroppedNotifyIsALostWakeUp) {
  auto make = [] { return two_producers<flawed<flaw::notify_dropped>>(2, 1); };
  expect_caught(random_walks({}, 1, 2000, make), verdict::deadlock, "a dropped notify");
  expect_caught(exhaustive({}, 2, 100000, make), verdict::deadlock, "a dropped notify");
}

TEST(ModelNegative, CheckingBeforeAnnouncingIsALostWakeUp) {
  for (auto make :
       {+[] { return two_producers<flawed<flaw::check_before_announce>>(2, 1); },
        +[] {
          return two_producers<flawed<flaw::check_before_announce, park, mpmc::claim::ticket>>(2,
                                                                                               1);
        }}) {
    expect_caught(random_walks({}, 1, 2000, make), verdict::deadlock, "check before announce");
    expect_caught(exhaustive({}, 2, 100000, make), verdict::deadlock, "check before announce");
  }
}

TEST(ModelNegative, HandingTheSlotOnBeforeReadingItLosesAnElement) {
  // Capacity 1: the other producer refills the slot the pop handed on too early.
  auto make = [] { return two_producers<flawed<flaw::hand_on_before_read>>(1, 1); };
  expect_caught(random_walks({}, 1, 2000, make), verdict::check_failed, "an early hand-on");
  expect_caught(exhaustive({}, 2, 100000, make), verdict::check_failed, "an early hand-on");
}

// Two consumers blocked, a push in flight at the close: its publish wakes one of them. The bug
// needs both consumers asleep, the close done and the publish after it, in that order: rare for
// random walks over four threads, so the search alone is asked to find it (it does within the
// first few thousand schedules, the soak test found it first).
TEST(ModelNegative, ADrainNobodyHearsOfIsALostWakeUp) {
  auto make = [] {
    return close_racing_push_in_flight<flawed<flaw::drain_unannounced, park_at_once>>(2);
  };
  expect_caught(exhaustive({}, 2, 10000, make), verdict::deadlock, "an unannounced drain");
  const report control = exhaustive({}, 2, 10000, [] {
    return close_racing_push_in_flight<flawed<flaw::none, park_at_once>>(2);
  });
  EXPECT_FALSE(control.failed()) << control.message;
}

// A cancelled record that swallows the notification it took (remove() said it had run): the
// thread blocked in pop() sleeps beside the element.
TEST(ModelNegative, ACancelThatSwallowsItsNotificationIsALostWakeUp) {
  using queue = model_queue<value, model_config<park_at_once>>;
  auto make = [] { return cancelled_record<queue>(false); };
  expect_caught(random_walks({}, 1, 2000, make), verdict::deadlock, "a swallowed notification");
  expect_caught(exhaustive({}, 2, 100000, make), verdict::deadlock, "a swallowed notification");
  const report control = exhaustive({}, 2, 100000, [] { return cancelled_record<queue>(true); });
  EXPECT_FALSE(control.failed()) << control.message;
}

// The same scenarios, searches and budgets pass without the flaws: what is caught is the flaw.
TEST(ModelNegative, WithoutTheFlawsTheSameSearchesPass) {
  for (auto make :
       {+[] { return two_producers<flawed<flaw::none>>(2, 1); },
        +[] { return two_producers<flawed<flaw::none, park, mpmc::claim::ticket>>(2, 1); },
        +[] { return two_producers<flawed<flaw::none>>(1, 1); }}) {
    const report walks = random_walks({}, 1, 2000, make);
    EXPECT_FALSE(walks.failed()) << walks.message;
    const report all = exhaustive({}, 2, 100000, make);
    EXPECT_FALSE(all.failed()) << all.message;
  }
}

}  // namespace
