#!/usr/bin/env python3
"""Runs the comparison (bench/compare.cpp), writes its JSON results and draws the chart.

    cmake --preset bench && cmake --build --preset bench
    python3 bench/run.py                                  # the demo set of queues
    python3 bench/run.py --all                            # every queue, all our variants
    python3 bench/run.py --reps 5 --items 2000000 --chart docs/benchmarks.png
    python3 bench/run.py --scenarios pair,1p1c,idle --queues default,xenium,atomic_queue
    python3 bench/run.py --sweep --max 8                  # P x C grid, for many cores
    python3 bench/run.py --from build/bench/results.json  # redraw from earlier results

Unless --queues or --all names them, the queues are the demo set (DEMO_OURS
of ours, every peer and floor), which keeps the README's demo under two
minutes on two vCPUs. The report opens with one summary table (per scenario:
the default queue, the best of ours, the best peer, the ratio), then the
runner's Markdown tables (medians, ratio to the best peer); then this script
draws one bar chart per scenario: our queues blue, peers orange, the floors
grey, each bar a median and the dots the single repetitions, so the spread
between runs stays visible.

--sweep runs every P producers x C consumers scenario for P, C in 1..--max, one
producer count at a time, so a run cut short still leaves every finished row
in the JSON file; it prints Markdown grids of items/s, each of our figures with
its ratio to the best peer in the same cell, and draws one heat map of those
ratios per queue of ours.

Python 3.11 standard library; the chart needs matplotlib (Debian:
python3-matplotlib, for /usr/bin/python3) and is skipped without it.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build", "bench")  # where `cmake --preset bench` builds
COLORS = {"ours": "#1f77b4", "peer": "#ff7f0e", "floor": "#9e9e9e"}
# In a sweep, unless --queues says otherwise: these of ours and every peer.
SWEEP_OURS = ["spinning", "default", "ticket", "mpsc", "spmc", "mpsc_ticket", "spmc_ticket"]
# Otherwise, unless --queues or --all: the presets, the ticket claim and the
# one-sided queues of ours, every peer and floor. The other policy variants
# (wait, padding) add about 6 s each to a 3-repetition run, most of it in
# idle, which would take the README's demo past two minutes on two vCPUs.
DEMO_OURS = SWEEP_OURS + ["yielding", "spsc"]


def list_queues(binary):
    """The runner's queues as (key, kind) pairs, from `compare --list`."""
    out = subprocess.run([binary, "--list"], check=True, capture_output=True, text=True).stdout
    queues = []
    for line in out.splitlines():
        fields = line.split(None, 3)
        if len(fields) == 4 and fields[0].isdigit():
            queues.append((fields[1], fields[2]))
    return queues


def compare(args, scenarios, items, json_path, quiet=False):
    cmd = [args.binary, str(args.reps), str(items)] + ([scenarios] if scenarios else [])
    cmd += ["--json", json_path, "--timeout", str(args.timeout)]
    if args.queues:
        cmd += ["--queues", args.queues]
    if args.warmup is not None:
        cmd += ["--warmup", str(args.warmup)]
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    # The runner's tables are held back, so that the summary can come first.
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    with open(json_path) as f:
        run = json.load(f)
    if not quiet:
        head, tables = out.split("\n### ", 1) if "\n### " in out else (out, "")
        print(head.rstrip("\n") + "\n")
        summary(run)
        if tables:
            print("\n## Detail: every queue, scenario by scenario\n\n### " + tables, end="")
    return run


def sweep(args):
    if not args.queues and not args.all:
        listed = list_queues(args.binary)
        args.queues = ",".join(k for k, kind in listed if k in SWEEP_OURS or kind == "peer")
    items = args.items or 4_000_000  # PxC scenarios move a quarter: 1M items a cell
    run = None
    order = sorted(range(1, args.max + 1), key=lambda p: (p & (p - 1) != 0, p))  # 1, 2, 4, 8 first
    for p in order:
        names = ",".join(f"{p}x{c}" for c in range(1, args.max + 1))
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
            path = tmp.name
        try:
            row = compare(args, names, items, path, quiet=True)
        finally:
            os.unlink(path)
        if run is None:
            run = dict(row, scenarios=[], sweep=args.max)
        run["scenarios"] += row["scenarios"]
        write_json(run, args.json)
        print(f"row P={p} done", file=sys.stderr, flush=True)
    return run


def write_json(run, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        json.dump(run, f, indent=1)


def grid_of(run):
    """(queue name, P, C) -> median, the queues' kinds, and the P and C values."""
    grid, kinds = {}, {}
    for sc in run["scenarios"]:
        p, c = (int(x) for x in sc["name"].split("x"))
        for q in sc["queues"]:
            grid[(q["queue"], p, c)] = q["median"]
            # A single-producer single-consumer peer is no rival for the rest.
            kinds[q["queue"]] = "lone" if q["lone"] else q["kind"]
    return grid, kinds, sorted({k[1] for k in grid}), sorted({k[2] for k in grid})


def best_peer(grid, kinds, p, c):
    values = [(grid[(q, p, c)], q) for q, k in kinds.items() if k == "peer" and (q, p, c) in grid]
    return max(values) if values else (None, None)


def sweep_tables(run):
    grid, kinds, ps, cs = grid_of(run)
    head = "| P \\ C | " + " | ".join(str(c) for c in cs) + " |\n|---|" + "---:|" * len(cs)
    print(f"\n{run['repetitions']} repetitions (medians), {run['items'] // 4} items per cell, "
          f"{run['hardware_threads']} hardware threads; M items/s\n")
    print("### best peer in each cell\n\n" + head)
    for p in ps:
        cells = []
        for c in cs:
            v, q = best_peer(grid, kinds, p, c)
            cells.append("" if v is None else f"{v:.1f} {q.split()[0]}")
        print(f"| {p} | " + " | ".join(cells) + " |")
    for q in (q for q, k in kinds.items() if k == "ours"):
        wins = total = 0
        print(f"\n### {q}: M items/s (x best peer)\n\n" + head)
        for p in ps:
            cells = []
            for c in cs:
                v, (b, _) = grid.get((q, p, c)), best_peer(grid, kinds, p, c)
                if v is None or b is None:
                    cells.append("")
                    continue
                total += 1
                wins += v >= b
                cells.append(f"{v:.1f} ({v / b:.2f}x)")
            print(f"| {p} | " + " | ".join(cells) + " |")
        print(f"\nat or above the best peer in {wins} of {total} cells")


def figure(v):
    """Three significant figures or so, without exponents: 1,234  56.7  8.91  0.034."""
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:.1f}" if v >= 10 else f"{v:.2f}" if v >= 0.1 else f"{v:.2g}"


def summary(run):
    """One table first: per scenario the default queue, the best of ours, the best peer."""
    print("## Summary: the default queue against the best peer\n")
    print("| scenario | unit | better | default | best mpmc configuration | best peer "
          "| default / best peer |\n|---|---|---|---:|---|---|---|")
    for sc in run["scenarios"]:
        # Single-producer single-consumer entries race only their own kind
        # (the detail tables); floors are not queues.
        rows = [q for q in sc["queues"] if not q["lone"] and q["kind"] != "floor"]
        higher = sc["higher_is_better"]
        # Where the CPU figure is a share of a core (idle), a low latency
        # bought by spinning shows as such.
        share = sc.get("cpu_unit") and "%" in sc["cpu_unit"]

        def cell(q, label=""):
            if q is None:
                return "n/a"
            text = f"{label}{figure(q['median'])}"
            return text + (f" ({figure(q['cpu'])}% CPU)" if share else "")

        def best(kind):
            # A tie goes to the default queue: no reason to change configuration.
            found = [q for q in rows if q["kind"] == kind]
            return max(found, key=lambda q: (q["median"] if higher else -q["median"],
                                             q.get("key") == "default")) if found else None

        default = next((q for q in rows if q.get("key") == "default"), None)
        ours, peer = best("ours"), best("peer")
        ratio = "n/a"
        if default and peer and peer["median"] > 0:
            r = default["median"] / peer["median"]
            # Within 5%: medians of a few runs in separate processes move that much.
            verdict = ("level" if abs(r - 1) < 0.05 else
                       "default ahead" if (r > 1) == higher else "peer ahead")
            ratio = f"{r:.2f}x, {verdict}"
        print(f"| {sc['name']} | {sc['unit']} | {'higher' if higher else 'lower'} | "
              f"{cell(default)} | {cell(ours, (ours or {}).get('key', '') + ' ')} | "
              f"{cell(peer, (peer or {}).get('queue', '') + ' ')} | {ratio} |")
    print("\nmpmc configurations by their --queues key (compare --list); "
          "SPSC entries and floors: see the detail.")


def pyplot():
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def subplots(plt, count, columns, width, height):
    rows = (count + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(width, height * rows), squeeze=False)
    for ax in list(axes.flat)[count:]:
        ax.axis("off")
    return fig, axes.flat


def method(run):
    where = "one process per measurement" if run["isolated"] else "one process"
    return (f"medians of {run['repetitions']} runs, {run['hardware_threads']} hardware threads "
            f"({where})")


def bar_chart(plt, run, target):
    scenarios = run["scenarios"]
    fig, axes = subplots(plt, len(scenarios), 2, 15, 4.2)
    for ax, scenario in zip(axes, scenarios):
        queues = scenario["queues"]
        medians = [q["median"] for q in queues]
        y = range(len(queues))
        ax.barh(y, medians, color=[COLORS[q["kind"]] for q in queues])
        for i, q in enumerate(queues):
            ax.plot(q["samples"], [i] * len(q["samples"]), "k.", markersize=3)
        ax.set_yticks(list(y))
        ax.set_yticklabels([q["queue"] for q in queues], fontsize=7)
        ax.invert_yaxis()
        better = "higher" if scenario["higher_is_better"] else "lower"
        ax.set_title(f"{scenario['name']}: {scenario['unit']} ({better} is better)", fontsize=9)
        # Round trips through sleeping queues dwarf the rest; a log scale keeps
        # every bar readable.
        positive = [m for m in medians if m > 0]
        if positive and max(positive) > 50 * min(positive):
            ax.set_xscale("log")
        ax.tick_params(axis="x", labelsize=7)
    fig.suptitle(f"mpmc against its peers: {method(run)}", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.985))  # room for the title above the first row
    fig.savefig(target, dpi=110)


def heat_maps(plt, run, target):
    from matplotlib.colors import TwoSlopeNorm

    grid, kinds, ps, cs = grid_of(run)
    ours = [q for q, k in kinds.items() if k == "ours"]
    fig, axes = subplots(plt, len(ours), 2, 11, 4.2)
    # Ratio 1 (level with the best peer) is white; blue above it, red below.
    norm = TwoSlopeNorm(vmin=0.25, vcenter=1.0, vmax=4.0)
    for ax, q in zip(axes, ours):
        ratios = [[float("nan")] * len(cs) for _ in ps]
        for i, p in enumerate(ps):
            for j, c in enumerate(cs):
                v, (b, _) = grid.get((q, p, c)), best_peer(grid, kinds, p, c)
                if v is not None and b:
                    ratios[i][j] = v / b
                    dark = not 0.5 < v / b < 2  # deep colour: white text
                    ax.text(j, i, f"{v / b:.2f}", ha="center", va="center", fontsize=7,
                            color="white" if dark else "black")
        ax.imshow(ratios, cmap="RdBu", norm=norm, origin="lower")
        ax.set_xticks(range(len(cs)), [str(c) for c in cs], fontsize=7)
        ax.set_yticks(range(len(ps)), [str(p) for p in ps], fontsize=7)
        ax.set_xlabel("consumers", fontsize=8)
        ax.set_ylabel("producers", fontsize=8)
        ax.set_title(f"{q}: items/s / best peer's", fontsize=9)
    fig.suptitle(f"P x C sweep: {method(run)}", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    fig.savefig(target, dpi=110)


def draw(run, target, source):
    plt = pyplot()
    if plt is None:
        if not draw_elsewhere(source, target):
            print("chart skipped: matplotlib is not installed (Debian: python3-matplotlib)")
        return
    os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
    (heat_maps if "sweep" in run else bar_chart)(plt, run, target)
    print(f"chart: {target}")


def draw_elsewhere(source, target):
    """Draws through /usr/bin/python3 where it has matplotlib and this python3 does not.

    Debian's matplotlib belongs to the system interpreter; a python3 found
    first on the PATH (a venv, pyenv) does not see it.
    """
    system = "/usr/bin/python3"
    if not os.access(system, os.X_OK) or os.path.realpath(sys.executable) == os.path.realpath(system):
        return False
    code = (f"import json, sys\ntry:\n import matplotlib\nexcept ImportError:\n sys.exit(3)\n"
            f"sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r})\nimport run\n"
            f"run.draw(json.load(open({source!r})), {target!r}, {source!r})\n")
    sys.stdout.flush()
    return subprocess.run([system, "-c", code]).returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=os.path.join(BUILD, "bench", "compare"),
                        help="the comparison runner (default: %(default)s)")
    parser.add_argument("--reps", type=int, default=5, help="repetitions (default: 5)")
    parser.add_argument("--items", type=int,
                        help="items per measurement; PxC scenarios move a quarter "
                             "(default: 2000000, with --sweep 4000000)")
    parser.add_argument("--scenarios", help="comma-separated (default: the runner's list)")
    parser.add_argument("--queues", help="keys or indices, comma-separated (compare --list; "
                                         "default: the demo set, see DEMO_OURS)")
    parser.add_argument("--all", action="store_true",
                        help="every queue the runner has, all our policy variants included")
    parser.add_argument("--timeout", type=int, default=300,
                        help="seconds before a measurement is killed (default: 300)")
    parser.add_argument("--warmup", type=int, help="ms before threaded clocks start")
    parser.add_argument("--json", help="results file (default: build/bench/results.json, "
                                       "with --sweep build/bench/sweep.json)")
    parser.add_argument("--chart", help="PNG file (default: the --json file's name, .png)")
    parser.add_argument("--sweep", action="store_true", help="run the P x C grid")
    parser.add_argument("--max", type=int, default=8, help="--sweep: 1..MAX a side (default: 8)")
    parser.add_argument("--from", dest="source", metavar="JSON",
                        help="run nothing: tables (for a sweep) and chart from this file")
    args = parser.parse_args()

    if args.source:
        with open(args.source) as f:
            run = json.load(f)
        if "sweep" in run:
            sweep_tables(run)
        else:
            summary(run)
        draw(run, args.chart or os.path.splitext(args.source)[0] + ".png", args.source)
        return
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"run.py: no runner at {args.binary}; build it with "
                 "`cmake --preset bench && cmake --build --preset bench`, or pass --binary")
    args.json = args.json or os.path.join(BUILD, "sweep.json" if args.sweep else "results.json")
    os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
    if not args.queues and not args.all and not args.sweep:
        listed = list_queues(args.binary)
        args.queues = ",".join(k for k, kind in listed if k in DEMO_OURS or kind != "ours")
        print("queues: the demo set (every peer; of ours " + ", ".join(DEMO_OURS) +
              "); --all adds the other policy variants", file=sys.stderr)
    try:
        if args.sweep:
            run = sweep(args)
            sweep_tables(run)
        else:
            run = compare(args, args.scenarios, args.items or 2_000_000, args.json)
    except subprocess.CalledProcessError as e:
        sys.exit(f"run.py: the runner failed (exit status {e.returncode})")
    print(f"results: {args.json}")
    draw(run, args.chart or os.path.splitext(args.json)[0] + ".png", args.json)


if __name__ == "__main__":
    main()
