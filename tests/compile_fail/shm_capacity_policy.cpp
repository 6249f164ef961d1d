// A capacity policy for a queue whose capacity create() takes.
#include <mpmc/shm.hpp>

int main() {
  auto q = mpmc::shm::queue<int, mpmc::capacity::fixed<8>>::create("/mpmc_compile_fail", 8);
  return q.try_push(1) ? 0 : 1;
}
