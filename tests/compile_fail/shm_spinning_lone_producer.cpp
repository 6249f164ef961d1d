// A lone producer in shared memory with a spinning policy, whose fence reaches one process only.
#include <mpmc/shm.hpp>

int main() {
  auto q = mpmc::shm::queue<int, mpmc::wait::spin, mpmc::producers::single>::create(
      "/mpmc_compile_fail", 8);
  return q.try_push(1) ? 0 : 1;
}
