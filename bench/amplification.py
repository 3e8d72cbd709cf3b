#!/usr/bin/env python3
"""amplification.py -- what a stranger's datagram makes udpchat send back (issue 12), for bench/run.

For every kind of stranger datagram and every mode (server, peer, lan), the datagrams are sent
with a FORGED source (tests/integration/forge.py: raw socket, 127.0.0.0/8 only): the forged
address is a victim socket that only counts what arrives. Figure: bytes the victim received
per byte the attacker sent, over the attack and BENCH_AMP_SECS (11) seconds after it (a v1
relay resends WELCOME+ROSTER for 10 s). Peer mode subtracts a control instance's own traffic
(its HELLO retries to the same kind of remote). Then the relay's RSS with 20,000 forged
clients (HELLOs v2+v1 and plain-text nicks from 20,000 distinct forged addresses) and after
they expire, against the idle baseline measured in the same run.

Output: `key<TAB>value` sample lines (bench/run appends them to samples.tsv), details on stderr.
    bench/amplification.py build/bench/udpchat [--secs 11] [--forged 20000] [--plain 2000]
Needs root (raw socket). Every loop is bounded in count and time.
"""
import argparse
import os
import random
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))
import udpchat_harness as h  # noqa: E402
import ucproto as up  # noqa: E402
from forge import Forger, distinct_sources  # noqa: E402
import udpchat_harness as h  # noqa: E402

LO = "127.0.0.1"
SENDMSG, BR_ENTRY, SENDCHECKOPT = 0x20, 0x01, 0x100


def log(*a):
    print(*a, file=sys.stderr, flush=True)


class Victim:
    """A socket at a loopback address that only counts what arrives."""

    def __init__(self, host):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.sock.bind((host, 0))
        self.sock.setblocking(False)
        self.addr = self.sock.getsockname()
        self.bytes = 0
        self.count = 0

    def drain(self):
        try:
            for _ in range(100000):
                d = self.sock.recv(65535)
                self.bytes += len(d)
                self.count += 1
        except BlockingIOError:
            pass

    def close(self):
        self.sock.close()


def collect(victims, secs):
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        for v in victims:
            v.drain()
        time.sleep(0.02)


def ipmsg(cmd, extra, user="mallory", host="evil", pno=None):
    pno = pno if pno is not None else random.randrange(1, 1 << 31)
    return ("1:%d:%s:%s:%d:%s" % (pno, user, host, cmd, extra)).encode() + b"\0"


def garbage_ff(r):
    b = bytearray(r.getrandbits(8) for _ in range(r.randrange(20, 200)))
    b[0] = 0xFF
    if b[:4] == up.MAGIC:
        b[1] = 0
    return bytes(b)


def garbage_magic(r):
    b = bytearray(up.MAGIC + bytes(r.getrandbits(8) for _ in range(r.randrange(20, 200))))
    b[4] = 2  # a v2 datagram with random content: a wrong CRC
    return bytes(b)


def stranger_kinds(mode, r):
    """kind -> (list of datagram factories, victims needed). Each factory() -> bytes."""
    rid = up.random_id
    k = {
        "hello_v2": (lambda: up.build_hello(rid(), nick="v%d" % r.randrange(10 ** 6), reply_token=7,
                                            role=up.ROLE_PEER if mode == "peer" else up.ROLE_CLIENT), 20),
        "hello_v1": (lambda: up.build_hello(rid(), nick="w%d" % r.randrange(10 ** 6), version=up.V1,
                                            role=up.ROLE_PEER if mode == "peer" else up.ROLE_CLIENT), 1),
        "bad_version": (lambda: up.datagram(up.HELLO, rid(), 0, 0, b"", version=r.randrange(3, 127)), 50),
        "garbage_ff": (lambda: garbage_ff(r), 50),
        "garbage_magic": (lambda: garbage_magic(r), 50),
    }
    if mode in ("server", "peer"):
        k["data_wrong_token"] = (lambda: up.build_data(rid(), rid(), r.getrandbits(64), 0, 0,
                                                       up.build_msg(up.CHAT, "forged")), 50)
        k["data_v1"] = (lambda: up.build_data(rid(), rid(), 0, 0, 0, up.build_msg(up.CHAT, "forged", version=1),
                                              version=up.V1), 50)
    if mode == "server":
        k["hello_taken_v2"] = (lambda: up.build_hello(rid(), nick="alice", reply_token=7), 20)
        k["hello_taken_v1"] = (lambda: up.build_hello(rid(), nick="ALICE", version=up.V1), 20)
    if mode == "peer":
        k["plain_text"] = (lambda: b"hello from a stranger", 5)
    if mode == "lan":
        k["sendmsg_check"] = (lambda: ipmsg(SENDMSG | SENDCHECKOPT, "hi"), 20)
        k["br_entry"] = (lambda: ipmsg(BR_ENTRY, "m"), 20)
    return k


def start(binary, args):
    return subprocess.Popen([binary] + args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def stop(procs):
    for p in procs:
        if p.poll() is None:
            p.kill()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            pass


def measure_mode(binary, mode, f, secs, r, out):
    procs, victims = [], []
    try:
        kinds = stranger_kinds(mode, r)
        host = {"server": "127.0.0.2", "peer": "127.0.0.4", "lan": "127.0.0.5"}[mode]
        targets = {}
        control = None
        if mode == "server":
            port = h.free_udp_port()
            procs.append(start(binary, ["server", "--port", str(port), "--json"]))
            time.sleep(0.5)
            procs.append(start(binary, ["join", "%s:%d" % (LO, port), "--nick", "alice", "--json"]))
            time.sleep(0.5)
            for kind in kinds:
                targets[kind] = (LO, port)
        if mode == "peer":
            for kind in list(kinds) + ["_control"]:
                v = Victim(host)
                port = h.free_udp_port()
                procs.append(start(binary, ["peer", "%s:%d" % v.addr, "--port", str(port), "--nick", "pa",
                                            "--json"]))
                targets[kind] = ((LO, port), v)
                if kind == "_control":
                    control = v
                victims.append(v)
            time.sleep(0.5)
        if mode == "lan":
            port = h.free_udp_port()
            procs.append(start(binary, ["lan", "--port", str(port), "--broadcast", LO, "--nick", "lanny",
                                        "--json"]))
            time.sleep(0.5)
            for kind in kinds:
                targets[kind] = (LO, port)
        sent, vic_of = {}, {}
        for kind, (make, _) in kinds.items():
            n = kinds[kind][1]
            if mode == "peer":
                dst, v = targets[kind]
                vs = [v]
            else:
                dst = targets[kind]
                vs = [Victim(host)]
                victims += vs
            vic_of[kind] = vs
            sent[kind] = 0
            for i in range(n):
                sent[kind] += f.send(make(), vs[i % len(vs)].addr, dst)
        # plain-text nicks to the relay: one per forged address (each becomes a member)
        if mode == "server":
            vs = [Victim("127.0.0.3") for _ in range(200)]
            victims += vs
            vic_of["plain_nick_200"] = vs
            sent["plain_nick_200"] = sum(f.send(b"pn%03d" % i, v.addr, targets["hello_v2"]) for i, v in enumerate(vs))
        collect(victims, secs)
        base = control.bytes if control else 0
        for kind in sent:
            got = sum(v.bytes for v in vic_of[kind]) - base * len(vic_of[kind])
            ratio = max(0, got) / float(sent[kind])
            out("amp.%s.%s" % (mode, kind), "%.3f" % ratio)
            log("  %-6s %-16s attacker %7d B, victim %8d B (control %d B): %.2fx" % (
                mode, kind, sent[kind], got, base, ratio))
        dead = [p.args[1] for p in procs if p.poll() is not None]
        if dead:
            out("note", "amplification %s: %s exited during the attack" % (mode, ", ".join(dead)))
    finally:
        stop(procs)
        for v in victims:
            v.close()


def measure_memory(binary, f, n_forged, n_plain, out):
    port = h.free_udp_port()
    p = start(binary, ["server", "--port", str(port), "--max-clients", "20000", "--timeout", "5",
                       "--legacy-timeout", "5", "--rate", "0", "--json"])
    try:
        time.sleep(1.5)
        base = h.rss_kib(p.pid)
        srcs = distinct_sources(n_forged, first_octet2=110)
        dst = (LO, port)
        n_hello = n_forged - n_plain

        def items():
            for i in range(n_forged):
                if i < n_hello:
                    yield up.build_hello(up.random_id(), nick="fh%05d" % i, reply_token=i + 1), srcs[i], dst
                    yield up.build_hello(up.random_id(), nick="fo%05d" % i, version=up.V1), srcs[i], dst
                else:
                    yield b"fp%05d" % i, srcs[i], dst
        t0 = time.monotonic()
        peak = base
        n = 0
        it = items()
        while n < n_forged + n_hello and time.monotonic() - t0 < 60:
            k, _ = f.send_many(it, max_count=500, max_secs=1.0, rate=5000)
            if not k:
                break
            n += k
            peak = max(peak, h.rss_kib(p.pid))
        for _ in range(30):
            peak = max(peak, h.rss_kib(p.pid))
            time.sleep(0.1)
        time.sleep(10)  # --timeout 5 / --legacy-timeout 5 and the 1 s scans: every forged member expired
        after = h.rss_kib(p.pid)
        died = p.poll()
        out("ampmem.base_kib", base)
        out("ampmem.peak_kib", peak)
        out("ampmem.after_kib", after if died is None else "nan")
        out("ampmem.peak_grow_kib", peak - base)
        out("ampmem.after_grow_kib", after - base if died is None else "nan")
        if died is not None:
            out("note", "relay memory row: the relay died (exit %s) during %d forged joins" % (died, n))
        log("  memory: %d forged datagrams from %d addresses (%d plain-text); RSS idle %d, peak %d, "
            "after expiry %d KiB%s" % (n, n_forged, n_plain, base, peak, after,
                                       "; relay DIED (%s)" % died if died is not None else ""))
    finally:
        stop([p])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--secs", type=float, default=float(os.environ.get("BENCH_AMP_SECS", 11)))
    ap.add_argument("--forged", type=int, default=20000)
    ap.add_argument("--plain", type=int, default=2000)
    ap.add_argument("--modes", default="server,peer,lan")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    r = random.Random(a.seed)
    up.random.seed(a.seed)
    lines = []

    def out(k, v):
        lines.append("%s\t%s" % (k, v))
        print("%s\t%s" % (k, v), flush=True)
    with Forger() as f:
        for mode in a.modes.split(","):
            log("amplification: %s mode" % mode)
            measure_mode(a.binary, mode, f, a.secs, r, out)
        if a.forged:
            log("amplification: relay RSS with %d forged clients" % a.forged)
            measure_memory(a.binary, f, a.forged, a.plain, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
