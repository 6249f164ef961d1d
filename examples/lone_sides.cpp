// Two pipelines that know how many threads sit on each side of a queue.
//
// An audio stage: one capture thread hands blocks of samples to one mixer
// thread. Both sides are lone, so the queue claims positions with plain
// stores (no locked instruction) and the mixer drains it after close().
//
// A log sink: four workers write lines, one writer thread takes them. Only
// the consumer side is lone (multi-producer, single-consumer).
//
// The promise is the program's: a second thread pushing into a
// producers::single queue at the same time would be a data race.
#include <mpmc/mpmc.hpp>

#include <array>
#include <cstdint>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

struct block {
  std::uint32_t sequence = 0;
  std::array<std::int16_t, 64> samples{};
};

int main() {
  // --- audio: single producer, single consumer -----------------------------
  mpmc::queue<block, mpmc::producers::single, mpmc::consumers::single> audio(32);
  constexpr std::uint32_t blocks = 1000;
  std::int64_t mixed = 0;
  std::uint32_t in_order = 0;
  std::thread mixer([&] {
    std::uint32_t expected = 0;
    while (auto b = audio.pop()) {  // ends once closed and drained
      if (b->sequence == expected++) ++in_order;
      for (auto s : b->samples) mixed += s;
    }
  });
  std::thread capture([&] {
    for (std::uint32_t i = 0; i != blocks; ++i) {
      block b;
      b.sequence = i;
      b.samples.fill(static_cast<std::int16_t>(i % 100));
      audio.push(b);
    }
    audio.close();
  });
  capture.join();
  mixer.join();
  std::int64_t expected_mix = 0;
  for (std::uint32_t i = 0; i != blocks; ++i)
    expected_mix += 64 * static_cast<std::int64_t>(i % 100);
  std::cout << "audio blocks in order: " << in_order << " of " << blocks << ", mixed " << mixed
            << " (expected " << expected_mix << ")\n";

  // --- log sink: many producers, one consumer -------------------------------
  mpmc::queue<std::string, mpmc::consumers::single> log(64);
  constexpr int workers = 4, lines_each = 250;
  std::size_t lines = 0, bytes = 0;
  std::thread writer([&] {
    while (auto line = log.pop()) {
      ++lines;
      bytes += line->size();
    }
  });
  std::vector<std::thread> pool;
  for (int w = 0; w != workers; ++w)
    pool.emplace_back([&log, w] {
      for (int i = 0; i != lines_each; ++i) log.push("worker " + std::to_string(w) + " step");
    });
  for (auto& t : pool) t.join();
  log.close();
  writer.join();
  std::cout << "log lines: " << lines << ", bytes: " << bytes << "\n";

  const bool ok = in_order == blocks && mixed == expected_mix &&
                  lines == static_cast<std::size_t>(workers * lines_each) &&
                  bytes == static_cast<std::size_t>(workers * lines_each) * 13;
  return ok ? 0 : 1;
}
