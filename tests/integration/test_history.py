#!/usr/bin/env python3
"""test_history.py -- the chat log: real udpchat processes on loopback write every message
they show (peer, room, LAN; public and private; sent and received, with delivery state) to
SQLite; `udpchat history` prints and exports it; /history and /search read it in the chat;
kill -9 loses nothing that was shown; a locked, read-only, corrupt or truncated database is a
warning and the chat goes on. Usage: test_history.py PATH/TO/udpchat [TEST...]"""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import udpchat_harness as h  # noqa: E402
from udpchat_harness import check  # noqa: E402

LO = "127.0.0.1"


def db_path(home):
    return os.path.join(home["XDG_DATA_HOME"], "udpchat", "history.db")


def exported(home, *args):
    rc, out, err = h.run_cli(["history", "--json"] + list(args), env=home)
    check(rc == 0, "udpchat history failed (%d): %s" % (rc, err))
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def is_msg(text):
    return lambda e: e.get("event") == "message" and e.get("text") == text


def peers(g, ha, hb, a_extra=(), b_extra=()):
    pa, pb = h.free_udp_ports(2)
    a = g.start(["peer", "%s:%d" % (LO, pb), "--port", pa, "--nick", "alice", "--json"] + list(a_extra), name="alice", env=ha)
    b = g.start(["peer", "%s:%d" % (LO, pa), "--port", pb, "--nick", "bob", "--json"] + list(b_extra), name="bob", env=hb)
    a.wait_event("join")
    b.wait_event("join")
    return a, b, pa, pb


def test_peer_both_sides(binary):
    """Sent and received lines land on both sides with sender, kind, own and delivery state;
    an action too; the export is valid JSON with every field."""
    ha, hb = h.private_home(), h.private_home()
    with h.ProcessGroup(binary) as g:
        a, b, pa, pb = peers(g, ha, hb)
        a.send_line("你好 bob, 第一条")
        b.wait_for(is_msg("你好 bob, 第一条"))
        a.wait_event("delivered")
        b.send_line("/me waves 挥手")
        a.wait_for(lambda e: e.get("event") == "message" and e.get("action"))
        check(a.stop() == 0 and b.stop() == 0, "a peer did not exit 0", a, b)
    ea, eb = exported(ha), exported(hb)
    check([(e["from"], e["kind"], e["own"], e["text"]) for e in ea] ==
          [("alice", "public", True, "你好 bob, 第一条"), ("bob", "action", False, "waves 挥手")],
          "alice's log: %r" % ea)
    check(ea[0]["state"] == "delivered", "alice's own line is not marked delivered: %r" % ea[0])
    check(ea[0]["place"] == "peer %s:%d" % (LO, pb), "place %r" % ea[0]["place"])
    check([(e["from"], e["own"]) for e in eb] == [("alice", False), ("bob", True)], "bob's log: %r" % eb)
    check(oct(os.stat(db_path(ha)).st_mode & 0o777) == "0o600", "history.db is not 0600")
    check(oct(os.stat(os.path.dirname(db_path(ha))).st_mode & 0o777) == "0o700", "its folder is not 0700")


def test_room_private_and_public(binary):
    """In a room: a public line and a /msg land in the logs of sender and receiver, the
    private one in the conversation named after the other; --with filters."""
    ha, hb = h.private_home(), h.private_home()
    with h.ProcessGroup(binary) as g:
        port = h.free_udp_port()
        g.start(["server", "--port", port, "--json"], name="server").wait_ready()
        a = g.start(["join", "%s:%d" % (LO, port), "--nick", "alice", "--json"], name="alice", env=ha)
        a.wait_event("status", text="joined")
        b = g.start(["join", "%s:%d" % (LO, port), "--nick", "bob", "--json"], name="bob", env=hb)
        b.wait_event("status", text="joined")
        a.wait_event("join", nick="bob")
        a.send_line("room line 房间")
        b.wait_for(is_msg("room line 房间"))
        a.send_line("/msg bob 悄悄话 secret")
        b.wait_for(is_msg("悄悄话 secret"))
        a.wait_count(lambda e: e.get("event") == "delivered", 2, 10)
    ea, eb = exported(ha), exported(hb)
    check([(e["conversation"], e["kind"], e["text"]) for e in ea] ==
          [("", "public", "room line 房间"), ("bob", "private", "悄悄话 secret")], "alice's log: %r" % ea)
    check(all(e["state"] == "delivered" for e in ea), "alice's lines are not delivered: %r" % ea)
    check([(e["conversation"], e["kind"], e["from"]) for e in eb] ==
          [("", "public", "alice"), ("alice", "private", "alice")], "bob's log: %r" % eb)
    w = exported(hb, "--with", "alice")
    check(len(w) == 2, "--with alice: %r" % w)
    check(exported(hb, "--with", "nobody") == [], "--with nobody found something")


def test_lan(binary):
    """LAN mode: the line and its answer land in both logs, place 'lan'."""
    ha, hb = h.private_home(), h.private_home()
    with h.ProcessGroup(binary) as g:
        pa, pb = h.free_udp_ports(2)
        a = g.start(["lan", "--port", pa, "--peer", "%s:%d" % (LO, pb), "--broadcast", LO, "--nick", "alice",
                     "--json"], name="alice", env=ha)
        b = g.start(["lan", "--port", pb, "--peer", "%s:%d" % (LO, pa), "--broadcast", LO, "--nick", "bob",
                     "--json"], name="bob", env=hb)
        a.wait_event("join", nick="bob")
        b.wait_event("join", nick="alice")
        a.send_line("lan 你好")
        b.wait_for(is_msg("lan 你好"))
        a.wait_event("delivered")
    ea, eb = exported(ha), exported(hb)
    check([(e["place"], e["from"], e["own"], e["text"]) for e in ea] == [("lan", "alice", True, "lan 你好")], "%r" % ea)
    check([(e["place"], e["from"], e["own"]) for e in eb] == [("lan", "alice", False)], "%r" % eb)


def test_lan_file_offer(binary):
    """A file offer in LAN mode lands in both logs as a row of kind "file" with the names
    offered, in the conversation with the other side: the receiver's from bob, the sender's
    own, to alice."""
    ha, hb = h.private_home(), h.private_home()
    tmp = h.private_home()["XDG_DATA_HOME"]
    os.makedirs(tmp)
    path = os.path.join(tmp, "周报 report.txt")
    with open(path, "w") as f:
        f.write("x" * 1000)
    with h.ProcessGroup(binary) as g:
        pa, pb = h.free_udp_ports(2)
        a = g.start(["lan", "--port", pa, "--peer", "%s:%d" % (LO, pb), "--broadcast", LO, "--nick", "alice",
                     "--json"], name="alice", env=ha)
        b = g.start(["lan", "--port", pb, "--peer", "%s:%d" % (LO, pa), "--broadcast", LO, "--nick", "bob",
                     "--json"], name="bob", env=hb)
        a.wait_event("join", nick="bob")
        b.wait_event("join", nick="alice")
        b.send_line('/send alice "%s"' % path)
        a.wait_event("file_offer")
        b.wait_event("file_shared")
        check(a.stop() == 0, "alice did not exit 0", a)
        check(b.stop() == 0, "bob did not exit 0", b)
    rows = [e for e in exported(ha) if e["kind"] == "file"]
    check(len(rows) == 1 and "周报 report.txt" in rows[0]["text"] and rows[0]["from"] == "bob"
          and rows[0]["conversation"] == "bob" and not rows[0]["own"], "the offer is not in alice's log: %r" % exported(ha))
    rows = [e for e in exported(hb) if e["kind"] == "file"]
    check(len(rows) == 1 and rows[0]["text"] == "[files: 周报 report.txt]" and rows[0]["own"]
          and rows[0]["from"] == "bob" and rows[0]["to"] == "alice" and rows[0]["conversation"] == "alice",
          "bob's own offer is not in his log: %r" % exported(hb))


def test_kill9_loses_nothing(binary):
    """bob sends 300 numbered lines; alice is killed with SIGKILL in the middle: every line
    she printed is in her log (the log is written before a line is shown)."""
    ha, hb = h.private_home(), h.private_home()
    with h.ProcessGroup(binary) as g:
        a, b, _, _ = peers(g, ha, hb)
        m = a.mark()
        b.send_lines(["line %03d 第%d条" % (i, i) for i in range(300)])
        a.wait_count(lambda e: e.get("event") == "message", 40, 20, m, "40 messages")
        os.kill(a.pid, signal.SIGKILL)
        a.wait_exit()
        shown = [e["text"] for e in a.matching(lambda e: e.get("event") == "message", m)]
    logged = [e["text"] for e in exported(ha)]
    check(len(shown) >= 40, "only %d shown" % len(shown))
    missing = [t for t in shown if t not in logged]
    check(not missing, "%d of %d shown lines are not in the log after kill -9, first %r" % (len(missing), len(shown), missing[:3]))


def test_search_and_history_commands(binary):
    """/search finds Chinese and ASCII substrings, short ones (under 3 characters, which the
    trigram index cannot hold) too, across conversations; /history N shows the last N;
    `udpchat history --search` the same; a second start replays the conversation's last lines."""
    ha, hb = h.private_home(), h.private_home()
    lines = ["the quick brown fox", "会议纪要：周五发布", "Lunch at noon?", "周末愉快", "QUICK question"]
    with h.ProcessGroup(binary) as g:
        a, b, pa, pb = peers(g, ha, hb)
        b.send_lines(lines)
        a.wait_count(lambda e: e.get("event") == "message", len(lines), 10)
        for query, want in (("quick", [lines[0], lines[4]]), ("周五", [lines[1]]), ("纪要：周五", [lines[1]]),
                            ("周", [lines[1], lines[3]]), ("noon?", [lines[2]]), ("不存在的话", [])):
            m = a.mark()
            a.send_line("/search " + query)
            if want:
                got = a.wait_count(lambda e: e.get("event") == "history", len(want), 10, m, "/search %s" % query)
                time.sleep(0.2)
                got = a.matching(lambda e: e.get("event") == "history", m)
                check([e["text"] for e in got] == want, "/search %r gave %r" % (query, [e["text"] for e in got]))
            else:
                a.wait_for(lambda e: e.get("event") == "notice" and "nothing found" in e.get("text", ""), 10, m)
        m = a.mark()
        a.send_line("/history 2")
        got = a.wait_count(lambda e: e.get("event") == "history", 2, 10, m)
        check([e["text"] for e in got] == lines[3:], "/history 2 gave %r" % got)
    texts = [e["text"] for e in exported(ha, "--search", "周")]
    check(texts == [lines[1], lines[3]], "history --search 周: %r" % texts)
    # a plain (not --json) start shows where the conversation left off
    rc, out, err = h.run_cli(["peer", "%s:%d" % (LO, pb), "--port", pa, "--nick", "alice"],
                             env=ha, stdin=b"", timeout=20)
    check(rc == 0 and "QUICK question" in out and "<bob> 周末愉快" in out, "no replay of the last lines at start:\n%s%s" % (out, err))


def locked_db(home):
    """Another process holds the database's write lock (an open exclusive transaction)."""
    os.makedirs(os.path.dirname(db_path(home)), exist_ok=True)
    code = ("import sqlite3,sys,time\nc=sqlite3.connect(sys.argv[1],isolation_level=None)\n"
            "c.execute('BEGIN EXCLUSIVE')\nprint('locked',flush=True)\ntime.sleep(60)\n")
    p = subprocess.Popen([sys.executable, "-c", code, db_path(home)], stdout=subprocess.PIPE)
    check(p.stdout.readline().strip() == b"locked", "the locker did not lock")
    return p


def chat_goes_on(binary, ha, hb, want_warning):
    """alice's log is broken: she is told once (at start, or when a line cannot be saved),
    and chats on both ways."""
    with h.ProcessGroup(binary) as g:
        a, b, _, _ = peers(g, ha, hb)
        b.send_line("still chatting 还在聊")
        a.wait_for(is_msg("still chatting 还在聊"))
        warn = a.wait_for(lambda e: e.get("event") == "error" and e.get("text", "").startswith("history:"), 10,
                          what="a history warning")
        check(want_warning in warn["text"], "warning %r does not say %r" % (warn["text"], want_warning))
        print("    warned: %s" % warn["text"], flush=True)
        a.send_line("and back")
        b.wait_for(is_msg("and back"))
        a.wait_event("delivered")
        check(len(a.of_type("error")) == 1, "more than one warning: %r" % a.of_type("error"), a)
        check(a.stop() == 0, "alice did not exit 0", a)


def test_locked_database(binary):
    ha, hb = h.private_home(), h.private_home()
    locker = locked_db(ha)
    try:
        chat_goes_on(binary, ha, hb, "locked")
    finally:
        locker.kill()


def test_locked_while_chatting(binary):
    """The lock is taken in the middle of a chat: the line still shows, one warning says it
    was not saved; once the lock is gone, saving resumes (told once) and later lines are kept."""
    ha, hb = h.private_home(), h.private_home()
    with h.ProcessGroup(binary) as g:
        a, b, _, _ = peers(g, ha, hb)
        b.send_line("saved before")
        a.wait_for(is_msg("saved before"))
        locker = locked_db(ha)
        try:
            m = a.mark()
            b.send_line("during the lock")
            a.wait_for(is_msg("during the lock"), 10, m)
            warn = a.wait_for(lambda e: e.get("event") == "error" and "not being saved" in e.get("text", ""), 10, m)
            check("locked" in warn["text"], "warning %r" % warn["text"])
        finally:
            locker.kill()
            locker.wait()
        time.sleep(h.T(5.5))  # RECORD_RETRY_MS
        m = a.mark()
        b.send_line("saved after")
        a.wait_for(is_msg("saved after"), 10, m)
        a.wait_for(lambda e: e.get("event") == "error" and "saving again" in e.get("text", ""), 10, m)
        check(a.stop() == 0, "alice did not exit 0", a)
    texts = [e["text"] for e in exported(ha)]
    check(texts == ["saved before", "saved after"], "log after the lock: %r" % texts)


def test_corrupt_and_truncated(binary):
    """A file of junk, then a real log cut in half: each a warning, the chat goes on."""
    ha, hb = h.private_home(), h.private_home()
    os.makedirs(os.path.dirname(db_path(ha)), exist_ok=True)
    with open(db_path(ha), "wb") as f:
        f.write(b"\x00junk\xff" * 5000)
    chat_goes_on(binary, ha, hb, "not a database")
    hc = h.private_home()
    with h.ProcessGroup(binary) as g:  # a real log with some messages, closed cleanly
        a, b, _, _ = peers(g, hc, h.private_home())
        b.send_lines(["message %d: %s" % (i, "x" * 300) for i in range(300)])
        a.wait_count(lambda e: e.get("event") == "message", 300, 20)
        check(a.stop() == 0, "alice did not exit 0", a)
    check(not os.path.exists(db_path(hc) + "-wal"), "the WAL was not checkpointed at exit")
    size = os.path.getsize(db_path(hc))
    with open(db_path(hc), "r+b") as f:
        f.truncate(size // 2)
    with open(db_path(hc), "r+b") as f:  # and its header damaged
        f.seek(100)
        f.write(b"\xff" * 200)
    chat_goes_on(binary, hc, h.private_home(), "history:")


def test_read_only_database(binary):
    """The log exists but this user may not write it (run as nobody): a warning, the chat goes on."""
    if os.geteuid() != 0:
        raise h.Skip("needs root to run udpchat as another user")
    ha, hb = h.private_home(), h.private_home()
    with h.ProcessGroup(binary) as g:  # make a log
        a, b, _, _ = peers(g, ha, hb)
        b.send_line("before")
        a.wait_for(is_msg("before"))
    base = os.path.dirname(ha["XDG_DATA_HOME"])
    for root, dirs, files in os.walk(base):
        os.chmod(root, 0o755)
        for f in files:
            os.chmod(os.path.join(root, f), 0o644)
    os.chmod(base, 0o755)
    nobody = shutil_which("setpriv")
    check(nobody is not None, "setpriv not found (util-linux)")
    with h.ProcessGroup(binary) as g:
        pa, pb = h.free_udp_ports(2)
        a = g.start(["peer", "%s:%d" % (LO, pb), "--port", pa, "--nick", "alice", "--json"], name="alice",
                    env=dict(ha, HOME="/nonexistent"),
                    wrapper=["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"])
        b = g.start(["peer", "%s:%d" % (LO, pa), "--port", pb, "--nick", "bob", "--json"], name="bob", env=hb)
        a.wait_event("join")
        warn = a.wait_for(lambda e: e.get("event") == "error" and "history:" in e.get("text", ""), 10)
        check("readonly" in warn["text"] or "read-only" in warn["text"] or "unable to open" in warn["text"],
              "warning %r" % warn["text"])
        b.send_line("still here")
        a.wait_for(is_msg("still here"))


def test_full_disk(binary):
    """The log's disk fills up (a 256 KiB tmpfs): one warning, every line still shown, the
    chat goes on both ways."""
    if os.geteuid() != 0:
        raise h.Skip("needs root to mount a small tmpfs")
    ha, hb = h.private_home(), h.private_home()
    os.makedirs(ha["XDG_DATA_HOME"])
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", ha["XDG_DATA_HOME"]],
                       capture_output=True)
    if r.returncode != 0:
        raise h.Skip("cannot mount a tmpfs: %s" % r.stderr.decode(errors="replace").strip())
    try:
        with h.ProcessGroup(binary) as g:
            a, b, _, _ = peers(g, ha, hb)
            n = 600
            b.send_lines(["filling the disk %04d %s" % (i, "磁盘" * 150) for i in range(n)])
            a.wait_count(lambda e: e.get("event") == "message", n, 60, 0, "%d messages" % n)
            warn = a.wait_for(lambda e: e.get("event") == "error" and "history:" in e.get("text", ""), 10,
                              what="a history warning")
            check("full" in warn["text"], "warning %r does not say the disk is full" % warn["text"])
            print("    warned: %s" % warn["text"], flush=True)
            b.send_line("after the disk filled")
            a.wait_for(is_msg("after the disk filled"))
            a.send_line("alice still talks")
            b.wait_for(is_msg("alice still talks"))
            check(sum(1 for e in a.of_type("error") if "not being saved" in e.get("text", "")) == 1,
                  "the warning is not said once: %r" % a.of_type("error"), a)
    finally:
        subprocess.run(["umount", "-l", ha["XDG_DATA_HOME"]], capture_output=True)


def shutil_which(name):
    import shutil
    return shutil.which(name)


if __name__ == "__main__":
    h.main([test_peer_both_sides, test_room_private_and_public, test_lan, test_lan_file_offer, test_kill9_loses_nothing,
            test_search_and_history_commands, test_locked_database, test_locked_while_chatting, test_corrupt_and_truncated,
            test_read_only_database, test_full_disk])
