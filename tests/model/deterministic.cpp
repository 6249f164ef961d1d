// The scheduler behind deterministic.hpp. One explorer owns a pool of worker threads, one per
// thread of the scenario, reused from run to run. A worker runs only while it holds its baton (a
// binary semaphore); at every choice point the holder picks the next thread and hands the baton
// on, so everything the scheduler keeps is touched by one thread at a time, and the semaphores'
// release/acquire orders it.
//
// A run that deadlocks or livelocks leaves threads stopped inside the code under test (noexcept
// code cannot be unwound), so its explorer and scenario are abandoned, still reachable, in a
// graveyard: the exploration stops at its first failure anyway.
#include "deterministic.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <semaphore>
#include <sstream>
#include <thread>
#include <utility>

namespace mpmc::model {
namespace {

// Consecutive steps that change nothing after which a thread counts as spinning, for spin loops
// the model cannot see (std::this_thread::yield, cpu_relax).
constexpr std::uint32_t quiet_limit = 8;
// The trace printed with a failure: the run's last steps (MPMC_MODEL_TRACE for more).
std::size_t trace_shown() {
  const char* v = std::getenv("MPMC_MODEL_TRACE");
  return v != nullptr && *v != '\0' ? std::stoull(v) : 80;
}

enum class status : std::uint8_t { idle, runnable, parked, done };

struct model_thread {
  std::binary_semaphore baton{0};
  std::thread os;
  std::function<void()> body;
  std::uint32_t index = 0;
  status state = status::idle;
  const void* parked_on = nullptr;
  bool timed = false;
  std::int64_t deadline = 0;
  bool timed_out = false;
  std::uint64_t parked_at = 0;  // when it parked, for waking in order
  bool yielded = false;         // spinning: gives way to any thread that is not
  std::uint32_t quiet = 0;
};

struct alternative {
  enum kind_t : std::uint8_t { run, wake, tick, cas_succeeds, cas_fails } kind;
  std::uint8_t thread;
  std::uint8_t cost;  // preemptions it spends
  bool exhaustive;    // explored by exhaustive mode (not: switching to a spinning thread)
};

struct choice_point {
  std::array<alternative, 16> alts;
  std::uint8_t count = 0;
  std::uint8_t chosen = 0;
  std::uint32_t spent = 0;  // preemptions spent before this point
  void add(alternative a) { alts[count++] = a; }
};

struct event {
  std::uint32_t thread;
  op kind;
  const void* where;
  std::uint64_t before, after;
};

// How choices are made: a forced prefix (replay), then the default choice or a random one.
struct strategy {
  std::vector<std::uint8_t> prefix;
  std::vector<std::uint8_t> prefix_counts;  // checked where known (exhaustive mode)
  bool random = false;
  std::mt19937_64 rng;
  double p_switch = 0.1;  // random: chance of a preemption at a choice point
  double p_event = 0.02;  // random: chance of an injected wake, tick or CAS failure

  void seed(std::uint64_t s) {
    random = true;
    rng.seed(s);
    // Walks differ in how often they preempt: rare preemptions reach deep into long operations,
    // frequent ones interleave short ones finely.
    static constexpr double rates[] = {0.02, 0.1, 0.3, 0.6};
    p_switch = rates[s % 4];
    // And in how often the environment acts (a spurious wake, a clock move, a failed weak CAS).
    static constexpr double events[] = {0.01, 0.05, 0.2};
    p_event = events[s / 4 % 3];
  }
  double uniform() { return std::uniform_real_distribution<double>(0, 1)(rng); }
  std::size_t below(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  }

  // Picks among cp's alternatives; alts[0] is the default.
  std::uint8_t pick(const choice_point& cp) {
    if (!random) return 0;
    std::vector<std::uint8_t> runs, others, events;
    for (std::uint8_t i = 0; i != cp.count; ++i) {
      const alternative& a = cp.alts[i];
      if (a.kind == alternative::run)
        (a.exhaustive ? runs : others).push_back(i);
      else if (a.kind != alternative::cas_succeeds)
        events.push_back(i);
    }
    if (!events.empty() && uniform() < p_event) return events[below(events.size())];
    if (cp.alts[0].kind == alternative::cas_succeeds) return 0;
    // A spinning thread goes on now and then, so it can reach its next phase (parking, say)
    // while the thread it waits for is paused.
    if (!others.empty() && uniform() < 0.1) return others[below(others.size())];
    if (cp.alts[0].cost == 0 && cp.alts[0].exhaustive && runs.size() > 1 &&
        cp.alts[runs[1]].cost == 1) {
      // The current thread can go on: a preemption with probability p_switch.
      if (uniform() >= p_switch) return 0;
      return runs[1 + below(runs.size() - 1)];
    }
    return runs[below(runs.size())];
  }
};

std::string join(const std::vector<std::uint8_t>& v) {
  std::string s;
  for (std::size_t i = 0; i != v.size(); ++i) {
    if (i != 0) s += ',';
    s += std::to_string(v[i]);
  }
  return s;
}

std::vector<std::uint8_t> split(const std::string& s) {
  std::vector<std::uint8_t> v;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) v.push_back(static_cast<std::uint8_t>(std::stoul(item)));
  return v;
}

class explorer;
thread_local explorer* current_explorer = nullptr;
thread_local model_thread* current_thread = nullptr;

struct outcome {
  verdict result = verdict::passed;
  std::string message;
  std::size_t parks = 0, timeouts = 0, spurious = 0, steps = 0;
};

class explorer {
 public:
  explorer(const settings& s, std::size_t threads) : settings_(s), threads_(threads) {
    for (std::size_t i = 0; i != threads; ++i) {
      model_thread& t = threads_[i];
      t.index = static_cast<std::uint32_t>(i);
      t.os = std::thread([this, &t] { work(t); });
    }
  }
  explorer(const explorer&) = delete;
  explorer& operator=(const explorer&) = delete;
  ~explorer() {
    shutdown_ = true;
    for (model_thread& t : threads_) {
      t.baton.release();
      t.os.join();
    }
  }
  // A failed run's threads are stopped for good: detach them, keep the explorer reachable.
  static void abandon(std::unique_ptr<explorer> e, scenario sc) {
    for (model_thread& t : e->threads_) t.os.detach();
    static std::mutex m;
    static auto* graveyard = new std::vector<std::pair<std::unique_ptr<explorer>, scenario>>;
    const std::lock_guard<std::mutex> lock(m);
    graveyard->emplace_back(std::move(e), std::move(sc));
  }

  std::size_t size() const noexcept { return threads_.size(); }

  // One run of sc under st; `points` gets its choice points.
  outcome run(const scenario& sc, strategy& st) {
    strategy_ = &st;
    points_.clear();
    trace_.clear();
    steps_ = 0;
    spent_ = 0;
    now_ = 0;
    clock_used_ = false;
    spurious_left_ = settings_.spurious_wakes;
    ticks_left_ = settings_.ticks;
    cas_left_ = settings_.spurious_cas;
    outcome_ = {};
    for (std::size_t i = 0; i != threads_.size(); ++i) {
      model_thread& t = threads_[i];
      t.body = sc.threads[i];
      t.state = status::runnable;
      t.parked_on = nullptr;
      t.timed = t.timed_out = t.yielded = false;
      t.quiet = 0;
    }
    transfer(nullptr);
    finished_.acquire();
    outcome_.steps = steps_;
    if (outcome_.result == verdict::passed && sc.check) {
      std::string failed = sc.check();
      if (!failed.empty()) fail(verdict::check_failed, failed);
    }
    return outcome_;
  }

  const std::vector<choice_point>& points() const noexcept { return points_; }
  std::string schedule() const {
    std::vector<std::uint8_t> v;
    for (const choice_point& cp : points_) v.push_back(cp.chosen);
    return join(v);
  }

  // --- called by model threads, holding the baton ---

  void point() { transfer(current_thread); }

  void note(op kind, const void* where, std::uint64_t before, std::uint64_t after) {
    model_thread& t = *current_thread;
    trace_.push_back({t.index, kind, where, before, after});
    // A write of the value already there (a spin lock's exchange while held) changes nothing.
    const bool changes =
        ((kind == op::store || kind == op::exchange || kind == op::cas_ok || kind == op::rmw) &&
         before != after) ||
        kind == op::wake;
    if (changes) {
      t.quiet = 0;
      t.yielded = false;
      for (model_thread& u : threads_)
        if (&u != &t) u.yielded = false, u.quiet = 0;
    } else if (++t.quiet >= quiet_limit) {
      t.yielded = true;
    }
  }

  void yield_hint() { current_thread->yielded = true; }

  bool spurious_cas() {
    if (cas_left_ == 0) return false;
    choice_point cp;
    cp.add({alternative::cas_succeeds, 0, 0, true});
    cp.add({alternative::cas_fails, 0, 1, true});
    if (choose(cp).kind != alternative::cas_fails) return false;
    --cas_left_;
    return true;
  }

  void park(const void* word, bool timed, std::int64_t deadline) {
    model_thread& t = *current_thread;
    note(op::wait, word, 0, 0);
    t.state = status::parked;
    t.parked_on = word;
    t.timed = timed;
    t.deadline = deadline;
    t.timed_out = false;
    t.parked_at = ++parks_;
    ++outcome_.parks;
    transfer(&t);
  }
  bool timed_out() const { return current_thread->timed_out; }

  void unpark(const void* word, std::uint32_t count) {
    // Woken in the order they parked, as a fair futex would.
    std::vector<model_thread*> parked;
    for (model_thread& u : threads_)
      if (u.state == status::parked && u.parked_on == word) parked.push_back(&u);
    std::sort(parked.begin(), parked.end(), [](const model_thread* a, const model_thread* b) {
      return a->parked_at < b->parked_at;
    });
    std::uint32_t woken = 0;
    for (model_thread* u : parked) {
      if (woken == count) break;
      resume(*u, false);
      ++woken;
    }
    note(op::wake, word, count, woken);
  }

  std::int64_t now() {
    if (current_thread != nullptr) {
      point();
      clock_used_ = true;
      note(op::clock, &now_, static_cast<std::uint64_t>(now_), static_cast<std::uint64_t>(now_));
    }
    return now_;
  }

 private:
  void work(model_thread& t) {
    current_explorer = this;
    current_thread = &t;
    for (;;) {
      t.baton.acquire();
      if (shutdown_) return;
      t.body();
      t.state = status::done;
      transfer(&t);
    }
  }

  void resume(model_thread& u, bool timed_out) {
    u.state = status::runnable;
    u.parked_on = nullptr;
    u.timed_out = timed_out;
    u.yielded = false;
    u.quiet = 0;
  }

  // The clock moves to `to`; timed waiters whose deadline has come wake.
  void advance(std::int64_t to) {
    now_ = to;
    for (model_thread& u : threads_) {
      if (u.state == status::parked && u.timed && u.deadline <= now_) {
        resume(u, true);
        ++outcome_.timeouts;
      }
      u.yielded = false;
      u.quiet = 0;
    }
  }

  void fail(verdict v, const std::string& what) {
    if (outcome_.result != verdict::passed) return;
    outcome_.result = v;
    std::ostringstream out;
    out << what << "\nlast steps (thread: operation on object, value before -> after):\n";
    std::map<const void*, std::size_t> names;
    for (const event& e : trace_) names.emplace(e.where, names.size());
    static const char* const ops[] = {"load", "store", "exchange", "cas ok", "cas fails",
                                      "rmw",  "park",  "wake",     "clock"};
    const std::size_t shown = trace_shown();
    const std::size_t first = trace_.size() > shown ? trace_.size() - shown : 0;
    for (std::size_t i = first; i != trace_.size(); ++i) {
      const event& e = trace_[i];
      out << "  #" << i << " t" << e.thread << ": " << ops[static_cast<int>(e.kind)] << " a"
          << names[e.where] << ", " << e.before << " -> " << e.after << '\n';
    }
    outcome_.message = out.str();
  }

  std::string describe_stuck() const {
    std::ostringstream out;
    out << "no thread can run:";
    for (const model_thread& u : threads_)
      if (u.state == status::parked)
        out << " t" << u.index << " parked" << (u.timed ? " (timed)" : "") << ';';
      else if (u.state == status::done)
        out << " t" << u.index << " done;";
    return out.str();
  }

  // Hands the baton to the next thread (or back to the test's thread when the run is over); `cur`
  // (null: the test's thread starting a run) waits for it to come back unless it has finished.
  void transfer(model_thread* cur) {
    model_thread* next = next_thread(cur);
    if (next == cur) return;
    // Read before letting anyone run: once the run is over, the test's thread resets the states.
    const bool comes_back = cur != nullptr && cur->state != status::done;
    if (next == nullptr)
      finished_.release();
    else
      next->baton.release();
    if (comes_back) cur->baton.acquire();
    // A failed run's threads never get the baton back: they stop here or in a park.
  }

  alternative choose(choice_point& cp) {
    const std::size_t at = points_.size();
    std::uint8_t i;
    if (at < strategy_->prefix.size()) {
      i = strategy_->prefix[at];
      if (i >= cp.count ||
          (at < strategy_->prefix_counts.size() && strategy_->prefix_counts[at] != cp.count)) {
        fail(verdict::nondeterministic,
             "the replayed schedule does not fit the run: is the scenario deterministic?");
        i = 0;
      }
    } else {
      i = strategy_->pick(cp);
    }
    cp.chosen = i;
    cp.spent = spent_;
    spent_ += cp.alts[i].cost;
    points_.push_back(cp);
    return cp.alts[i];
  }

  model_thread* next_thread(model_thread* cur) {
    for (;;) {
      if (outcome_.result != verdict::passed) return nullptr;
      if (++steps_ > settings_.max_steps) {
        fail(verdict::livelock, "the run exceeded " + std::to_string(settings_.max_steps) +
                                    " steps (a livelock, or a scenario too long for the bound)");
        return nullptr;
      }
      std::size_t enabled = 0, spinning = 0, parked = 0;
      std::int64_t earliest = INT64_MAX;
      for (const model_thread& u : threads_) {
        if (u.state == status::runnable) ++enabled, spinning += u.yielded;
        if (u.state == status::parked) {
          ++parked;
          if (u.timed) earliest = std::min(earliest, u.deadline);
        }
      }
      if (enabled == 0) {
        if (earliest != INT64_MAX) {
          advance(std::max(earliest, now_));  // everyone sleeps: time passes
          continue;
        }
        if (parked == 0) return nullptr;  // all done
        fail(verdict::deadlock, describe_stuck() + " (a lost wake-up, or a deadlock)");
        return nullptr;
      }
      if (spinning == enabled && clock_used_) advance(now_ + 1);  // everyone spins: time passes

      choice_point cp;
      const std::size_t n = threads_.size();
      const std::size_t start = cur == nullptr ? 0 : cur->index + 1;
      const bool cur_goes_on = cur != nullptr && cur->state == status::runnable && !cur->yielded;
      if (cur_goes_on) cp.add({alternative::run, static_cast<std::uint8_t>(cur->index), 0, true});
      bool any_active = cur_goes_on;
      for (std::size_t k = 0; k != n; ++k) {  // active threads, round robin after cur
        const model_thread& u = threads_[(start + k) % n];
        if (&u == cur && cur_goes_on) continue;
        if (u.state == status::runnable && !u.yielded) {
          cp.add({alternative::run, static_cast<std::uint8_t>(u.index),
                  static_cast<std::uint8_t>(cur_goes_on ? 1 : 0), true});
          any_active = true;
        }
      }
      // Then spinning ones. When only spinners are left, the next in round-robin order goes free
      // and any other costs a preemption: otherwise exhaustive mode could let one spinner run for
      // ever, for nothing, beside one about to make progress.
      bool fair_turn = !cur_goes_on;
      for (std::size_t k = 0; k != n; ++k) {
        const model_thread& u = threads_[(start + k) % n];
        if (u.state == status::runnable && u.yielded) {
          cp.add({alternative::run, static_cast<std::uint8_t>(u.index),
                  static_cast<std::uint8_t>(fair_turn ? 0 : 1), !any_active});
          fair_turn = false;
        }
      }
      if (spurious_left_ != 0)
        for (const model_thread& u : threads_)
          if (u.state == status::parked)
            cp.add({alternative::wake, static_cast<std::uint8_t>(u.index), 1, true});
      if (ticks_left_ != 0 && clock_used_) cp.add({alternative::tick, 0, 1, true});

      const alternative a = cp.count == 1 ? cp.alts[0] : choose(cp);
      switch (a.kind) {
        case alternative::wake:
          --spurious_left_;
          ++outcome_.spurious;
          resume(threads_[a.thread], false);
          return &threads_[a.thread];
        case alternative::tick:
          // To the next deadline of a parked thread if there is one, else one tick on (a thread
          // that polls the clock sees it move).
          --ticks_left_;
          advance(earliest != INT64_MAX ? std::max(earliest, now_ + 1) : now_ + 1);
          continue;
        default:
          return &threads_[a.thread];
      }
    }
  }

  const settings settings_;
  std::vector<model_thread> threads_;
  std::binary_semaphore finished_{0};
  std::atomic<bool> shutdown_{false};

  strategy* strategy_ = nullptr;
  std::vector<choice_point> points_;
  std::vector<event> trace_;
  std::size_t steps_ = 0;
  std::uint32_t spent_ = 0;
  std::int64_t now_ = 0;
  std::uint64_t parks_ = 0;
  bool clock_used_ = false;
  std::uint32_t spurious_left_ = 0, ticks_left_ = 0, cas_left_ = 0;
  outcome outcome_;
};

std::optional<std::string> env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

// Runs `runs` under successive strategies until one fails or `next` says there are no more.
template <class Next>
report drive(const settings& s, const scenario_factory& make, Next next) {
  report r;
  scenario sc = make();
  auto e = std::make_unique<explorer>(s, sc.threads.size());
  strategy st;
  while (next(r, st, *e)) {
    if (r.schedules != 0) sc = make();
    if (sc.threads.size() != e->size()) {
      r.result = verdict::nondeterministic;
      r.message = "the scenario's thread count changed between runs";
      return r;
    }
    const outcome o = e->run(sc, st);
    ++r.schedules;
    r.parks += o.parks;
    r.timeouts += o.timeouts;
    r.spurious += o.spurious;
    r.longest = std::max(r.longest, o.steps);
    if (o.result == verdict::passed && sc.label) ++r.outcomes[sc.label()];
    if (o.result != verdict::passed) {
      r.result = o.result;
      r.schedule = e->schedule();
      // A long schedule (a livelock's) is better replayed by its seed.
      const std::string how = r.schedule.size() <= 600
                                  ? "; replay with MPMC_MODEL_REPLAY=" + r.schedule
                                  : "; " + std::to_string(e->points().size()) + " choices";
      r.message = to_string(o.result) + " after " + std::to_string(r.schedules) + " schedule(s)" +
                  how + "\n" + o.message;
      if (o.result == verdict::deadlock || o.result == verdict::livelock ||
          o.result == verdict::nondeterministic)
        explorer::abandon(std::move(e), std::move(sc));
      return r;
    }
  }
  return r;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

namespace detail {
void point() noexcept {
  if (current_explorer != nullptr) current_explorer->point();
}
void note(op kind, const void* where, std::uint64_t before, std::uint64_t after) noexcept {
  if (current_explorer != nullptr) current_explorer->note(kind, where, before, after);
}
bool active() noexcept { return current_explorer != nullptr; }
bool spurious_cas() noexcept {
  return current_explorer != nullptr && current_explorer->spurious_cas();
}
void park(const void* word, bool timed, std::int64_t deadline) noexcept {
  // Outside a model thread nobody could wake us: return, as a spurious wake-up.
  if (current_explorer != nullptr) current_explorer->park(word, timed, deadline);
}
bool timed_out() noexcept { return current_explorer != nullptr && current_explorer->timed_out(); }
void unpark(const void* word, std::uint32_t count) noexcept {
  if (current_explorer != nullptr) current_explorer->unpark(word, count);
}
std::int64_t now() noexcept { return current_explorer != nullptr ? current_explorer->now() : 0; }
void yield_hint() noexcept {
  if (current_explorer != nullptr) current_explorer->yield_hint();
}
}  // namespace detail

std::string to_string(verdict v) {
  switch (v) {
    case verdict::passed:
      return "passed";
    case verdict::deadlock:
      return "deadlock";
    case verdict::livelock:
      return "livelock";
    case verdict::check_failed:
      return "check failed";
    case verdict::nondeterministic:
      return "nondeterministic";
  }
  return "?";
}

report replay(const settings& s, const std::string& schedule, const scenario_factory& make) {
  bool once = true;
  return drive(s, make, [&](report&, strategy& st, explorer&) {
    st.prefix = split(schedule);
    return std::exchange(once, false);
  });
}

report random_walks(const settings& s, std::uint64_t first_seed, std::size_t seeds,
                    const scenario_factory& make) {
  if (auto r = env("MPMC_MODEL_REPLAY")) return replay(s, *r, make);
  std::uint64_t seed = first_seed;
  report r = drive(s, make, [&](report& rep, strategy& st, explorer&) {
    if (rep.schedules == seeds) return false;
    seed = first_seed + rep.schedules;
    st.seed(seed);
    return true;
  });
  r.seed = seed;
  if (r.failed())
    r.message = "seed " + std::to_string(seed) +
                " (replay with MPMC_MODEL_FIRST_SEED=" + std::to_string(seed) +
                " MPMC_MODEL_SEEDS=1): " + r.message;
  return r;
}

report exhaustive(const settings& s, std::uint32_t preemptions, std::size_t max_schedules,
                  const scenario_factory& make) {
  if (auto r = env("MPMC_MODEL_REPLAY")) return replay(s, *r, make);
  return drive(s, make, [&](report& rep, strategy& st, explorer& e) {
    if (rep.schedules == 0) return true;
    if (rep.schedules == max_schedules) {
      rep.complete = false;
      return false;
    }
    // The deepest choice point with an alternative not yet taken that the bound allows; the
    // alternatives of a point are taken in order, so those after `chosen` are the untried ones.
    const std::vector<choice_point>& pts = e.points();
    for (std::size_t i = pts.size(); i-- != 0;) {
      const choice_point& cp = pts[i];
      for (std::uint8_t j = cp.chosen + 1; j < cp.count; ++j) {
        if (!cp.alts[j].exhaustive || cp.spent + cp.alts[j].cost > preemptions) continue;
        st.prefix.resize(i + 1);
        st.prefix_counts.resize(i + 1);
        for (std::size_t k = 0; k != i; ++k) {
          st.prefix[k] = pts[k].chosen;
          st.prefix_counts[k] = pts[k].count;
        }
        st.prefix[i] = j;
        st.prefix_counts[i] = cp.count;
        return true;
      }
    }
    return false;
  });
}

std::size_t seeds_or(std::size_t fallback) {
  if (auto v = env("MPMC_MODEL_SEEDS")) return static_cast<std::size_t>(std::stoull(*v));
  return fallback;
}
std::uint32_t preemptions_or(std::uint32_t fallback) {
  if (auto v = env("MPMC_MODEL_PREEMPTIONS")) return static_cast<std::uint32_t>(std::stoul(*v));
  return fallback;
}
std::uint64_t first_seed_or(std::uint64_t fallback) {
  if (auto v = env("MPMC_MODEL_FIRST_SEED")) return std::stoull(*v);
  return fallback;
}

}  // namespace mpmc::model
