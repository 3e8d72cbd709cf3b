#!/usr/bin/env python3
"""test_lossy_proxy.py -- the test tool itself: lossy_proxy does what it counts, with plain
UDP sockets at both ends (no udpchat involved). Usage: test_lossy_proxy.py PATH/TO/udpchat"""
import os
import subprocess
import sys
import json
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import udpchat_harness as h  # noqa: E402
from lossy_proxy import LossyProxy  # noqa: E402
from udpchat_harness import check  # noqa: E402


def endpoints(g):
    a = g.add(h.UdpTextPeer())
    b = g.add(h.UdpTextPeer())
    return a, b


def recv_all(peer, quiet=0.3):
    return [d for d, _ in peer.drain(quiet)]


def collect_while(peer, action, quiet=0.5):
    """Receives on peer in a thread while action() runs (so its socket buffer never overflows),
    until quiet seconds pass after action returned; returns the datagrams."""
    got, done = [], threading.Event()

    def rx():
        peer.sock.settimeout(quiet)
        while True:
            try:
                got.append(peer.sock.recvfrom(65535)[0])
            except OSError:
                if done.is_set():
                    return
    t = threading.Thread(target=rx, daemon=True)
    t.start()
    action()
    done.set()
    t.join(h.T(10))
    return got


def send_numbered(a, port, n, start=0):
    for i in range(start, start + n):
        a.sendto(b"%06d" % i, (h.LOOPBACK, port))
        if i % 50 == 49:
            time.sleep(0.002)  # do not overrun the socket buffers: this tests the proxy


def test_clean_forwarding_both_ways(binary):
    with h.ProcessGroup(binary) as g:
        a, b = endpoints(g)
        p = g.add(LossyProxy(a.addr, b.addr)).start()
        got = collect_while(b, lambda: send_numbered(a, p.port_a, 200))
        check(got == [b"%06d" % i for i in range(200)], "a->b: %d datagrams, in order? %r" % (len(got), got[:5]))
        b.sendto(b"reply", (h.LOOPBACK, p.port_b))
        data, addr = a.recv(5)
        check(data == b"reply" and addr == (h.LOOPBACK, p.port_a), "b->a: %r from %r" % (data, addr))
        s = p.stats()
        check(s["a2b"]["received"] == 200 and s["a2b"]["forwarded"] == 200 and s["b2a"]["forwarded"] == 1, repr(s))


def test_rates_are_applied_and_counted(binary):
    with h.ProcessGroup(binary) as g:
        a, b = endpoints(g)
        p = g.add(LossyProxy(a.addr, b.addr, seed=5, drop=0.2, dup=0.1, reorder=0.1)).start()
        n = 2000
        got = collect_while(b, lambda: send_numbered(a, p.port_a, n))
        s = p.stats()["a2b"]
        check(s["received"] == n, repr(s))
        check(abs(s["dropped"] - 0.2 * n) < 0.05 * n, "dropped %d of %d at 20%%" % (s["dropped"], n))
        check(abs(s["duplicated"] - 0.08 * n) < 0.05 * n, "duplicated %d" % s["duplicated"])
        check(s["reordered"] > 0.03 * n, "reordered %d" % s["reordered"])
        check(len(got) == s["forwarded"] == n - s["dropped"] + s["duplicated"],
              "b got %d, proxy forwarded %d, %r" % (len(got), s["forwarded"], s))
        nums = [int(d) for d in got]
        inversions = sum(1 for x, y in zip(nums, nums[1:]) if y < x)
        check(inversions > 0.02 * n, "only %d out-of-order arrivals" % inversions)
        check(len(set(nums)) == n - s["dropped"], "distinct arrivals %d" % len(set(nums)))


def test_same_seed_same_decisions(binary):
    results = []
    for _ in range(2):
        with h.ProcessGroup(binary) as g:
            a, b = endpoints(g)
            p = g.add(LossyProxy(a.addr, b.addr, seed=42, drop=0.3)).start()
            results.append(sorted(collect_while(b, lambda: send_numbered(a, p.port_a, 300))))
    check(results[0] == results[1], "the same seed dropped different datagrams")


def test_truncate_corrupt(binary):
    with h.ProcessGroup(binary) as g:
        a, b = endpoints(g)
        p = g.add(LossyProxy(a.addr, b.addr, seed=3, truncate=0.5, corrupt=0.5, keep_magic=True)).start()
        msg = b"\xffUCH" + bytes(range(200))
        def send():
            for i in range(200):
                a.sendto(msg, (h.LOOPBACK, p.port_a))
                if i % 50 == 49:
                    time.sleep(0.002)
        got = collect_while(b, send)
        s = p.stats()["a2b"]
        check(len(got) == 200, "got %d" % len(got))
        check(sum(len(d) < len(msg) for d in got) == s["truncated"] > 50, "truncated %r" % s)
        check(sum(d != msg[:len(d)] for d in got) > 50 and s["corrupted"] > 50, "corrupted %r" % s)
        check(all(d[:4] == msg[:len(d)][:4] for d in got), "keep_magic: the magic was corrupted")


def test_cut_restore_inject_foreign(binary):
    with h.ProcessGroup(binary) as g:
        a, b = endpoints(g)
        p = g.add(LossyProxy(a.addr, b.addr)).start()
        p.cut()
        send_numbered(a, p.port_a, 20)
        check(recv_all(b) == [], "datagrams passed a cut link")
        p.restore()
        send_numbered(a, p.port_a, 5, 100)
        check(recv_all(b) == [b"%06d" % i for i in range(100, 105)], "not restored")
        p.inject(b"\xffUCHinjected", "b")
        data, addr = b.recv(5, skip_magic=False)
        check(data == b"\xffUCHinjected" and addr == (h.LOOPBACK, p.port_b), "inject: %r from %r" % (data, addr))
        stranger = g.add(h.UdpTextPeer())
        stranger.sendto(b"foreign", (h.LOOPBACK, p.port_a))
        check(recv_all(b) == [], "a foreign datagram was forwarded")
        s = p.stats()
        check(s["a2b"]["cut"] == 20 and s["a2b"]["injected"] == 1 and s["a2b"]["foreign"] == 1, repr(s))


def test_limits(binary):
    with h.ProcessGroup(binary) as g:
        a, b = endpoints(g)
        p = g.add(LossyProxy(a.addr, b.addr, max_datagrams=10)).start()
        send_numbered(a, p.port_a, 30)
        check(len(recv_all(b)) == 10, "max_datagrams not applied: %r" % p.stats())
        q = g.add(LossyProxy(a.addr, b.addr, max_lifetime=0.3)).start()
        q._thread.join(h.T(5))
        check(not q._thread.is_alive() and q.expired, "max_lifetime not applied")


def test_script_mode(binary):
    with h.ProcessGroup(binary) as g:
        a, b = endpoints(g)
        cmd = [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lossy_proxy.py"),
               "--a", "%s:%d" % a.addr, "--b", "%s:%d" % b.addr, "--lifetime", "30"]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            ready = json.loads(proc.stdout.readline())
            send_numbered(a, ready["port_a"], 3)
            check(len(recv_all(b)) == 3, "script mode does not forward")
            out, _ = proc.communicate("cut\nquit\n", timeout=h.T(10))
            final = json.loads(out.strip().splitlines()[-1])
            check(proc.returncode == 0 and final["a2b"]["forwarded"] == 3, "final stats %r" % final)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)


if __name__ == "__main__":
    h.main([test_clean_forwarding_both_ways, test_rates_are_applied_and_counted, test_same_seed_same_decisions,
            test_truncate_corrupt, test_cut_restore_inject_foreign, test_limits, test_script_mode])
