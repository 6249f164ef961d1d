// Writing your own policies: a backoff that counts its rounds and a parking
// backend that counts its sleeps, plugged into mpmc::queue like the built-in
// ones. The concepts in <mpmc/concepts.hpp> say what each must provide; a
// type that falls short fails to compile with a sentence naming the concept.
#include <mpmc/mpmc.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <thread>

// A backoff: names its category, is default-constructible, and has a
// noexcept call operator. One object is made per blocking call.
struct counting_backoff {
  using category = mpmc::tag::backoff;
  static inline std::atomic<long> rounds{0};
  void operator()() noexcept {
    ++rounds;
    mpmc::backend::cpu_relax();
  }
};
static_assert(mpmc::backoff_policy<counting_backoff>);

// A parking backend: sleeps on a 32-bit word while it holds `seen`, and
// wakes sleepers. This one counts, and lets the portable backend do the work.
struct counting_backend {
  static inline std::atomic<long> sleeps{0};
  static inline std::atomic<long> wakes{0};
  mpmc::backend::atomic_wait inner;

  void wait(std::atomic<std::uint32_t>& word, std::uint32_t seen) noexcept {
    ++sleeps;
    inner.wait(word, seen);
  }
  template <class Clock, class Duration>
  bool wait_until(std::atomic<std::uint32_t>& word, std::uint32_t seen,
                  const std::chrono::time_point<Clock, Duration>& deadline) noexcept {
    ++sleeps;
    return inner.wait_until(word, seen, deadline);
  }
  void wake(std::atomic<std::uint32_t>& word, std::uint32_t count) noexcept {
    ++wakes;
    inner.wake(word, count);
  }
  void wake_all(std::atomic<std::uint32_t>& word) noexcept {
    ++wakes;
    inner.wake_all(word);
  }
};
static_assert(mpmc::parking_backend<counting_backend>);

int main() {
  // Spin 8 rounds with our backoff, yield twice, then park on our backend.
  using queue = mpmc::queue<int, counting_backoff, mpmc::wait::park<counting_backend, 8, 2>>;
  queue q(4);

  std::thread consumer([&] {
    long sum = 0;
    while (auto v = q.pop()) sum += *v;
    std::cout << "consumer sum: " << sum << '\n';
  });
  // Wait until the consumer has run out of spins and yields and gone to
  // sleep in our backend; the first push then has to wake it.
  while (counting_backend::sleeps == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  for (int i = 1; i <= 10; ++i) q.push(i);
  q.close();
  consumer.join();

  std::cout << "backoff rounds: " << (counting_backoff::rounds > 0 ? "some" : "none")
            << ", parked: " << (counting_backend::sleeps > 0 ? "yes" : "no")
            << ", woken: " << (counting_backend::wakes > 0 ? "yes" : "no") << '\n';
}
