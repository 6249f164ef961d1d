#include <mpmc/mpmc.hpp>

#include <cstddef>

int main() {
  // One slot past the largest ring the 32-bit turn words can serve.
  using too_large = mpmc::capacity::fixed<(std::size_t{1} << 30) + 1>;
  mpmc::queue<int, too_large> q;
  return q.try_push(1) ? 0 : 1;
}
