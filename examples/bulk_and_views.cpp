// Batches in, a range out: a sensor thread hands the queue whole frames of
// readings with push_range (one claim per run of slots, not per reading), a
// logger takes what is there in fixed-size chunks with try_pop_n, and an
// analysis thread reads the rest as a range-v3 view that ends when the
// sensor closes the channel.
#include <mpmc/mpmc.hpp>
#include <mpmc/ranges.hpp>
#include <mpmc/views.hpp>

#include <range/v3/view/filter.hpp>
#include <range/v3/view/transform.hpp>

#include <array>
#include <iostream>
#include <thread>
#include <vector>

struct reading {
  int sensor;
  double celsius;
};

int main() {
  auto [tx, rx] = mpmc::make_channel<reading>(256);

  std::thread sensor([tx = std::move(tx)] {
    std::vector<reading> frame;
    for (int f = 0; f != 100; ++f) {
      frame.clear();
      for (int s = 0; s != 10; ++s) frame.push_back({s, 20.0 + (f * 10 + s) % 7});
      tx.push_range(frame);  // waits for room; the frame stays in order
    }
  });  // the last sender goes away here: the channel closes

  // Take a first chunk as soon as one is there, into a fixed buffer.
  std::array<reading, 32> chunk{};
  std::size_t logged = 0;
  while (logged == 0) logged = rx.try_pop_n(chunk.begin(), chunk.size());

  // Then the rest as a range: sensor 3's readings in Fahrenheit. (The filter
  // sees every reading once, so it also counts them.)
  double hottest = 0;
  long rest = 0;
  for (double f :
       mpmc::views::consume(rx) | ranges::views::filter([&rest](const reading& r) {
         ++rest;
         return r.sensor == 3;
       }) | ranges::views::transform([](const reading& r) { return r.celsius * 9 / 5 + 32; }))
    hottest = f > hottest ? f : hottest;
  sensor.join();

  std::cout << "readings: " << logged + static_cast<std::size_t>(rest) << " (expected 1000)\n"
            << "hottest reading of sensor 3: " << hottest << " F\n";
  return logged + static_cast<std::size_t>(rest) == 1000 ? 0 : 1;
}
