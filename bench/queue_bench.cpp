// Google Benchmark suite for our own queue types: the cost of one push+pop
// on one thread, and the throughput of one producer feeding one consumer.
//
//   cmake --preset bench && cmake --build --preset bench
//   build/bench/bench/queue_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only
#include <mpmc/mpmc.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>

namespace {

using spinning = mpmc::spinning_queue<std::uint64_t>;
using yielding = mpmc::yielding_queue<std::uint64_t>;
using dense_spinning = spinning::with<mpmc::padding::none>;
using parking = mpmc::parking_queue<std::uint64_t>;

// One try_push then one try_pop on an otherwise idle queue: the uncontended
// cost of the two claims (two compare-exchanges) and the two turn stores.
template <class Q>
void push_pop(benchmark::State& state) {
  Q q(1024);
  std::uint64_t v = 0;
  std::uint64_t out = 0;
  for (auto _ : state) {
    q.try_push(v++);
    q.try_pop(out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}

// Thread 0 pushes, thread 1 pops, through a queue of 1024. Both threads are
// started (and meet at Google Benchmark's barrier) before timing begins.
template <class Q>
void one_to_one(benchmark::State& state) {
  static std::unique_ptr<Q> q;
  if (state.thread_index() == 0) q = std::make_unique<Q>(1024);
  // Google Benchmark runs setup-by-thread-0 before the other threads pass
  // the start barrier of the loop below.
  std::uint64_t sum = 0;
  if (state.thread_index() == 0) {
    std::uint64_t v = 0;
    for (auto _ : state) q->push(v++);
  } else {
    for (auto _ : state) sum += *q->pop();
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(push_pop<spinning>);
BENCHMARK(push_pop<yielding>);
BENCHMARK(push_pop<dense_spinning>);
BENCHMARK(push_pop<parking>);
BENCHMARK(one_to_one<spinning>)->Threads(2)->UseRealTime();
BENCHMARK(one_to_one<yielding>)->Threads(2)->UseRealTime();
BENCHMARK(one_to_one<dense_spinning>)->Threads(2)->UseRealTime();
BENCHMARK(one_to_one<parking>)->Threads(2)->UseRealTime();

BENCHMARK_MAIN();
