// producers::single and producers::many together contradict each other; the
// composer names the category instead of picking one.
#include <mpmc/mpmc.hpp>

int main() {
  mpmc::queue<int, mpmc::producers::single, mpmc::consumers::single, mpmc::producers::many> q(8);
  return q.try_push(1) ? 0 : 1;
}
