#!/usr/bin/env python3
"""files_bench.py -- bench/run row 8: IPMsg file transfer between two network namespaces.

  files.udpchat.mbps   udpchat -> udpchat, one file (--mb MiB of random bytes), from /accept
                       to the receiver's "done", MB/s
  files.tcp.mbps       the same file over one plain TCP connection in the same run (sendfile
                       in namespace 0, recv_into + write in namespace 1), MB/s: the baseline
  files.rss.idle_kib   the sender's RSS before, and
  files.rss.grow_kib   its peak RSS growth (sampled every 20 ms) while serving a sparse
                       2 GiB file to a GETFILEDATA client that reads and discards it

Prints "key TAB value" lines for bench/report.py. Needs root (`ip netns`).
Usage: files_bench.py PATH/TO/udpchat [--mb N] [--runs N]"""
import argparse
import os
import shutil
import socket
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import netns  # noqa: E402
import udpchat_harness as h  # noqa: E402
from test_lan_files import Forger, FORGER_HOST, PORT, GETFILEDATA  # noqa: E402
from ipmsg_peer import SENDMSG, FILEATTACHOPT  # noqa: E402

BASE_PORT = 5001


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def udpchat_copy(a, b, path, dl):
    m = b.mark()
    a.send_line("/send bob %s" % path)
    offer = b.wait_event("file_offer", 10, m)
    t0 = time.monotonic()
    b.send_line("/accept %d" % offer["offer"])
    b.wait_for(lambda e: e.get("event") == "transfer" and e.get("state") in ("done", "failed"), 300, m)
    dt = time.monotonic() - t0
    got = os.path.join(dl, os.path.basename(path))
    ok = os.path.exists(got) and os.path.getsize(got) == os.path.getsize(path)
    if os.path.exists(got):
        os.remove(got)
    return dt if ok else None


def tcp_copy(lan, path, out, port):
    """A plain TCP copy of path from namespace 0 to namespace 1; seconds from connect to the
    last byte written."""
    srv = netns._enter_and_call(lan.ns[1], lambda: socket.create_server(("0.0.0.0", port)))
    done = {}

    def receive():
        c, _ = srv.accept()
        buf = bytearray(1 << 20)
        view = memoryview(buf)
        with open(out, "wb") as f:
            while True:
                n = c.recv_into(buf)
                if not n:
                    break
                f.write(view[:n])
        done["t"] = time.monotonic()
        c.close()
    t = threading.Thread(target=receive)
    t.start()
    s = netns._enter_and_call(lan.ns[0], lambda: socket.create_connection((lan.addr(1), port)))
    t0 = time.monotonic()
    with open(path, "rb") as f:
        s.sendfile(f)
    s.close()
    t.join(300)
    srv.close()
    ok = os.path.getsize(out) == os.path.getsize(path)
    os.remove(out)
    return done["t"] - t0 if ok else None


def rss_while_serving(lan, g, binary, work):
    """alice offers a sparse 2 GiB file to a forged 'bob' that fetches and discards it."""
    sparse = os.path.join(work, "sparse-2g.bin")
    with open(sparse, "wb") as f:
        f.truncate(2 << 30)
    a = lan.start(g, 0, ["lan", "--json", "--nick", "alice", "--download-dir", work], name="alice-rss")
    a.wait_ready(10)
    bob = Forger(lan, 1, nick=b"bob")
    g.add(bob)
    bob.enter(lan.addr(0))
    a.wait_event("join", 10, nick="bob")
    time.sleep(1)
    idle = h.rss_kib(a.pid)
    m = bob.peer.mark()
    a.send_line("/send bob %s" % sparse)
    pkt = bob.peer.wait(lambda p: p.mode == SENDMSG and p.cmd & FILEATTACHOPT, 10, m)
    fid = int(pkt.extra2.split(b":")[0])

    def connect():
        s = socket.create_connection((lan.addr(0), PORT))
        s.sendall(b"1_bench:%d:bob:%s:%d:%x:%x:0:\0" % (int(time.time()), FORGER_HOST, GETFILEDATA, pkt.no, fid))
        return s
    s = netns._enter_and_call(lan.ns[1], connect)
    peak, total, stop = [idle], [0], threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], h.rss_kib(a.pid))
            time.sleep(0.02)
    t = threading.Thread(target=sample)
    t.start()
    buf = bytearray(1 << 20)
    while True:
        n = s.recv_into(buf)
        if not n:
            break
        total[0] += n
    stop.set()
    t.join()
    s.close()
    a.stop(10)
    if total[0] != 2 << 30:
        raise RuntimeError("served %d bytes of %d" % (total[0], 2 << 30))
    return idle, peak[0] - idle


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--mb", type=int, default=256)
    ap.add_argument("--runs", type=int, default=3)
    o = ap.parse_args()
    netns.require_root_or_skip()
    work = tempfile.mkdtemp(prefix="uc-files-bench-")
    try:
        src, dl = os.path.join(work, "src"), os.path.join(work, "dl")
        os.makedirs(src)
        os.makedirs(dl)
        path = os.path.join(src, "data.bin")
        with open(path, "wb") as f:
            for _ in range(o.mb):
                f.write(os.urandom(1 << 20))
        mb = o.mb * 1.048576  # MiB -> MB
        with netns.TestLan(2) as lan, h.ProcessGroup(o.binary) as g:
            a = lan.start(g, 0, ["lan", "--json", "--nick", "alice", "--download-dir", work], name="alice")
            b = lan.start(g, 1, ["lan", "--json", "--nick", "bob", "--download-dir", dl], name="bob")
            a.wait_event("join", 15, nick="bob")
            b.wait_event("join", 15, nick="alice")
            for run in range(o.runs):
                for kind in ("udpchat", "tcp"):
                    dt = udpchat_copy(a, b, path, dl) if kind == "udpchat" else \
                        tcp_copy(lan, path, os.path.join(dl, "tcp.bin"), BASE_PORT + run)
                    if dt is None:
                        raise RuntimeError("%s copy %d incomplete" % (kind, run))
                    log("run %d %s: %.2f s, %.0f MB/s" % (run, kind, dt, mb / dt))
                    print("files.%s.mbps\t%.1f" % (kind, mb / dt), flush=True)
            a.stop(10)
            b.stop(10)
        with netns.TestLan(2) as lan, h.ProcessGroup(o.binary) as g:
            idle, grow = rss_while_serving(lan, g, o.binary, work)
            log("RSS idle %d KiB, peak growth %d KiB while serving 2 GiB" % (idle, grow))
            print("files.rss.idle_kib\t%d\nfiles.rss.grow_kib\t%d" % (idle, grow), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
