// A user-written wait policy without a spin budget.
#include <mpmc/mpmc.hpp>

struct my_wait {
  using category = mpmc::tag::wait;
  static void idle() noexcept {}
};

int main() {
  mpmc::queue<int, my_wait> q(8);
  return q.try_push(1) ? 0 : 1;
}
