// Our queue in shared memory (<mpmc/shm.hpp>) side by side with Boost.Interprocess's
// message_queue, both of capacity 1024 and both used by separate processes that open the queue by
// name.
//
//   cmake --preset bench && cmake --build --preset bench
//   build/bench/bench/shm_compare [REPS [ITEMS]] [--scenarios S,...] [--contenders C,...]
//       [--timeout SECONDS]
//
// REPS defaults to 5, ITEMS to 1000000. Scenarios, each with processes forked by the measurement:
//   roundtrip  the measuring process and one echo process, a request and a response queue,
//              ITEMS/10 round trips of a uint64_t; ns per round trip
//   1x1        one producer process, one consumer process, one queue, ITEMS items; M items/s
//   4x4        4 producer and 4 consumer processes, one queue, ITEMS items; M items/s
//   idle       one consumer process blocked in pop on an empty queue for 1 s; its CPU time over
//              that second, in % of one core
// In 1x1 and 4x4 every item is checked delivered exactly once (count, sum, sum of squares). Each
// of roundtrip, 1x1 and 4x4 also reports the CPU time its processes spent in the timed work (each
// reads its own clock around it) divided by the wall time: the cores kept busy, what a figure
// costs, which on a machine with few cores decides whether spinning helps or hurts.
// Contenders: `shm` (mpmc::shm::queue<uint64_t>, which parks on a futex shared between
// processes), `shm-yield` (the same with wait::yield: it never sleeps, so `idle` shows what
// parking saves) and `message_queue` (boost::interprocess::message_queue, max_num_msg 1024,
// max_msg_size 8, send and receive: a mutex and two condition variables in the segment).
// message_queue has no close(), so every contender ends a run the same way: once all producers are
// done, one stop value (UINT64_MAX) per consumer, and all do identical work.
// iceoryx is left out: Debian 12 packages it (libiceoryx-posh-dev 2.0.3, not installed here), but
// every iceoryx process registers with the RouDi daemon, which a benchmark would have to start and
// stop around each measurement, and its model is publish/subscribe, not one queue shared by many
// producers and consumers.
//
// The method is async_compare.cpp's: each (contender, scenario) measurement runs in a process of
// its own (this program re-run with --one), so that none inherits another's heap, mappings or
// children, and one that hangs is killed after the timeout (default 60 s); the processes it
// forked die with it (PR_SET_PDEATHSIG). Repetitions are interleaved: every contender runs once
// per scenario before any runs twice, so a slow phase of the shared machine spreads over all of
// them. Each measurement of roundtrip, 1x1 and 4x4 first runs its scenario once at an eighth of the
// size, untimed, so that the program's pages and the kernel's paths for segments, forks and
// futexes are warm; idle has nothing to warm and would only take another second. The queues'
// names carry the measuring process's id and are removed as soon as every process has opened
// them, so that a run killed at the timeout leaves nothing in /dev/shm. The table shows medians,
// the ratio ours/message_queue of those medians, and the median of the per-repetition ratios
// (each repetition's contenders ran back to back); every repetition's samples follow the table.
#include "runner.hpp"

#include <mpmc/shm.hpp>

#include <boost/interprocess/creation_tags.hpp>
#include <boost/interprocess/ipc/message_queue.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

namespace {

using item = std::uint64_t;
constexpr std::size_t capacity = 1024;
constexpr item stop = std::numeric_limits<item>::max();  // items are 1..n, never this

// A wrong figure must not look like a fast one: a failed check ends the measurement. It throws
// rather than exits, so that the measuring process still removes its queues' names and kills its
// children on the way out.
void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(what);
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// This process's CPU time so far, user and system, in ns: the scheduler's exact count, where
// getrusage() rounds to microseconds.
std::int64_t own_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<std::int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

// --- the contenders
// -------------------------------------------------------------------------------

struct create_t {};
struct open_t {};

// Each contender: a queue created or opened by name, blocking push and pop of one item.
template <class Q>
struct ours {
  Q q;
  static std::string path(const std::string& name) { return "/" + name; }
  ours(create_t, const std::string& name) : q(Q::create(path(name), capacity)) {}
  ours(open_t, const std::string& name) : q(Q::open(path(name))) {}
  static void remove(const std::string& name) { Q::remove(path(name)); }
  void push(item v) { check(q.push(v), "push: the queue is closed"); }
  item pop() {
    const std::optional<item> v = q.pop();
    check(v.has_value(), "pop: the queue is closed");
    return *v;
  }
};

namespace bip = boost::interprocess;

struct message_queue {
  bip::message_queue q;
  message_queue(create_t, const std::string& name)
      : q(bip::create_only, name.c_str(), capacity, sizeof(item)) {}
  message_queue(open_t, const std::string& name) : q(bip::open_only, name.c_str()) {}
  static void remove(const std::string& name) { bip::message_queue::remove(name.c_str()); }
  void push(item v) { q.send(&v, sizeof v, 0); }
  item pop() {
    item v = 0;
    bip::message_queue::size_type got = 0;
    unsigned priority = 0;
    q.receive(&v, sizeof v, got, priority);
    check(got == sizeof v, "receive: a message of the wrong size");
    return v;
  }
};

// --- the processes of one measurement
// -------------------------------------------------------------

// A T in memory that this process and the children it forks afterwards share (MAP_SHARED |
// MAP_ANONYMOUS): the children report through it. T's atomics must be lock-free to work there.
template <class T>
class shared_anon {
 public:
  shared_anon() {
    void* p = mmap(nullptr, sizeof(T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    check(p != MAP_FAILED, "mmap of the shared report area failed");
    value_ = ::new (p) T{};
  }
  shared_anon(const shared_anon&) = delete;
  shared_anon& operator=(const shared_anon&) = delete;
  ~shared_anon() {
    value_->~T();
    munmap(value_, sizeof(T));
  }
  T* operator->() const noexcept { return value_; }
  T& operator*() const noexcept { return *value_; }

 private:
  T* value_;
};

// The children of one measurement: each is forked, opens the queues by name, says so on the
// `ready` pipe and, where the scenario times from a common start, waits at the `gate` pipe until
// the measuring process closes its end. Pipes rather than shared flags: a child waiting for the
// start sleeps in read() instead of spinning against the others for the machine's few cores.
class processes {
 public:
  processes() { check(pipe(ready_) == 0 && pipe(gate_) == 0, "pipe failed"); }
  processes(const processes&) = delete;
  processes& operator=(const processes&) = delete;
  // Reached with children still running only on a failure: they are killed, not waited for.
  ~processes() {
    for (pid_t pid : pids_) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    for (int fd : {ready_[0], ready_[1], gate_[0], gate_[1]})
      if (fd >= 0) close(fd);
  }

  // Forks a child that runs body(*this) and exits: status 0, or 1 if body threw.
  template <class Body>
  void spawn(Body body) {
    const pid_t parent = getpid();
    const pid_t pid = fork();
    check(pid >= 0, "fork failed");
    if (pid == 0) {
      int status = 1;
      // It dies with the measuring process, which the runner kills at the timeout, so that no
      // child is left spinning or blocked for ever. A parent gone before prctl() is caught too.
      if (prctl(PR_SET_PDEATHSIG, SIGKILL) == 0 && getppid() == parent) {
        close(ready_[0]);
        close(gate_[1]);
        try {
          body(*this);
          status = 0;
        } catch (const std::exception& e) {
          std::fprintf(stderr, "shm_compare: child process: %s\n", e.what());
        }
      }
      // No destructors, no atexit handlers, no flush of buffers copied from the parent.
      _exit(status);
    }
    pids_.push_back(pid);
  }

  // Child: the queues are open.
  void ready() {
    const char byte = 1;
    check(write(ready_[1], &byte, 1) == 1, "write to the ready pipe failed");
    // Closed, so that the parent reads end-of-file if every child died before saying ready.
    close(ready_[1]);
    ready_[1] = -1;
  }

  // Child: waits until the parent opens the gate (closes its end of the pipe).
  void wait_gate() const {
    char byte = 0;
    for (;;) {
      const ssize_t got = read(gate_[0], &byte, 1);
      if (got == 0) return;
      check(got > 0 || errno == EINTR, "read from the gate pipe failed");
    }
  }

  // Parent: waits until every child has opened the queues.
  void await_ready() {
    close(ready_[1]);
    ready_[1] = -1;
    for (std::size_t told = 0; told != pids_.size();) {
      char byte = 0;
      const ssize_t got = read(ready_[0], &byte, 1);
      check(got != 0, "a child process ended before opening the queue");
      check(got > 0 || errno == EINTR, "read from the ready pipe failed");
      if (got > 0) ++told;
    }
  }

  // Parent: lets the children waiting at the gate go.
  void open_gate() {
    close(gate_[1]);
    gate_[1] = -1;
  }

  // Parent: waits for every child to exit; throws if one failed.
  void reap() {
    bool ok = true;
    while (!pids_.empty()) {
      int status = 0;
      if (waitpid(pids_.back(), &status, 0) < 0) {
        check(errno == EINTR, "waitpid failed");
        continue;
      }
      pids_.pop_back();
      ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    check(ok, "a child process failed");
  }

 private:
  int ready_[2] = {-1, -1};
  int gate_[2] = {-1, -1};
  std::vector<pid_t> pids_;
};

// Unique among the measurements running at once: the measuring process's id and a count.
std::string fresh_name(const char* role) {
  static unsigned made = 0;
  return "mpmc-shm-compare-" + std::to_string(getpid()) + "-" + std::to_string(made++) + "-" + role;
}

// Removes the names it holds when it goes, on a failure too. Called early, once every process has
// the queues open: they keep them, and a run killed later leaves no name behind.
template <class C>
class names {
 public:
  explicit names(std::vector<std::string> all) : all_(std::move(all)) {}
  names(const names&) = delete;
  names& operator=(const names&) = delete;
  ~names() { remove(); }
  void remove() noexcept {
    for (const auto& name : all_) {
      try {
        C::remove(name);
      } catch (...) {
        // Nothing to do about a name that will not go; the run's figures stand.
      }
    }
    all_.clear();
  }

 private:
  std::vector<std::string> all_;
};

// extra: roundtrip, 1x1, 4x4: CPU time of all processes / wall time; idle: unused.
using bench::sample;

// What the children report. Lock-free atomics: they are address-free, so each process may use
// them at its own mapping. Every load the parent makes is relaxed and pairs with nothing: it reads
// after waitpid() has seen every child exit, which orders the children's stores before it.
struct report {
  std::atomic<item> count{0}, sum{0}, squares{0};  // sums modulo 2^64
  std::atomic<unsigned> producers_done{0}, consumers_done{0};
  std::atomic<std::int64_t> end{0};      // when the last consumer finished, steady_clock ns
  std::atomic<std::int64_t> cpu_ns{0};   // the children's CPU time between the gate and the end
  std::atomic<std::int64_t> wall_ns{0};  // idle: how long the consumer's pop blocked
};
static_assert(std::atomic<item>::is_always_lock_free &&
                  std::atomic<unsigned>::is_always_lock_free &&
                  std::atomic<std::int64_t>::is_always_lock_free,
              "shm_compare: the report area's atomics must be lock-free to be shared by processes");

// Runs a child's timed work and adds the CPU time it took to the report: the fork, the open and
// the wait at the gate are not the work, and would weigh on a short run.
template <class Work>
void timed(report& r, Work work) {
  const std::int64_t before = own_cpu_ns();
  work();
  // relaxed: pairs with nothing; the parent reads it after waitpid() (see report).
  r.cpu_ns.fetch_add(own_cpu_ns() - before, std::memory_order_relaxed);
}

// --- roundtrip: a request and a response queue, one echo process
// -----------------------------------

template <class C>
sample roundtrip(item n) {
  const std::string request_name = fresh_name("request"), response_name = fresh_name("response");
  names<C> guard({request_name, response_name});
  C request(create_t{}, request_name), response(create_t{}, response_name);
  shared_anon<report> r;
  processes children;
  children.spawn([&](processes& self) {
    C in(open_t{}, request_name), out(open_t{}, response_name);
    self.ready();
    self.wait_gate();
    timed(*r, [&] {
      for (;;) {
        const item v = in.pop();
        out.push(v);
        if (v == stop) return;
      }
    });
  });
  children.await_ready();
  guard.remove();
  const std::int64_t cpu_before = own_cpu_ns();
  const std::int64_t start = now_ns();
  children.open_gate();
  for (item i = 1; i <= n; ++i) {
    request.push(i);
    check(response.pop() == i, "roundtrip: wrong answer");
  }
  const std::int64_t end = now_ns();
  const std::int64_t cpu = own_cpu_ns() - cpu_before;
  request.push(stop);
  check(response.pop() == stop, "roundtrip: wrong answer to the stop value");
  children.reap();
  // relaxed: see report.
  const std::int64_t children_cpu = r->cpu_ns.load(std::memory_order_relaxed);
  const auto wall = static_cast<double>(end - start);
  return {wall / static_cast<double>(n), static_cast<double>(cpu + children_cpu) / wall};
}

// --- 1x1 and 4x4: producer and consumer processes on one queue
// -------------------------------------

template <class C>
void produce(C& q, item first, item last, unsigned producers, unsigned consumers, report& t) {
  for (item v = first; v <= last; ++v) q.push(v);
  // acq_rel: the release publishes this producer's completed pushes; the last producer's acquire
  // pairs with the others' releases, so its stop values follow every item of every producer.
  if (t.producers_done.fetch_add(1, std::memory_order_acq_rel) + 1 == producers)
    for (unsigned i = 0; i != consumers; ++i) q.push(stop);
}

template <class C>
void consume(C& q, unsigned consumers, report& t) {
  item count = 0, sum = 0, squares = 0;
  for (item v; (v = q.pop()) != stop;) {
    ++count;
    sum += v;
    squares += v * v;
  }
  // relaxed (the three adds): pair with nothing; the parent reads them after waitpid() (see
  // report).
  t.count.fetch_add(count, std::memory_order_relaxed);
  t.sum.fetch_add(sum, std::memory_order_relaxed);
  t.squares.fetch_add(squares, std::memory_order_relaxed);
  // relaxed: pairs with nothing; only the count matters. The last consumer to count takes the
  // time, which the parent reads after waitpid() (see report).
  if (t.consumers_done.fetch_add(1, std::memory_order_relaxed) + 1 == consumers)
    t.end.store(now_ns(), std::memory_order_relaxed);
}

template <class C>
sample streams(item n, unsigned producers, unsigned consumers) {
  const item per = n / producers;
  n = per * producers;
  const std::string name = fresh_name("queue");
  names<C> guard({name});
  C q(create_t{}, name);
  shared_anon<report> t;
  processes children;
  for (unsigned i = 0; i != consumers; ++i)
    children.spawn([&](processes& self) {
      C mine(open_t{}, name);
      self.ready();
      self.wait_gate();
      timed(*t, [&] { consume(mine, consumers, *t); });
    });
  for (unsigned i = 0; i != producers; ++i)
    children.spawn([&, i](processes& self) {
      C mine(open_t{}, name);
      self.ready();
      self.wait_gate();
      timed(*t, [&] { produce(mine, i * per + 1, (i + 1) * per, producers, consumers, *t); });
    });
  children.await_ready();
  guard.remove();
  const std::int64_t start = now_ns();
  children.open_gate();
  children.reap();
  // relaxed (every load here): see report.
  const std::int64_t end = t->end.load(std::memory_order_relaxed);
  const std::int64_t cpu = t->cpu_ns.load(std::memory_order_relaxed);
  // Items 1..n: a lost item and a duplicate could balance a count and a sum, hardly also the sum
  // of squares.
  item want_squares = 0;
  for (item v = 1; v <= n; ++v) want_squares += v * v;
  check(t->count.load(std::memory_order_relaxed) == n, "item count mismatch");
  check(t->sum.load(std::memory_order_relaxed) == n * (n + 1) / 2, "sum mismatch");
  check(t->squares.load(std::memory_order_relaxed) == want_squares, "sum of squares mismatch");
  const auto wall = static_cast<double>(end - start);
  return {static_cast<double>(n) / wall * 1e3, static_cast<double>(cpu) / wall};
}

// --- idle: a consumer blocked on an empty queue
// ----------------------------------------------------

constexpr auto idle_time = std::chrono::seconds(1);

template <class C>
sample idle() {
  const std::string name = fresh_name("queue");
  names<C> guard({name});
  C q(create_t{}, name);
  shared_anon<report> b;
  processes children;
  children.spawn([&](processes& self) {
    C mine(open_t{}, name);
    self.ready();
    // Its own CPU time around the pop only: the fork and the open are not the waiting.
    const std::int64_t start = now_ns();
    item v = 0;
    timed(*b, [&] { v = mine.pop(); });
    // relaxed: pairs with nothing; the parent reads it after waitpid() (see report).
    b->wall_ns.store(now_ns() - start, std::memory_order_relaxed);
    check(v == stop, "idle: wrong item");
  });
  children.await_ready();
  guard.remove();
  std::this_thread::sleep_for(idle_time);
  q.push(stop);
  children.reap();
  // relaxed (both): see report.
  const auto cpu = static_cast<double>(b->cpu_ns.load(std::memory_order_relaxed));
  const auto wall = static_cast<double>(b->wall_ns.load(std::memory_order_relaxed));
  return {100 * cpu / wall};
}

// --- the runner
// ------------------------------------------------------------------------------------

const std::vector<bench::contender> contenders = {
    {"shm", "mpmc::shm::queue (shared futex)", true},
    {"shm-yield", "mpmc::shm::queue, wait::yield", true},
    {"message_queue", "boost message_queue", false},
};

const std::vector<std::string> all_scenarios = {"roundtrip", "1x1", "4x4", "idle"};

template <class C>
sample measure(const std::string& scenario, item n) {
  if (scenario == "idle") return idle<C>();
  const auto once = [&](item size) {
    if (scenario == "roundtrip") return roundtrip<C>(size / 10);
    if (scenario == "1x1") return streams<C>(size, 1, 1);
    return streams<C>(size, 4, 4);
  };
  once(n / 8);
  return once(n);
}

sample measure(std::size_t who, const std::string& scenario, item n) {
  switch (who) {
    case 0:
      return measure<ours<mpmc::shm::queue<item>>>(scenario, n);
    case 1:
      return measure<ours<mpmc::shm::queue<item, mpmc::wait::yield>>>(scenario, n);
    default:
      return measure<message_queue>(scenario, n);
  }
}

std::vector<bench::row> rows_of(const std::string& s) {
  if (s == "roundtrip")
    return {{"roundtrip, ns per round trip", false, ""},
            {"roundtrip, CPU time / wall time", true, ""}};
  if (s == "1x1") return {{"1x1, M items/s", false, ""}, {"1x1, CPU time / wall time", true, ""}};
  if (s == "4x4") return {{"4x4, M items/s", false, ""}, {"4x4, CPU time / wall time", true, ""}};
  return {{"idle, CPU % of one core blocked in pop", false, ""}};
}

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  int timeout_s = 60;
  std::vector<std::string> scenarios = all_scenarios;
  std::vector<std::size_t> chosen = {0, 1, 2};
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const bool more = i + 1 < args.size();
    if (args[i] == "--timeout" && more) {
      timeout_s = std::max(1, std::atoi(args[++i].c_str()));
    } else if (args[i] == "--scenarios" && more) {
      scenarios = bench::split(args[++i]);
    } else if (args[i] == "--contenders" && more) {
      chosen = bench::pick(args[++i], contenders);
    } else if (args[i] == "--one" && i + 3 < args.size()) {
      // A child: one measurement, printed as "value extra".
      const std::size_t who = std::strtoul(args[i + 1].c_str(), nullptr, 10);
      check(who < contenders.size(), "--one: no such contender");
      const sample s = measure(who, args[i + 2], std::strtoull(args[i + 3].c_str(), nullptr, 10));
      std::printf("%.6g %.6g\n", s.value, s.extra);
      return 0;
    } else if (args[i].rfind("--", 0) == 0) {
      std::fprintf(stderr,
                   "usage: shm_compare [REPS [ITEMS]] [--scenarios S,...] [--contenders C,...]\n"
                   "         [--timeout SECONDS]\n"
                   "scenarios: roundtrip, 1x1, 4x4, idle; contenders: shm, shm-yield, "
                   "message_queue\n");
      return 2;
    } else {
      positional.push_back(args[i]);
    }
  }
  const int reps = positional.size() > 0 ? std::max(1, std::atoi(positional[0].c_str())) : 5;
  // At least 80: roundtrip's warm-up makes n/80 round trips.
  const item n = positional.size() > 1
                     ? std::max<item>(80, std::strtoull(positional[1].c_str(), nullptr, 10))
                     : 1000000;
  for (const auto& s : scenarios)
    check(std::find(all_scenarios.begin(), all_scenarios.end(), s) != all_scenarios.end(),
          "unknown scenario (roundtrip, 1x1, 4x4, idle)");
  const bench::results results =
      bench::interleave(reps, scenarios, contenders, chosen, [&](std::size_t s, std::size_t c) {
        return bench::measure_in_child("shm_compare", argv[0], {}, c, contenders, scenarios[s], n,
                                       timeout_s);
      });
  std::printf(
      "shm_compare: %d repetitions, %llu items (roundtrip %llu), capacity %zu, %u CPUs; "
      "medians\n\n",
      reps, static_cast<unsigned long long>(n), static_cast<unsigned long long>(n / 10), capacity,
      std::thread::hardware_concurrency());
  bench::report(results, scenarios, contenders, chosen,
                [&](std::size_t s) { return rows_of(scenarios[s]); });
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shm_compare: %s\n", e.what());
    return 1;
  }
}
