#!/usr/bin/env python3
"""CPU-utilisation timeline of one command, per thread group: which phases
of a run keep fewer cores busy than the machine has.

    /usr/bin/python3 benches/cpu_timeline.py [--interval 0.05] [--window 0.25] \
        [--low 1.8] [--raw OUT.tl] -- CMD ARGS...

Runs CMD (stdout and stderr to /dev/null), reads utime+stime of every thread
of it from /proc/PID/task/*/stat every `--interval` seconds, and prints, per
`--window`, the cores busy in total and per thread group, marking windows
below `--low` cores. Groups: `main` (the process's first thread), `workers`
(the other threads that kept the process's name: rayon's pool), and named
threads by name without trailing digits, as Linux keeps them (15 bytes:
`thrd-tantivy-in`, `docstore-compre`, ...). Then the phases of a `ratsuche index` run: the
start (until a worker first runs), the workers' end, and the CPU seconds
each tantivy indexing thread spends after it (the serial flush of its
segment). A thread's ticks after the last sample it was seen in are not
counted: take total CPU seconds from `/usr/bin/time`, not from here.
Stdlib only; Linux only.
"""

import collections
import os
import subprocess
import sys
import time


def parse_args(argv):
    opts = {"interval": 0.05, "window": 0.25, "low": 1.8, "raw": None}
    if "--" not in argv:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    at = argv.index("--")
    flags, cmd = argv[:at], argv[at + 1 :]
    while flags:
        name = flags.pop(0).lstrip("-")
        if name not in opts or not flags:
            print(f"unknown or incomplete option --{name}\n{__doc__}", file=sys.stderr)
            sys.exit(2)
        value = flags.pop(0)
        opts[name] = value if name == "raw" else float(value)
    if not cmd:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    return opts, cmd


def sample(cmd, interval):
    """[(ms, {tid: (name, ticks)})] until CMD exits, and the end in ms."""
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    snaps = []
    while proc.poll() is None:
        now = int((time.monotonic() - t0) * 1000)
        snap = {}
        try:
            tids = os.listdir(f"/proc/{proc.pid}/task")
        except FileNotFoundError:
            break
        for tid in tids:
            try:
                with open(f"/proc/{proc.pid}/task/{tid}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2 :].split()
            snap[int(tid)] = (name, int(fields[11]) + int(fields[12]))
        snaps.append((now, snap))
        time.sleep(interval)
    proc.wait()
    return snaps, int((time.monotonic() - t0) * 1000), proc.pid


def main():
    opts, cmd = parse_args(sys.argv[1:])
    hz = os.sysconf("SC_CLK_TCK")
    snaps, end, pid = sample(cmd, opts["interval"])
    if opts["raw"]:
        with open(opts["raw"], "w") as f:
            for ms, snap in snaps:
                for tid, (name, ticks) in snap.items():
                    f.write(f"{ms} {tid} {name.replace(' ', '_')} {ticks}\n")
    if not snaps:
        print("the command ended before the first sample")
        return 1
    process_name = snaps[0][1].get(pid, ("", 0))[0]

    def group(tid, name):
        if tid == pid:
            return "main"
        if name == process_name:
            return "workers"
        return name.rstrip("0123456789")

    last_seen = {}
    for _, snap in snaps:
        last_seen.update(snap)
    window_ms = opts["window"] * 1000
    prev, prev_ms = {}, 0
    print(f"cores busy per {opts['window']} s (threads: {len(last_seen)}; end {end / 1000:.2f} s)")
    for i, (ms, snap) in enumerate(snaps):
        if ms - prev_ms < window_ms and i != len(snaps) - 1:
            continue
        busy = collections.Counter()
        for tid, (name, ticks) in snap.items():
            busy[group(tid, name)] += ticks - prev.get(tid, (name, 0))[1]
        seconds = (ms - prev_ms) / 1000 or 1
        total = sum(busy.values()) / hz / seconds
        mark = "LOW" if total < opts["low"] else "   "
        parts = " ".join(f"{g}:{v / hz / seconds:.2f}" for g, v in sorted(busy.items()) if v)
        print(f"{prev_ms / 1000:6.2f}-{ms / 1000:6.2f} s  {total:4.2f} {mark} | {parts}")
        prev, prev_ms = snap, ms

    workers = [t for t, (n, k) in last_seen.items() if group(t, n) == "workers" and k > hz]
    indexers = [t for t, (n, _) in last_seen.items() if n.startswith("thrd-tantivy-in")]
    if workers:
        final = sum(last_seen[t][1] for t in workers)
        start = next(ms for ms, s in snaps if any(s.get(t, ("", 0))[1] for t in workers))
        done_ms, done = next(
            (ms, s) for ms, s in snaps if sum(s.get(t, ("", 0))[1] for t in workers) >= final - 2
        )
        flush = [
            (last_seen[t][1] - done.get(t, ("", 0))[1]) / hz for t in sorted(indexers)
        ]
        print(
            f"phases: start (before any worker ran) {start} ms; workers done at {done_ms} ms; "
            f"after that, tantivy indexing threads' CPU s {flush} (the end flush); end {end} ms"
        )
    totals = collections.Counter()
    for tid, (name, ticks) in last_seen.items():
        totals[group(tid, name)] += ticks
    print("CPU s per group (as last seen):", {g: v / hz for g, v in sorted(totals.items())})
    return 0


if __name__ == "__main__":
    sys.exit(main())
