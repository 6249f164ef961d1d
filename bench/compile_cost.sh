#!/usr/bin/env bash
# What a translation unit pays to use a queue: the compile time and peak memory of the quick start
# (`#include <mpmc/mpmc.hpp>`, a queue<int>, one push and one pop) against the same with
# atomic_queue's AtomicQueueB<int>, side by side in one run, -O2, for each compiler given.
#
#   bash bench/compile_cost.sh [RUNS] [COMPILER...]     # defaults: 5, g++ and clang++
#
# Time is the compiler's CPU time (user + system), which a parallel build pays per file, rather
# than wall time, which on a shared machine also counts waiting for a CPU. Each compiler compiles
# the files in turn, RUNS times, so that a slow phase of the machine falls on all of them; the table shows the medians and the ratios ours / atomic_queue's. Also measured:
# <mpmc/queue.hpp> alone, the core without handles and channels. Needs GNU time (/usr/bin/time) and
# atomic_queue's headers (Debian: libatomic-queue-dev).
# shellcheck disable=SC2016  # the TU names are Markdown, backquotes included
set -euo pipefail

runs=${1:-5}
shift || true
compilers=("$@")
((${#compilers[@]})) || compilers=(g++ clang++)

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
includes=(-I"$root/include" -I"$root/policies" -I"$root/backends")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/mpmc.cpp" <<'EOF'
#include <mpmc/mpmc.hpp>
int main() {
  mpmc::queue<int> q(1024);
  q.push(1);
  return *q.pop();
}
EOF
cat >"$work/core.cpp" <<'EOF'
#include <mpmc/queue.hpp>
int main() {
  mpmc::queue<int> q(1024);
  q.push(1);
  return *q.pop();
}
EOF
cat >"$work/atomic_queue.cpp" <<'EOF'
#include <atomic_queue/atomic_queue.h>
int main() {
  atomic_queue::AtomicQueueB<int> q(1024);
  q.push(1);
  return q.pop();
}
EOF

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '| compiler | TU | CPU s | peak MiB | CPU time / atomic_queue | memory / atomic_queue |\n'
printf '|---|---|---:|---:|---:|---:|\n'
for cxx in "${compilers[@]}"; do
  for tu in atomic_queue mpmc core; do : >"$work/$tu.t"; : >"$work/$tu.m"; done
  for ((r = 0; r < runs; ++r)); do
    for tu in atomic_queue mpmc core; do
      /usr/bin/time -f '%U %S %M' -o "$work/stat" \
        "$cxx" -std=c++20 -O2 "${includes[@]}" -c "$work/$tu.cpp" -o /dev/null
      read -r user sys kib <"$work/stat"
      awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }' >>"$work/$tu.t"
      echo "$kib" >>"$work/$tu.m"
    done
  done
  base_t=$(median <"$work/atomic_queue.t")
  base_m=$(median <"$work/atomic_queue.m")
  for tu in atomic_queue mpmc core; do
    t=$(median <"$work/$tu.t")
    m=$(median <"$work/$tu.m")
    case $tu in
      atomic_queue) name='atomic_queue `AtomicQueueB<int>`' ;;
      mpmc) name='`<mpmc/mpmc.hpp>`, `queue<int>`' ;;
      core) name='`<mpmc/queue.hpp>`, `queue<int>`' ;;
    esac
    awk -v c="$cxx" -v n="$name" -v t="$t" -v m="$m" -v bt="$base_t" -v bm="$base_m" 'BEGIN {
      printf "| %s | %s | %.2f | %.0f | %.2f | %.2f |\n", c, n, t, m / 1024, t / bt, m / bm }'
  done
done
