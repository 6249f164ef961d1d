// Google Benchmark micro-benchmarks of our own queue types, in these groups:
//
//   single_threaded_throughput/N     push N items, then pop N (N = 64 .. 4096)
//   multi_producer_single_consumer/P P producers, 1 consumer
//   single_producer_multi_consumer/C 1 producer, C consumers
//   multi_producer_multi_consumer/K  K producers, K consumers
//   latency/push, latency/pop        one uncontended push (pop), timed alone
//   contention/capacity              8 producers x 8 consumers, small capacities
//   push_pop, one_to_one             one push+pop pair; 1 producer + 1 consumer
//
// Threads are started by Google Benchmark and meet at its barrier before the
// clock starts, so thread creation is not timed. Multi-threaded rows report
// real time per item. Items are processed counts of pops.
//
//   cmake --preset bench && cmake --build --preset bench
//   build/bench/bench/queue_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <mpmc/mpmc.hpp>

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace {

using item = std::uint64_t;
using parking = mpmc::queue<item>;  // the default: pause, then park on a futex
using spinning = mpmc::spinning_queue<item>;
using yielding = mpmc::yielding_queue<item>;
using padded_spinning = spinning::with<mpmc::padding::cache_line>;

// The queue shared by a multi-threaded benchmark's threads. Thread 0 builds
// it before the start barrier; every thread dereferences the pointer only
// inside the timed loop, which begins after that barrier.
template <class Q>
std::unique_ptr<Q>& shared_queue(benchmark::State& state, std::size_t capacity) {
  static std::unique_ptr<Q> q;
  if (state.thread_index() == 0) q = std::make_unique<Q>(capacity);
  return q;
}

template <class Q>
void single_threaded_throughput(benchmark::State& state) {
  const auto n = static_cast<item>(state.range(0));
  Q q(static_cast<std::size_t>(n));
  item sum = 0;
  for (auto _ : state) {
    for (item i = 0; i != n; ++i) q.try_push(i);
    item v = 0;
    for (item i = 0; i != n; ++i) {
      q.try_pop(v);
      sum += v;
    }
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}

// Threads [0, producers) push `per_producer` items an iteration, the rest pop
// `per_consumer`; the counts balance, so the queue ends every run empty.
template <class Q>
void producers_consumers(benchmark::State& state, int producers, int per_producer, int per_consumer,
                         std::size_t capacity = 1024) {
  std::unique_ptr<Q>& q = shared_queue<Q>(state, capacity);
  item sum = 0;
  if (state.thread_index() < producers) {
    item v = 0;
    for (auto _ : state)
      for (int i = 0; i != per_producer; ++i) q->push(v++);
  } else {
    for (auto _ : state)
      for (int i = 0; i != per_consumer; ++i) sum += *q->pop();
    state.SetItemsProcessed(state.iterations() * per_consumer);
  }
  benchmark::DoNotOptimize(sum);
}

template <class Q>
void multi_producer_single_consumer(benchmark::State& state) {
  const int p = static_cast<int>(state.range(0));
  producers_consumers<Q>(state, p, 1, p);
}

template <class Q>
void single_producer_multi_consumer(benchmark::State& state) {
  const int c = static_cast<int>(state.range(0));
  producers_consumers<Q>(state, 1, c, 1);
}

template <class Q>
void multi_producer_multi_consumer(benchmark::State& state) {
  producers_consumers<Q>(state, static_cast<int>(state.range(0)), 1, 1);
}

template <class Q>
void contention(benchmark::State& state) {
  producers_consumers<Q>(state, 8, 1, 1, static_cast<std::size_t>(state.range(0)));
}

// One operation timed alone: batches of 256 pushes (or pops) are timed, the
// matching pops (pushes) that keep the queue in shape are not.
template <class Q, bool TimePush>
void latency(benchmark::State& state) {
  constexpr int batch = 256;
  Q q(batch);
  item v = 0;
  if constexpr (!TimePush) {
    for (int i = 0; i != batch; ++i) q.try_push(v++);  // something to pop at once
  }
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    if constexpr (TimePush) {
      for (int i = 0; i != batch; ++i) q.try_push(v++);
    } else {
      for (int i = 0; i != batch; ++i) q.try_pop(v);
    }
    const auto t1 = std::chrono::steady_clock::now();
    if constexpr (TimePush) {
      for (int i = 0; i != batch; ++i) q.try_pop(v);
    } else {
      for (int i = 0; i != batch; ++i) q.try_push(v++);
    }
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
  }
  benchmark::DoNotOptimize(v);
  state.SetItemsProcessed(state.iterations() * batch);
}

template <class Q>
void latency_push(benchmark::State& state) {
  latency<Q, true>(state);
}

template <class Q>
void latency_pop(benchmark::State& state) {
  latency<Q, false>(state);
}

// One try_push then one try_pop on an otherwise idle queue: the uncontended
// cost of the two claims (two compare-exchanges) and the two turn stores.
template <class Q>
void push_pop(benchmark::State& state) {
  Q q(1024);
  item v = 0;
  item out = 0;
  for (auto _ : state) {
    q.try_push(v++);
    q.try_pop(out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}

template <class Q>
void one_to_one(benchmark::State& state) {
  producers_consumers<Q>(state, 1, 1, 1);
}

}  // namespace

// Registers every group for one queue type, under names that say which.
template <class Q>
void register_queue(const std::string& name) {
  using benchmark::RegisterBenchmark;
  for (int n : {64, 256, 1024, 4096})
    RegisterBenchmark(("single_threaded_throughput/" + name).c_str(), single_threaded_throughput<Q>)
        ->Arg(n);
  for (int k : {1, 2, 4, 8}) {
    RegisterBenchmark(("multi_producer_single_consumer/" + name).c_str(),
                      multi_producer_single_consumer<Q>)
        ->Arg(k)
        ->Threads(k + 1)
        ->UseRealTime();
    RegisterBenchmark(("single_producer_multi_consumer/" + name).c_str(),
                      single_producer_multi_consumer<Q>)
        ->Arg(k)
        ->Threads(k + 1)
        ->UseRealTime();
    RegisterBenchmark(("multi_producer_multi_consumer/" + name).c_str(),
                      multi_producer_multi_consumer<Q>)
        ->Arg(k)
        ->Threads(2 * k)
        ->UseRealTime();
  }
  RegisterBenchmark(("latency/push/" + name).c_str(), latency_push<Q>)->UseManualTime();
  RegisterBenchmark(("latency/pop/" + name).c_str(), latency_pop<Q>)->UseManualTime();
  for (int capacity : {16, 64, 256})
    RegisterBenchmark(("contention/" + name).c_str(), contention<Q>)
        ->Arg(capacity)
        ->Threads(16)
        ->UseRealTime();
  RegisterBenchmark(("push_pop/" + name).c_str(), push_pop<Q>);
  RegisterBenchmark(("one_to_one/" + name).c_str(), one_to_one<Q>)->Threads(2)->UseRealTime();
}

int main(int argc, char** argv) {
  register_queue<parking>("parking");
  register_queue<spinning>("spinning");
  register_queue<yielding>("yielding");
  register_queue<padded_spinning>("padded_spinning");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
