// The skeleton that async_compare and shm_compare share: contenders chosen by key, every
// measurement a child process of the program (child_process.hpp), repetitions interleaved across
// scenarios and contenders, then a table of medians with ours / theirs ratios and every
// repetition's samples. Each program brings its scenarios, what one measurement does, and which
// rows a scenario reports.
#pragma once

#include "child_process.hpp"

#include <cstddef>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

namespace bench {

struct sample {
  double value = 0;
  double extra = 0;  // a second figure of the same run; each program says which
};

struct contender {
  const char* key;   // as --contenders takes it
  const char* name;  // as the table shows it
  bool ours;
};

// One line of the table: a figure of a scenario, with an optional goal for ours / theirs.
struct row {
  std::string label;
  bool extra;        // the sample's second figure rather than its first
  std::string goal;  // empty: no goal column
};

using results = std::vector<std::vector<std::vector<sample>>>;  // [scenario][contender][rep]

// The contenders a comma list names, in its order; throws for an unknown key.
inline std::vector<std::size_t> pick(const std::string& list, const std::vector<contender>& all) {
  std::vector<std::size_t> chosen;
  for (const std::string& key : split(list)) {
    std::size_t k = 0;
    while (k != all.size() && key != all[k].key) ++k;
    if (k == all.size()) throw std::runtime_error("no such contender: " + key);
    chosen.push_back(k);
  }
  return chosen;
}

// Runs `self --one WHO SCENARIO N` (after `extra_args`) and reads "value extra" from it; nullopt,
// said on stderr, if the child failed or ran past `timeout_s`.
inline std::optional<sample> measure_in_child(const char* program, const char* self,
                                              std::vector<std::string> args, std::size_t who,
                                              const std::vector<contender>& all,
                                              const std::string& scenario, unsigned long long n,
                                              int timeout_s) {
  args.insert(args.end(), {"--one", std::to_string(who), scenario, std::to_string(n)});
  const child_result c = run_child(self, args, timeout_s);
  sample s{};
  if (!c.ok || std::sscanf(c.out.c_str(), "%lf %lf", &s.value, &s.extra) != 2) {
    std::fprintf(stderr, "\n%s: %s, %s: %s\n", program, all[who].key, scenario.c_str(),
                 c.timed_out ? "timed out, killed" : "failed");
    return std::nullopt;
  }
  return s;
}

// Every chosen contender once per scenario before any runs twice, so that a slow phase of the
// shared machine spreads over all of them. `measure(s, c)` returns nullopt on failure, which ends
// the run. A progress line only where someone watches it, not in a captured log.
template <class Measure>
results interleave(int reps, const std::vector<std::string>& scenarios,
                   const std::vector<contender>& all, const std::vector<std::size_t>& chosen,
                   Measure measure) {
  const bool progress = isatty(STDERR_FILENO) != 0;
  results r(scenarios.size(), std::vector<std::vector<sample>>(all.size()));
  for (int rep = 0; rep != reps; ++rep)
    for (std::size_t s = 0; s != scenarios.size(); ++s)
      for (std::size_t c : chosen) {
        if (progress)
          std::fprintf(stderr, "\rrepetition %d/%d: %-12s %-14s", rep + 1, reps,
                       scenarios[s].c_str(), all[c].key);
        const std::optional<sample> one = measure(s, c);
        if (!one) throw std::runtime_error("a measurement failed");
        r[s][c].push_back(*one);
      }
  if (progress) std::fprintf(stderr, "\r%60s\r", "");
  return r;
}

inline std::vector<double> values(const results& r, std::size_t s, std::size_t c, bool extra) {
  std::vector<double> v;
  for (const sample& x : r[s][c]) v.push_back(extra ? x.extra : x.value);
  return v;
}

// The ratio of the medians, then the median of the per-repetition ratios (each repetition's
// contenders ran within seconds of each other). A repetition whose denominator is 0 (a process
// that used no measurable CPU) has no ratio.
inline std::string ratios(const std::vector<double>& mine, const std::vector<double>& theirs) {
  std::vector<double> per_rep;
  for (std::size_t k = 0; k != mine.size() && k != theirs.size(); ++k)
    if (theirs[k] != 0) per_rep.push_back(mine[k] / theirs[k]);
  if (median(theirs) == 0 || per_rep.empty()) return "- (denominator 0)";
  char text[64];
  std::snprintf(text, sizeof text, "%.3g (per rep %.3g)", median(mine) / median(theirs),
                median(per_rep));
  return text;
}

// The table of medians (with ours / the chosen peer and, where rows have one, the goal), then
// every repetition's samples. `rows_of(s)` gives scenario s's rows.
template <class RowsOf>
void report(const results& r, const std::vector<std::string>& scenarios,
            const std::vector<contender>& all, const std::vector<std::size_t>& chosen,
            RowsOf rows_of) {
  std::size_t theirs = all.size();
  for (std::size_t c : chosen)
    if (!all[c].ours) theirs = c;
  bool goals = false;
  for (std::size_t s = 0; s != scenarios.size(); ++s)
    for (const row& x : rows_of(s)) goals = goals || !x.goal.empty();
  std::printf("| scenario |");
  for (std::size_t c : chosen) std::printf(" %s |", all[c].name);
  if (theirs != all.size())
    for (std::size_t c : chosen)
      if (all[c].ours) std::printf(" %s / %s |", all[c].key, all[theirs].key);
  std::printf(goals ? " goal |\n|---|" : "\n|---|");
  for (std::size_t k = 0; k != chosen.size(); ++k) std::printf("---:|");
  if (theirs != all.size())
    for (std::size_t c : chosen)
      if (all[c].ours) std::printf("---:|");
  std::printf(goals ? "---|\n" : "\n");
  for (std::size_t s = 0; s != scenarios.size(); ++s)
    for (const row& x : rows_of(s)) {
      std::printf("| %s |", x.label.c_str());
      for (std::size_t c : chosen) std::printf(" %.4g |", median(values(r, s, c, x.extra)));
      if (theirs != all.size())
        for (std::size_t c : chosen)
          if (all[c].ours)
            std::printf(" %s |",
                        ratios(values(r, s, c, x.extra), values(r, s, theirs, x.extra)).c_str());
      if (goals) std::printf(" %s |", x.goal.empty() ? "-" : x.goal.c_str());
      std::printf("\n");
    }
  std::printf("\nEvery repetition, in the order they ran:\n\n");
  for (std::size_t s = 0; s != scenarios.size(); ++s)
    for (const row& x : rows_of(s))
      for (std::size_t c : chosen) {
        std::printf("  %-48s %-14s", x.label.c_str(), all[c].key);
        for (double v : values(r, s, c, x.extra)) std::printf(" %8.4g", v);
        std::printf("\n");
      }
}
}  // namespace bench
