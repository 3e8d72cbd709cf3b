#!/usr/bin/env python3
"""lossy_proxy.py -- a UDP proxy between two endpoints on loopback that misbehaves on purpose.

    A  <->  [sock_a]  proxy  [sock_b]  <->  B

A sends to sock_a's port, B sends to sock_b's port; the proxy forwards each datagram out of
the other socket. Per direction ("a2b", "b2a") it can drop, duplicate, reorder (hold back
and release after later datagrams or a short delay), truncate and corrupt datagrams, each at
a set rate from a seeded RNG, so a run is repeatable for the same traffic. cut() drops
everything until restore(). inject() sends arbitrary bytes from the proxy's own socket, i.e.
from the very address the endpoint talks to. Everything it does is counted (stats()).

It stops by itself after max_lifetime seconds or max_datagrams datagrams received.

As a module:
    p = LossyProxy(("127.0.0.1", pa), ("127.0.0.1", pb), seed=1, drop=0.2, dup=0.05)
    p.start(); ... p.port_a, p.port_b ...; p.cut(); p.restore(); print(p.stats()); p.close()
As a script (commands on stdin: cut, restore, stats, set NAME=RATE [DIR], quit):
    lossy_proxy.py --a 127.0.0.1:5001 --b 127.0.0.1:5002 --drop 0.2 --seed 7
"""
import argparse
import json
import random
import select
import socket
import sys
import threading
import time

DIRS = ("a2b", "b2a")
RATES = ("drop", "dup", "reorder", "truncate", "corrupt")
COUNTERS = ("received", "forwarded", "dropped", "duplicated", "reordered", "truncated",
            "corrupted", "cut", "injected", "foreign", "after_limit")
MAGIC = b"\xffUCH"


class LossyProxy:
    def __init__(self, a_addr, b_addr, host="127.0.0.1", port_a=0, port_b=0, seed=1,
                 drop=0.0, dup=0.0, reorder=0.0, truncate=0.0, corrupt=0.0,
                 hold_ms=(5, 40), hold_count=(1, 4), max_lifetime=300.0,
                 max_datagrams=2_000_000, keep_magic=False):
        """a_addr / b_addr: (host, port) of the two endpoints (a_addr may be None: learned
        from the first datagram on sock_a). Rates apply to both directions; change them
        with set_rates(). hold_ms / hold_count: a reordered datagram is released after a
        random number of later datagrams in its direction or a random delay, whichever
        comes first. keep_magic: corruption never touches the first 4 bytes."""
        self._lock = threading.Lock()
        self.a_addr = a_addr
        self.b_addr = b_addr
        self.sock_a = self._bind(host, port_a)
        self.sock_b = self._bind(host, port_b)
        self.port_a = self.sock_a.getsockname()[1]
        self.port_b = self.sock_b.getsockname()[1]
        self.rng = random.Random(seed)
        self.rates = {d: dict.fromkeys(RATES, 0.0) for d in DIRS}
        self.set_rates(drop=drop, dup=dup, reorder=reorder, truncate=truncate, corrupt=corrupt)
        self.hold_ms = hold_ms
        self.hold_count = hold_count
        self.keep_magic = keep_magic
        self.max_lifetime = max_lifetime
        self.max_datagrams = max_datagrams
        self.counts = {d: dict.fromkeys(COUNTERS, 0) for d in DIRS}
        self.sessions = {"a": 0, "b": 0}  # udpchat session ids seen in passing headers
        self._cut = {d: False for d in DIRS}
        self._held = []  # [release_time, remaining_count, direction, data]
        self._stop = threading.Event()
        self._thread = None
        self.started = None
        self.expired = False

    @staticmethod
    def _bind(host, port):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.bind((host, port))
        return s

    # -- control
    def set_rates(self, direction=None, **rates):
        """Sets rates (0..1) for one direction or both."""
        for name, v in rates.items():
            if name not in RATES or not 0.0 <= float(v) <= 1.0:
                raise ValueError("bad rate %s=%r" % (name, v))
        with self._lock:
            for d in ([direction] if direction else DIRS):
                self.rates[d].update({k: float(v) for k, v in rates.items()})

    def cut(self, direction=None):
        """Drops everything (in one direction, or both) until restore()."""
        with self._lock:
            for d in ([direction] if direction else DIRS):
                self._cut[d] = True

    def restore(self, direction=None):
        with self._lock:
            for d in ([direction] if direction else DIRS):
                self._cut[d] = False

    def inject(self, data, toward="b"):
        """Sends data to B from sock_b (the address B talks to), or to A from sock_a."""
        sock, addr, d = (self.sock_b, self.b_addr, "a2b") if toward == "b" else (self.sock_a, self.a_addr, "b2a")
        if addr is None:
            raise RuntimeError("the address of %s is not known yet" % toward.upper())
        sock.sendto(bytes(data), addr)
        with self._lock:
            self.counts[d]["injected"] += 1

    def stats(self):
        """A copy of the counters per direction, plus totals."""
        with self._lock:
            out = {d: dict(self.counts[d]) for d in DIRS}
        out["total"] = {k: out["a2b"][k] + out["b2a"][k] for k in COUNTERS}
        return out

    def start(self):
        self.started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="lossy-proxy", daemon=True)
        self._thread.start()
        return self

    def close(self, timeout=5.0):
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)
        self.sock_a.close()
        self.sock_b.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
        return False

    # -- the loop
    def _run(self):
        socks = [self.sock_a, self.sock_b]
        while not self._stop.is_set():
            now = time.monotonic()
            if now - self.started > self.max_lifetime:
                self.expired = True
                break
            self._release_due(now)
            timeout = 0.1
            with self._lock:
                if self._held:
                    timeout = max(0.0, min(timeout, min(h[0] for h in self._held) - now))
            try:
                ready, _, _ = select.select(socks, [], [], timeout)
            except (OSError, ValueError):
                break
            for s in ready:
                for _ in range(256):  # bounded work per wake-up
                    try:
                        data, src = s.recvfrom(65535, socket.MSG_DONTWAIT)
                    except (BlockingIOError, InterruptedError):
                        break
                    except OSError:  # e.g. ECONNREFUSED from an earlier send: ignore
                        break
                    self._on_datagram(s is self.sock_a, data, src)

    def _on_datagram(self, from_a_side, data, src):
        d = "a2b" if from_a_side else "b2a"
        with self._lock:
            c = self.counts[d]
            if from_a_side and self.a_addr is None:
                self.a_addr = src
            if src != (self.a_addr if from_a_side else self.b_addr):
                c["foreign"] += 1
                return
            total = self.counts["a2b"]["received"] + self.counts["b2a"]["received"]
            if total >= self.max_datagrams:
                self.expired = True
                c["after_limit"] += 1
                return
            c["received"] += 1
            self._sniff(from_a_side, data)
            if self._cut[d]:
                c["cut"] += 1
                return
            r = self.rates[d]
            rng = self.rng
            if rng.random() < r["drop"]:
                c["dropped"] += 1
                return
            if data and rng.random() < r["truncate"]:
                data = data[:rng.randrange(0, len(data))]
                c["truncated"] += 1
            if data and rng.random() < r["corrupt"]:
                data = self._corrupt(data)
                c["corrupted"] += 1
            copies = 2 if rng.random() < r["dup"] else 1
            if copies == 2:
                c["duplicated"] += 1
            if rng.random() < r["reorder"]:
                c["reordered"] += 1
                self._held.append([time.monotonic() + rng.uniform(*self.hold_ms) / 1000.0,
                                   rng.randint(*self.hold_count), d, data])
                copies -= 1
            for _ in range(copies):
                self._send(d, data)
            self._count_down(d)

    def _corrupt(self, data):
        b = bytearray(data)
        lo = 4 if self.keep_magic and len(b) > 4 else 0
        for _ in range(self.rng.randint(1, 3)):
            i = self.rng.randrange(lo, len(b)) if len(b) > lo else 0
            b[i] ^= 1 << self.rng.randrange(8)
        return bytes(b)

    def _sniff(self, from_a_side, data):
        if len(data) >= 16 and data.startswith(MAGIC):
            sess = int.from_bytes(data[8:12], "big")
            dest = int.from_bytes(data[12:16], "big")
            me, other = ("a", "b") if from_a_side else ("b", "a")
            if sess:
                self.sessions[me] = sess
            if dest and not self.sessions[other]:
                self.sessions[other] = dest

    def _send(self, d, data):
        sock, addr = (self.sock_b, self.b_addr) if d == "a2b" else (self.sock_a, self.a_addr)
        if addr is None:
            return
        try:
            sock.sendto(data, addr)
            self.counts[d]["forwarded"] += 1
        except OSError:
            pass

    def _count_down(self, d):
        """After a datagram went out in direction d, held ones whose count ran out follow it."""
        for h in self._held:
            if h[2] == d:
                h[1] -= 1
        self._flush_held(lambda h: h[1] <= 0 and h[2] == d)

    def _release_due(self, now):
        with self._lock:
            self._flush_held(lambda h: h[0] <= now)

    def _flush_held(self, due):
        keep = []
        for h in self._held:
            if due(h):
                if self._cut[h[2]]:
                    self.counts[h[2]]["cut"] += 1
                else:
                    self._send(h[2], h[3])
            else:
                keep.append(h)
        self._held = keep


def _addr(s):
    host, _, port = s.rpartition(":")
    return (host or "127.0.0.1", int(port))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--a", required=True, help="HOST:PORT of endpoint A")
    ap.add_argument("--b", required=True, help="HOST:PORT of endpoint B")
    ap.add_argument("--listen-a", type=int, default=0, help="port A sends to (default any)")
    ap.add_argument("--listen-b", type=int, default=0, help="port B sends to (default any)")
    for r in RATES:
        ap.add_argument("--" + r, type=float, default=0.0, help="rate 0..1")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--lifetime", type=float, default=300.0, help="stop after this many seconds")
    ap.add_argument("--max-datagrams", type=int, default=2_000_000)
    o = ap.parse_args(argv)
    p = LossyProxy(_addr(o.a), _addr(o.b), port_a=o.listen_a, port_b=o.listen_b, seed=o.seed,
                   drop=o.drop, dup=o.dup, reorder=o.reorder, truncate=o.truncate,
                   corrupt=o.corrupt, max_lifetime=o.lifetime, max_datagrams=o.max_datagrams)
    p.start()
    print(json.dumps({"ready": True, "port_a": p.port_a, "port_b": p.port_b}), flush=True)
    try:
        while p._thread.is_alive():
            r, _, _ = select.select([sys.stdin], [], [], 0.5)
            if not r:
                continue
            line = sys.stdin.readline()
            if not line:
                break
            words = line.split()
            if not words:
                continue
            if words[0] == "cut":
                p.cut(words[1] if len(words) > 1 else None)
            elif words[0] == "restore":
                p.restore(words[1] if len(words) > 1 else None)
            elif words[0] == "set" and len(words) >= 2:
                name, _, v = words[1].partition("=")
                p.set_rates(words[2] if len(words) > 2 else None, **{name: float(v)})
            elif words[0] == "stats":
                print(json.dumps(p.stats()), flush=True)
            elif words[0] == "quit":
                break
    except KeyboardInterrupt:
        pass
    finally:
        p.close()
        print(json.dumps(p.stats()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
