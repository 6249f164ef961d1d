// Where a parked consumer's wake-up time goes: the runner's `idle` scenario
// measures push-to-return as one figure; this splits it in three, with a
// backend that stamps the clock around the kernel calls:
//   before wake   the push, from the producer's stamp to the FUTEX_WAKE call
//                 (claim, publish, finding the sleeper, bumping the epoch)
//   kernel        from that call to the sleeper's return from FUTEX_WAIT
//   after wake    from there to pop() returning (the claim of the element)
// and runs a bare futex wait/wake the same way, whose "kernel" part is the
// floor. Each figure is the median over `samples` wake-ups, 20 ms apart, so
// the queue's lines have gone cold as in the `idle` scenario. A default
// queue keeps its slots in a heap block of their own; a queue whose slots
// sit inside the object is measured too, to show what the extra page costs
// a push that starts cold.
//
//   build/bench/bench/wake_breakdown [samples]
#include <mpmc/mpmc.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace {

using stamp = std::uint64_t;

stamp now_ns() {
  return static_cast<stamp>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::steady_clock::now().time_since_epoch())
                                .count());
}

// The last wake call and the last return from a wait, by any thread. All
// accesses relaxed: the consumer reads them after the futex wake that
// followed the store has woken it (the kernel orders the two), and a stale
// figure would only skew one sample of a diagnostic.
std::atomic<stamp> wake_called{0};
std::atomic<stamp> wait_returned{0};

// The futex backend, stamping the clock around its kernel calls.
struct stamping_backend {
  void wait(std::atomic<std::uint32_t>& word, std::uint32_t seen) noexcept {
    real.wait(word, seen);
    wait_returned.store(now_ns(), std::memory_order_relaxed);
  }
  template <class Clock, class Duration>
  bool wait_until(std::atomic<std::uint32_t>& word, std::uint32_t seen,
                  const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    return real.wait_until(word, seen, deadline);
  }
  void wake(std::atomic<std::uint32_t>& word, std::uint32_t count) noexcept {
    wake_called.store(now_ns(), std::memory_order_relaxed);
    real.wake(word, count);
  }
  void wake_all(std::atomic<std::uint32_t>& word) noexcept { real.wake_all(word); }
  [[no_unique_address]] mpmc::backend::linux_futex real;
};

struct parts {
  std::vector<double> before, kernel, after, total;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// `wait()` returns the producer's stamp; `wake(t)` hands it over.
template <class Wait, class Wake>
parts measure(int samples, Wait&& wait, Wake&& wake) {
  parts p;
  std::latch ready(2);
  std::thread consumer([&] {
    ready.arrive_and_wait();
    for (int s = 0; s != samples; ++s) {
      const stamp pushed = wait();
      const stamp returned = now_ns();
      const stamp called = wake_called.load(std::memory_order_relaxed);
      const stamp woke = wait_returned.load(std::memory_order_relaxed);
      p.before.push_back(static_cast<double>(called - pushed) / 1e3);
      p.kernel.push_back(static_cast<double>(woke - called) / 1e3);
      p.after.push_back(static_cast<double>(returned - woke) / 1e3);
      p.total.push_back(static_cast<double>(returned - pushed) / 1e3);
    }
  });
  ready.arrive_and_wait();
  for (int s = 0; s != samples; ++s) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    wake(now_ns());
  }
  consumer.join();
  return p;
}

void print(const char* name, const parts& p) {
  std::printf("| %s | %.2f | %.2f | %.2f | %.2f |\n", name, median(p.before), median(p.kernel),
              median(p.after), median(p.total));
}

}  // namespace

int main(int argc, char** argv) {
  const int samples = argc > 1 ? std::max(1, std::atoi(argv[1])) : 51;
  std::printf("median of %d wake-ups, us\n\n", samples);
  std::printf(
      "| | before wake | kernel | after wake | push to return |\n|---|---:|---:|---:|---:|\n");

  // Everything measured lives in a heap block of its own, as in the
  // runner's idle scenario: on the main thread's stack it would share a page
  // the producer touches all the time.
  auto q = std::make_unique<mpmc::queue<stamp, mpmc::wait::park<stamping_backend>>>(1024);
  print("queue<T> (park on futex)",
        measure(
            samples, [&] { return *q->pop(); }, [&](stamp t) { q->push(t); }));

  // The same with its slots inside the queue object (no separate heap
  // block): fewer pages for the cold push to touch.
  auto inline_slots = std::make_unique<
      mpmc::queue<stamp, mpmc::capacity::fixed<64>, mpmc::wait::park<stamping_backend>>>();
  print("queue<T, capacity::fixed<64>>", measure(
                                             samples, [&] { return *inline_slots->pop(); },
                                             [&](stamp t) { inline_slots->push(t); }));

#if defined(__linux__)
  struct words {
    std::atomic<std::uint32_t> word{0};
    std::atomic<stamp> handed{0};
  };
  auto w = std::make_unique<words>();
  print("bare futex", measure(
                          samples,
                          [&] {
                            while (w->word.load() == 0) {
                              syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&w->word),
                                      FUTEX_WAIT_PRIVATE, 0, nullptr, nullptr, 0);
                              wait_returned.store(now_ns(), std::memory_order_relaxed);
                            }
                            w->word.store(0);
                            return w->handed.load();
                          },
                          [&](stamp t) {
                            w->handed.store(t);
                            w->word.store(1);
                            wake_called.store(now_ns(), std::memory_order_relaxed);
                            syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&w->word),
                                    FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
                          }));
#endif
}
