#!/bin/bash
# Compares builds of the comparison runner on the same measurements,
# interleaved: each repetition runs every binary once per case, so a slow
# phase of a shared machine hits them all. Prints the median and the
# interquartile range of each binary's figures per case.
#
#   bench/ab.sh REPS "QUEUE:SCENARIO ..." ITEMS BINARY [BINARY ...]
#   bench/ab.sh 11 "2:pair 2:1p1c 2:4x4" 2000000 /tmp/compare_before build/bench/bench/compare
#
# QUEUE is an index from `compare --list` (the same in both builds only if
# their queue lists match). Use it before keeping a change that is meant to
# be faster: on the 2-core CI machine single runs of the threaded scenarios
# move by up to 2x, so one run decides nothing.
set -euo pipefail
if [ $# -lt 4 ]; then
  sed -n '2,13p' "$0"
  exit 2
fi
reps=$1
cases=$2
items=$3
shift 3
binaries=("$@")

quartiles() {  # median [q1-q3] of the numbers on stdin
  sort -g | awk '{ v[NR] = $1 }
    END { printf "%.1f [%.1f-%.1f]", v[int((NR + 1) / 2)], v[int(NR / 4) + 1], v[int(3 * NR / 4)] }'
}

for c in $cases; do
  queue=${c%%:*}
  scenario=${c#*:}
  declare -A values=()
  for ((r = 0; r < reps; r++)); do
    for k in "${!binaries[@]}"; do
      values[$k]+="$("${binaries[$k]}" --one "$queue" "$scenario" "$items" | cut -d' ' -f1) "
    done
  done
  line="$c"
  for k in "${!binaries[@]}"; do
    line+=" | ${binaries[$k]} $(printf '%s\n' ${values[$k]} | quartiles)"
  done
  echo "$line"
  unset values
done
