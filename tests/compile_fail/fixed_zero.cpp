#include <mpmc/mpmc.hpp>

int main() {
  mpmc::queue<int, mpmc::capacity::fixed<0>> q;
  return q.try_push(1) ? 0 : 1;
}
