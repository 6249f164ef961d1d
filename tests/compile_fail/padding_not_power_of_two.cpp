#include <mpmc/mpmc.hpp>

int main() {
  mpmc::queue<int, mpmc::padding::align_to<48>> q(8);
  return q.try_push(1) ? 0 : 1;
}
