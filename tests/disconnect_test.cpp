// A channel whose last receiver is gone: the values queued are destroyed at
// once (not when the last sender goes), and every later or blocked send
// fails with its argument untouched, in every claim mode.
#include "support/tracked.hpp"

#include <mpmc/backend/condvar.hpp>
#include <mpmc/channel.hpp>
#include <mpmc/mpmc.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using mpmc::test::tracked;

// A mix makes a channel of capacity 3 (the fixed mix has it built in).
template <class... Policies>
struct mix {
  static constexpr int senders = 3;
  // Pops the receiver makes before it leaves, times the round: fewer where senders spin, as they
  // outnumber the cores and each one preempted holding a slot stalls the receiver a time slice.
  static constexpr int pops_per_round =
      (std::same_as<Policies, mpmc::wait::spin> || ...) ? 10 : 100;
  static auto channel() {
    if constexpr (mpmc::queue<tracked, Policies...>::config_type::capacity::is_fixed)
      return mpmc::make_channel<tracked, Policies...>();
    else
      return mpmc::make_channel<tracked, Policies...>(std::size_t{3});
  }
};
template <class... Policies>
struct lone_mix : mix<mpmc::producers::single, Policies...> {
  static constexpr int senders = 1;
};

using disconnect_mixes =
    ::testing::Types<mix<>, mix<mpmc::claim::ticket>, mix<mpmc::claim::ticket, mpmc::wait::spin>,
                     mix<mpmc::wait::condvar>, mix<mpmc::wait::spin, mpmc::capacity::fixed<3>>,
                     lone_mix<>>;
struct disconnect_mix_names {
  template <class Mix>
  static std::string GetName(int i) {
    static const char* const names[] = {"defaults", "ticket",           "ticket_spin",
                                        "condvar",  "spin_fixed_three", "single_producer"};
    return names[i];
  }
};

template <class Mix>
class Disconnect : public ::testing::Test {
 protected:
  void SetUp() override { tracked::reset(); }
};
TYPED_TEST_SUITE(Disconnect, disconnect_mixes, disconnect_mix_names);

TYPED_TEST(Disconnect, TheLastReceiverDestroysWhatIsQueued) {
  auto [tx, rx] = TypeParam::channel();
  for (int i = 0; i != 3; ++i) ASSERT_TRUE(tx.push(tracked(i)));
  auto rx2 = rx;
  { auto gone = std::move(rx); }
  EXPECT_EQ(tracked::counts().live, 3) << "a receiver is still alive";
  { auto gone = std::move(rx2); }
  EXPECT_EQ(tracked::counts().live, 0) << "queued values outlived the last receiver";
  EXPECT_TRUE(tx.closed());
  EXPECT_EQ(tx.size(), 0u);
  tracked v(7);
  EXPECT_FALSE(tx.push(std::move(v)));
  EXPECT_FALSE(tx.try_push(std::move(v)));
  EXPECT_FALSE(tx.try_push_for(std::move(v), 1ms));
  EXPECT_EQ(v.value(), 7) << "a failed push consumed its argument";
  EXPECT_EQ(tracked::counts().double_destroys, 0);
}

TYPED_TEST(Disconnect, ASenderBlockedOnAFullChannelFailsWithItsValue) {
  auto [tx, rx] = TypeParam::channel();
  for (int i = 0; i != 3; ++i) ASSERT_TRUE(tx.push(tracked(i)));
  std::atomic<int> result{-1};
  std::thread sender([&result, tx = tx] {
    tracked v(9);
    const bool pushed = tx.push(std::move(v));
    result = pushed ? 1 : (v.value() == 9 ? 0 : 2);
  });
  std::this_thread::sleep_for(50ms);  // most likely blocked by now; the checks hold either way
  EXPECT_EQ(result.load(), -1) << "a push into a full channel returned";
  { auto gone = std::move(rx); }
  sender.join();
  EXPECT_EQ(result.load(), 0) << "1: the push succeeded into a channel nobody reads; 2: its "
                                 "argument was consumed";
  EXPECT_EQ(tracked::counts().live, 0);
  EXPECT_EQ(tracked::counts().double_destroys, 0);
}

// Twice the capacity in senders blocked on a full channel: with tickets, two
// laps of holders wait on each slot, and a holder that passes its turn up
// hands the slot to the next lap's, which must be woken for it. Every push
// fails with its value; a sender still blocked after 10 s is a lost wake-up.
TYPED_TEST(Disconnect, TwoLapsOfBlockedSendersAllFail) {
  auto [tx, rx] = TypeParam::channel();
  for (int i = 0; i != 3; ++i) ASSERT_TRUE(tx.push(tracked(i)));
  const int senders = TypeParam::senders == 1 ? 1 : 6;
  std::atomic<int> failed{0}, other{0};
  std::vector<std::thread> threads;
  for (int s = 0; s != senders; ++s)
    threads.emplace_back([&failed, &other, tx = tx, s] {
      tracked v(100 + s);
      const bool pushed = tx.push(std::move(v));
      (!pushed && v.value() == 100 + s ? failed : other).fetch_add(1);
    });
  std::this_thread::sleep_for(50ms);  // most likely all blocked by now
  // Dropped on a thread of its own: a lost wake-up also blocks the drop,
  // which waits for every value claimed before it.
  std::atomic<bool> dropped{false};
  threads.emplace_back([&dropped, rx = std::move(rx)]() mutable {
    { auto gone = std::move(rx); }
    dropped = true;
  });
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while ((failed + other != senders || !dropped) && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(1ms);
  const bool all_ended = failed + other == senders && dropped;
  for (auto& t : threads) all_ended ? t.join() : t.detach();
  ASSERT_TRUE(all_ended) << senders - failed - other << " sender(s) still blocked, receiver "
                         << (dropped ? "dropped" : "still dropping");
  EXPECT_EQ(failed.load(), senders) << "a push succeeded or consumed its argument";
  EXPECT_EQ(tracked::counts().live, 0);
  EXPECT_EQ(tracked::counts().double_destroys, 0);
}

// Senders push until a push fails while a receiver pops some and leaves:
// every push that succeeded was either popped or destroyed with the
// receiver, every push that failed kept its argument.
TYPED_TEST(Disconnect, SendersRacingTheLastReceiverLoseNothingAndLeakNothing) {
  for (int round = 0; round != 20; ++round) {
    tracked::reset();
    auto [tx, rx] = TypeParam::channel();
    std::atomic<int> bad_failures{0};
    std::vector<std::thread> senders;
    for (int s = 0; s != TypeParam::senders; ++s)
      senders.emplace_back([&bad_failures, tx = tx, s] {
        for (int i = 0;; ++i) {
          tracked v(s * 1'000'000 + i);
          if (i % 2 == 0 ? !tx.push(std::move(v)) : !tx.try_push(std::move(v))) {
            if (v.value() != s * 1'000'000 + i) bad_failures.fetch_add(1);
            if (!tx.closed()) continue;  // a full try_push
            return;
          }
        }
      });
    std::thread receiver([rx = std::move(rx), round] {
      for (int i = 0; i != TypeParam::pops_per_round * round; ++i) (void)rx.pop();
    });
    receiver.join();  // the last receiver is destroyed with the thread's lambda
    for (auto& t : senders) t.join();
    EXPECT_EQ(bad_failures.load(), 0) << "a failed push consumed its argument";
    EXPECT_EQ(tracked::counts().live, 0) << "a value outlived the last receiver";
    EXPECT_EQ(tracked::counts().double_destroys, 0);
  }
}

// The ring under discard, step by step: ticket holders of two laps pass their
// turns up before the discarding receiver reaches their positions, so the
// slot's turn has moved past the first one's "done" by then. Discard must
// count that as done too, not wait for ever.
TEST(DisconnectRing, TurnsPassedUpByLaterLapsCountAsDone) {
  using config = mpmc::queue<tracked, mpmc::claim::ticket>::config_type;
  using ring_type = mpmc::detail::sequence_ring<tracked, config>;
  using mpmc::detail::side;
  ring_type ring(1, std::allocator<std::byte>());
  typename ring_type::claimed c0{}, c1{}, c2{}, pop0{};
  ASSERT_TRUE(ring.take_ticket<side::producers>(c0));
  std::construct_at(c0.slot->value(), 7);
  ring_type::publish(c0);
  ASSERT_TRUE(ring.take_ticket<side::producers>(c1));  // positions 1 and 2: the same slot,
  ASSERT_TRUE(ring.take_ticket<side::producers>(c2));  // one and two laps on
  ASSERT_EQ(ring.claim<side::consumers>(pop0), 1u);
  std::destroy_at(pop0.slot->value());
  ring_type::publish(pop0);
  ring.begin_discard();
  ASSERT_TRUE(ring.close());
  ASSERT_TRUE(ring.ready<side::producers>(c1));
  EXPECT_TRUE(ring.holds_discarded(c1));
  ASSERT_TRUE(ring.ready<side::producers>(c2));
  EXPECT_TRUE(ring.holds_discarded(c2));
  int freed = 0;
  ring.discard([&] { ++freed; });  // returns: positions 1 and 2 count as done
  EXPECT_EQ(freed, 0);
  EXPECT_EQ(ring.size(), 0u);
  EXPECT_EQ(tracked::counts().live, 0);
}

}  // namespace
