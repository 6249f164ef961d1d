#include <mpmc/mpmc.hpp>

int main() {
  mpmc::queue<int&> q(8);
  return static_cast<int>(q.capacity());
}
