// A user-written backoff that claims the category but cannot be called.
#include <mpmc/mpmc.hpp>

struct my_backoff {
  using category = mpmc::tag::backoff;
  void spin() noexcept {}  // should have been operator()
};

int main() {
  mpmc::queue<int, my_backoff> q(8);
  return q.try_push(1) ? 0 : 1;
}
