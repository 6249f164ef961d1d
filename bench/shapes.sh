#!/bin/bash
# Builds the comparison runner in several code shapes and runs bench/ab.sh
# across them, so that a threaded result is judged over shapes, not on one.
#
#   bench/shapes.sh REPS "QUEUE:SCENARIO ..." ITEMS [SOURCE_DIR ...]
#   bench/shapes.sh 5 "2:1p1c 8:1p1c 10:1p1c 2:4x4" 2000000 . /tmp/patched
#
# Why: on the 2-vCPU machine a threaded scenario settles into one of a few
# regimes (a consumer that keeps up with its producer, or a producer that
# waits on a full queue for the consumer's current line), and which one
# depends on a few nanoseconds of difference between the two sides' loops.
# Loop alignment alone moves a queue's 1p1c figure by up to 4x
# (docs/benchmarks.md, "Code shape"). The shapes here are the same source
# with loops aligned to 1, 32 and 64 bytes and the default alignment; a
# change to the library is a cure only if it helps in most of them.
#
# Each SOURCE_DIR (default: this checkout) holds include/, policies/,
# backends/ and bench/compare.cpp: name this checkout and a patched copy to
# compare a change; all their binaries run interleaved. The binaries go to
# ${SHAPES_OUT:-/tmp/mpmc-shapes}, named after their source directory.
set -euo pipefail
if [ $# -lt 3 ]; then
  sed -n '2,20p' "$0"
  exit 2
fi
reps=$1
cases=$2
items=$3
shift 3
sources=("$@")
if [ ${#sources[@]} -eq 0 ]; then sources=("$(dirname "$0")/.."); fi
out=${SHAPES_OUT:-/tmp/mpmc-shapes}
mkdir -p "$out"
cxx=${CXX:-c++}

flags=(-std=gnu++20 -O3 -DNDEBUG -falign-functions=64)
libs=(-lpthread)
if [ -f /usr/include/oneapi/tbb/concurrent_queue.h ] || [ -f /usr/include/tbb/concurrent_queue.h ]; then
  flags+=(-DMPMC_BENCH_HAVE_TBB=1)
  libs+=(-ltbb)
fi

shapes=("" "-falign-loops=1" "-falign-loops=32" "-falign-loops=64")
names=(default loops1 loops32 loops64)
binaries=()
pids=()
for dir in "${sources[@]}"; do
  src=$(cd "$dir" && pwd)
  for i in "${!shapes[@]}"; do
    bin="$out/$(basename "$src")-${names[$i]}"
    # shellcheck disable=SC2086  # an empty shape is no argument
    "$cxx" "${flags[@]}" -I"$src/include" -I"$src/policies" -I"$src/backends" ${shapes[$i]} \
      -o "$bin" "$src/bench/compare.cpp" "${libs[@]}" &
    pids+=($!)
    binaries+=("$bin")
    if ((${#pids[@]} == 2)); then  # two compilers at a time; a failed one stops the script
      for p in "${pids[@]}"; do wait "$p"; done
      pids=()
    fi
  done
done
for p in "${pids[@]}"; do wait "$p"; done
"$(dirname "$0")/ab.sh" "$reps" "$cases" "$items" "${binaries[@]}"
