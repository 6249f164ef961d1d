// The ring and the waiting protocol under the explorer, for every wait policy and claim mode:
// seeded random walks on every scenario, and every schedule within a preemption bound on the
// smallest ones. Each run checks exactly-once delivery, per-producer FIFO and that every thread
// finishes (a parked thread that could go on is always woken). MPMC_MODEL_SEEDS and
// MPMC_MODEL_PREEMPTIONS run more (deterministic.hpp).
#include "scenarios.hpp"

#include <gtest/gtest.h>

namespace {

using namespace mpmc::model;
using mpmc::claim::compare_exchange;
using mpmc::claim::ticket;
using mpmc::consumers::single;
using lone_producer = mpmc::producers::single;
using many_producers = mpmc::producers::many;

using many_consumers = mpmc::consumers::many;
template <class Wait, class Claim = compare_exchange, class Producers = many_producers,
          class Consumers = many_consumers>
using queue_of = model_queue<value, model_config<Wait, Claim, Producers, Consumers>>;

// 2: a plain build; 1: ASan/UBSan, a quarter of the walks; 0: TSan, a tenth and no exhaustive
// search (its baton passing is slow).
constexpr int scale = MPMC_MODEL_SCALE;
std::size_t walks(std::size_t plain) {
  return seeds_or(scale == 2 ? plain : scale == 1 ? plain / 4 : plain / 10);
}

settings with_faults() {
  settings s;
  s.spurious_wakes = 2;  // random walks inject them now and then
  s.ticks = 4;
  s.spurious_cas = 2;
  return s;
}

std::string summary(const report& r) {
  std::string s = std::to_string(r.schedules) + " schedules, longest " + std::to_string(r.longest) +
                  " steps; parked " + std::to_string(r.parks) + ", timed out " +
                  std::to_string(r.timeouts) + ", woken spuriously " + std::to_string(r.spurious);
  for (const auto& [label, runs] : r.outcomes) s += "; " + label + ": " + std::to_string(runs);
  return s;
}

report walk(const scenario_factory& make, std::size_t plain = 2000) {
  const report r = random_walks(with_faults(), first_seed_or(1), walks(plain), make);
  EXPECT_FALSE(r.failed()) << r.message;
  std::printf("  walks: %s\n", summary(r).c_str());
  return r;
}

report search(const scenario_factory& make, std::uint32_t bound = 2, settings s = {}) {
  const report r = exhaustive(s, preemptions_or(bound), 2'000'000, make);
  EXPECT_FALSE(r.failed()) << r.message;
  EXPECT_TRUE(r.complete) << "stopped after " << r.schedules << " schedules";
  std::printf("  exhaustive, bound %u: %s\n", preemptions_or(bound), summary(r).c_str());
  return r;
}

// The search went each way the scenario can go.
void expect_all(const report& r, std::initializer_list<const char*> labels) {
  if (r.failed()) return;
  for (const char* label : labels) EXPECT_EQ(r.outcomes.count(label), 1u) << "never: " << label;
}

// The walks went each way the scenario can go.
void expect_outcomes(const report& r, std::initializer_list<const char*> labels) {
  if (walks(2000) == 0 || r.failed()) return;
  for (const char* label : labels) EXPECT_EQ(r.outcomes.count(label), 1u) << "never: " << label;
}

// --- the ring: spinning waits, no parking ---------------------------------------------------

TEST(ModelRing, TwoProducersOneConsumer) {
  walk([] { return two_producers<queue_of<spin>>(2, 2); });
  walk([] { return two_producers<queue_of<spin>>(3, 2); });
}
TEST(ModelRing, OneProducerTwoConsumers) {
  walk([] { return two_consumers<queue_of<spin>>(2, 3); });
  walk([] { return two_consumers<queue_of<spin>>(3, 3); });
}
TEST(ModelRing, TryPopAfterOwnTryPushSucceeds) {
  walk([] { return strong_try<queue_of<spin>>(2); });
  walk([] { return strong_try<queue_of<spin>>(3); });
}
TEST(ModelRing, TicketsTwoProducersOneConsumer) {
  walk([] { return two_producers<queue_of<spin, ticket>>(2, 2); });
  walk([] { return two_producers<queue_of<spin, ticket>>(3, 2); });
}
TEST(ModelRing, TicketsOneProducerTwoConsumers) {
  walk([] { return two_consumers<queue_of<spin, ticket>>(2, 3); });
}
TEST(ModelRing, LoneSides) {
  walk(
      [] { return two_producers<queue_of<spin, compare_exchange, many_producers, single>>(2, 2); });
  walk([] { return two_consumers<queue_of<spin, compare_exchange, lone_producer>>(2, 3); });
}

// --- waiting: every wait policy, both claim modes --------------------------------------------

template <class Wait>
void blocking_pushes_and_pops() {
  const report r = walk([] { return two_producers<queue_of<Wait>>(2, 2); });
  if constexpr (mpmc::detail::parking_wait<Wait>) {
    EXPECT_GT(r.parks, 0u);
    EXPECT_GT(r.spurious, 0u);
  }
  walk([] { return two_consumers<queue_of<Wait>>(3, 3); });
  walk([] { return two_producers<queue_of<Wait, ticket>>(3, 2); });
  walk([] { return two_consumers<queue_of<Wait, ticket>>(2, 3); });
}
TEST(ModelWaiting, Park) { blocking_pushes_and_pops<park>(); }
TEST(ModelWaiting, ParkAtOnce) { blocking_pushes_and_pops<park_at_once>(); }
TEST(ModelWaiting, Yield) { blocking_pushes_and_pops<yield>(); }
TEST(ModelWaiting, Spin) { blocking_pushes_and_pops<spin>(); }
TEST(ModelWaiting, LoneSidesPark) {
  walk(
      [] { return two_producers<queue_of<park, compare_exchange, many_producers, single>>(2, 2); });
  walk([] { return two_consumers<queue_of<park, compare_exchange, lone_producer>>(2, 3); });
  walk([] { return two_producers<queue_of<park, ticket, many_producers, single>>(2, 2); });
  walk([] { return two_consumers<queue_of<park, ticket, lone_producer>>(3, 3); });
}

// --- close() racing blocked calls ------------------------------------------------------------

template <class Queue>
void closes() {
  expect_outcomes(walk([] { return close_racing_pop<Queue>(2); }),
                  {"0 pushed, 0 popped", "1 pushed, 1 popped"});
  expect_outcomes(walk([] { return close_racing_push<Queue>(); }),
                  {"0 pushed, 0 popped", "1 pushed, 1 popped", "2 pushed, 2 popped"});
}
// A push that claims its slot before the close publishes after it and wakes one of two blocked
// consumers: the other must still end (the pop that drains the queue wakes it).
template <class Queue>
void push_in_flight() {
  expect_outcomes(walk([] { return close_racing_push_in_flight<Queue>(2); }),
                  {"0 pushed, 0 popped", "1 pushed, 1 popped"});
}
TEST(ModelClose, PushInFlightPark) { push_in_flight<queue_of<park>>(); }
TEST(ModelClose, PushInFlightParkTickets) { push_in_flight<queue_of<park, ticket>>(); }
TEST(ModelClose, PushInFlightParkLoneProducer) {
  push_in_flight<queue_of<park, compare_exchange, lone_producer>>();
}
TEST(ModelClose, Park) { closes<queue_of<park>>(); }
TEST(ModelClose, ParkTickets) { closes<queue_of<park, ticket>>(); }
TEST(ModelClose, ParkLoneProducer) { closes<queue_of<park, compare_exchange, lone_producer>>(); }
TEST(ModelClose, ParkLoneConsumer) {
  closes<queue_of<park, compare_exchange, many_producers, single>>();
}
TEST(ModelClose, Yield) { closes<queue_of<yield>>(); }
TEST(ModelClose, SpinTickets) { closes<queue_of<spin, ticket>>(); }

// --- deadlines racing the other side ---------------------------------------------------------

template <class Queue>
void deadlines() {
  for (std::int64_t ticks : {1, 3}) {
    expect_outcomes(walk([ticks] { return timed_pop_racing_push<Queue>(2, ticks); }, 1000),
                    {"1 pushed, 0 popped", "1 pushed, 1 popped"});
    expect_outcomes(walk([ticks] { return timed_push_racing_pop<Queue>(ticks); }, 1000),
                    {"1 pushed, 1 popped", "2 pushed, 1 popped"});
  }
}
TEST(ModelDeadline, Park) { deadlines<queue_of<park>>(); }
TEST(ModelDeadline, ParkTickets) { deadlines<queue_of<park, ticket>>(); }
TEST(ModelDeadline, Spin) { deadlines<queue_of<spin>>(); }

// --- waiter records, batches and discard ------------------------------------------------------

// Records wait beside threads on the same event count: records run first on a notify, and a
// record's owner passes on a notification it does not use.
template <class Queue>
void records() {
  expect_outcomes(walk([] { return record_and_thread_consumers<Queue>(1, 3); }),
                  {"3 pushed, 3 popped"});
  walk([] { return record_and_thread_producers<Queue>(2); });
  walk([] { return cancelled_record<Queue>(true); });
}
TEST(ModelRecords, Park) { records<queue_of<park>>(); }
TEST(ModelRecords, ParkAtOnce) { records<queue_of<park_at_once>>(); }
TEST(ModelRecords, ParkTickets) { records<queue_of<park_at_once, ticket>>(); }

template <class Queue>
void batches_and_discard() {
  walk([] { return batches<Queue>(2); });
  walk([] { return batches<Queue>(3); });
  expect_outcomes(walk([] { return discard_racing_pushes<Queue>(); }),
                  {"1 pushed, 1 popped", "2 pushed, 1 popped"});
}
TEST(ModelBatches, Park) { batches_and_discard<queue_of<park>>(); }
TEST(ModelBatches, ParkTickets) { batches_and_discard<queue_of<park_at_once, ticket>>(); }
TEST(ModelBatches, Spin) { batches_and_discard<queue_of<spin>>(); }
TEST(ModelBatches, Yield) { batches_and_discard<queue_of<yield, ticket>>(); }

// --- every schedule within the bound, smallest configurations --------------------------------

class ModelExhaustive : public ::testing::Test {
  void SetUp() override {
    if (scale == 0) GTEST_SKIP() << "exhaustive search is skipped under TSan (slow baton passing)";
  }
};

TEST_F(ModelExhaustive, ParkOneElementEachFromTwoProducers) {
  search([] { return two_producers<queue_of<park>>(2, 1); });
}
TEST_F(ModelExhaustive, ParkTicketsOneElementEachFromTwoProducers) {
  search([] { return two_producers<queue_of<park, ticket>>(2, 1); });
}
TEST_F(ModelExhaustive, ParkFullQueueOfOne) {
  search([] { return two_producers<queue_of<park_at_once>>(1, 1); });
}
TEST_F(ModelExhaustive, CloseRacingABlockedPop) {
  search([] { return close_racing_pop<queue_of<park_at_once>>(2); });
}
TEST_F(ModelExhaustive, CloseRacingAPushInFlight) {
  // Four threads: one preemption keeps the search within CI's time; the walks go further.
  search([] { return close_racing_push_in_flight<queue_of<park_at_once>>(2); }, 1);
}
TEST_F(ModelExhaustive, TimedPopRacingAPush) {
  settings s;
  s.ticks = 1;  // the clock may move at any step, at the cost of a preemption
  const report r = search([] { return timed_pop_racing_push<queue_of<park_at_once>>(2, 2); }, 2, s);
  EXPECT_EQ(r.outcomes.size(), 2u) << "the pop both timed out and got the element";
  EXPECT_GT(r.timeouts, 0u) << "a parked pop timed out";
}
TEST_F(ModelExhaustive, ParkOneElementEachFromTwoProducersThreePreemptions) {
  search([] { return two_producers<queue_of<park>>(2, 1); }, 3);
}
TEST_F(ModelExhaustive, ParkWithASpuriousWakeUp) {
  settings s;
  s.spurious_wakes = 1;  // any parked thread may be woken once, at a preemption's cost
  EXPECT_GT(search([] { return two_producers<queue_of<park_at_once>>(2, 1); }, 2, s).spurious, 0u);
}
TEST_F(ModelExhaustive, CloseRacingABlockedPush) {
  expect_all(search([] { return close_racing_push<queue_of<park_at_once>>(); }),
             {"0 pushed, 0 popped", "1 pushed, 1 popped", "2 pushed, 2 popped"});
}
TEST_F(ModelExhaustive, CloseRacingABlockedTicketPush) {
  expect_all(search([] { return close_racing_push<queue_of<park_at_once, ticket>>(); }),
             {"0 pushed, 0 popped", "1 pushed, 1 popped", "2 pushed, 2 popped"});
}
TEST_F(ModelExhaustive, CloseRacingALoneProducer) {
  expect_all(search([] {
               return close_racing_push<queue_of<park_at_once, compare_exchange, lone_producer>>();
             }),
             {"0 pushed, 0 popped", "1 pushed, 1 popped", "2 pushed, 2 popped"});
}
TEST_F(ModelExhaustive, TimedPushRacingAPop) {
  settings s;
  s.ticks = 1;
  expect_all(search([] { return timed_push_racing_pop<queue_of<park_at_once>>(2); }, 2, s),
             {"1 pushed, 1 popped", "2 pushed, 1 popped"});
}
TEST_F(ModelExhaustive, TicketsOneProducerTwoConsumers) {
  search([] { return two_consumers<queue_of<park_at_once, ticket>>(2, 2); });
}
TEST_F(ModelExhaustive, OneProducerTwoConsumers) {
  search([] { return two_consumers<queue_of<park_at_once>>(2, 2); });
}
TEST_F(ModelExhaustive, StrongTry) {
  search([] { return strong_try<queue_of<spin>>(2); });
}

TEST_F(ModelExhaustive, RecordAndThreadConsumers) {
  search([] { return record_and_thread_consumers<queue_of<park_at_once>>(1, 1); });
}
TEST_F(ModelExhaustive, CancelledRecordPassesTheWakeUpOn) {
  search([] { return cancelled_record<queue_of<park_at_once>>(true); });
}
TEST_F(ModelExhaustive, Batches) {
  search([] { return batches<queue_of<park_at_once>>(2); }, 1);
}
TEST_F(ModelExhaustive, DiscardRacingTicketPushes) {
  expect_all(search([] { return discard_racing_pushes<queue_of<park_at_once, ticket>>(); }, 1),
             {"1 pushed, 1 popped", "2 pushed, 1 popped"});
}

}  // namespace
