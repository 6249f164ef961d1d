// Side-by-side comparison of our queues with the peers that are installed,
// on the workloads of scenarios.hpp, through the adapters of peers.hpp.
//
//   cmake --preset bench && cmake --build --preset bench
//   build/bench/bench/compare [REPS [ITEMS [SCENARIO,...]]] [--queues Q,...]
//       [--json FILE] [--timeout SECONDS] [--warmup MS] [--in-process]
//   build/bench/bench/compare --list
//   build/bench/bench/compare --paired A B SCENARIO ITEMS SLICES [--warmup MS]
//
// REPS defaults to 3, ITEMS to 4000000, the scenarios to default_scenarios.
// A queue (Q, A, B) is named by its key or its index, as --list prints them;
// keys stay the same whichever peers are installed, indices do not.
//
// The method: each (queue, scenario) measurement runs in a process of its own
// (this program re-run with --one), so that none inherits another's heap,
// threads or page faults, and one that hangs is killed after the timeout
// (default 300 s). Repetitions are interleaved: every queue runs once per
// scenario before any runs twice, so a slow phase of a shared machine spreads
// over all of them. The tables show medians, and each median as a ratio to
// the best peer's; --json writes the same with every sample.
//
// Paired mode runs queues A and B alternately in one process, SLICES times
// each, and prints the median of the per-slice ratios A/B with its quartiles:
// both see the same CPUs and the same phase of the machine, which separate
// processes do not, so it resolves differences of a few percent.
//
// Single-producer single-consumer queues (ours with producers::single +
// consumers::single, atomic_queue's SPSC mode) run only the named scenarios
// with one thread a side (not PxC), and their "vs best peer" is the best SPSC
// peer. Queues with one lone side run 1p1c and the PxC scenarios whose lone
// side has one thread.
// Floors are not queues: two uncontended compare-exchanges (pair) and a bare
// futex wait and wake (idle), what no queue beats on the machine.
#include <mpmc/backend/condvar.hpp>
#include "child_process.hpp"
#include "peers.hpp"
#include "scenarios.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace {

using namespace bench;

// Which scenarios a queue runs, by its shape.
bool any_scenario(const std::string&) { return true; }
bool one_each(const std::string& s) {
  return producers_consumers(s).first == 0 && !find_scenario(s).name.empty();
}
bool one_consumer(const std::string& s) {
  return s == "1p1c" || producers_consumers(s).second == 1;
}
bool one_producer(const std::string& s) { return s == "1p1c" || producers_consumers(s).first == 1; }
bool pair_only(const std::string& s) { return s == "pair"; }
[[maybe_unused]] bool idle_only(const std::string& s) { return s == "idle"; }

struct entry {
  const char* key;   // what --queues and --paired take
  const char* name;  // what the tables and the chart show
  enum kind_type { ours_kind, peer_kind, floor_kind } kind;
  std::function<result(const std::string&, item)> run;
  bool (*runs)(const std::string&) = any_scenario;
  bool lone = false;  // one producer and one consumer: compared with its own kind
  std::vector<std::vector<result>> results = {};  // per chosen scenario
};

const char* kind_name(entry::kind_type kind) {
  return kind == entry::ours_kind ? "ours" : kind == entry::peer_kind ? "peer" : "floor";
}

template <class A>
entry make(const char* key, const char* name, entry::kind_type kind,
           bool (*runs)(const std::string&) = any_scenario, bool lone = false) {
  return {.key = key,
          .name = name,
          .kind = kind,
          .run = [name](const std::string& s, item n) { return run_scenario<A>(name, s, n); },
          .runs = runs,
          .lone = lone};
}

template <class... Policies>
using our = ours<mpmc::queue<item, Policies...>>;

// Every queue the run compares: ours, the peers that are installed, the
// single-producer or single-consumer queues, the floors. The order is the
// same in parent and child processes, so an index names a queue.
std::vector<entry> all_queues() {
  constexpr auto us = entry::ours_kind;
  constexpr auto peer = entry::peer_kind;
  std::vector<entry> q;
  q.push_back(make<ours<mpmc::spinning_queue<item>>>("spinning", "mpmc spinning_queue (spin)", us));
  q.push_back(
      make<ours<mpmc::yielding_queue<item>>>("yielding", "mpmc yielding_queue (yield)", us));
  q.push_back(make<our<>>("default", "mpmc queue<T> default (pause, park on futex)", us));
  q.push_back(make<our<mpmc::backoff::exponential, mpmc::wait::futex>>(
      "futex", "mpmc exponential + wait::futex", us));
  q.push_back(make<our<mpmc::wait::atomic_wait>>("atomic_wait", "mpmc wait::atomic_wait", us));
  q.push_back(make<our<mpmc::wait::condvar>>("condvar", "mpmc wait::condvar", us));
  q.push_back(
      make<our<mpmc::padding::cache_line>>("cache_line", "mpmc queue<T>, padding::cache_line", us));
  q.push_back(make<our<mpmc::padding::interleaved>>("interleaved",
                                                    "mpmc queue<T>, padding::interleaved", us));
  q.push_back(make<our<mpmc::claim::ticket>>("ticket", "mpmc queue<T>, claim::ticket", us));
#if defined(MPMC_BENCH_HAVE_ATOMIC_QUEUE)
  q.push_back(make<atomic_queue_b2<>>("atomic_queue", "atomic_queue AtomicQueueB2", peer));
#endif
#if defined(MPMC_BENCH_HAVE_XENIUM)
  q.push_back(make<xenium_vyukov>("xenium", "xenium vyukov_bounded_queue", peer));
#endif
#if defined(MPMC_BENCH_HAVE_MOODYCAMEL)
  q.push_back(make<moodycamel_blocking>("moodycamel", "moodycamel BlockingConcurrentQueue", peer));
#endif
#if defined(MPMC_BENCH_HAVE_BOOST_LOCKFREE)
  q.push_back(make<boost_lockfree>("boost", "boost::lockfree::queue", peer));
#endif
#if defined(MPMC_BENCH_HAVE_TBB)
  q.push_back(make<tbb_bounded>("tbb", "oneTBB concurrent_bounded_queue", peer));
#endif
  q.push_back(make<mutex_ring>("mutex", "mutex + condvar ring", peer));

  using one_p = mpmc::producers::single;
  using one_c = mpmc::consumers::single;
  using mpmc::claim::ticket;
  q.push_back(make<our<one_p, one_c>>("spsc", "mpmc producers::single + consumers::single", us,
                                      one_each, true));
#if defined(MPMC_BENCH_HAVE_ATOMIC_QUEUE)
  q.push_back(make<atomic_queue_b2<true>>("atomic_queue_spsc", "atomic_queue AtomicQueueB2, SPSC",
                                          peer, one_each, true));
#endif
  // One lone side, against the MPMC peers; with tickets for the side that has
  // many threads, whose compare-exchanges set the pace on many cores.
  q.push_back(make<our<one_c>>("mpsc", "mpmc consumers::single (MPSC)", us, one_consumer));
  q.push_back(make<our<one_p>>("spmc", "mpmc producers::single (SPMC)", us, one_producer));
  q.push_back(make<our<one_c, ticket>>("mpsc_ticket", "mpmc consumers::single + claim::ticket", us,
                                       one_consumer));
  q.push_back(make<our<one_p, ticket>>("spmc_ticket", "mpmc producers::single + claim::ticket", us,
                                       one_producer));

  q.push_back({.key = "floor_cas",
               .name = "(floor: two uncontended compare-exchanges)",
               .kind = entry::floor_kind,
               .run = [](const std::string&, item n) { return two_cas_floor(n); },
               .runs = pair_only});
#if defined(__linux__)
  q.push_back({.key = "floor_futex",
               .name = "(floor: bare futex wait + wake)",
               .kind = entry::floor_kind,
               .run = [](const std::string&, item) { return bare_futex_floor(); },
               .runs = idle_only});
#endif
  return q;
}

// A queue named by its index or its key; exits if there is none.
std::size_t find_queue(const std::vector<entry>& queues, const std::string& name) {
  for (std::size_t i = 0; i != queues.size(); ++i)
    if (name == queues[i].key) return i;
  char* end = nullptr;
  const unsigned long i = std::strtoul(name.c_str(), &end, 10);
  check(!name.empty() && *end == '\0' && i < queues.size(), name.c_str(),
        "no such queue (see --list)");
  return i;
}

result median(std::vector<result> v) {
  std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.value < b.value; });
  return v[v.size() / 2];
}

// Progress goes to stderr: on a terminal one line rewritten in place, the
// measurement under way; anywhere else (a file, a CI log) one line per
// finished pass over a scenario, since carriage returns there run every
// update into one line.
const bool live_progress = isatty(STDERR_FILENO) == 1;

// Clears the live line, so that a message starts at the left margin.
void clear_live_line() {
  if (live_progress) std::fprintf(stderr, "\r%76s\r", "");
}

// Runs one (queue, scenario) measurement in a child process of this same
// program. Returns nullopt (and says why on stderr) if the child failed or
// ran past `timeout_s`, in which case it is killed.
std::optional<result> run_isolated(const char* self, std::size_t queue, const char* name,
                                   const std::string& scenario, item n, int timeout_s) {
  const child_result c = run_child(self,
                                   {"--warmup", std::to_string(warmup.count()), "--one",
                                    std::to_string(queue), scenario, std::to_string(n)},
                                   timeout_s);
  result r{};
  if (!c.ok || std::sscanf(c.out.c_str(), "%lf %lf", &r.value, &r.cpu) != 2) {
    clear_live_line();
    std::fprintf(stderr, "compare: %s, %s: %s\n", name, scenario.c_str(),
                 c.timed_out ? "timed out, killed" : "failed");
    return std::nullopt;
  }
  return r;
}

void json_string(std::FILE* f, const std::string& s) {
  std::fputc('"', f);
  for (char c : s) {
    if (c == '"' || c == '\\') std::fputc('\\', f);
    std::fputc(c, f);
  }
  std::fputc('"', f);
}

void json_numbers(std::FILE* f, const std::vector<result>& v, double result::*field) {
  std::fputc('[', f);
  for (std::size_t i = 0; i != v.size(); ++i) std::fprintf(f, "%s%.6g", i ? ", " : "", v[i].*field);
  std::fputc(']', f);
}

// Queues A and B alternately in one process; see the top of this file.
int paired(const std::vector<entry>& queues, const std::vector<std::string>& args) {
  const std::size_t a = find_queue(queues, args[1]), b = find_queue(queues, args[2]);
  const std::string& scenario = args[3];
  check(!find_scenario(scenario).name.empty(), scenario.c_str(), "unknown scenario");
  check(queues[a].runs(scenario) && queues[b].runs(scenario), scenario.c_str(),
        "--paired: a queue does not run this scenario");
  const item n = std::strtoull(args[4].c_str(), nullptr, 10);
  const int slices = std::max(1, std::atoi(args[5].c_str()));
  std::vector<double> va, vb, ratio;
  for (int s = 0; s != slices; ++s) {
    // Alternate which goes first, so neither always follows the other.
    const bool a_first = s % 2 == 0;
    const double first = queues[a_first ? a : b].run(scenario, n).value;
    const double second = queues[a_first ? b : a].run(scenario, n).value;
    va.push_back(a_first ? first : second);
    vb.push_back(a_first ? second : first);
    ratio.push_back(va.back() / vb.back());
  }
  auto middle = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::sort(ratio.begin(), ratio.end());
  std::printf("%s, medians of %d slices: %s %.4g, %s %.4g; ratio per slice %.3f [%.3f-%.3f]\n",
              scenario.c_str(), slices, queues[a].name, middle(va), queues[b].name, middle(vb),
              middle(ratio), ratio[ratio.size() / 4], ratio[(3 * ratio.size()) / 4]);
  return 0;
}

void usage() {
  std::puts(
      "usage: compare [REPS [ITEMS [SCENARIO,...]]] [--queues Q,...] [--json FILE]\n"
      "               [--timeout SECONDS] [--warmup MS] [--in-process]\n"
      "       compare --list\n"
      "       compare --paired A B SCENARIO ITEMS SLICES [--warmup MS]\n"
      "       compare --one Q SCENARIO ITEMS [--warmup MS]   (one measurement)");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  const std::vector<entry> queue_list = all_queues();
  // --warmup MS applies in every mode, so it is taken out first.
  for (auto i = args.begin(); i != args.end(); ++i) {
    if (*i == "--warmup" && i + 1 != args.end()) {
      warmup = std::chrono::milliseconds(std::max(0, std::atoi(i[1].c_str())));
      args.erase(i, i + 2);
      break;
    }
  }
  if (args.size() == 4 && args[0] == "--one") {  // one measurement: "value cpu"
    const entry& q = queue_list[find_queue(queue_list, args[1])];
    check(!find_scenario(args[2]).name.empty(), args[2].c_str(), "unknown scenario");
    const result r = q.run(args[2], std::strtoull(args[3].c_str(), nullptr, 10));
    std::printf("%.17g %.17g\n", r.value, r.cpu);
    return 0;
  }
  if (args.size() == 6 && args[0] == "--paired") return paired(queue_list, args);

  std::vector<entry> queues = queue_list;
  std::string json_path;
  int timeout_s = 300;
  bool isolated = true;
  std::vector<bool> selected(queues.size(), true);
  std::vector<std::string> positional;
  for (std::size_t i = 0; i != args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    if (args[i] == "--json" && has_value) {
      json_path = args[++i];
    } else if (args[i] == "--timeout" && has_value) {
      timeout_s = std::max(1, std::atoi(args[++i].c_str()));
    } else if (args[i] == "--in-process") {
      isolated = false;
    } else if (args[i] == "--list") {
      for (std::size_t q = 0; q != queues.size(); ++q)
        std::printf("%2zu %-18s %-5s %s\n", q, queues[q].key, kind_name(queues[q].kind),
                    queues[q].name);
      std::printf("scenarios:");
      for (const scenario& s : named_scenarios) std::printf(" %s", s.name.c_str());
      std::printf(" PxC (1..256 a side); default %s\n", default_scenarios);
      return 0;
    } else if (args[i] == "--queues" && has_value) {
      selected.assign(queues.size(), false);
      for (const std::string& name : bench::split(args[++i]))
        selected[find_queue(queues, name)] = true;
    } else if (args[i].starts_with("-")) {
      usage();
      return args[i] == "--help" || args[i] == "-h" ? 0 : 2;
    } else {
      positional.push_back(args[i]);
    }
  }
  if (positional.size() > 3) {
    usage();
    return 2;
  }
  const int reps = positional.size() > 0 ? std::max(1, std::atoi(positional[0].c_str())) : 3;
  const item n =
      positional.size() > 1 ? std::strtoull(positional[1].c_str(), nullptr, 10) : 4'000'000;
  const std::vector<std::string> wanted =
      bench::split(positional.size() > 2 ? positional[2] : default_scenarios);
  // The named scenarios in the table's order, then any PxC as given.
  std::vector<scenario> chosen;
  for (const scenario& s : named_scenarios)
    if (std::find(wanted.begin(), wanted.end(), s.name) != wanted.end()) chosen.push_back(s);
  for (const std::string& name : wanted) {
    const scenario s = find_scenario(name);
    check(!s.name.empty(), name.c_str(), "unknown scenario (see --list)");
    const bool listed = std::any_of(std::begin(named_scenarios), std::end(named_scenarios),
                                    [&](const scenario& t) { return t.name == name; });
    if (!listed) chosen.push_back(s);
  }
  check(!chosen.empty(), "compare", "no scenario named (see --list)");
  report_missing_peers();

  for (auto& q : queues) q.results.resize(chosen.size());
  const auto started = std::chrono::steady_clock::now();
  for (int r = 0; r != reps; ++r) {
    for (std::size_t s = 0; s != chosen.size(); ++s) {
      const std::string& name = chosen[s].name;
      int measured = 0, failed = 0;
      for (std::size_t qi = 0; qi != queues.size(); ++qi) {
        auto& q = queues[qi];
        if (!selected[qi] || !q.runs(name)) continue;
        if (live_progress)
          std::fprintf(stderr, "\r%-46s %-9s rep %d/%d", q.name, name.c_str(), r + 1, reps);
        if (!isolated) {
          q.results[s].push_back(q.run(name, n));
        } else if (auto m = run_isolated(argv[0], qi, q.name, name, n, timeout_s)) {
          q.results[s].push_back(*m);
        } else {
          ++failed;
        }
        ++measured;
      }
      if (!live_progress) {
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::fprintf(stderr, "rep %d/%d %-14s %2d queues%s, %5.1f s so far\n", r + 1, reps,
                     name.c_str(), measured, failed ? ", some failed (above)" : "", elapsed);
      }
    }
  }
  clear_live_line();

  std::FILE* json = json_path.empty() ? nullptr : std::fopen(json_path.c_str(), "w");
  check(json_path.empty() || json != nullptr, json_path.c_str(), "cannot write the --json file");
  const unsigned threads = std::thread::hardware_concurrency();
  if (json) {
    std::fprintf(json,
                 "{\"repetitions\": %d, \"items\": %llu, \"hardware_threads\": %u, "
                 "\"isolated\": %s, \"warmup_ms\": %lld, \"scenarios\": [",
                 reps, static_cast<unsigned long long>(n), threads, isolated ? "true" : "false",
                 static_cast<long long>(warmup.count()));
  }
  std::printf("%d repetitions (medians), %llu items, %u hardware threads, %s, %lld ms warm-up\n",
              reps, static_cast<unsigned long long>(n), threads,
              isolated ? "one process per measurement" : "in one process",
              static_cast<long long>(warmup.count()));
  for (std::size_t s = 0; s != chosen.size(); ++s) {
    const scenario& sc = chosen[s];
    // The best peer of each class: a single-producer single-consumer queue
    // is measured against its own kind only.
    double best[2] = {sc.higher_is_better ? 0 : 1e300, sc.higher_is_better ? 0 : 1e300};
    for (auto& q : queues) {
      if (q.kind != entry::peer_kind || q.results[s].empty()) continue;
      const double v = median(q.results[s]).value;
      double& b = best[q.lone ? 1 : 0];
      b = sc.higher_is_better ? std::max(b, v) : std::min(b, v);
    }
    std::printf("\n### %s (%s; %s is better)\n\n", sc.name.c_str(), sc.unit,
                sc.higher_is_better ? "higher" : "lower");
    std::printf("| queue | %s | vs best peer |", sc.unit);
    if (sc.cpu_unit) std::printf(" %s |", sc.cpu_unit);
    std::printf("\n|---|---:|---:|%s\n", sc.cpu_unit ? "---:|" : "");
    if (json) {
      std::fprintf(json, "%s{\"name\": ", s == 0 ? "" : ", ");
      json_string(json, sc.name);
      std::fprintf(json, ", \"unit\": ");
      json_string(json, sc.unit);
      std::fprintf(json, ", \"cpu_unit\": ");
      if (sc.cpu_unit)
        json_string(json, sc.cpu_unit);
      else
        std::fputs("null", json);
      std::fprintf(json, ", \"higher_is_better\": %s, \"queues\": [",
                   sc.higher_is_better ? "true" : "false");
    }
    bool first = true;
    for (std::size_t qi = 0; qi != queues.size(); ++qi) {
      const entry& q = queues[qi];
      if (!selected[qi] || !q.runs(sc.name)) continue;
      if (q.results[s].empty()) {
        std::printf("| %s | failed | |%s\n", q.name, sc.cpu_unit ? " |" : "");
        continue;
      }
      const result m = median(q.results[s]);
      const double b = best[q.lone ? 1 : 0];
      const bool has_peer = b != 0 && b != 1e300;
      if (has_peer)
        std::printf("| %s | %.2f | %.2fx |", q.name, m.value, m.value / b);
      else
        std::printf("| %s | %.2f | |", q.name, m.value);
      if (sc.cpu_unit) std::printf(" %.3f |", m.cpu);
      std::printf("\n");
      if (json) {
        std::fprintf(json, "%s{\"queue\": ", first ? "" : ", ");
        json_string(json, q.name);
        std::fprintf(json, ", \"key\": ");
        json_string(json, q.key);
        std::fprintf(json, ", \"kind\": \"%s\", \"lone\": %s, \"median\": %.6g, \"cpu\": %.6g, ",
                     kind_name(q.kind), q.lone ? "true" : "false", m.value, m.cpu);
        if (has_peer)
          std::fprintf(json, "\"vs_best_peer\": %.6g, \"samples\": ", m.value / b);
        else
          std::fprintf(json, "\"vs_best_peer\": null, \"samples\": ");
        json_numbers(json, q.results[s], &result::value);
        std::fprintf(json, ", \"cpu_samples\": ");
        json_numbers(json, q.results[s], &result::cpu);
        std::fprintf(json, "}");
      }
      first = false;
    }
    if (json) std::fprintf(json, "]}");
  }
  if (json) {
    std::fprintf(json, "]}\n");
    std::fclose(json);
  }
}
