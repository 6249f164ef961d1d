// A type that names no category is not a policy (here: an easy slip, passing
// the capacity as a type).
#include <mpmc/mpmc.hpp>

#include <cstddef>

int main() {
  mpmc::queue<int, std::size_t> q(8);
  return q.try_push(1) ? 0 : 1;
}
