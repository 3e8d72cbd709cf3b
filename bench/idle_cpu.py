#!/usr/bin/env python3
"""idle_cpu.py -- CPU used by an idle `udpchat peer` pair on loopback, against a `sleep` baseline.

    bench/idle_cpu.py [PATH/TO/udpchat] [--seconds 10] [--mode peer|room] [--sets K] [--json]

--mode peer (default) starts two peers that talk to each other and type nothing; --mode room
starts an idle `udpchat server` with one idle `udpchat join` client (bench/run, row 4).
It lets them connect, then reads utime+stime (all threads) and context switches from
/proc/PID over the same window for every process and for an idle `sleep` process.
--sets K runs K independent pairs (and K sleeps) side by side in the same window, i.e. K runs
of the measurement at once. --json prints one JSON object per process instead of the table. Prints the figures and the ratio to the baseline
(the baseline is floored at one clock tick, so the ratio is a lower bound when sleep used 0).
A benchmark, not a test: exits 0 whenever it could measure. Linux only (/proc). A sanitizer
build costs more CPU per wake-up than a release build: measure a Release build for figures.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import udpchat_harness as h  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)


def ctx_switches(pid):
    total = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


class Killer:
    """Lets a ProcessGroup clean up a plain subprocess too."""
    def __init__(self, proc):
        self.proc = proc

    def close(self):
        self.proc.kill()
        self.proc.wait(5)


def sample(pids):
    return {p: (cpu_ticks(p), ctx_switches(p)) for p in pids}


def start_room(g, timeout=20):
    """An idle relay and one idle room client on loopback; returns (server, client)."""
    port = h.free_udp_port()
    srv = g.start(["server", "--port", port, "--json"], name="server")
    srv.wait_ready(timeout)
    cli = g.start(["join", "%s:%d" % (h.LOOPBACK, port), "--nick", "idle", "--json"], name="join")
    cli.wait_ready(timeout)
    srv.wait_event("join", timeout)
    return srv, cli


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary", nargs="?", default=os.environ.get("UDPCHAT_BIN",
                    os.path.join(HERE, "..", "build", "peertests", "udpchat")))
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--mode", choices=("peer", "room"), default="peer")
    ap.add_argument("--sets", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    o = ap.parse_args()
    if not os.path.exists("/proc/self/stat"):
        print("idle_cpu: needs Linux /proc")
        return 1
    with h.ProcessGroup(o.binary) as g:
        pids, procs = {}, []
        for k in range(max(1, o.sets)):
            sfx = "" if o.sets <= 1 else str(k + 1)
            if o.mode == "peer":
                a, b, _, _ = h.start_peer_pair(g, timeout=20)
                names = ("alice", "bob")
            else:
                a, b = start_room(g)
                names = ("server", "join")
            base = subprocess.Popen(["sleep", str(int(o.seconds) + 30)])
            g.add(Killer(base))
            pids[names[0] + sfx] = a.pid
            pids[names[1] + sfx] = b.pid
            pids["sleep" + sfx] = base.pid
            procs += [a, b]
        time.sleep(1.0)  # let start-up work settle
        before = sample(pids.values())
        t0 = time.monotonic()
        time.sleep(o.seconds)
        after = sample(pids.values())
        wall = time.monotonic() - t0
        alive = all(p.running() for p in procs)
        for p in procs:
            p.stop(15)
    floor = 1
    if o.json:
        for name, pid in pids.items():
            ticks = after[pid][0] - before[pid][0]
            print(json.dumps({"process": name, "cpu_ms": ticks * 1000.0 / TICK, "ctx": after[pid][1] - before[pid][1],
                              "wall_s": wall, "tick_ms": 1000.0 / TICK, "alive": alive}))
        return 0
    print("idle window: %.2f s wall, clock tick %.1f ms, binary %s" % (wall, 1000.0 / TICK, o.binary))
    print("%-8s %10s %10s %12s %14s" % ("process", "cpu ms", "cpu %", "ctx switches", "x baseline"))
    for name, pid in pids.items():
        sleep_pid = pids["sleep" + "".join(c for c in name if c.isdigit())]
        base_ticks = after[sleep_pid][0] - before[sleep_pid][0]
        ticks = after[pid][0] - before[pid][0]
        ctx = after[pid][1] - before[pid][1]
        ms = ticks * 1000.0 / TICK
        ratio = ticks / max(base_ticks, floor)
        print("%-8s %10.1f %9.3f%% %12d %13.1f" % (name, ms, 100.0 * ms / 1000.0 / wall, ctx, ratio))
    print("(ratios are against the sleep of the same set, floored at 1 tick, %.0f ms)" % (1000.0 / TICK))
    if not alive:
        print("warning: a process exited during the window")
    return 0


if __name__ == "__main__":
    sys.exit(main())
