// The seed's multi-threaded example: 4 producers and 4 consumers share one
// queue. Unlike the seed's version, nobody polls with yield loops: push waits
// while the queue is full and pop while it is empty, as the wait policy says.
#include <mpmc/mpmc.hpp>

#include <cstdint>
#include <iostream>
#include <thread>
#include <vector>

int main() {
  constexpr int producers = 4;
  constexpr int consumers = 4;
  constexpr int per_producer = 1000;

  mpmc::queue<int> queue(1024);
  std::vector<std::int64_t> sums(consumers, 0);

  std::vector<std::thread> threads;
  for (int p = 0; p != producers; ++p) {
    threads.emplace_back([&queue, p] {
      for (int j = 0; j != per_producer; ++j) queue.push(p * per_producer + j);
    });
  }
  for (int c = 0; c != consumers; ++c) {
    threads.emplace_back([&queue, &sums, c] {
      // Each consumer takes an equal share of the messages.
      for (int j = 0; j != producers * per_producer / consumers; ++j) sums[c] += *queue.pop();
    });
  }
  for (auto& t : threads) t.join();

  std::int64_t total = 0;
  for (auto s : sums) total += s;
  constexpr std::int64_t n = producers * per_producer;
  std::cout << "received " << n << " messages, sum " << total << " (expected " << n * (n - 1) / 2
            << ")\n";
  return total == n * (n - 1) / 2 ? 0 : 1;
}
