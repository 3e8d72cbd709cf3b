#!/usr/bin/env python3
"""test_lan.py -- `udpchat lan` on a private test LAN of network namespaces (netns.py): peers
find each other by broadcast alone and chat (UTF-8, and with one side forced to GBK); the
IPMsg packets on the wire are checked byte by byte with a raw Python peer; hostile packets
do no harm. Needs root (`ip netns`); exits 77 (skipped) otherwise.

Usage: test_lan.py PATH/TO/udpchat [TEST...]"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
import udpchat_harness as h  # noqa: E402
from udpchat_harness import check  # noqa: E402
from ipmsg_peer import (RawIpmsgPeer, BR_ENTRY, BR_EXIT, ANSENTRY, SENDMSG, RECVMSG,  # noqa: E402
                        SENDCHECKOPT, UTF8OPT, CAPUTF8OPT, ENCRYPTOPT, FILEATTACHOPT, build)

PORT = 2425  # every namespace has its own port space: all use the IPMsg port


def lan_args(nick, group=None, *extra):
    a = ["lan", "--json", "--nick", nick]
    if group:
        a += ["--group", group]
    return a + list(extra)


def join_of(proc, nick, group, ip, timeout=10, start=0):
    """Waits for join{nick} and checks its text "nick [group]@host (ip:2425)"."""
    e = proc.wait_event("join", timeout, start, nick=nick)
    want = "%s [%s]@" % (nick, group) if group else "%s@" % nick
    check(e["text"].startswith(want) and e["text"].endswith("(%s:%d)" % (ip, PORT)),
          "%s: join text %r, want %r...(%s:%d)" % (proc.name, e["text"], want, ip, PORT), proc)
    check(e.get("group") == group, "%s: join group %r, want %r" % (proc.name, e.get("group"), group), proc)
    return e


def is_msg(text, frm=None):
    return lambda e: e.get("event") == "message" and e.get("text") == text and (frm is None or e.get("from") == frm)


def chat_scenario(binary, forced_gbk):
    """alice, 小明 and carol, one namespace each, discovery by broadcast only."""
    people = [("alice", "dev"), ("小明", "研发部"), ("carol", "测试组")]
    with netns.TestLan(3) as lan, h.ProcessGroup(binary) as g:
        procs = []
        for i, (nick, group) in enumerate(people):
            extra = ["--ipmsg-charset", "gbk"] if (forced_gbk and i == 1) else []
            procs.append(lan.start(g, i, lan_args(nick, group, *extra), name=nick))
        for p in procs:
            check(p.wait_ready(10) == PORT, "%s: ready on another port" % p.name, p)
        # everyone sees everyone else, with nick and group decoded right (Chinese too)
        for i, p in enumerate(procs):
            for k, (nick, group) in enumerate(people):
                if k != i:
                    join_of(p, nick, group, lan.addr(k))
        a, b, c = procs

        # a line to everyone, Chinese included, from each side
        for sender, frm, text in ((a, "alice", "hello everyone 你好，世界"), (b, "小明", "大家好！GBK 测试 ①€"),
                                  (c, "carol", "carol: 收到 😀" if not forced_gbk else "carol: 收到")):
            m = sender.mark()
            sender.send_line(text)
            sent = sender.wait_event("sent", 10, m, text=text)
            for other in procs:
                if other is not sender:
                    other.wait_for(is_msg(text, frm), 10, what="message %r from %s" % (text, frm))
            dl = sender.wait_count(lambda e: e.get("event") == "delivered" and e.get("id") == sent["id"], 2, 10, m,
                                   "delivered events for id %d" % sent["id"])
            others = sorted(n for n, _ in people if n != frm)
            check(sorted(e["from"] for e in dl) == others, "%s: delivered from %r" % (frm, dl), sender)

        # /msg to one peer: only that peer sees it (in both directions of the GBK side)
        mc, ma = c.mark(), a.mark()
        b.send_line("/msg carol 悄悄话：只给你")
        c.wait_for(is_msg("悄悄话：只给你", "小明"), 10, mc)
        a.send_line("/msg 小明 私信 to 小明")
        b.wait_for(is_msg("私信 to 小明", "alice"), 10)
        a.wait_count(lambda e: e.get("event") == "delivered" and e.get("from") == "小明", 1, 10, ma)
        time.sleep(0.5)
        check(not a.matching(is_msg("悄悄话：只给你"), ma), "alice got a /msg meant for carol", a)
        check(not c.matching(is_msg("私信 to 小明"), mc), "carol got a /msg meant for 小明", c)

        # /who lists the two others
        m = a.mark()
        a.send_line("/who")
        r = a.wait_event("roster", 10, m)
        lines = sorted(r["text"].split("\n"))
        check(len(lines) == 2 and lines[0].startswith("carol [测试组]@") and lines[1].startswith("小明 [研发部]@"),
              "roster: %r" % r["text"], a)

        # /quit: the others see carol leave
        ma, mb = a.mark(), b.mark()
        c.send_line("/quit")
        check(c.wait_exit(10) == 0, "carol: exit code", c)
        a.wait_event("leave", 10, ma, nick="carol")
        b.wait_event("leave", 10, mb, nick="carol")
        for p in (a, b):
            check(p.running(), "%s died" % p.name, p)
            check(not [l for l in p.stderr_lines if "ERROR: AddressSanitizer" in l or "runtime error" in l],
                  "%s: sanitizer report" % p.name, p)
        check(a.stop(10) == 0 and b.stop(10) == 0, "exit codes", a, b)


def test_chat_utf8(binary):
    chat_scenario(binary, forced_gbk=False)


def test_chat_one_forced_gbk(binary):
    chat_scenario(binary, forced_gbk=True)


def test_gbk_on_the_wire(binary):
    """--ipmsg-charset gbk really puts GBK bytes on the wire (seen by a raw listener), and a
    UTF-8 peer still reads them right."""
    with netns.TestLan(3) as lan, h.ProcessGroup(binary) as g:
        raw = RawIpmsgPeer(lan.udp_socket(2, PORT))
        g.add(raw)
        b = lan.start(g, 1, lan_args("小明", "研发部", "--ipmsg-charset", "gbk"), name="gbk")
        e = raw.wait(lambda p: p.mode == BR_ENTRY and p.addr[0] == lan.addr(1), 10)
        check(e.extra == "小明".encode("gbk") and e.extra2 == "研发部".encode("gbk"),
              "GBK BR_ENTRY sections: %r %r" % (e.extra, e.extra2), b)
        check(not e.cmd & UTF8OPT, "GBK BR_ENTRY has UTF8OPT: %#x" % e.cmd)
        a = lan.start(g, 0, lan_args("alice"), name="alice")
        join_of(a, "小明", "研发部", lan.addr(1))
        join_of(b, "alice", None, lan.addr(0))
        b.stop(10)
        a.stop(10)


def _no_increasing(pkts, what):
    nos = [p.no for p in pkts]
    check(all(x < y for x, y in zip(nos, nos[1:])), "%s: packet numbers not strictly increasing: %r" % (what, nos))
    return nos


def test_packets_raw_peer(binary):
    """Byte-level checks against a raw Python IPMsg peer in its own namespace."""
    with netns.TestLan(2) as lan, h.ProcessGroup(binary) as g:
        raw = RawIpmsgPeer(lan.udp_socket(1, PORT))
        g.add(raw)
        uc_addr = (lan.addr(0), PORT)
        t_start = time.time()
        a = lan.start(g, 0, lan_args("alice", "dev"), name="alice")
        from_a = lambda p: p.addr == uc_addr  # noqa: E731

        # BR_ENTRY: version "1_...", CAPUTF8OPT and FILEATTACHOPT (files: docs/IPMSG.md), no
        # ENCRYPTOPT, nick\0group\0
        e = raw.wait(lambda p: from_a(p) and p.mode == BR_ENTRY, 10, what="BR_ENTRY")
        check(e.version.startswith(b"1_"), "version field %r" % e.version)
        check(e.cmd & CAPUTF8OPT, "BR_ENTRY without CAPUTF8OPT: %#x" % e.cmd)
        check(e.cmd & FILEATTACHOPT, "BR_ENTRY without FILEATTACHOPT: %#x" % e.cmd)
        check(not e.cmd & ENCRYPTOPT, "BR_ENTRY with ENCRYPTOPT: %#x" % e.cmd)
        check(e.extra == b"alice" and e.extra2 == b"dev", "BR_ENTRY sections %r" % e.sections)
        check(abs(e.no - t_start) < 60, "first packet number %d is not the time (%d)" % (e.no, t_start))

        # our entry (UTF-8 capable, Chinese nick) -> ANSENTRY and a join
        no = raw.next_no()
        raw.send(uc_addr, no, BR_ENTRY | CAPUTF8OPT | UTF8OPT, "原始".encode(), "组".encode())
        ans = raw.wait(lambda p: from_a(p) and p.mode == ANSENTRY, 10, what="ANSENTRY")
        check(ans.cmd & CAPUTF8OPT and ans.extra == b"alice" and ans.extra2 == b"dev", "ANSENTRY %r" % ans.raw)
        j = a.wait_event("join", 10, nick="原始")
        check(j["text"].startswith("原始 [组]@rawhost (%s:%d)" % (lan.addr(1), PORT)), "join %r" % j["text"], a)

        # a message to us: SENDMSG with SENDCHECKOPT (and UTF8OPT: we said CAPUTF8OPT); not
        # acknowledged, it is resent with the same number ~1 s later; then acked -> delivered
        m = raw.mark()
        a.send_line("/msg 原始 你好 raw")
        s1 = raw.wait(lambda p: from_a(p) and p.mode == SENDMSG, 10, m, "SENDMSG")
        check(s1.cmd & SENDCHECKOPT, "SENDMSG without SENDCHECKOPT: %#x" % s1.cmd)
        check(s1.cmd & UTF8OPT and s1.extra == "你好 raw".encode(), "SENDMSG %r" % s1.raw)
        s2 = raw.wait(lambda p: from_a(p) and p.mode == SENDMSG, 5, raw.mark(), "resent SENDMSG")
        check(s2.no == s1.no and s2.raw == s1.raw, "resend differs: %r vs %r" % (s1.raw, s2.raw))
        # the kernel's arrival times: the reader thread's own clock adds its scheduling delays
        # (a late read of s1 made the gap look short on a loaded machine)
        gap = s2.kt - s1.kt if s1.kt is not None and s2.kt is not None else s2.t - s1.t
        check(0.6 < gap < 2.5, "resent after %.2fs, want ~1s" % gap)
        raw.send(uc_addr, raw.next_no(), RECVMSG, b"%d" % s1.no)
        dl = a.wait_event("delivered", 10, **{"from": "原始"})

        # never acknowledged: 1 + 3 resends about 1 s apart, then undelivered with the text
        m, ma = raw.mark(), a.mark()
        a.send_line("/msg 原始 nobody answers")
        und = a.wait_event("undelivered", 10, ma, text="nobody answers")
        # the 4th send is ~1 s older than the event, but the raw socket's thread may not have
        # read it yet (a loaded machine): waited for, then exactly 4 (none after giving up)
        sends = raw.wait_count(lambda p: from_a(p) and p.mode == SENDMSG, 4, 10, m, "SENDMSGs")
        check(len(sends) == 4 and len({p.no for p in sends}) == 1, "sends before undelivered: %r" % sends)
        check(und["from"] == "原始" and und["id"] != dl["id"], "undelivered %r" % und, a)

        # a duplicate SENDMSG (same packet number, sent twice): two RECVMSG, one message
        m, ma = raw.mark(), a.mark()
        no = raw.next_no()
        for _ in range(2):
            raw.send(uc_addr, no, SENDMSG | SENDCHECKOPT | UTF8OPT, "重复的消息".encode())
            time.sleep(0.2)
        acks = raw.wait_count(lambda p: from_a(p) and p.mode == RECVMSG, 2, 10, m, "RECVMSG")
        check(all(p.extra == b"%d" % no for p in acks), "RECVMSG extras %r" % [p.extra for p in acks])
        a.wait_for(is_msg("重复的消息", "原始"), 10, ma)
        time.sleep(0.5)
        check(len(a.matching(is_msg("重复的消息"), ma)) == 1, "duplicate shown twice", a)
        # packet number 0 is a number like any other (not an empty slot of the duplicate ring)
        raw.send(uc_addr, 0, SENDMSG | SENDCHECKOPT | UTF8OPT, "零号包".encode())
        a.wait_for(is_msg("零号包", "原始"), 10, ma)

        # a GBK peer (no CAPUTF8OPT): its nick decoded from GBK, our packets to it in GBK
        m = raw.mark()
        gsock = lan.udp_socket(1, 2426)
        g.add(gsock)
        gaddr_match = lambda p: p.addr == uc_addr  # noqa: E731
        gsock.sendto(build(raw.next_no(), BR_ENTRY, "老王".encode("gbk"), "销售部".encode("gbk")), uc_addr)
        j = a.wait_event("join", 10, nick="老王")
        check(j["text"].startswith("老王 [销售部]@"), "GBK join %r" % j["text"], a)
        gsock.settimeout(5)
        data, _ = gsock.recvfrom(65535)
        check(data.split(b":")[4] == b"%d" % (ANSENTRY | CAPUTF8OPT | FILEATTACHOPT) and b"alice\0dev\0" in data,
              "ANSENTRY to a GBK peer: %r" % data)
        a.send_line("/msg 老王 你好，老王")
        data, _ = gsock.recvfrom(65535)
        fields = data.split(b":", 5)
        check(int(fields[4]) == SENDMSG | SENDCHECKOPT and fields[5] == "你好，老王".encode("gbk") + b"\0",
              "SENDMSG to a GBK peer: %r" % data)
        gsock.sendto(build(raw.next_no(), RECVMSG, fields[1]), uc_addr)
        a.wait_event("delivered", 10, **{"from": "老王"})

        # quit: BR_EXIT; every packet number so far strictly increasing
        m = raw.mark()
        check(a.stop(10) == 0, "exit code", a)
        raw.wait(lambda p: from_a(p) and p.mode == BR_EXIT, 5, m, "BR_EXIT")
        time.sleep(0.3)
        first = raw.since(0, from_a)
        distinct = sorted({p.no for p in first})
        seq = []  # each number once, in arrival order (resends repeat the same number)
        for p in first:
            if p.no not in seq:
                seq.append(p.no)
        check(seq == distinct, "packet numbers not increasing: %r" % seq)

        # restart: numbers start from the time in seconds again, so they keep increasing as
        # long as the last run used fewer numbers than the seconds since it started
        last = distinct[-1]
        deadline = time.monotonic() + 15
        while time.time() <= last + 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        m = raw.mark()
        a2 = lan.start(g, 0, lan_args("alice", "dev"), name="alice2")
        e2 = raw.wait(lambda p: from_a(p) and p.mode == BR_ENTRY, 10, m, "BR_ENTRY after restart")
        check(e2.no > last, "after restart packet number %d <= %d" % (e2.no, last))
        a2.send_line("/quit")
        check(a2.wait_exit(10) == 0, "exit code", a2)
        print("  packet numbers run 1: %d..%d (%d), run 2 starts %d" % (distinct[0], last, len(distinct), e2.no))


def test_hostile_packets(binary):
    """Malformed, huge, non-NUL-terminated, invalid-charset and flooding packets: udpchat stays
    up and a real message afterwards is still delivered."""
    with netns.TestLan(3) as lan, h.ProcessGroup(binary) as g:
        a = lan.start(g, 0, lan_args("alice", "dev"), name="alice")
        b = lan.start(g, 1, lan_args("bob", "qa"), name="bob")
        join_of(a, "bob", "qa", lan.addr(1))
        join_of(b, "alice", "dev", lan.addr(0))
        target = (lan.addr(0), PORT)
        atk = lan.udp_socket(2, PORT)
        g.add(atk)
        big = b"99999999999999999999999"
        hostile = [
            b"", b":", b"::::", b":::::", b"1:2:3:4", b"1_x:1:u:h:1", b"1_x::u:h:1:",
            b"1_x:abc:u:h:1:n\0", b"1_x:1:u:h:xyz:n\0", b"1_x:-1:u:h:1:n\0", b"1_x:1:u:h:-32:n\0",
            b"1_x:" + big + b":u:h:1:n\0", b"1_x:1:u:h:" + big + b":n\0", b"1_x:1:u:h:4294967296:n\0",
            b"1_x:18446744073709551615:u:h:32:t\0", b"1_x:9223372036854775807:u:h:288:t\0",
            b"1_x:5:u:h:1:no nul at all", b"1_x:6:u:h:32:no nul text",
            b"1_x:7:\xff\xfe:\xff\xfe:1:\xff\xfe\xff\0\xfe\xff\0",
            b"1_x:8:u:h:288:\xff\xfe bad text \xc3\0",
            b"1_x:9:u:h:%d:\xe4\xbd\0\xa0\0" % (BR_ENTRY | UTF8OPT),
            b"1_x:10:u:h:33:" + big + b"\0", b"1_x:11:u:h:33:\0", b"1_x:12:u:h:2:\0",
            b"1_x:13:u:h:3:" + b"N" * 60000 + b"\0" + b"G" * 5000 + b"\0",
            b"\0" * 100, b"\xff" * 1000, b":" * 5000, b"1_x:14:u:h:1:" + b"\0" * 3000,
            b"1_x:15:u:h:%d:x\0" % (0x20 | ENCRYPTOPT | FILEATTACHOPT | SENDCHECKOPT) + b"1:a:0:0:1:\a\0",
            b"1_x:16:u:h:64:\0", b"1_x:17:u:h:114:\0", b"1_x:18:u:h:4294967295:\0",
        ]
        t0 = time.monotonic()
        for pkt in hostile:
            atk.sendto(pkt, target)
            time.sleep(0.005)
        # a flood of 5000 BR_ENTRY from one address and port
        for i in range(5000):
            atk.sendto(build(100 + i, BR_ENTRY | CAPUTF8OPT, b"flood", b"f"), target)
            if i % 200 == 0:
                time.sleep(0.01)
        # ... and from 300 different source ports
        socks = [lan.udp_socket(2, 0) for _ in range(300)]
        try:
            for k, s in enumerate(socks):
                s.sendto(build(7 + k, BR_ENTRY | CAPUTF8OPT, b"f%d" % k, b"flood"), target)
        finally:
            for s in socks:
                s.close()
        elapsed = time.monotonic() - t0
        print("  %d hostile packets + 5300 BR_ENTRY sent in %.2fs" % (len(hostile), elapsed))
        time.sleep(1.0)
        # the flood is not echoed back: ANSENTRY at most once a second per address
        atk.settimeout(0.2)
        answers = 0
        try:
            while True:
                d, _ = atk.recvfrom(65536)
                answers += d.split(b":")[4:5] and int(d.split(b":")[4]) & 0xFF == ANSENTRY
        except (OSError, ValueError):
            pass
        print("  %d ANSENTRY answers to 5000 BR_ENTRY from one address" % answers)
        check(answers <= elapsed + 3, "the BR_ENTRY flood was echoed: %d ANSENTRY" % answers)
        check(a.running(), "alice died after hostile packets", a)
        # a real message afterwards is still delivered, both ways
        ma, mb = a.mark(), b.mark()
        a.send_line("/msg bob still here 还在")
        b.wait_for(is_msg("still here 还在", "alice"), 15, mb)
        a.wait_event("delivered", 15, ma, **{"from": "bob"})
        b.send_line("/msg alice ok 好")
        a.wait_for(is_msg("ok 好", "bob"), 15, ma)
        check(a.running(), "alice died", a)
        bad = [l for l in a.stderr_lines if "Sanitizer" in l or "runtime error" in l]
        check(not bad, "alice: sanitizer report: %r" % bad[:5], a)
        check(a.stop(20) == 0, "alice exit code", a)
        check(b.stop(10) == 0, "bob exit code", b)
        print("  alice saw %d join events" % len(a.of_type("join")))


def _drain(sock, quiet=0.3):
    """Datagrams waiting on sock until it has been quiet for `quiet` seconds."""
    sock.settimeout(quiet)
    got = []
    try:
        while True:
            got.append(sock.recvfrom(65536)[0])
    except OSError:
        pass
    return got


def _mode(d):
    try:
        return int(d.split(b"\0", 1)[0].split(b":")[4]) & 0xFF
    except (IndexError, ValueError):
        return -1


RECVMSG_RATE, RECVMSG_BURST = 50, 50   # per address (PROTOCOL.md 13.2)
SHOWN_RATE, SHOWN_BURST = 50, 50       # SENDMSGs shown per address


def test_recvmsg_flood(binary):
    """issue 12: 5000 SENDMSG|SENDCHECKOPT from one address are not answered with 5000
    RECVMSGs (a forged source would make us an amplifier), nor all shown; chat still works."""
    with netns.TestLan(3) as lan, h.ProcessGroup(binary) as g:
        a = lan.start(g, 0, lan_args("alice"), name="alice")
        b = lan.start(g, 1, lan_args("bob"), name="bob")
        join_of(a, "bob", None, lan.addr(1))
        target = (lan.addr(0), PORT)
        atk = lan.udp_socket(2, PORT)
        g.add(atk)
        ma = a.mark()
        t0 = time.monotonic()
        for i in range(5000):
            atk.sendto(build(50000 + i, SENDMSG | SENDCHECKOPT, b"flood %d" % i), target)
            if i % 500 == 499:
                time.sleep(0.01)
        elapsed = time.monotonic() - t0 + 1.0  # what arrives within 1 s more
        time.sleep(1.0)
        acks = [d for d in _drain(atk) if _mode(d) == RECVMSG]
        bound = RECVMSG_BURST + RECVMSG_RATE * elapsed + 5
        print("  %d RECVMSG for 5000 SENDMSG in %.2fs (bound %d)" % (len(acks), elapsed, bound))
        check(len(acks) <= bound, "amplifier: %d RECVMSG for 5000 SENDMSG in %.2fs" % (len(acks), elapsed))
        time.sleep(0.5)
        shown = a.matching(lambda e: e.get("event") == "message" and e.get("text", "").startswith("flood"), ma)
        print("  %d of 5000 shown" % len(shown))
        check(0 < len(shown) <= SHOWN_BURST + SHOWN_RATE * elapsed + 5, "%d flood messages shown" % len(shown), a)
        ma, mb = a.mark(), b.mark()
        a.send_line("/msg bob after the flood")
        b.wait_for(is_msg("after the flood", "alice"), 15, mb)
        a.wait_event("delivered", 15, ma, **{"from": "bob"})
        b.send_line("/msg alice ok")
        a.wait_for(is_msg("ok", "bob"), 15, ma)
        check(a.stop(10) == 0 and b.stop(10) == 0, "exit codes", a, b)


def test_memory_flood(binary):
    """issue 12: 60 KB SENDMSGs from many ports of one host for ~5 s into `udpchat lan --json`
    whose stdout is read slowly: its RSS stays bounded, and it says messages were dropped."""
    import subprocess
    import threading
    limit_kb = 64 * 1024
    with netns.TestLan(2) as lan:
        cmd = [binary] + lan_args("alice")
        h.small_quarantine(os.environ)
        proc = lan.popen(0, cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        lines, stop = [], threading.Event()

        def slow_reader():  # 4 KiB every 20 ms: 200 KB/s, far below what arrives
            while not stop.is_set():
                chunk = proc.stdout.read1(4096)
                if not chunk:
                    return
                lines.append(chunk)
                time.sleep(0.02)
        t = threading.Thread(target=slow_reader, daemon=True)
        t.start()
        try:
            time.sleep(1.0)
            limit_kb *= h.memory_scale(proc.pid)
            socks = [lan.udp_socket(1, 0) for _ in range(32)]
            target = (lan.addr(0), PORT)
            text = b"x" * 60000
            peak, sent, t0 = 0, 0, time.monotonic()
            while time.monotonic() - t0 < 5.0:
                for k, s in enumerate(socks):
                    try:
                        s.sendto(build(10 + sent, SENDMSG | SENDCHECKOPT, text), target)
                    except OSError:
                        pass
                    sent += 1
                peak = max(peak, h.rss_kib(proc.pid))
                if peak > 8 * limit_kb:  # far over: stop before it hurts the machine
                    break
            for _ in range(20):
                time.sleep(0.1)
                peak = max(peak, h.rss_kib(proc.pid))
            for s in socks:
                s.close()
            print("  %d datagrams of 60 KB sent in 5 s; peak RSS %.1f MB" % (sent, peak / 1024.0))
            check(proc.poll() is None, "udpchat died under the flood")
            check(peak < limit_kb, "RSS %.1f MB under a 60 KB SENDMSG flood (limit %d MB)" % (peak / 1024.0, limit_kb // 1024))
            stop.set()
            t.join(5)
            proc.stdin.close()
            rest = proc.stdout.read()
            out = b"".join(lines) + rest
            check(b"messages dropped" in out, "no 'messages dropped' report in %d bytes of output" % len(out))
            check(proc.wait(20) == 0, "exit code")
        finally:
            stop.set()
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)


def test_long_nicks(binary):
    """issue 12: nicks, groups and host names of 12,000 characters (and escape sequences) from
    the LAN are cut to 32 / 64 / 64 characters and cleaned."""
    with netns.TestLan(2) as lan, h.ProcessGroup(binary) as g:
        raw = RawIpmsgPeer(lan.udp_socket(1, PORT))
        g.add(raw)
        a = lan.start(g, 0, lan_args("alice"), name="alice")
        a.wait_ready(10)
        target = (lan.addr(0), PORT)
        long_nick = "N\x1b[31m" + "ü" * 12000
        raw.send(target, raw.next_no(), BR_ENTRY | CAPUTF8OPT | UTF8OPT, long_nick.encode(),
                 ("G\x07" + "g" * 12000).encode(), host=b"H" * 12000)
        j = a.wait_event("join", 10)
        nick = j["nick"]
        print("  nick of %d characters shown as %d: %r" % (len(long_nick), len(nick), nick[:40]))
        check(len(nick) <= 32, "nick of %d characters accepted" % len(nick), a)
        check(not any(ord(c) < 0x20 or ord(c) == 0x7F for c in nick), "control character in nick %r" % nick, a)
        check(len(j["text"]) <= 32 + 64 + 64 + 40, "join text of %d characters" % len(j["text"]), a)
        # a peer known only from a SENDMSG: its user field is its nick
        sock = lan.udp_socket(1, 2430)
        g.add(sock)
        sock.sendto(build(7, SENDMSG, b"hi", user=b"U" * 12000 + b"\x1b]0;x\x07", host=b"h" * 12000), target)
        m = a.wait_for(lambda e: e.get("event") == "message" and e.get("text") == "hi", 10)
        check(len(m["from"]) <= 32 + 22, "SENDMSG nick of %d characters" % len(m["from"]), a)
        m2 = a.mark()
        a.send_line("/who")
        r = a.wait_event("roster", 10, m2)
        check(len(r["text"]) < 600, "roster of %d characters" % len(r["text"]), a)
        check(a.stop(10) == 0, "exit code", a)


def test_same_nick(binary):
    """issue 12: two hosts calling themselves alice are told apart (alice@ADDRESS): /msg alice
    is refused as ambiguous, /msg alice@ADDRESS reaches exactly one."""
    with netns.TestLan(3) as lan, h.ProcessGroup(binary) as g:
        a1 = lan.start(g, 0, lan_args("alice"), name="alice1")
        a2 = lan.start(g, 1, lan_args("alice"), name="alice2")
        c = lan.start(g, 2, lan_args("carol"), name="carol")
        for p in (a1, a2, c):
            p.wait_ready(10)
        c.wait_count(lambda e: e.get("event") == "join", 2, 10)
        a1.wait_event("join", 10, nick="carol")
        a2.wait_event("join", 10, nick="carol")
        time.sleep(0.5)
        m1, m2, mc = a1.mark(), a2.mark(), c.mark()
        c.send_line("/msg alice for one alice")
        err = c.wait_event("error", 10, mc)
        want = "alice is ambiguous: alice@%s, alice@%s; use nick@address" % (lan.addr(0), lan.addr(1))
        check(err["text"] == want, "error %r, want %r" % (err["text"], want), c)
        c.send_line("/msg alice@%s only to the second" % lan.addr(1))
        a2.wait_for(is_msg("only to the second", "carol"), 10, m2)
        c.wait_event("delivered", 10, mc, **{"from": "alice@%s" % lan.addr(1)})
        time.sleep(1.0)
        check(not a1.matching(lambda e: e.get("event") == "message", m1), "alice1 got a message", a1)
        check(not a2.matching(is_msg("for one alice"), m2), "alice2 got the ambiguous one", a2)
        # their messages and the roster name them by address
        a1.send_line("/msg carol from the first")
        e = c.wait_for(is_msg("from the first"), 10, mc)
        check(e["from"] == "alice@%s" % lan.addr(0) and e.get("address") == lan.addr(0), "message %r" % e, c)
        m = c.mark()
        c.send_line("/who")
        r = c.wait_event("roster", 10, m)
        lines = sorted(r["text"].split("\n"))
        check(len(lines) == 2 and all(l.startswith("alice@%s@" % lan.addr(i)) for i, l in enumerate(lines)),
              "roster %r" % r["text"], c)
        for p in (a1, a2, c):
            check(p.stop(10) == 0, "%s exit code" % p.name, p)


def test_console_commands(binary):
    """issue 14: one command table in LAN mode too: /ME and /me send an action (as text, IP
    Messenger has none), /nick re-announces us, /to refuses a nick nobody has, and private
    and own messages are marked in --json ("kind")."""
    with netns.TestLan(2) as lan, h.ProcessGroup(binary) as g:
        a = lan.start(g, 0, lan_args("alice"), name="alice")
        b = lan.start(g, 1, lan_args("bob"), name="bob")
        for p in (a, b):
            p.wait_ready(10)
        a.wait_event("join", 10, nick="bob")
        b.wait_event("join", 10, nick="alice")
        ma, mb = a.mark(), b.mark()
        a.send_line("/ME waves")
        b.wait_for(is_msg("* alice waves", "alice"), 10, mb)
        sent = a.wait_event("sent", 10, ma, text="waves")
        check(sent.get("kind") == "action", "sent %r" % sent, a)
        a.send_line("/msg bob 私聊")
        sent = a.wait_event("sent", 10, ma, text="私聊")
        check(sent.get("kind") == "private" and sent.get("to") == "bob", "sent %r" % sent, a)
        e = b.wait_for(is_msg("私聊", "alice"), 10, mb)  # to bob alone: no BROADCASTOPT
        check(e.get("private") is True and e.get("kind") == "private", "bob: %r" % e, b)
        a.send_line("大家好")
        e = b.wait_for(is_msg("大家好", "alice"), 10, mb)  # to everyone: BROADCASTOPT
        check(e.get("private") is False and e.get("kind") == "public", "bob: %r" % e, b)
        a.send_line("/to nobody")
        err = a.wait_event("error", 10, ma)
        check("no such nick: nobody" in err["text"], "error %r" % err, a)
        a.send_line("/nick alicia")
        a.wait_event("nick", 10, ma, old="alice", new="alicia")
        b.wait_for(lambda e: "alicia" in json.dumps(e, ensure_ascii=False), 10, mb, "alicia announced")
        a.send_line("after the rename")
        e = b.wait_for(is_msg("after the rename"), 10, mb)
        check(e["from"] == "alicia", "bob sees %r" % e, b)
        for p in (a, b):
            check(p.stop(10) == 0, "%s exit code" % p.name, p)


def test_to_someone_gone(binary):
    """/to a nick who left, after a conversation with them: it opens (their lines are read
    back from the log), says they are not here, and a line typed there is an error, not a
    message sent."""
    with netns.TestLan(3) as lan, h.ProcessGroup(binary) as g:
        a = lan.start(g, 0, lan_args("alice"), name="alice")
        b = lan.start(g, 1, lan_args("bob"), name="bob")
        c = lan.start(g, 2, lan_args("carol"), name="carol")  # stays: alice's roster is not empty
        a.wait_event("join", 10, nick="bob")
        a.wait_event("join", 10, nick="carol")
        b.wait_event("join", 10, nick="alice")
        b.send_line("/msg alice 再见，我先走了")
        a.wait_for(is_msg("再见，我先走了", "bob"), 10)
        check(b.stop(10) == 0, "bob exit code", b)
        a.wait_event("leave", 10, nick="bob")
        ma = a.mark()
        a.send_line("/to bob")
        n = a.wait_event("notice", 10, ma)
        check("lines now go to bob (not here now" in n["text"], "notice %r" % n, a)
        a.wait_event("history", 10, ma, text="再见，我先走了", conversation="bob")
        a.send_line("are you there?")
        err = a.wait_event("error", 10, ma)
        check("no peer named bob" in err["text"], "error %r" % err, a)
        check(not a.matching(lambda e: e.get("event") == "sent", ma), "a line to bob was sent", a)
        for p in (a, c):
            check(p.stop(10) == 0, "%s exit code" % p.name, p)


TESTS = [test_chat_utf8, test_chat_one_forced_gbk, test_gbk_on_the_wire, test_packets_raw_peer,
         test_hostile_packets, test_recvmsg_flood, test_memory_flood, test_long_nicks, test_same_nick,
         test_console_commands, test_to_someone_gone]

if __name__ == "__main__":
    netns.require_root_or_skip()
    h.main(TESTS)
