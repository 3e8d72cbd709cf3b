#!/usr/bin/env python3
"""test_lan_ipmsg.py -- what IPMsg / FeiQ / iptux users rely on in LAN mode, with real udpchat
processes on a private LAN of network namespaces (netns.py) and a raw IPMsg peer
(ipmsg_peer.py) for crafted packets: away (BR_ABSENCE, nick[status], automatic answers),
sealed messages (/seal, /open, read), several lines in one message, private and broadcast
marks, renames, /refresh and the periodic probe (a SIGKILLed peer leaves), lossy GBK, the
port taken, FeiQ's own commands, the quit reason, the login name. Needs root (`ip netns`);
exits 77 (skipped) otherwise.

Usage: test_lan_ipmsg.py PATH/TO/udpchat [TEST...]"""
import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
import udpchat_harness as h  # noqa: E402
from udpchat_harness import check  # noqa: E402
from ipmsg_peer import (RawIpmsgPeer, BR_ENTRY, BR_EXIT, BR_ABSENCE, SENDMSG, RECVMSG,  # noqa: E402
                        READMSG, SENDCHECKOPT, SECRETOPT, BROADCASTOPT, UTF8OPT, CAPUTF8OPT,
                        ENCRYPTOPT)

PORT = 2425
ABSENCEOPT = 0x100
MULTICASTOPT = 0x800
AUTORETOPT = 0x2000
READCHECKOPT = 0x100000
CAPIPDICTOPT = 0x02000000
ANSREADMSG = 0x32
ANSENTRY = 0x03


def lan_args(nick, *extra, json=True):
    return ["lan"] + (["--json"] if json else []) + ["--nick", nick] + list(extra)


def cs(p):
    """The charset of a packet of ours: UTF-8 with UTF8OPT, else GBK (broadcasts, GBK peers)."""
    return "utf-8" if p.cmd & UTF8OPT else "gbk"


def is_msg(text, frm=None):
    return lambda e: e.get("event") == "message" and e.get("text") == text and (frm is None or e.get("from") == frm)


def raw_line(proc, pred, timeout=10, start=0, what="line"):
    """A plain (non-JSON) output line matching pred."""
    return proc.wait_for(lambda e: e.get("event") == "_raw" and pred(e["line"]), timeout, start, what)["line"]


def pair(lan, g, a_extra=(), b_extra=()):
    a = lan.start(g, 0, lan_args("alice", *a_extra), name="alice")
    b = lan.start(g, 1, lan_args("bob", *b_extra), name="bob")
    a.wait_event("join", 10, nick="bob")
    b.wait_event("join", 10, nick="alice")
    return a, b


def test_away(binary):
    """/away: BR_ABSENCE with ABSENCEOPT and "alice[status]"; udpchat peers see the status
    (event, /who); one automatic answer (AUTORETOPT) per peer; a raw peer's "张三[离开]" is a
    status, and /msg 张三 still finds it; /back."""
    with netns.TestLan(3) as lan, h.ProcessGroup(binary) as g:
        raw = RawIpmsgPeer(lan.udp_socket(2, PORT))
        g.add(raw)
        a, b = pair(lan, g)
        ua = (lan.addr(0), PORT)
        raw.send(ua, raw.next_no(), BR_ENTRY | CAPUTF8OPT | UTF8OPT, "张三".encode(), "研发部".encode())
        a.wait_event("join", 10, nick="张三")
        ma, mb, mr = a.mark(), b.mark(), raw.mark()
        a.send_line("/away 开会中，下午回来")
        e = b.wait_event("away", 10, mb, **{"from": "alice"})
        check(e.get("text") == "开会中，下午回来" and e.get("away") is True, "bob: away %r" % e, b)
        me = a.wait_event("away", 10, ma)
        check("from" not in me and me.get("text") == "开会中，下午回来", "alice: own away %r" % me, a)
        p = raw.wait(lambda p: p.mode == BR_ABSENCE and p.addr == ua, 10, mr, "BR_ABSENCE")
        check(p.cmd & ABSENCEOPT and p.extra == "alice[开会中，下午回来]".encode(cs(p)) and p.extra2 == b"",
              "BR_ABSENCE %r" % p.raw)
        b.send_line("/who")
        r = b.wait_event("roster", 10, mb)
        check("(away: 开会中，下午回来)" in r["text"], "bob's /who: %r" % r["text"], b)
        # bob's messages: the first one gets the automatic answer, the second does not
        b.send_line("/msg alice 在吗？")
        auto = b.wait_for(lambda e: e.get("event") == "message" and e.get("auto") is True, 10, mb, "auto answer")
        check(auto["text"] == "开会中，下午回来" and auto["from"] == "alice", "auto answer %r" % auto, b)
        a.wait_for(is_msg("在吗？", "bob"), 10, ma)
        b.send_line("/msg alice 还在吗？")
        a.wait_for(is_msg("还在吗？", "bob"), 10, ma)
        # the raw peer: its own automatic answer gets none; its plain message gets one
        mr = raw.mark()
        raw.send(ua, raw.next_no(), SENDMSG | AUTORETOPT | UTF8OPT, "我也不在".encode())
        raw.send(ua, raw.next_no(), SENDMSG | SENDCHECKOPT | UTF8OPT, "hello".encode())
        a.wait_for(is_msg("hello", "张三"), 10, ma)
        # the answer is waited for (the raw socket's thread may read it after alice's stdout
        # line, as in test_feiq_commands), then 1 s more for a second one that must not come
        auto_to_raw = lambda p: p.mode == SENDMSG and p.addr == ua and p.cmd & AUTORETOPT
        raw.wait(auto_to_raw, 10, mr, "the automatic answer to the raw peer")
        time.sleep(1.0)
        autos = raw.since(mr, lambda p: p.mode == SENDMSG and p.addr == ua)
        check(len(autos) == 1 and autos[0].cmd & AUTORETOPT and autos[0].extra == "开会中，下午回来".encode(),
              "automatic answers to the raw peer: %r" % autos)
        check(len(b.matching(lambda e: e.get("event") == "message" and e.get("auto"), mb)) == 1,
              "bob got more than one automatic answer", b)
        # a peer's "nick[status]": a status, the nick stays
        raw.send(ua, raw.next_no(), BR_ABSENCE | ABSENCEOPT | UTF8OPT, "张三[离开]".encode(), "研发部".encode())
        e = a.wait_event("away", 10, ma, **{"from": "张三"})
        check(e.get("text") == "离开", "张三's status %r" % e, a)
        check(not a.matching(lambda e: e.get("event") == "nick", ma), "a status taken for a rename", a)
        mr = raw.mark()
        a.send_line("/msg 张三 你在哪")
        s = raw.wait(lambda p: p.mode == SENDMSG and p.addr == ua and not p.cmd & AUTORETOPT, 10, mr, "SENDMSG")
        check(s.extra == "你在哪".encode(cs(s)), "SENDMSG %r" % s.raw)
        # back
        mb, mr = b.mark(), raw.mark()
        a.send_line("/back")
        e = b.wait_event("away", 10, mb, **{"from": "alice"})
        check(e.get("away") is False and "text" not in e, "back %r" % e, b)
        p = raw.wait(lambda p: p.mode == BR_ABSENCE and p.addr == ua, 10, mr, "BR_ABSENCE (back)")
        check(not p.cmd & ABSENCEOPT and p.extra == b"alice", "back BR_ABSENCE %r" % p.raw)
        for proc in (a, b):
            check(proc.stop(10) == 0, "%s exit code" % proc.name, proc)


def test_sealed(binary):
    """/seal: SECRETOPT | READCHECKOPT; shown sealed with a number and no text; /open N shows
    it and sends READMSG (READCHECKOPT as asked); the sender sees "read"."""
    with netns.TestLan(3) as lan, h.ProcessGroup(binary) as g:
        raw = RawIpmsgPeer(lan.udp_socket(2, PORT))
        g.add(raw)
        a, b = pair(lan, g)
        ua = (lan.addr(0), PORT)
        ma, mb = a.mark(), b.mark()
        a.send_line("/seal bob 密码是 1234")
        sent = a.wait_event("sent", 10, ma)
        check(sent.get("sealed") is True and sent.get("kind") == "private", "sent %r" % sent, a)
        a.wait_event("delivered", 10, ma, id=sent["id"])
        m = b.wait_for(lambda e: e.get("event") == "message" and e.get("sealed") is True, 10, mb, "sealed")
        check("text" not in m and m.get("from") == "alice" and m.get("private") is True, "sealed %r" % m, b)
        time.sleep(0.5)
        check(not a.matching(lambda e: e.get("event") == "read", ma), "read before it was opened", a)
        b.send_line("/open %d" % m["id"])
        o = b.wait_for(is_msg("密码是 1234", "alice"), 10, mb)
        check(o.get("opened") is True and o.get("sealed") is True, "opened %r" % o, b)
        r = a.wait_event("read", 10, ma, id=sent["id"])
        check(r.get("from") == "bob" and r.get("text") == "密码是 1234", "read %r" % r, a)
        b.send_line("/open %d" % m["id"])
        b.wait_event("error", 10, mb)
        # a raw IPMsg peer's sealed message with READCHECKOPT: READMSG back with it
        no = raw.next_no()
        raw.send(ua, raw.next_no(), BR_ENTRY | CAPUTF8OPT, b"raw", b"")
        a.wait_event("join", 10, ma, nick="raw")
        raw.send(ua, no, SENDMSG | SENDCHECKOPT | SECRETOPT | READCHECKOPT | UTF8OPT, "封好的".encode())
        m = a.wait_for(lambda e: e.get("event") == "message" and e.get("sealed") is True, 10, ma, "sealed")
        mr = raw.mark()
        a.send_line("/open %d" % m["id"])
        a.wait_for(is_msg("封好的", "raw"), 10, ma)
        rd = raw.wait(lambda p: p.mode == READMSG and p.addr == ua, 10, mr, "READMSG")
        check(rd.cmd & READCHECKOPT and rd.extra == b"%d" % no, "READMSG %r" % rd.raw)
        for proc in (a, b):
            check(proc.stop(10) == 0, "%s exit code" % proc.name, proc)


def test_lines_private_broadcast(binary):
    """CR LF / LF: lines of one message (--json: "\\n"; plain: continuation lines indented);
    no control character reaches the output; messages to us alone are private, BROADCASTOPT
    and MULTICASTOPT ones are not; our /all and plain lines carry BROADCASTOPT, /msg not."""
    with netns.TestLan(3) as lan, h.ProcessGroup(binary) as g:
        raw = RawIpmsgPeer(lan.udp_socket(2, PORT))
        g.add(raw)
        a = lan.start(g, 0, lan_args("alice"), name="alice")
        p = lan.start(g, 1, lan_args("plain", json=False), name="plain")
        a.wait_ready(10)
        a.wait_event("join", 10, nick="plain")
        ua, up = (lan.addr(0), PORT), (lan.addr(1), PORT)
        for dest in (ua, up):
            raw.send(dest, raw.next_no(), BR_ENTRY | CAPUTF8OPT, b"raw", b"")
        a.wait_event("join", 10, nick="raw")
        ma, mp = a.mark(), p.mark()
        for dest in (ua, up):
            raw.send(dest, raw.next_no(), SENDMSG | SENDCHECKOPT | UTF8OPT,
                     "第一行\r\nsecond\nthird \x1b[2J\x07end".encode())
            raw.send(dest, raw.next_no(), SENDMSG | BROADCASTOPT | UTF8OPT, b"to everyone")
            raw.send(dest, raw.next_no(), SENDMSG | MULTICASTOPT | UTF8OPT, b"to some")
        m = a.wait_for(lambda e: e.get("event") == "message" and e.get("text", "").startswith("第一行"), 10, ma)
        check(m["text"] == "第一行\nsecond\nthird \x1b[2J\x07end" and m["private"] is True, "json %r" % m, a)
        check(a.wait_for(is_msg("to everyone"), 10, ma)["private"] is False, "BROADCASTOPT private", a)
        check(a.wait_for(is_msg("to some"), 10, ma)["private"] is False, "MULTICASTOPT private", a)
        first = raw_line(p, lambda l: "*raw* 第一行" in l, 10, mp, "first line")
        col = first.index("第一行")
        width = len(first[:col].encode("utf-8"))  # ASCII before it: bytes == columns
        nxt = raw_line(p, lambda l: l.strip() == "second", 10, mp, "second line")
        check(nxt == " " * width + "second", "continuation %r under %r" % (nxt, first), p)
        third = raw_line(p, lambda l: "third" in l, 10, mp, "third line")
        check("\x1b" not in third and "\x07" not in third and "^[[2J^Gend" in third, "third %r" % third, p)
        raw_line(p, lambda l: "<raw> to everyone" in l, 10, mp, "public line")
        raw_line(p, lambda l: "*raw* " in l and "second" not in l and "third" not in l, 10, mp)
        allout = b"".join(bytes.fromhex(e["_hex"]) for e in p.snapshot(mp) if e.get("event") == "_raw")
        check(not any(c < 0x20 and c != 0x0a for c in allout), "a control byte on plain output", p)
        # ours: BROADCASTOPT on a line to everyone and /all, none on /msg
        mr = raw.mark()
        a.send_line("hello all")
        a.send_line("/all 大家好")
        a.send_line("/msg raw 只给你")
        got = raw.wait_count(lambda p: p.mode == SENDMSG and p.addr == ua, 3, 10, mr, "SENDMSGs")
        flags = {pk.extra.decode(): bool(pk.cmd & BROADCASTOPT) for pk in got}
        check(flags == {"hello all": True, "大家好": True, "只给你": False}, "BROADCASTOPT %r" % flags)
        for proc in (a, p):
            check(proc.stop(10) == 0, "%s exit code" % proc.name, proc)


def test_rename_refresh_kill(binary):
    """A re-entry with another nick is a rename ("known as"); /refresh and the periodic probe
    (--refresh) make a SIGKILLed peer leave /who."""
    with netns.TestLan(3) as lan, h.ProcessGroup(binary) as g:
        a = lan.start(g, 0, lan_args("alice", "--refresh", "0"), name="alice")
        b = lan.start(g, 1, lan_args("bob", "--refresh", "2"), name="bob")
        c = lan.start(g, 2, lan_args("carol"), name="carol")
        for proc in (a, b):
            proc.wait_event("join", 10, nick="carol")
        a.wait_event("join", 10, nick="bob")
        ma = a.mark()
        c.send_line("/nick caroline")
        e = a.wait_event("nick", 10, ma)
        check(e.get("old") == "carol" and e.get("new") == "caroline", "rename %r" % e, a)
        ma, mb = a.mark(), b.mark()
        c.proc.send_signal(signal.SIGKILL)  # no BR_EXIT
        c.proc.wait(5)
        t0 = time.monotonic()
        b.wait_event("leave", 15, mb, nick="caroline")  # the periodic probe (every 2 s + 3 s)
        tb = time.monotonic() - t0
        time.sleep(0.5)
        check(not a.matching(lambda e: e.get("event") == "leave", ma), "alice (no probes) saw a leave", a)
        a.send_line("/refresh")
        lv = a.wait_event("leave", 10, ma, nick="caroline")
        ta = time.monotonic() - t0
        check(lv.get("reason") == "timeout" and lv.get("text") == "no answer", "leave %r" % lv, a)
        print("  SIGKILLed peer gone: periodic probe after %.1fs, /refresh after %.1fs" % (tb, ta))
        a.send_line("/who")
        r = a.wait_event("roster", 10, ma)
        check("caroline" not in r["text"] and r["text"].startswith("bob"), "roster %r" % r["text"], a)
        time.sleep(1.0)
        check(not a.matching(lambda e: e.get("event") == "leave" and e.get("nick") == "bob", ma),
              "bob (alive) was dropped", a)
        for proc in (a, b):
            check(proc.stop(10) == 0, "%s exit code" % proc.name, proc)


def test_lossy_gbk(binary):
    """Characters GBK lacks become '?' for a GBK peer: the sender is told how many."""
    with netns.TestLan(2) as lan, h.ProcessGroup(binary) as g:
        raw = RawIpmsgPeer(lan.udp_socket(1, PORT))
        g.add(raw)
        a = lan.start(g, 0, lan_args("alice"), name="alice")
        a.wait_ready(10)
        ua = (lan.addr(0), PORT)
        raw.send(ua, raw.next_no(), BR_ENTRY, "老王".encode("gbk"), b"")
        a.wait_event("join", 10, nick="老王")
        ma, mr = a.mark(), raw.mark()
        a.send_line("/msg 老王 你好 😀 ok 𝄞?")
        sent = a.wait_event("sent", 10, ma)
        e = a.wait_event("error", 10, ma)
        check(e.get("text") == "2 characters became '?' for 老王 (gbk lacks them)" and e.get("id") == sent["id"],
              "error %r" % e, a)
        s = raw.wait(lambda p: p.mode == SENDMSG and p.addr == ua, 10, mr)
        check(s.extra == "你好 ? ok ??".encode("gbk"), "GBK text %r" % s.extra)
        m2 = a.mark()
        a.send_line("/msg 老王 你好")
        a.wait_event("sent", 10, m2)
        time.sleep(0.5)
        check(len(a.of_type("error", ma)) == 1, "an error for a message GBK can carry", a)
        check(a.stop(10) == 0, "exit code", a)


def test_port_taken(binary):
    """Port 2425 already bound: exit 1 naming IPMsg / FeiQ / iptux and what to do."""
    with netns.TestLan(1) as lan:
        def bind():
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # no SO_REUSEADDR: as FeiQ
            s.bind(("0.0.0.0", PORT))
            return s
        holder = netns._enter_and_call(lan.ns[0], bind)
        try:
            r = lan.run(0, [binary] + lan_args("alice"), timeout=20, stdin=subprocess_devnull())
        finally:
            holder.close()
        err = r.stderr.decode("utf-8", "replace")
        print("  " + err.strip().replace("\n", "\n  "))
        check(r.returncode == 1, "exit code %d" % r.returncode)
        for word in ("2425", "IPMsg", "FeiQ", "iptux", "quit the other", "--port", "--peer"):
            check(word in err, "%r not in the error: %r" % (word, err))


def subprocess_devnull():
    import subprocess
    return subprocess.DEVNULL


def test_feiq_commands(binary):
    """FeiQ's own commands (0x77, 0x79, 0x7a, 0xd1, 0xc0) are ignored: nothing shown, no
    answer; chat goes on."""
    with netns.TestLan(2) as lan, h.ProcessGroup(binary) as g:
        raw = RawIpmsgPeer(lan.udp_socket(1, PORT))
        g.add(raw)
        a = lan.start(g, 0, lan_args("alice"), name="alice")
        a.wait_ready(10)
        ua = (lan.addr(0), PORT)
        raw.send(ua, raw.next_no(), BR_ENTRY, b"feiq", b"", version=b"1_lbt6_0#128#000C29D68D8F#0#0#0#4001#9")
        a.wait_event("join", 10, nick="feiq")
        # the ANSENTRY to that entry must be in before the mark: the join event can reach us
        # (stdout) before the raw socket's thread has read the answer (seen under load in CI)
        raw.wait(lambda p: p.mode == ANSENTRY and p.addr == ua, 10)
        ma, mr = a.mark(), raw.mark()
        for mode in (0x77, 0x79, 0x7a, 0xd1, 0xc0):
            raw.send(ua, raw.next_no(), mode | SENDCHECKOPT, b"\x01\x02\xff{FEIQ}\x1b[31m", b"\x00\x07binary",
                     version=b"1_lbt6_0#128#000C29D68D8F#0#0#0#4001#9")
        time.sleep(1.5)
        shown = a.snapshot(ma)
        check(not shown, "FeiQ's commands showed: %r" % shown, a)
        check(not raw.since(mr, lambda p: p.addr == ua), "answers to FeiQ's commands: %r" % raw.since(mr))
        raw.send(ua, raw.next_no(), SENDMSG | SENDCHECKOPT, "飞秋".encode("gbk"))
        a.wait_for(is_msg("飞秋", "feiq"), 10, ma)
        check(a.stop(10) == 0, "exit code", a)


def test_quit_reason(binary):
    """/quit REASON: BR_EXIT carries it after the group ("\\nUCQUIT:"); udpchat peers show
    "bob left (REASON)"."""
    with netns.TestLan(4) as lan, h.ProcessGroup(binary) as g:
        raw = RawIpmsgPeer(lan.udp_socket(2, PORT))
        g.add(raw)
        a = lan.start(g, 0, lan_args("alice"), name="alice")
        b = lan.start(g, 1, lan_args("bob"), name="bob")
        pl = lan.start(g, 3, lan_args("plain", json=False), name="plain")
        a.wait_event("join", 10, nick="bob")
        a.wait_event("join", 10, nick="plain")
        raw_line(pl, lambda l: "-- bob" in l and "joined" in l, 10)
        ma, mp, mr = a.mark(), pl.mark(), raw.mark()
        b.send_line("/quit 吃午饭去了 back at 2")
        check(b.wait_exit(10) == 0, "bob exit code", b)
        e = a.wait_event("leave", 10, ma, nick="bob")
        check(e.get("text") == "吃午饭去了 back at 2" and e.get("reason") == "quit", "leave %r" % e, a)
        line = raw_line(pl, lambda l: "bob left" in l, 10, mp)
        check(line.endswith("-- bob left (吃午饭去了 back at 2)"), "plain %r" % line, pl)
        x = raw.wait(lambda p: p.mode == BR_EXIT and p.addr[0] == lan.addr(1), 10, mr, "BR_EXIT")
        check(x.extra == b"bob" and x.extra2 == b"" and len(x.sections) == 3 and
              x.sections[2] == "\nUCQUIT:吃午饭去了 back at 2".encode(),  # always UTF-8
              "BR_EXIT sections %r" % x.sections)
        for proc in (a, pl):
            check(proc.stop(10) == 0, "%s exit code" % proc.name, proc)


def test_login_name(binary):
    """A login name ending in "-" + 16 hex digits is sent with '_' (IPMsg would take it for a
    key fingerprint); no packet carries ENCRYPTOPT or CAPIPDICTOPT."""
    with netns.TestLan(2) as lan, h.ProcessGroup(binary) as g:
        raw = RawIpmsgPeer(lan.udp_socket(1, PORT))
        g.add(raw)
        a = lan.start(g, 0, lan_args("alice"), name="alice",
                      env={"USER": "ops-0123456789abcdef", "USERNAME": "ops-0123456789abcdef"})
        ua = (lan.addr(0), PORT)
        raw.wait(lambda p: p.mode == BR_ENTRY and p.addr == ua, 10)
        raw.send(ua, raw.next_no(), BR_ENTRY | CAPUTF8OPT, b"raw", b"")
        a.wait_event("join", 10, nick="raw")
        a.send_line("/msg raw hi")
        s = raw.wait(lambda p: p.mode == SENDMSG and p.addr == ua, 10)
        raw.send(ua, raw.next_no(), RECVMSG, b"%d" % s.no)
        a.send_line("/away")
        raw.wait(lambda p: p.mode == BR_ABSENCE and p.addr == ua, 10)
        pkts = raw.since(0, lambda p: p.addr == ua)
        users = {p.user for p in pkts if p.mode != RECVMSG}
        check(users == {b"ops_0123456789abcdef"}, "user fields %r" % users)
        check(not [p for p in pkts if p.cmd & (ENCRYPTOPT | CAPIPDICTOPT)], "ENCRYPTOPT/CAPIPDICTOPT sent")
        check(a.stop(10) == 0, "exit code", a)


def test_plain_lines(binary):
    """What a person sees (plain lines, as on a terminal): away and back, a sealed message and
    how to open it, "read by", a rename ("known as"), /help listing the new commands."""
    with netns.TestLan(3) as lan, h.ProcessGroup(binary) as g:
        raw = RawIpmsgPeer(lan.udp_socket(2, PORT))
        g.add(raw)
        a = lan.start(g, 0, lan_args("alice", json=False), name="alice")
        b = lan.start(g, 1, lan_args("bob"), name="bob")
        b.wait_event("join", 10, nick="alice")
        raw_line(a, lambda l: l.endswith("-- bob joined"), 10)
        ua = (lan.addr(0), PORT)
        raw.send(ua, raw.next_no(), BR_ENTRY | CAPUTF8OPT | UTF8OPT, b"raw", b"")
        raw_line(a, lambda l: l.endswith("-- raw joined"), 10)
        m = a.mark()
        b.send_line("/away 午休")
        raw_line(a, lambda l: l.endswith("-- bob is away: 午休"), 10, m)
        b.send_line("/back")
        raw_line(a, lambda l: l.endswith("-- bob is back"), 10, m)
        raw.send(ua, raw.next_no(), SENDMSG | SENDCHECKOPT | SECRETOPT | UTF8OPT, "机密".encode())
        raw_line(a, lambda l: l.endswith("*raw* [sealed message 1: /open 1 shows it]"), 10, m)
        check(not a.matching(lambda e: "机密" in e.get("line", ""), m), "sealed text shown", a)
        a.send_line("/open 1")
        raw_line(a, lambda l: l.endswith("*raw* [sealed 1, opened] 机密"), 10, m)
        mb = b.mark()
        a.send_line("/seal bob 只给 bob 看")
        raw_line(a, lambda l: l.endswith("-> bob: [sealed] 只给 bob 看"), 10, m)
        sealed = b.wait_for(lambda e: e.get("event") == "message" and e.get("sealed"), 10, mb)
        b.send_line("/open %d" % sealed["id"])
        raw_line(a, lambda l: l.endswith("-- read by bob: 只给 bob 看"), 10, m)
        raw.send(ua, raw.next_no(), BR_ENTRY | CAPUTF8OPT | UTF8OPT, b"raw2", b"")
        raw_line(a, lambda l: l.endswith("-- raw is now known as raw2"), 10, m)
        a.send_line("/help")
        for cmd in ("/away [TEXT]", "/back", "/seal NICK TEXT", "/open N", "/refresh", "/quit [REASON]"):
            raw_line(a, lambda l, c=cmd: ("-- " + c) in l, 10, m, cmd)
        for proc in (a, b):
            check(proc.stop(10) == 0, "%s exit code" % proc.name, proc)


TESTS = [test_plain_lines, test_away, test_sealed, test_lines_private_broadcast, test_rename_refresh_kill, test_lossy_gbk,
         test_port_taken, test_feiq_commands, test_quit_reason, test_login_name]

if __name__ == "__main__":
    netns.require_root_or_skip()
    h.main(TESTS)
