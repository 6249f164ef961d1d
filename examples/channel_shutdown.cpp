// A two-stage pipeline that shuts down by dropping its senders: no sentinel
// values, no flags. Two readers parse lines into numbers, three workers
// square them; when the readers finish, their senders go away, the workers
// drain the channel and stop, their result senders go away, and the
// collector's loop ends.
#include <mpmc/mpmc.hpp>

#include <iostream>
#include <string>
#include <thread>
#include <vector>

int main() {
  auto [lines_tx, lines_rx] = mpmc::make_channel<std::string>(16);
  auto [squares_tx, squares_rx] = mpmc::make_channel<long>(16);

  std::vector<std::thread> threads;
  for (int reader = 0; reader != 2; ++reader) {
    threads.emplace_back([tx = lines_tx, reader] {
      for (int i = 1; i <= 50; ++i) tx.push(std::to_string(reader * 50 + i));
    });  // this thread's sender goes away here
  }
  for (int worker = 0; worker != 3; ++worker) {
    threads.emplace_back([rx = lines_rx, tx = squares_tx] {
      while (auto line = rx.pop()) {
        const long n = std::stol(*line);
        tx.push(n * n);
      }
    });
  }
  // main keeps only the final receiver: dropping its own copies of the other
  // handles is what lets the pipeline end.
  { auto drop = std::move(lines_tx); }
  { auto drop = std::move(lines_rx); }
  { auto drop = std::move(squares_tx); }

  long sum = 0, count = 0;
  while (auto square = squares_rx.pop()) {
    sum += *square;
    ++count;
  }
  for (auto& t : threads) t.join();
  // 1^2 + 2^2 + ... + 100^2
  std::cout << "squares received: " << count << ", sum " << sum << " (expected 338350)\n";
  return sum == 338350 && count == 100 ? 0 : 1;
}
