#!/usr/bin/env python3
"""Splits the runner's idle wake-ups at the system calls, from a perf trace.

Record one queue's idle scenario system-wide, then read the trace:

    perf record -o q.data -a -e syscalls:sys_enter_futex,syscalls:sys_exit_futex,\
syscalls:sys_enter_clock_nanosleep,syscalls:sys_exit_clock_nanosleep,sched:sched_switch \
-- build/bench/bench/compare --one Q idle 1
    python3 bench/wake_trace.py q.data

For each wake-up, the producer (the thread that sleeps with clock_nanosleep
between pushes) and the consumer it wakes, in microseconds: the producer's
sleep returning -> its FUTEX_WAKE call (user mode: the stamp and the push);
the wake call; its return -> the producer's next sleep; that sleep -> the
switch to another thread; the switch -> the consumer's futex wait returning.
Prints the median and quartiles of each over all wake-ups found.
"""
import re
import subprocess
import sys

LINE = re.compile(r"\s*(\S+)\s+(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+(\S+):\s*(.*)")
FUTEX_WAKE_PRIVATE = "op: 0x00000081"
STEPS = ("sleep returns -> wake call", "wake call", "wake returns -> next sleep",
         "next sleep -> switch", "switch -> consumer's wait returns", "total")


def events(data):
    text = subprocess.run(["perf", "script", "--ns", "-i", data, "-F",
                           "comm,tid,cpu,time,event,trace"],
                          capture_output=True, text=True, check=True).stdout
    for line in text.splitlines():
        m = LINE.match(line)
        if m:
            _, tid, cpu, t, name, rest = m.groups()
            yield float(t), int(tid), int(cpu), name, rest


def wake_ups(ev):
    sleepers = [e[1] for e in ev if "clock_nanosleep" in e[3]]
    producer = max(set(sleepers), key=sleepers.count)
    for k, e in enumerate(ev):
        if e[1] != producer or e[3] != "syscalls:sys_exit_clock_nanosleep":
            continue
        t = [e[0]]
        consumer = None
        for f in ev[k + 1:k + 80]:
            mine = f[1] == producer
            if len(t) == 1 and mine and f[3] == "syscalls:sys_enter_futex" \
                    and FUTEX_WAKE_PRIVATE in f[4]:
                t.append(f[0])
            elif len(t) == 2 and mine and f[3] == "syscalls:sys_exit_futex":
                t.append(f[0])
            elif len(t) == 3 and mine and f[3] == "syscalls:sys_enter_clock_nanosleep":
                t.append(f[0])
            elif len(t) == 4 and f[3] == "sched:sched_switch" \
                    and f"prev_pid={producer} " in f[4]:
                t.append(f[0])
                consumer = int(re.search(r"next_pid=(\d+)", f[4]).group(1))
            elif len(t) == 5 and f[1] == consumer and f[3] == "syscalls:sys_exit_futex":
                t.append(f[0])
                break
        if len(t) == 6:
            steps = [(b - a) * 1e6 for a, b in zip(t, t[1:])]
            yield steps + [(t[5] - t[0]) * 1e6]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    rows = list(wake_ups(list(events(sys.argv[1]))))
    if not rows:
        sys.exit("no wake-up found: was the trace recorded with -a and the events above?")
    print(f"{len(rows)} wake-ups, us: median [quartiles]")
    for i, step in enumerate(STEPS):
        v = sorted(r[i] for r in rows)
        print(f"  {step:36} {v[len(v) // 2]:7.2f} [{v[len(v) // 4]:.2f}-{v[3 * len(v) // 4]:.2f}]")


if __name__ == "__main__":
    main()
