#!/usr/bin/env python3
"""Checks the comparison runner's JSON against the speed targets of issues 3,
4 and 5, one column per run, so that a target is judged on the ratios each
run measured side by side rather than on figures from different runs.

    build/bench/bench/compare 5 2000000 --json run1.json   # as many runs as you like
    python3 bench/targets.py run1.json run2.json run3.json
    python3 bench/targets.py --link near run1.json run2.json   # or --link far

--link near (far) judges the threaded scenarios on the samples whose CPU-to-CPU
link probe, taken before and after each, was under (at or above) 250 ns both
times (docs/benchmarks.md, "The two vCPUs"); medians are taken again from
those samples, and a queue with none in that class drops out of the scenario.

"ours" is the default queue<T> (pause, park on futex) unless a row names
another; "best peer" is the best peer in that scenario of that run. Parking
peers are those that use under half a core while blocked in `idle`.
"""
import json
import statistics
import sys

DEFAULT = "mpmc queue<T> default (pause, park on futex)"
SPINNING = "mpmc spinning_queue (spin)"
ATOMIC_QUEUE = "atomic_queue AtomicQueueB2"
TWO_CAS = "(floor: two uncontended compare-exchanges)"
BARE_FUTEX = "(floor: bare futex wait + wake)"
RAW_FUTEX = "(floor: bare futex, syscall instruction)"
BARE_RING = "(floor: bare Vyukov ring)"
LONE = "mpmc producers::single + consumers::single"


LINK_NS = 250


def in_class(link, wanted):
    before, after = link
    if before <= 0 or after <= 0:
        return False
    if wanted == "near":
        return before < LINK_NS and after < LINK_NS
    return before >= LINK_NS and after >= LINK_NS


def keep_class(scenario, wanted):
    """The scenario with each queue's medians taken again over the samples of
    one link class; scenarios whose samples carry no probe stay as they are."""
    queues = []
    for q in scenario["queues"]:
        links = q.get("links", [])
        if not any(b > 0 for b, _ in links):
            queues.append(q)
            continue
        picked = [i for i, link in enumerate(links) if in_class(link, wanted)]
        q = dict(q)
        if picked:
            q["median"] = statistics.median(q["samples"][i] for i in picked)
            q["cpu"] = statistics.median(q["cpu_samples"][i] for i in picked)
        else:
            q["median"] = None
        queues.append(q)
    return dict(scenario, queues=queues)


def load(path, link=None):
    with open(path) as f:
        run = json.load(f)
    scenarios = {s["name"]: s for s in run["scenarios"]}
    if link:
        scenarios = {name: keep_class(s, link) for name, s in scenarios.items()}
    return scenarios


def row(scenario, name):
    for q in scenario["queues"]:
        if q["queue"] == name and q["median"] is not None:
            return q
    return None


def best_peer(scenario, keep=lambda q: True, lone=False):
    """The best peer of the scenario; single-producer single-consumer peers
    ("lone" in the JSON) are compared only with our lone queue (lone=True)."""
    peers = [q for q in scenario["queues"]
             if q["kind"] == "peer" and q["median"] is not None and keep(q)
             and q.get("lone", False) == lone]
    if not peers:
        return None
    pick = max if scenario["higher_is_better"] else min
    return pick(peers, key=lambda q: q["median"])


def short(name):
    return name.split(" ")[0] if name.startswith(("atomic_queue", "xenium")) else name


def judge(run):
    """Yields (target, figures, met) for one run."""
    def ratio(scenario, ours_name, against, limit, higher):
        s = run.get(scenario)
        if s is None:
            return None
        ours = row(s, ours_name)
        other = against(s)
        if ours is None or other is None:
            return None
        r = ours["median"] / other["median"]
        met = r >= limit if higher else r <= limit
        text = f"{ours['median']:.3g} / {other['median']:.3g} {short(other['queue'])} = {r:.2f}x"
        return text, met

    def named(name):
        return lambda s: row(s, name)

    yield "pair: ours <= best peer", ratio("pair", DEFAULT, best_peer, 1.0, False)
    yield "pair: ours <= 1.15x two-CAS floor", ratio("pair", DEFAULT, named(TWO_CAS), 1.15, False)
    # Not targets: whether the protocol itself can meet the floor target, and
    # how far our queue is from the protocol (the rest is ours to shave).
    yield "pair (check): bare Vyukov ring <= 1.15x two-CAS floor", ratio(
        "pair", BARE_RING, named(TWO_CAS), 1.15, False)
    yield "pair (check): ours / bare Vyukov ring", ratio("pair", DEFAULT, named(BARE_RING), 1.15, False)
    yield "pair: ours <= 1.05x spinning", ratio("pair", DEFAULT, named(SPINNING), 1.05, False)
    yield "batch64: ours <= best peer", ratio("batch64", DEFAULT, best_peer, 1.0, False)
    yield "batch4096: ours <= best peer", ratio("batch4096", DEFAULT, best_peer, 1.0, False)
    if "bulk64" in run and "batch64" in run:
        fastest = best_peer(run["batch64"])
        ours = row(run["bulk64"], DEFAULT)
        if fastest and ours:
            r = ours["median"] / fastest["median"]
            yield "bulk64: ours <= 1/3 fastest peer's singles (batch64)", (
                f"{ours['median']:.3g} / {fastest['median']:.3g} {short(fastest['queue'])} = {r:.2f}x",
                r <= 1 / 3)
    yield "1p1c: ours >= 1.2x best peer", ratio("1p1c", DEFAULT, best_peer, 1.2, True)
    yield "1p1c: spinning >= 1.2x best peer", ratio("1p1c", SPINNING, best_peer, 1.2, True)
    # A program with one producer and one consumer can say so (producers::single,
    # consumers::single): our lone queue against every peer, SPSC modes included.
    any_peer = lambda s: max((p for p in (best_peer(s), best_peer(s, lone=True)) if p),
                             key=lambda q: q["median"], default=None)
    yield "1p1c: lone (SPSC) >= 1.2x best peer of either kind", ratio(
        "1p1c", LONE, any_peer, 1.2, True)
    yield "pingpong: spinning <= atomic_queue", ratio("pingpong", SPINNING, named(ATOMIC_QUEUE), 1.0, False)
    yield "pingpong: ours <= 1.2x atomic_queue", ratio("pingpong", DEFAULT, named(ATOMIC_QUEUE), 1.2, False)
    yield "pingpong: ours <= 1.2x spinning", ratio("pingpong", DEFAULT, named(SPINNING), 1.2, False)
    for threads in ("2x2", "4x4", "8x8"):
        s = run.get(threads)
        if s is None:
            continue
        yield f"{threads}: ours >= best peer", ratio(threads, DEFAULT, best_peer, 1.0, True)
        ours, peer = row(s, DEFAULT), best_peer(s)
        if ours and peer:
            r = ours["cpu"] / peer["cpu"]
            yield f"{threads}: ours' CPU/item <= that peer's", (
                f"{ours['cpu']:.3f} / {peer['cpu']:.3f} = {r:.2f}x", r <= 1.0)
    s = run.get("idle")
    if s is not None:
        ours = row(s, DEFAULT)
        if ours:
            yield "idle: ours <= 0.1 % of a core", (f"{ours['cpu']:.3f} %", ours["cpu"] <= 0.1)
        parking = lambda q: q["cpu"] < 50
        yield "idle: wake <= best parking peer", ratio(
            "idle", DEFAULT, lambda s: best_peer(s, parking), 1.0, False)
        yield "idle: wake <= 1.1x bare futex", ratio("idle", DEFAULT, named(BARE_FUTEX), 1.1, False)
        # Not the target's floor: the same through our backend, which skips
        # libc's syscall() wrapper (backend/linux_futex.hpp).
        yield "idle (check): wake <= 1.1x bare futex, syscall instruction", ratio(
            "idle", DEFAULT, named(RAW_FUTEX), 1.1, False)
    # Not targets of the issues: our single-producer single-consumer queue
    # against the peers of its kind (atomic_queue's SPSC mode).
    lone_peer = lambda s: best_peer(s, lone=True)
    for scenario, higher in (("pair", False), ("batch64", False), ("1p1c", True),
                             ("pingpong", False)):
        if scenario in run:
            yield f"(SPSC) {scenario}: lone queue vs best SPSC peer", ratio(
                scenario, LONE, lone_peer, 1.0, higher)


def main(paths, link=None):
    runs = [dict((t, v) for t, v in judge(load(p, link))) for p in paths]
    targets = list(runs[0].keys())
    suffix = f" ({link})" if link else ""
    print("| target | " + " | ".join(f"run {i + 1}{suffix}" for i in range(len(runs))) + " |")
    print("|---|" + "---|" * len(runs))
    for t in targets:
        cells = []
        for r in runs:
            v = r.get(t)
            cells.append("n/a" if v is None else f"{v[0]} {'yes' if v[1] else '**no**'}")
        print(f"| {t} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    args = sys.argv[1:]
    link = None
    if len(args) >= 2 and args[0] == "--link" and args[1] in ("near", "far"):
        link, args = args[1], args[2:]
    if not args:
        print(__doc__)
        sys.exit(2)
    main(args, link)
