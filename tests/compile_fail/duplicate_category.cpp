// Two policies of one category: which one should win is the user's call, so
// the composer refuses to guess.
#include <mpmc/mpmc.hpp>

int main() {
  mpmc::queue<int, mpmc::backoff::pause, mpmc::wait::spin, mpmc::backoff::none> q(8);
  return q.try_push(1) ? 0 : 1;
}
