// Linearizability: histories recorded from real runs (each call's invocation
// and response stamped from one counter) must have a linearization, an order
// of the calls that respects real time (a call that returned before another
// began comes first) and in which every result is what a sequential bounded
// FIFO queue with a closed flag would give. The checker is Wing and Gong's
// search with memoization of (calls done, queue state): small histories, a
// few calls a thread, many rounds, every wait policy and claim mode. It also
// rejects hand-made histories that are not linearizable, so it can fail.
//
// The sequential specification, per call:
//   try_push(v), try_push_for(v): false if closed or full, else append v.
//   push(v):  false if closed; else append v if not full; else not yet.
//   try_pop(), try_pop_for():     nothing if empty, else the oldest value.
//   pop():    the oldest value; nothing if empty and closed; else not yet.
//   close():  closed.
// "Not yet" means the call cannot take effect in that state: a blocking call
// linearizes at a point where it can. A timed call that times out linearizes
// at a point where the queue was full (push) or empty (pop). With
// claim::ticket a blocking push takes its position even when the queue is
// full and keeps it across close() (claim.hpp): it linearizes when it takes
// the ticket, so the specification appends it whenever the queue is open.
// A timed call that gives up may also have waited on a partner in flight (a
// thread of the other side that holds its slot, docs/design.md, Progress
// guarantee): its failure is accepted anywhere while a call of the other side
// overlaps it. try_ calls wait for such a partner and get no such leeway.
#include "support/run_threads.hpp"

#include <mpmc/backend/condvar.hpp>
#include <mpmc/mpmc.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;

enum class op { try_push, push, try_push_for, try_pop, pop, try_pop_for, close };

struct call {
  op kind;
  int value = 0;    // pushed, or popped (when `got`)
  bool ok = false;  // a push's result, or whether a pop got a value
  std::uint64_t invoked = 0;
  std::uint64_t returned = 0;
};

struct spec_state {
  std::deque<int> items;
  bool closed = false;
  std::string key() const {
    std::string k(closed ? "c" : "o");
    for (const int v : items) k += std::to_string(v) + ",";
    return k;
  }
};

// Applies c to s if the specification allows c's recorded result there.
bool is_push(op k) { return k == op::try_push || k == op::push || k == op::try_push_for; }

bool apply(spec_state& s, const call& c, std::size_t capacity, bool tickets, bool partner) {
  const bool full = s.items.size() >= capacity && !(tickets && c.kind == op::push);
  if (!c.ok && partner && (c.kind == op::try_push_for || c.kind == op::try_pop_for)) return true;
  switch (c.kind) {
    case op::try_push:
    case op::try_push_for:
    case op::push:
      if (!c.ok) {
        if (c.kind == op::push) return s.closed;
        return s.closed || full;
      }
      if (s.closed || full) return false;
      s.items.push_back(c.value);
      return true;
    case op::try_pop:
    case op::try_pop_for:
    case op::pop:
      if (!c.ok) return s.items.empty() && (c.kind != op::pop || s.closed);
      if (s.items.empty() || s.items.front() != c.value) return false;
      s.items.pop_front();
      return true;
    case op::close:
      s.closed = true;
      return true;
  }
  return false;
}

// Wing and Gong: try each call that may come first (none of the remaining
// calls returned before it was invoked), recurse; remember failed
// (remaining set, state) pairs.
class checker {
 public:
  checker(const std::vector<call>& history, std::size_t capacity, bool tickets = false)
      : h_(history), capacity_(capacity), tickets_(tickets), partner_(history.size(), false) {
    for (std::size_t i = 0; i != h_.size(); ++i)
      for (const call& other : h_)
        if (other.kind != op::close && is_push(other.kind) != is_push(h_[i].kind) &&
            other.invoked < h_[i].returned && h_[i].invoked < other.returned)
          partner_[i] = true;
  }

  bool linearizable() { return search((std::uint64_t{1} << h_.size()) - 1, spec_state{}); }

 private:
  bool search(std::uint64_t remaining, const spec_state& s) {
    if (remaining == 0) return true;
    if (!failed_.insert({remaining, s.key()}).second) return false;
    std::uint64_t first_return = UINT64_MAX;
    for (std::size_t i = 0; i != h_.size(); ++i)
      if ((remaining >> i) & 1) first_return = std::min(first_return, h_[i].returned);
    for (std::size_t i = 0; i != h_.size(); ++i) {
      if (((remaining >> i) & 1) == 0 || h_[i].invoked > first_return) continue;
      spec_state next = s;
      if (apply(next, h_[i], capacity_, tickets_, partner_[i]) &&
          search(remaining & ~(std::uint64_t{1} << i), next))
        return true;
    }
    return false;
  }

  const std::vector<call>& h_;
  std::size_t capacity_;
  bool tickets_;
  std::vector<bool> partner_;  // a call of the other side overlaps call i
  std::set<std::pair<std::uint64_t, std::string>> failed_;
};

// Runs `threads` threads of `per_thread` random calls each on a fresh queue
// of `capacity`, plus one that closes it at a random moment (so that every
// blocking call ends) and then drains it, and returns the history.
template <class Q>
std::vector<call> record(std::size_t capacity, int threads, int per_thread, std::uint32_t seed) {
  auto make = [&] {
    if constexpr (Q::config_type::capacity::is_fixed)
      return std::make_unique<Q>();
    else
      return std::make_unique<Q>(capacity);
  };
  const auto queue = make();
  Q& q = *queue;
  std::atomic<std::uint64_t> clock{0};
  std::atomic<int> done{0};
  std::vector<std::vector<call>> logs(static_cast<std::size_t>(threads) + 1);
  std::vector<std::thread> running;
  for (int t = 0; t != threads; ++t)
    running.emplace_back([&, t] {
      std::mt19937 rng(seed * 31 + static_cast<std::uint32_t>(t));
      for (int i = 0; i != per_thread; ++i) {
        call c{static_cast<op>(rng() % 6)};
        c.value = t * 100 + i + 1;  // unique
        c.invoked = clock.fetch_add(1);
        switch (c.kind) {
          case op::try_push:
            c.ok = q.try_push(c.value);
            break;
          case op::push:
            c.ok = q.push(c.value);
            break;
          case op::try_push_for:
            c.ok = q.try_push_for(c.value, 20us);
            break;
          default: {
            const std::optional<int> v = c.kind == op::try_pop ? q.try_pop()
                                         : c.kind == op::pop   ? q.pop()
                                                               : q.try_pop_for(20us);
            c.ok = v.has_value();
            c.value = v.value_or(0);
          }
        }
        c.returned = clock.fetch_add(1);
        logs[static_cast<std::size_t>(t)].push_back(c);
      }
      ++done;
    });
  running.emplace_back([&] {
    std::mt19937 rng(seed);
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(rng() % 300);
    while (std::chrono::steady_clock::now() < until) std::this_thread::yield();
    call c{op::close};
    c.invoked = clock.fetch_add(1);
    q.close();
    c.returned = clock.fetch_add(1);
    logs.back().push_back(c);
    // With claim::ticket a push blocked before the close keeps its position
    // and ends only once a consumer frees the slot: drain until the others
    // are done. Pops that find nothing change nothing and are not recorded.
    for (bool last = false;;) {
      call d{op::try_pop};
      d.invoked = clock.fetch_add(1);
      const std::optional<int> v = q.try_pop();
      d.returned = clock.fetch_add(1);
      if (v) {
        d.ok = true;
        d.value = *v;
        logs.back().push_back(d);
      } else if (last) {
        break;
      } else {
        last = done.load() == threads;
        std::this_thread::yield();
      }
    }
  });
  for (auto& r : running) r.join();
  std::vector<call> history;
  for (const auto& log : logs) history.insert(history.end(), log.begin(), log.end());
  return history;
}

std::string describe(const std::vector<call>& h) {
  static const char* const names[] = {"try_push", "push",        "try_push_for", "try_pop",
                                      "pop",      "try_pop_for", "close"};
  std::string out;
  for (const call& c : h)
    out += std::string(names[static_cast<int>(c.kind)]) + "(" + std::to_string(c.value) +
           ")=" + (c.ok ? "ok" : "no") + " [" + std::to_string(c.invoked) + "," +
           std::to_string(c.returned) + "]\n";
  return out;
}

template <class... Policies>
struct mode {
  using queue = mpmc::queue<int, Policies...>;
};
using modes = ::testing::Types<mode<>, mode<mpmc::wait::spin>, mode<mpmc::wait::yield>,
                               mode<mpmc::wait::atomic_wait>, mode<mpmc::wait::condvar>,
                               mode<mpmc::claim::ticket>, mode<mpmc::capacity::fixed<3>>>;
struct mode_names {
  template <class Mode>
  static std::string GetName(int i) {
    static const char* const names[] = {"futex",   "spin",   "yield", "atomic_wait",
                                        "condvar", "ticket", "fixed3"};
    return names[i];
  }
};

template <class Mode>
class Linearizability : public ::testing::Test {};
TYPED_TEST_SUITE(Linearizability, modes, mode_names);

TYPED_TEST(Linearizability, EveryRecordedHistoryHasALinearization) {
  using config = typename TypeParam::queue::config_type;
  const int rounds = 400 / mpmc::test::sanitizer_slowdown;
  for (int round = 0; round != rounds; ++round) {
    const std::size_t capacity =
        config::capacity::is_fixed ? 3 : 1 + static_cast<std::size_t>(round % 3);
    const auto h =
        record<typename TypeParam::queue>(capacity, 3, 5, static_cast<std::uint32_t>(round));
    ASSERT_TRUE(checker(h, capacity, config::claim::tickets).linearizable())
        << "round " << round << ", no linearization of:\n"
        << describe(h);
  }
}

// The checker itself: histories that are not linearizable are rejected.
TEST(LinearizabilityChecker, RejectsHistoriesNoQueueCouldGive) {
  auto c = [](op k, int v, bool ok, std::uint64_t in, std::uint64_t out) {
    return call{k, v, ok, in, out};
  };
  // FIFO broken: 1 is pushed before 2 begins, yet 2 comes out first.
  EXPECT_FALSE(checker({c(op::push, 1, true, 0, 1), c(op::push, 2, true, 2, 3),
                        c(op::pop, 2, true, 4, 5), c(op::pop, 1, true, 6, 7)},
                       4)
                   .linearizable());
  // A value popped that nobody pushed.
  EXPECT_FALSE(
      checker({c(op::push, 1, true, 0, 1), c(op::try_pop, 7, true, 2, 3)}, 4).linearizable());
  // A try_pop that finds nothing although an element was queued throughout.
  EXPECT_FALSE(
      checker({c(op::push, 1, true, 0, 1), c(op::try_pop, 0, false, 2, 3)}, 4).linearizable());
  // More than the capacity held: the second push succeeds on a full queue.
  EXPECT_FALSE(
      checker({c(op::try_push, 1, true, 0, 1), c(op::try_push, 2, true, 2, 3)}, 1).linearizable());
  // A push accepted after close() returned.
  EXPECT_FALSE(
      checker({c(op::close, 0, true, 0, 1), c(op::try_push, 1, true, 2, 3)}, 4).linearizable());
  // The same calls overlapping in time are fine: either order may be taken.
  EXPECT_TRUE(checker({c(op::push, 1, true, 0, 5), c(op::push, 2, true, 1, 4),
                       c(op::pop, 2, true, 6, 7), c(op::pop, 1, true, 8, 9)},
                      4)
                  .linearizable());
  EXPECT_TRUE(checker({c(op::close, 0, true, 0, 3), c(op::try_push, 1, true, 1, 2),
                       c(op::pop, 1, true, 4, 5), c(op::pop, 0, false, 6, 7)},
                      4)
                  .linearizable());
}

}  // namespace
