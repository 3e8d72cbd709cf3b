#!/usr/bin/env python3
"""history_bench.py -- row 8 of bench/run: what the chat log costs.

  relay  messages per second through one `udpchat server` on 127.0.0.1 that a `udpchat
         join --json` client keeping the chat log shows, against the same client with
         --no-history: 4 sender clients write 4,500 lines each at 900 a second (under the
         default limit of 1000 datagrams/s per member; the relay runs with --rate 0 all the
         same, because the receiver acknowledges every message and its 3,600 acks a second
         would pass its own limit), 3,600 msg/s in all; the rate is
         the receiver's, from its first message to its last. Also the receiver's CPU time per
         message (/proc/PID/stat), the capacity figure: what one core could show at most.
         Runs interleaved.
  search one million stored messages (the mixed Chinese/ASCII text of gen_text.py, one
         line a message): `/search WORD` typed into a running `udpchat peer --json` (from the
         line written to the last match shown), and `udpchat history --search WORD` (a
         process of its own), each against `grep -c WORD` over the same lines exported to
         a file (wall time of the grep process).

Prints "key<TAB>value" sample lines for report.py. Every wait is bounded."""
import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import udpchat_harness as h  # noqa: E402


def relay_run(binary, per_sender, keep_log):
    """SENDERS join clients each write per_sender lines at RATE a second (under the relay's
    1000 datagrams/s per member) through one relay to a receiver that keeps the chat log or
    not. Returns (messages/s the receiver showed, first to last; its CPU microseconds per
    message)."""
    with h.ProcessGroup(binary) as g:
        port = h.free_udp_port()
        g.start(["server", "--port", port, "--json", "--max-clients", 16, "--rate", 0], name="server").wait_ready()
        extra = [] if keep_log else ["--no-history"]
        rx = g.start(["join", "127.0.0.1:%d" % port, "--nick", "rx", "--json"] + extra, name="rx")
        rx.wait_event("status", text="joined")
        txs = []
        for k in range(SENDERS):
            tx = g.start(["join", "127.0.0.1:%d" % port, "--nick", "tx%d" % k, "--json", "--no-history"],
                         name="tx%d" % k)
            tx.wait_event("status", text="joined")
            txs.append(tx)
        total = SENDERS * per_sender
        m = rx.mark()
        for k, tx in enumerate(txs):  # one each first: the receiver's clock starts at the first
            tx.send_lines(["tx%d 0 first 中文" % k])
        first = rx.wait_count(lambda e: e.get("event") == "message", SENDERS, 10, m, "the first messages")
        cpu0 = cpu_s(rx.pid)
        t0 = time.monotonic()
        for i in range(1, per_sender, BATCH):  # RATE a second from each sender
            for k, tx in enumerate(txs):
                tx.send_lines(["tx%d %06d 第%d条 mixed 中文 text" % (k, j, j) for j in range(i, min(i + BATCH, per_sender))])
            time.sleep(max(0.0, t0 + (i + BATCH - 1) / RATE - time.monotonic()))
        got = wait_all(rx, total, m)
        if got is None:  # the relay let the receiver go (it fell behind): no figure from this run
            print("run lost: the receiver was out of the room (a loaded machine)", file=sys.stderr)
            return None, None
        cpu = cpu_s(rx.pid) - cpu0
        span = got[-1]["_t"] - first[-1]["_t"]
        shown = total - SENDERS
        return shown / max(span, 0.001), cpu * 1e6 / shown


SENDERS, RATE, BATCH = 4, 900, 15


def wait_all(rx, total, m, secs=120):
    """The receiver's `total` messages, or None once it says it missed some (bounded)."""
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        evs = rx.snapshot(m)
        if any(e.get("event") == "missed" for e in evs):
            return None
        got = [e for e in evs if e.get("event") == "message"]
        if len(got) >= total:
            return got
        time.sleep(0.2)
    raise SystemExit("rx: %d of %d messages within %d s" % (len(got), total, secs))


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def make_log(binary, path, lines):
    """A chat log of len(lines) messages, made by udpchat's own schema, filled in bulk."""
    rc, _, err = h.run_cli(["history", "--file", path, "--limit", "1"], binary=binary)
    if rc != 0:
        raise SystemExit("udpchat history --file failed: %s" % err)
    db = sqlite3.connect(path)
    t0 = 1790000000
    rows = ((t0 + i, "lan", "", "peer%d" % (i % 50), "", "192.0.2.%d" % (i % 250), "public", 0, "", l)
            for i, l in enumerate(lines))
    db.executemany("INSERT INTO messages(time, place, conv, sender, recipient, address, kind, own, state, text)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    db.commit()
    # udpchat's own indexing statement (src/store/history.c), over everything at once
    db.executescript("INSERT INTO messages_fts(rowid, text) SELECT id, text FROM messages WHERE id > "
                     "(SELECT last FROM fts_done); UPDATE fts_done SET last = (SELECT coalesce(max(id), 0) FROM messages);")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def timed(cmd):
    t0 = time.monotonic()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    return time.monotonic() - t0, r


def search_rows(binary, text_path, n, runs, word):
    with open(text_path, encoding="utf-8") as f:
        lines = [l.rstrip("\n") for _, l in zip(range(n), f)]
    if not word:  # three Chinese characters of the middle message: there, a few times at most
        cands = (w for l in lines[len(lines) // 2:] for w in l.split()
                 if len(w) >= 3 and all("\u4e00" <= c <= "\u9fff" for c in w))
        word = next(cands, "udp room")[:3]
    tmp = tempfile.mkdtemp(prefix="udpchat-bench-hist-")
    try:
        log, export = os.path.join(tmp, "history.db"), os.path.join(tmp, "export.txt")
        make_log(binary, log, lines)
        with open(export, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        for _ in range(runs):
            s, r = timed([binary, "history", "--file", log, "--search", word, "--json"])
            found = sum(1 for l in r.stdout.splitlines() if l.strip())
            g, rg = timed(["grep", "-c", "-F", word, export])
            v, _ = timed([binary, "--version"])
            print("hist.search.ms\t%.2f\nhist.grep.ms\t%.2f\nhist.version.ms\t%.2f" % (s * 1e3, g * 1e3, v * 1e3),
                  flush=True)
            print("search %r: udpchat history %d matches in %.3f s, grep %s in %.3f s" % (
                word, found, s, rg.stdout.decode().strip(), g), file=sys.stderr)
        for s in chat_search(binary, log, word, found, runs):
            print("hist.chat_search.ms\t%.2f" % (s * 1e3), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def chat_search(binary, log, word, found, runs):
    """/search typed into a running chat whose log is `log`: seconds from the line written
    to the last of its `found` matches shown, per run."""
    home = h.private_home()
    os.makedirs(os.path.join(home["XDG_DATA_HOME"], "udpchat"))
    shutil.copy(log, os.path.join(home["XDG_DATA_HOME"], "udpchat", "history.db"))
    pa, pb = h.free_udp_ports(2)
    out = []
    with h.ProcessGroup(binary) as g:
        a = g.start(["peer", "127.0.0.1:%d" % pb, "--port", pa, "--json"], name="alice", env=home)
        a.wait_ready()
        for _ in range(runs):
            m = a.mark()
            t0 = time.monotonic() - a.started
            a.send_line("/search " + word)
            got = a.wait_count(lambda e: e.get("event") == "history", min(found, 50), 60, m, "/search")
            out.append(got[-1]["_t"] - t0)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--text", required=True, help="UTF-8 text, one message a line (gen_text.py)")
    ap.add_argument("--messages", type=int, default=4500, help="per sender")
    ap.add_argument("--stored", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--word", help="the search (default: 4 characters of the middle message)")
    a = ap.parse_args()
    for _ in range(a.runs):
        for keep in (False, True):
            rate, us = relay_run(a.binary, a.messages, keep)
            on = "on" if keep else "off"
            if rate is None:
                continue
            print("hist.relay.%s\t%.1f\nhist.cpu.%s\t%.2f" % (on, rate, on, us), flush=True)
    search_rows(a.binary, a.text, a.stored, a.runs, a.word)


if __name__ == "__main__":
    main()
