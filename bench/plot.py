#!/usr/bin/env python3
"""Draws the comparison runner's JSON as one bar chart per scenario.

    build/bench/bench/compare 5 2000000 --json results.json
    /usr/bin/python3 bench/plot.py results.json docs/benchmarks.png

Needs Debian's python3-matplotlib. Our queues are blue, peers orange, the
floors (what no queue can beat here) grey; each bar is a median, and the dots
are the individual repetitions, so the spread between runs stays visible.
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"ours": "#1f77b4", "peer": "#ff7f0e", "floor": "#9e9e9e"}


def main(source, target):
    with open(source) as f:
        run = json.load(f)
    scenarios = run["scenarios"]
    columns = 2
    rows = (len(scenarios) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(15, 4.2 * rows), squeeze=False)
    for ax, scenario in zip(axes.flat, scenarios):
        queues = scenario["queues"]
        names = [q["queue"] for q in queues]
        medians = [q["median"] for q in queues]
        y = range(len(queues))
        ax.barh(y, medians, color=[COLORS[q["kind"]] for q in queues])
        for i, q in enumerate(queues):
            ax.plot(q["samples"], [i] * len(q["samples"]), "k.", markersize=3)
        ax.set_yticks(list(y))
        ax.set_yticklabels(names, fontsize=7)
        ax.invert_yaxis()
        better = "higher" if scenario["higher_is_better"] else "lower"
        ax.set_title(f"{scenario['name']}: {scenario['unit']} ({better} is better)", fontsize=9)
        # Round trips through sleeping queues dwarf the rest; a log scale keeps
        # every bar readable.
        if max(medians) > 50 * min(m for m in medians if m > 0):
            ax.set_xscale("log")
        ax.tick_params(axis="x", labelsize=7)
    for ax in list(axes.flat)[len(scenarios):]:
        ax.axis("off")
    fig.suptitle(
        f"mpmc against its peers: medians of {run['repetitions']} runs, "
        f"{run['hardware_threads']} hardware threads "
        f"({'one process per measurement' if run['isolated'] else 'one process'})",
        fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.985))  # room for the suptitle above the first row
    fig.savefig(target, dpi=110)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: plot.py RESULTS.json CHART.png")
    main(sys.argv[1], sys.argv[2])
