// The user's program of every way in (tests/install/*): built against an installed mpmc,
// every include root must have been merged into one tree (<mpmc/queue.hpp>,
// <mpmc/wait.hpp>, <mpmc/backend/...>); built from the sources, all three are on the path.
#include <mpmc/mpmc.hpp>

#include <cstdio>
#include <thread>

int main() {
  mpmc::queue<int> q(8);
  std::thread producer([&] {
    for (int i = 1; i <= 100; ++i) q.push(i);
    q.close();
  });
  long sum = 0;
  while (auto v = q.pop()) sum += *v;
  producer.join();
  std::printf("mpmc works: sum %ld\n", sum);
  return sum == 5050 ? 0 : 1;
}
