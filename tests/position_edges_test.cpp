// Every claim mode across the two edges of its positions: a slot's 32-bit
// turn word (2 * position) wraps every 2^31 positions, and the 63-bit
// positions end at 2^63, where bit 63 of the tail is the closed flag. A queue
// built with a first position just before an edge runs threads across it:
// every element must arrive exactly once, in order per producer, and the
// queue must hold exactly its capacity on both sides. Starting there takes no
// time, so these run under the sanitizers too (turn_wrap_test gets to the
// first wrap the long way, in optimized builds only).
#include <mpmc/mpmc.hpp>

#include <gtest/gtest.h>

#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;

struct item {
  std::uint32_t producer;
  std::uint32_t seq;
};

template <class... Policies>
struct mode {
  using queue = mpmc::queue<item, Policies...>;
  // A lone side (producers::single, consumers::single) gets one thread.
  static constexpr int producers = queue::config_type::producers::exclusive ? 1 : 2;
  static constexpr int consumers = queue::config_type::consumers::exclusive ? 1 : 2;
};

using modes =
    ::testing::Types<mode<>,                                        // compare-exchange, futex
                     mode<mpmc::claim::ticket>,                     // tickets, futex
                     mode<mpmc::claim::ticket, mpmc::wait::yield>,  // tickets, yield
                     mode<mpmc::wait::spin, mpmc::backoff::yield>,  // compare-exchange, spin
                     mode<mpmc::producers::single, mpmc::consumers::single>,      // both sides lone
                     mode<mpmc::producers::single, mpmc::claim::ticket>,          // lone producer
                     mode<mpmc::consumers::single, mpmc::padding::interleaved>>;  // lone consumer
struct mode_names {
  template <class Mode>
  static std::string GetName(int i) {
    static const char* const names[] = {"cas_futex",  "ticket_futex",  "ticket_yield", "cas_spin",
                                        "lone_sides", "lone_producer", "lone_consumer"};
    return names[i];
  }
};

enum class edge { turn_wrap, end_of_positions };

// The count of positions before the first one used, so that `room` positions
// are left before the edge: a count c is position (c / n) * L + c % n, with L
// the capacity n rounded up to a power of two.
std::uint64_t start_before(edge e, std::size_t n, std::uint64_t room) {
  const std::uint64_t lap = std::bit_ceil(n);
  const std::uint64_t edge_position =
      e == edge::turn_wrap ? std::uint64_t{1} << 31 : std::uint64_t{1} << 63;
  return edge_position / lap * n - room;
}

template <class Mode>
class PositionEdges : public ::testing::Test {};
TYPED_TEST_SUITE(PositionEdges, modes, mode_names);

// One thread, across the edge: the queue takes exactly n, and gives back
// what it took, in order, lap after lap.
TYPED_TEST(PositionEdges, CapacityIsExactOnBothSides) {
  for (const edge e : {edge::turn_wrap, edge::end_of_positions}) {
    for (const std::size_t n : {1u, 3u, 8u}) {
      SCOPED_TRACE(testing::Message()
                   << "capacity " << n << (e == edge::turn_wrap ? " turn" : " end"));
      // Six laps: the turn words wrap in the fourth; the last lap ends just
      // short of the end of the positions.
      const std::uint64_t room = e == edge::turn_wrap ? 3 * n + 1 : 7 * n;
      typename TypeParam::queue q(n, mpmc::detail::first_position{start_before(e, n, room)});
      std::uint32_t in = 0, out = 0;
      for (int lap = 0; lap != 6; ++lap) {
        while (q.try_push(item{0, in})) ++in;
        ASSERT_EQ(q.size(), n);
        ASSERT_EQ(in - out, n) << "held more or fewer than its capacity";
        EXPECT_FALSE(q.try_push_for(item{0, in}, 0ms));
        while (auto v = q.try_pop()) ASSERT_EQ(v->seq, out++);
        ASSERT_EQ(out, in);
        ASSERT_TRUE(q.empty());
      }
      EXPECT_FALSE(q.closed()) << "positions reached the closed flag";
    }
  }
}

// Producers and consumers, mixing blocking, try and timed calls, across the
// edge; then close() and drain.
TYPED_TEST(PositionEdges, ThreadsDeliverExactlyOnceAcrossTheEdge) {
  constexpr std::uint32_t per_producer = 3000;
  constexpr int producers = TypeParam::producers;
  constexpr int consumers = TypeParam::consumers;
  for (const edge e : {edge::turn_wrap, edge::end_of_positions}) {
    for (const std::size_t n : {3u, 8u}) {
      SCOPED_TRACE(testing::Message()
                   << "capacity " << n << (e == edge::turn_wrap ? " turn" : " end"));
      // Half the run before the edge; the rest, tickets taken in vain after
      // the close included, stays below the end of the positions.
      const std::uint64_t total = per_producer * producers;
      const std::uint64_t room = e == edge::turn_wrap ? total / 2 : total + 4 * n;
      typename TypeParam::queue q(n, mpmc::detail::first_position{start_before(e, n, room)});

      std::vector<std::vector<item>> got(consumers);
      std::vector<std::thread> threads;
      for (int p = 0; p != producers; ++p)
        threads.emplace_back([&q, p] {
          for (std::uint32_t s = 0; s != per_producer; ++s) {
            const item v{static_cast<std::uint32_t>(p), s};
            switch (s % 4) {
              case 0:
                ASSERT_TRUE(q.push(v));
                break;
              case 1:
                while (!q.try_push(v)) std::this_thread::yield();
                break;
              case 2:
                while (!q.try_push_for(v, 1ms)) {
                }
                break;
              default:
                ASSERT_TRUE(q.emplace(v));
            }
          }
        });
      for (int c = 0; c != consumers; ++c)
        threads.emplace_back([&q, &mine = got[c]] {
          for (std::uint32_t i = 0;; ++i) {
            std::optional<item> v = i % 3 == 0   ? q.try_pop()
                                    : i % 3 == 1 ? q.try_pop_for(1ms)
                                                 : std::nullopt;
            if (!v) v = q.pop();  // blocks until an element comes or the queue is drained
            if (!v) return;
            mine.push_back(*v);
          }
        });
      for (int p = 0; p != producers; ++p) threads[p].join();
      q.close();
      for (std::size_t t = producers; t != threads.size(); ++t) threads[t].join();

      std::vector<std::vector<int>> seen(producers, std::vector<int>(per_producer, 0));
      ASSERT_EQ(got.size(), static_cast<std::size_t>(consumers));
      for (const auto& mine : got) {
        std::vector<std::int64_t> last(producers, -1);
        for (const item& v : mine) {
          ASSERT_LT(v.producer, static_cast<std::uint32_t>(producers));
          ASSERT_LT(v.seq, per_producer);
          EXPECT_GT(static_cast<std::int64_t>(v.seq), last[v.producer]) << "out of order";
          last[v.producer] = v.seq;
          ++seen[v.producer][v.seq];
        }
      }
      for (int p = 0; p != producers; ++p)
        for (std::uint32_t s = 0; s != per_producer; ++s)
          ASSERT_EQ(seen[p][s], 1) << "producer " << p << " element " << s;
      EXPECT_TRUE(q.empty());
      EXPECT_FALSE(q.try_push(item{0, 0})) << "closed";
    }
  }
}

}  // namespace
