// A pointer queued between processes: the address means nothing in the other process.
#include <mpmc/shm.hpp>

int main() {
  auto q = mpmc::shm::queue<int*>::create("/mpmc_compile_fail", 8);
  return q.try_push(nullptr) ? 0 : 1;
}
