#!/usr/bin/env python3
"""test_peer_integrity.py -- datagrams altered on the way (truncated, bits flipped) never alter
or lose a delivered message: they must be detected, dropped and retransmitted.

Every udpchat datagram carries a CRC-32 (docs/PROTOCOL.md), so a truncated or corrupted one is
dropped like a lost one and retransmitted. Usage: test_peer_integrity.py PATH/TO/udpchat [TEST...]"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import udpchat_harness as h  # noqa: E402
from lossy_proxy import LossyProxy  # noqa: E402
from udpchat_harness import check  # noqa: E402

N = 300


def run(binary, **rates):
    r = h.rng()
    with h.ProcessGroup(binary) as g:
        pa, pb = h.free_udp_ports(2)
        proxy = g.add(LossyProxy((h.LOOPBACK, pa), (h.LOOPBACK, pb), seed=r.randrange(1 << 30))).start()
        a, b, _, _ = h.start_peer_pair(g, a_args=["--deliver-timeout", "60"], a_to=proxy.port_a,
                                       b_to=proxy.port_b, ports=(pa, pb), timeout=20)
        proxy.set_rates(**rates)  # after the handshake: this is about DATA and ACK
        lines = ["%04d 完整性 integrity check message" % i for i in range(N)]
        a.send_lines(lines)
        try:
            a.wait_count(lambda e: e.get("event") in ("delivered", "undelivered"), N, 60, what="outcomes")
            # "delivered" means bob's endpoint holds every fragment; it shows them a moment later
            b.wait_count(lambda e: e.get("event") == "message", N, 20, what="messages shown")
        finally:
            got = [e["text"] for e in b.of_type("message")]
            print("  proxy %r" % {k: v for k, v in proxy.stats()["total"].items() if v})
            print("  bob showed %d messages, %d of them not as sent" % (len(got), sum(t not in lines for t in got)))
        check(not a.of_type("undelivered"), "alice: %d undelivered" % len(a.of_type("undelivered")), a)
        check(got == lines, "bob: messages altered, lost or out of order (first bad: %r)" % next(
            (t for t, w in zip(got, lines) if t != w), None))


def test_truncated_datagrams(binary):
    run(binary, truncate=0.05)


def test_corrupted_datagrams(binary):
    run(binary, corrupt=0.05)


if __name__ == "__main__":
    h.main([test_truncated_datagrams, test_corrupted_datagrams])
