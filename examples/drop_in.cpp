// Swapping a hand-written mutex + condition variable queue for mpmc::queue by
// changing one line. The pipeline below only uses push(), pop() returning
// std::optional, and close(): the names mpmc::queue has.
#include <mpmc/mpmc.hpp>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

// The queue many codebases already have: bounded, blocking, closable.
template <class T>
class locked_queue {
 public:
  explicit locked_queue(std::size_t capacity) : capacity_(capacity) {}

  bool push(T value) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(value));
    not_empty_.notify_one();
    return true;
  }
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    T value = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return value;
  }
  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  std::size_t capacity_;
  bool closed_ = false;
};

// The one line that changes:
//   using work_queue = locked_queue<long>;
using work_queue = mpmc::queue<long>;

// A pipeline written against any queue with push/pop/close: four workers sum
// what one producer sends.
template <class Queue>
long pipeline() {
  Queue queue(64);
  std::vector<std::thread> workers;
  std::vector<long> sums(4, 0);
  for (std::size_t w = 0; w != sums.size(); ++w) {
    workers.emplace_back([&, w] {
      while (auto n = queue.pop()) sums[w] += *n;
    });
  }
  for (long n = 1; n <= 10'000; ++n) queue.push(n);
  queue.close();
  for (auto& t : workers) t.join();
  long total = 0;
  for (long s : sums) total += s;
  return total;
}

int main() {
  const long ours = pipeline<work_queue>();
  const long before = pipeline<locked_queue<long>>();  // the same code, the old queue
  std::cout << "total " << ours << " (with locked_queue: " << before << ")\n";
  return ours == 50'005'000 && before == ours ? 0 : 1;
}
