// Processes sharing queues: a feed process hands quotes to three worker processes, which send
// their totals back on a second queue.
//
// The feed creates both queues by name; each worker opens them by name, as an unrelated program
// would (here the workers are forked, to keep the example one file). A worker blocked on an empty
// queue sleeps on a futex shared between the processes; close() from the feed wakes every worker
// once the quotes are drained. The element types are plain structs: each process reads the bytes
// another wrote, so they hold no pointers.
#include <mpmc/shm.hpp>

#include <cstdint>
#include <cstdio>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

struct quote {
  std::uint32_t instrument;
  std::uint32_t price;
};

struct total {
  std::uint32_t quotes;
  std::uint64_t price_sum;
};

int main() {
  const std::string quotes_name = "/mpmc_example_quotes_" + std::to_string(::getpid());
  const std::string totals_name = "/mpmc_example_totals_" + std::to_string(::getpid());
  auto quotes = mpmc::shm::queue<quote>::create(quotes_name, 256);
  auto totals = mpmc::shm::queue<total>::create(totals_name, 8);

  constexpr int workers = 3;
  for (int w = 0; w != workers; ++w) {
    std::fflush(nullptr);
    if (::fork() == 0) {
      // A worker: its own mapping of each queue, found by name.
      auto in = mpmc::shm::queue<quote>::open(quotes_name);
      auto out = mpmc::shm::queue<total>::open(totals_name);
      total mine{0, 0};
      while (auto q = in.pop()) {  // ends once the feed has closed and the queue is drained
        ++mine.quotes;
        mine.price_sum += q->price;
      }
      out.push(mine);
      ::_exit(0);
    }
  }

  constexpr std::uint32_t count = 30'000;
  std::uint64_t expected = 0;
  for (std::uint32_t i = 0; i != count; ++i) {
    quotes.push(quote{i % 16, i});  // waits while the workers are behind
    expected += i;
  }
  quotes.close();

  total all{0, 0};
  for (int w = 0; w != workers; ++w) {
    const auto t = totals.pop();
    all.quotes += t->quotes;
    all.price_sum += t->price_sum;
  }
  while (::wait(nullptr) > 0) {
  }
  mpmc::shm::queue<quote>::remove(quotes_name);  // the names go; the mappings end with main()
  mpmc::shm::queue<total>::remove(totals_name);
  std::printf("quotes handled: %u by %d workers, sum of prices %llu (expected %llu)\n", all.quotes,
              workers, static_cast<unsigned long long>(all.price_sum),
              static_cast<unsigned long long>(expected));
  return all.quotes == count && all.price_sum == expected ? 0 : 1;
}
