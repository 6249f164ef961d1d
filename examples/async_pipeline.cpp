// Coroutines on an io_context feed a pool of plain threads and collect their results, through
// two channels: the threads block in push() and pop(), the coroutines wait in async_push() and
// async_pop() without blocking the context's thread. Shutdown needs no sentinel: the feeding
// coroutine's sender goes away, the workers drain the jobs and end, their result senders go
// away, and the collecting coroutine's async_pop completes with errc::closed.
#include <mpmc/asio.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>

#include <cstdint>
#include <iostream>
#include <thread>
#include <vector>

namespace {
using jobs = mpmc::queue<std::uint64_t>;
using results = mpmc::queue<std::uint64_t>;
constexpr auto with_error = asio::experimental::as_tuple(asio::use_awaitable);

// Small capacity on purpose: the feeder outruns the workers and waits on a full queue.
asio::awaitable<void> feed(mpmc::sender<jobs> tx, std::uint64_t count) {
  for (std::uint64_t n = 0; n != count; ++n) {
    auto [ec, back] = co_await mpmc::async_push(tx, n, with_error);
    if (ec) co_return;  // closed: nobody is left to take jobs
  }
}  // the last sender goes with the coroutine's frame: the workers drain and stop

asio::awaitable<void> collect(mpmc::receiver<results> rx, std::uint64_t& count,
                              std::uint64_t& sum) {
  for (;;) {
    auto [ec, square] = co_await mpmc::async_pop(rx, with_error);
    if (ec == mpmc::errc::closed) co_return;  // every worker gone, every result taken
    ++count;
    sum += *square;
  }
}
}  // namespace

int main() {
  auto [jobs_tx, jobs_rx] = mpmc::make_channel<std::uint64_t>(8);
  auto [results_tx, results_rx] = mpmc::make_channel<std::uint64_t>(8);

  std::vector<std::thread> pool;
  for (int worker = 0; worker != 3; ++worker)
    pool.emplace_back([rx = jobs_rx, tx = results_tx] {
      while (auto n = rx.pop()) tx.push(*n * *n);
    });
  // The pool holds the only jobs receivers and results senders now.
  { auto drop = std::move(jobs_rx); }
  { auto drop = std::move(results_tx); }

  asio::io_context context;
  std::uint64_t count = 0, sum = 0;
  asio::co_spawn(context, feed(std::move(jobs_tx), 1000), asio::detached);
  asio::co_spawn(context, collect(std::move(results_rx), count, sum), asio::detached);
  context.run();  // one thread runs both coroutines; returns when both are done
  for (auto& t : pool) t.join();

  // 0^2 + 1^2 + ... + 999^2
  std::cout << "results: " << count << ", sum of squares " << sum << " (expected 332833500)\n";
  return count == 1000 && sum == 332833500 ? 0 : 1;
}
