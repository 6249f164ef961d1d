// The explorer finds planted bugs (model_queue.hpp's flaws) within the budget CI gives the
// scenarios that pass: a notify dropped, a sleeper that checks its condition before announcing
// itself (both lost wake-ups, reported as a deadlock), and a pop that hands its slot on before
// reading it (a wrong element). Each flaw is caught by random walks and by the exhaustive search.
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
