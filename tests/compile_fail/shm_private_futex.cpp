// A queue in shared memory with a parking policy whose futex is private to one process.
#include <mpmc/shm.hpp>

int main() {
  auto q = mpmc::shm::queue<int, mpmc::wait::futex>::create("/mpmc_compile_fail", 8);
  return q.try_push(1) ? 0 : 1;
}
