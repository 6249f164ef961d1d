// An element whose move constructor may throw cannot be moved out of a slot
// safely.
#include <mpmc/mpmc.hpp>

struct sticky {
  sticky() = default;
  sticky(sticky&&) {}  // not noexcept
};

int main() {
  mpmc::queue<sticky> q(8);
  return q.try_push(sticky{}) ? 0 : 1;
}
