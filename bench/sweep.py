#!/usr/bin/env python3
"""Thread-scaling sweep: P producers x C consumers for every P, C in 1..max.

Drives the comparison runner (bench/compare.cpp) one producer count at a time,
so a run cut short still leaves every finished row in the output file, then
prints Markdown grids of items/s with each of our figures as a ratio to the
best peer in the same cell.

  python3 bench/sweep.py run build/bench/bench/compare --max 8 --reps 3 \\
      --items 1000000 --queues 0,2,8,9,10,11,12,13 --out sweep.json
  python3 bench/sweep.py table sweep.json
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def run(args):
    cells = {"max": args.max, "items": args.items, "reps": args.reps, "rows": []}
    order = sorted(range(1, args.max + 1), key=lambda p: (p & (p - 1) != 0, p))  # 1,2,4,8 first
    for p in order:
        names = ",".join(f"{p}x{c}" for c in range(1, args.max + 1))
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
            path = tmp.name
        # The runner moves a quarter of its item count in PxC scenarios.
        cmd = [args.compare, str(args.reps), str(4 * args.items), names, "--json", path,
               "--timeout", str(args.timeout)]
        if args.queues:
            cmd += ["--queues", args.queues]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with open(path) as f:
            cells["hardware_threads"] = json.load(f)["hardware_threads"]
            f.seek(0)
            cells["rows"].append(json.load(f)["scenarios"])
        os.unlink(path)
        with open(args.out, "w") as f:
            json.dump(cells, f)
        print(f"row P={p} done", file=sys.stderr, flush=True)


def table(args):
    with open(args.json) as f:
        data = json.load(f)
    grid = {}  # (queue, p, c) -> median
    kinds = {}
    for row in data["rows"]:
        for sc in row:
            p, c = (int(x) for x in sc["name"].split("x"))
            for q in sc["queues"]:
                grid[(q["queue"], p, c)] = q["median"]
                kinds[q["queue"]] = q["kind"]
    ps = sorted({k[1] for k in grid})
    cs = sorted({k[2] for k in grid})
    peers = [q for q, k in kinds.items() if k == "peer"]
    ours = [q for q, k in kinds.items() if k == "ours"]

    def best_peer(p, c):
        vals = [(grid[(q, p, c)], q) for q in peers if (q, p, c) in grid]
        return max(vals) if vals else (None, None)

    head = "| P \\ C | " + " | ".join(str(c) for c in cs) + " |"
    rule = "|---|" + "---:|" * len(cs)
    print(f"{data['reps']} repetitions (medians), {data['items']} items per cell, "
          f"{data.get('hardware_threads', '?')} hardware threads; M items/s\n")
    print("### best peer in each cell\n")
    print(head)
    print(rule)
    short = {q: q.split()[0] for q in peers}
    for p in ps:
        cells = []
        for c in cs:
            v, q = best_peer(p, c)
            cells.append("" if v is None else f"{v:.1f} {short[q]}")
        print(f"| {p} | " + " | ".join(cells) + " |")
    for q in ours:
        wins = total = 0
        print(f"\n### {q}: M items/s (x best peer)\n")
        print(head)
        print(rule)
        for p in ps:
            cells = []
            for c in cs:
                v = grid.get((q, p, c))
                b, _ = best_peer(p, c)
                if v is None or b is None:
                    cells.append("")
                    continue
                total += 1
                wins += v >= b
                cells.append(f"{v:.1f} ({v / b:.2f}x)")
            print(f"| {p} | " + " | ".join(cells) + " |")
        print(f"\nat or above the best peer in {wins} of {total} cells")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="verb", required=True)
    r = sub.add_parser("run")
    r.add_argument("compare")
    r.add_argument("--max", type=int, default=8)
    r.add_argument("--reps", type=int, default=3)
    r.add_argument("--items", type=int, default=1000000)
    r.add_argument("--queues", default="")
    r.add_argument("--timeout", type=int, default=30)
    r.add_argument("--out", default="sweep.json")
    t = sub.add_parser("table")
    t.add_argument("json")
    args = parser.parse_args()
    (run if args.verb == "run" else table)(args)


if __name__ == "__main__":
    main()
