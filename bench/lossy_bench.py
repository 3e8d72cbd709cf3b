#!/usr/bin/env python3
"""lossy_bench.py -- reliability cost (bench/run, row 6): time for 1000 messages between two
`udpchat peer` processes through tests/integration/lossy_proxy.py, at 20% loss (both
directions, acks too) against the same proxy with no loss.

    bench/lossy_bench.py PATH/TO/udpchat [--messages 1000] [--drop 0.2] [--seed 1]

For each link (clean, then lossy) it starts alice <-> proxy <-> bob, waits for the join, writes
the messages to alice's stdin at once and measures the time until bob has shown all of them
("recv_s") and until alice has reported all of them delivered ("all_s"). Prints one JSON
object per link. Bounded: each wait has a timeout; the proxy stops itself after 180 s.
"""
import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import udpchat_harness as h  # noqa: E402
from lossy_proxy import LossyProxy  # noqa: E402


def one(binary, n, drop, seed):
    with h.ProcessGroup(binary) as g:
        pa, pb = h.free_udp_ports(2)
        proxy = g.add(LossyProxy((h.LOOPBACK, pa), (h.LOOPBACK, pb), seed=seed, drop=drop,
                                 max_lifetime=180)).start()
        a, b, _, _ = h.start_peer_pair(g, ["--deliver-timeout", "120"], a_to=proxy.port_a,
                                       b_to=proxy.port_b, ports=(pa, pb), timeout=30)
        lines = ["%04d message number %d 你好" % (i, i) for i in range(n)]
        ma, mb = a.mark(), b.mark()
        t0 = time.monotonic()
        a.send_lines(lines)
        b.wait_count(lambda e: e.get("event") == "message", n, 120, mb, "messages")
        recv_s = time.monotonic() - t0
        a.wait_count(lambda e: e.get("event") == "delivered", n, 120, ma, "delivered events")
        all_s = time.monotonic() - t0
        st = proxy.stats()
        a.stop(20)
        b.stop(20)
    return {"drop": drop, "messages": n, "recv_s": recv_s, "all_s": all_s,
            "datagrams": st["total"]["received"], "dropped": st["total"]["dropped"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--messages", type=int, default=1000)
    ap.add_argument("--drop", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=1)
    o = ap.parse_args()
    for drop in (0.0, o.drop):
        print(json.dumps(one(o.binary, o.messages, drop, o.seed)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
