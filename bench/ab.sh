#!/bin/bash
# Compares builds of the comparison runner on the same measurements,
# interleaved: each repetition runs every binary on every case once, so a
# slow phase of a shared machine hits them all. Prints the median and the
# interquartile range of each binary's figures per case.
#
#   bench/ab.sh REPS "QUEUE:SCENARIO ..." ITEMS BINARY [BINARY ...]
#   bench/ab.sh 11 "2:pair 2:1p1c 2:4x4" 2000000 /tmp/compare_before build/bench/bench/compare
#
# With LINK=NS in the environment, threaded samples are also split by the
# runner's link probe (the CPU-to-CPU round trip taken before and after each
# one): "near" when both probes were under NS, "far" when both were at or
# above it; each class gets its own median and count. On the 2-vCPU VM,
# LINK=250 separates the two placements the host gives its vCPUs
# (docs/benchmarks.md, "The two vCPUs").
#
# QUEUE is an index from `compare --list` (the same in both builds only if
# their queue lists match). Use it before keeping a change that is meant to
# be faster: on the 2-core CI machine single runs of the threaded scenarios
# move by up to 2x, so one run decides nothing.
set -euo pipefail
if [ $# -lt 4 ]; then
  sed -n '2,20p' "$0"
  exit 2
fi
reps=$1
cases=$2
items=$3
shift 3
binaries=("$@")

quartiles() {  # median [q1-q3] of the numbers on stdin
  sort -g | awk '{ v[NR] = $1 }
    END { printf "%.1f [%.1f-%.1f]", v[int((NR + 1) / 2)], v[int(NR / 4) + 1], v[int(3 * NR / 4) + 1] }'
}

# Repetitions outermost: every case and binary runs once per repetition,
# so a slow phase of the host hits all of them alike.
declare -A values=() near=() far=()
for ((r = 0; r < reps; r++)); do
  for c in $cases; do
    for k in "${!binaries[@]}"; do
      read -r value _ before after <<<"$("${binaries[$k]}" --one "${c%%:*}" "${c#*:}" "$items")"
      values["$c|$k"]+="$value "
      if [ -n "${LINK:-}" ] && [ -n "${after:-}" ]; then
        class=$(awk -v b="$before" -v a="$after" -v t="$LINK" \
          'BEGIN { print (b < t && a < t) ? "near" : (b >= t && a >= t) ? "far" : "mixed" }')
        case $class in
          near) near["$c|$k"]+="$value " ;;
          far) far["$c|$k"]+="$value " ;;
        esac
      fi
    done
  done
done
class_median() {  # "median (count)" of the numbers in $1, or "- (0)"
  if [ -z "$1" ]; then
    echo "- (0)"
  else
    printf '%s\n' $1 | sort -g | awk '{ v[NR] = $1 } END { printf "%.1f (%d)", v[int((NR + 1) / 2)], NR }'
  fi
}
for c in $cases; do
  line="$c"
  for k in "${!binaries[@]}"; do
    line+=" | ${binaries[$k]} $(printf '%s\n' ${values["$c|$k"]} | quartiles)"
    if [ -n "${LINK:-}" ]; then
      line+=" near $(class_median "${near["$c|$k"]:-}") far $(class_median "${far["$c|$k"]:-}")"
    fi
  done
  echo "$line"
done
