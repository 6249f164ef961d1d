// A producers x consumers run through one queue that checks what came out:
// every value delivered exactly once, each producer's values seen in order by
// each consumer, and size() never above capacity() while the threads ran.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <latch>
#include <thread>
#include <vector>

namespace mpmc::test {

// Thread tests run an order of magnitude slower under ThreadSanitizer; they
// shrink there so that the suite stays bounded in time.
#if defined(__SANITIZE_THREAD__)
inline constexpr int sanitizer_slowdown = 8;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
inline constexpr int sanitizer_slowdown = 8;
#else
inline constexpr int sanitizer_slowdown = 1;
#endif
#else
inline constexpr int sanitizer_slowdown = 1;
#endif

enum class ops { blocking, non_blocking };

// Values carry their producer in the high bits and their sequence number in
// the low bits, so a consumer can check per-producer order.
inline std::uint64_t encode(int producer, int seq) {
  return (static_cast<std::uint64_t>(producer) << 32) | static_cast<std::uint32_t>(seq);
}

// Checks what the consumers received against what each producer sent
// (values 0 .. sent[p]-1 of producer p): each delivered exactly once, and
// each producer's values in increasing order at every consumer.
inline void check_delivery(const std::vector<std::vector<std::uint64_t>>& received,
                           const std::vector<long>& sent) {
  const std::size_t producers = sent.size();
  std::vector<std::vector<int>> seen(producers);
  long total = 0;
  for (std::size_t p = 0; p != producers; ++p) {
    seen[p].assign(static_cast<std::size_t>(sent[p]), 0);
    total += sent[p];
  }
  long count = 0;
  for (const auto& mine : received) {
    std::vector<long> last(producers, -1);
    for (std::uint64_t v : mine) {
      const auto p = static_cast<std::size_t>(v >> 32);
      const auto i = static_cast<long>(v & 0xffffffffu);
      ASSERT_LT(p, producers);
      ASSERT_LT(i, sent[p]) << "delivered a value that was never sent successfully";
      ASSERT_GT(i, last[p]) << "producer " << p << "'s values out of order";
      last[p] = i;
      ++seen[p][static_cast<std::size_t>(i)];
      ++count;
    }
  }
  ASSERT_EQ(count, total) << "values lost or duplicated";
  for (std::size_t p = 0; p != producers; ++p)
    for (long i = 0; i != sent[p]; ++i)
      ASSERT_EQ(seen[p][static_cast<std::size_t>(i)], 1) << "value " << i << " of producer " << p;
}

template <class Queue>
void run_and_check(Queue& q, int producers, int consumers, int per_producer, ops mode) {
  const long total = static_cast<long>(producers) * per_producer;
  std::atomic<long> reserved{0};  // pops handed out, so consumers know when to stop
  std::atomic<bool> running{true};
  std::atomic<long> oversize{0};  // size() readings above capacity()
  std::latch start(producers + consumers + 1);
  std::vector<std::vector<std::uint64_t>> received(static_cast<std::size_t>(consumers));

  std::vector<std::thread> threads;
  for (int p = 0; p != producers; ++p) {
    threads.emplace_back([&, p] {
      start.arrive_and_wait();
      for (int i = 0; i != per_producer; ++i) {
        if (mode == ops::blocking) {
          EXPECT_TRUE(q.push(encode(p, i)));
        } else {
          while (!q.try_push(encode(p, i))) std::this_thread::yield();
        }
      }
    });
  }
  for (int c = 0; c != consumers; ++c) {
    threads.emplace_back([&, c] {
      auto& mine = received[static_cast<std::size_t>(c)];
      start.arrive_and_wait();
      // Reserve one of the `total` pops before waiting for it, so that no
      // consumer blocks for a value that no producer will send.
      while (reserved.fetch_add(1) < total) {
        if (mode == ops::blocking) {
          auto v = q.pop();
          ASSERT_TRUE(v.has_value());
          mine.push_back(*v);
        } else {
          std::uint64_t v;
          while (!q.try_pop(v)) std::this_thread::yield();
          mine.push_back(v);
        }
      }
    });
  }
  std::thread watcher([&] {
    start.arrive_and_wait();
    while (running.load()) {
      if (q.size() > q.capacity()) ++oversize;
      std::this_thread::yield();
    }
  });
  for (auto& t : threads) t.join();
  running = false;
  watcher.join();

  EXPECT_EQ(oversize.load(), 0) << "size() exceeded capacity()";
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.size(), 0u);

  check_delivery(received, std::vector<long>(static_cast<std::size_t>(producers), per_producer));
}

// Producers push until the queue refuses (it was closed); consumers pop
// until it reports the end. The queue is closed once `close_after` pushes
// have succeeded. Checks that exactly the pushes that reported success were
// delivered, each once, in each producer's order at each consumer, and that
// no push begun after close() returned got in. `push(q, value)` makes one
// attempt and reports whether the value went in; a refusal ends its producer
// once the queue is closed (before that it was full: the producer yields and
// tries the next attempt).
template <class Queue, class Push>
void run_until_closed_with(Queue& q, int producers, int consumers, long close_after, Push push) {
  std::atomic<long> pushed{0};
  std::atomic<bool> close_returned{false};
  std::latch start(producers + consumers + 1);
  std::vector<long> sent(static_cast<std::size_t>(producers), 0);
  std::vector<std::vector<std::uint64_t>> received(static_cast<std::size_t>(consumers));

  std::vector<std::thread> threads;
  for (int p = 0; p != producers; ++p) {
    threads.emplace_back([&, p] {
      start.arrive_and_wait();
      int i = 0;
      for (;;) {
        const bool late = close_returned.load();
        if (push(q, encode(p, i))) {
          EXPECT_FALSE(late) << "a push begun after close() returned got in";
          ++i;
          ++pushed;
        } else if (q.closed()) {
          break;
        } else {
          std::this_thread::yield();  // full
        }
      }
      sent[static_cast<std::size_t>(p)] = i;
      // Once refused, always refused.
      EXPECT_FALSE(q.try_push(encode(p, i)));
    });
  }
  for (int c = 0; c != consumers; ++c) {
    threads.emplace_back([&, c] {
      auto& mine = received[static_cast<std::size_t>(c)];
      start.arrive_and_wait();
      while (auto v = q.pop()) mine.push_back(*v);
    });
  }
  start.arrive_and_wait();
  while (pushed.load() < close_after) std::this_thread::yield();
  q.close();
  close_returned = true;
  for (auto& t : threads) t.join();

  EXPECT_TRUE(q.empty());
  long total = 0;
  for (long n : sent) total += n;
  EXPECT_GE(total, close_after);
  check_delivery(received, sent);
}

// run_until_closed_with() through the blocking push.
template <class Queue>
void run_until_closed(Queue& q, int producers, int consumers, long close_after) {
  run_until_closed_with(q, producers, consumers, close_after,
                        [](Queue& queue, std::uint64_t v) { return queue.push(v); });
}

}  // namespace mpmc::test
