#!/usr/bin/env python3
"""test_lan_iptux.py -- `udpchat lan` against a real IP Messenger client: Debian's iptux
(0.8.3), run headless under Xvfb in its own network namespace (netns.py), configured once
for UTF-8 and once for GB18030. Checks, from both sides (udpchat's events, iptux's
`-l DEBUG` packet log and its chat log):
  - udpchat sees iptux's nick and group (Chinese), from iptux's ANSENTRY to our BR_ENTRY;
  - a udpchat message reaches iptux, decoded right (iptux's chat log), and iptux's
    RECVMSG makes udpchat report it delivered;
  - iptux's own protocol core (libiptux-core, through iptux_send.cpp, built here when
    g++, jsoncpp and sigc++ headers are there) sends udpchat a message: decoded right.
  - udpchat's away (BR_ABSENCE, "nick[status]"), sealed message (acknowledged) and quit
    reason (a section after the group: iptux still puts the peer offline) reach iptux.
The iptux GUI itself cannot send a message without clicks. Needs root (`ip netns`), iptux
and Xvfb (packaging/install-deps.sh); exits 77 (skipped) without them.

Usage: test_lan_iptux.py PATH/TO/udpchat [TEST...]"""
import atexit
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
import udpchat_harness as h  # noqa: E402
from udpchat_harness import check  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PORT = 2425
IPTUX_NICK, IPTUX_GROUP = "图克斯", "开发组"
UC_NICK, UC_GROUP = "小明", "研发部"
SENDER_NICK, SENDER_GROUP = "发送者", "核心组"
B_NICK, B_GROUP = "小红", "测试部"
ENTRY, EXIT, ANSENTRY, ABSENCE, SENDMSG, RECVMSG = 0x01, 0x02, 0x03, 0x04, 0x20, 0x21
ABSENCEOPT, SECRETOPT = 0x100, 0x200


def prerequisites():
    netns.require_root_or_skip()
    missing = [p for p in ("iptux", "Xvfb") if not shutil.which(p)]
    if missing:
        print("SKIP: %s not installed (apt-get install iptux xvfb; see packaging/install-deps.sh)"
              % ", ".join(missing), flush=True)
        sys.exit(netns.SKIP)


_sender = {}


def build_sender():
    """Builds iptux_send (libiptux-core) once; returns its path or None (with a note why)."""
    if "path" in _sender:
        return _sender["path"]
    _sender["path"] = None
    workdir = tempfile.mkdtemp(prefix="uc-iptux-send-")
    atexit.register(shutil.rmtree, workdir, True)
    lib = "/usr/lib/x86_64-linux-gnu/libiptux-core.so.0.8.3"
    libs = [l for l in (lib,) if os.path.exists(l)] or \
        [os.path.join(d, f) for d in ("/usr/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu")
         if os.path.isdir(d) for f in os.listdir(d) if f.startswith("libiptux-core.so.")]
    cxx = shutil.which("g++") or shutil.which("c++")
    pc = subprocess.run(["pkg-config", "--cflags", "--libs", "jsoncpp", "sigc++-2.0", "glib-2.0"],
                        capture_output=True) if shutil.which("pkg-config") else None
    if not (libs and cxx and pc and pc.returncode == 0):
        print("  NOTE: iptux_send not built (needs g++, pkg-config, libjsoncpp-dev, libsigc++-2.0-dev, "
              "libiptux-core): iptux -> udpchat message not checked", flush=True)
        return None
    out = os.path.join(workdir, "iptux_send")
    cmd = [cxx, "-std=c++14", "-o", out, os.path.join(HERE, "iptux_send.cpp"), libs[0]] + pc.stdout.decode().split()
    r = subprocess.run(cmd, capture_output=True, timeout=180)
    if r.returncode != 0:
        raise h.HarnessError("building iptux_send failed: %s\n%s" % (" ".join(cmd), r.stderr.decode()[-3000:]))
    _sender["path"] = out
    return out


def write_config(home, nick, group, encode, app_id):
    os.makedirs(os.path.join(home, ".iptux"), exist_ok=True)
    path = os.path.join(home, ".iptux", "config.json")
    cfg = {"nick_name": nick, "belong_group": group, "preference_encode": encode,
           "candidacy_encode": "gb18030,utf-16", "record_log": True, "hide_startup": True,
           "debug_application_id": app_id, "archive_path": home}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(cfg, f, ensure_ascii=False)
    return path


# ---------------------------------------------------------------- iptux's debug log

_REC = re.compile(r"^\[\d{4}-\d\d-\d\d ")


def _unescape(s):
    """iptux's stringDumpAsCString: "..." with \\xNN, \\n, \\\\, \\" escapes -> bytes."""
    s = s.strip()
    if s.startswith('"') and s.endswith('"'):
        s = s[1:-1]
    out, i = bytearray(), 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n == "x" and re.match(r"[0-9a-fA-F]{2}", s[i + 2:i + 4]):
                out.append(int(s[i + 2:i + 4], 16))
                i += 4
                continue
            out += {"n": b"\n", "r": b"\r", "t": b"\t", "0": b"\0"}.get(n, n.encode("utf-8"))
            i += 2
            continue
        out += c.encode("utf-8")
        i += 1
    return bytes(out)


def iptux_packets(text):
    """[(dir, ip, bytes)] -- 'send'/'recv' packets from iptux's -l DEBUG output."""
    records, cur = [], None
    for line in text.splitlines():
        if _REC.match(line):
            cur = [line]
            records.append(cur)
        elif cur is not None:
            cur.append(line)
    out = []
    for r in records:
        m = re.search(r"send udp message to ([\d.]+):(\d+), size (\d+)", r[0])
        if m:
            data = bytearray()
            for l in r[1:]:
                if re.match(r"^[0-9a-f]{8}  ", l):
                    data += bytes(int(t, 16) for t in l.split("|")[0][8:].split() if len(t) == 2)
            out.append(("send", m.group(1), bytes(data[:int(m.group(3))])))
            continue
        m = re.search(r"received udp message from ([\d.]+):(\d+), size (\d+)", r[0])
        if m and len(r) > 1:
            out.append(("recv", m.group(1), _unescape("\n".join(r[1:]))))
    return out


def fields(pkt):
    """(packet_no, command, [sections]) of an IPMsg packet."""
    head = pkt.split(b":", 5)
    if len(head) < 6:
        return None
    return int(head[1]), int(head[4]), head[5].split(b"\0")


class Iptux:
    """Xvfb and iptux inside namespace i of a netns.TestLan; their output goes to a file.
    Xvfb picks its own display (-displayfd) and listens on no TCP port and no file-system
    socket: only on the abstract socket, which is private to the namespace."""

    def __init__(self, lan, i, workdir, encode, tag):
        self.home = os.path.join(workdir, "home-" + tag)
        self.config = write_config(self.home, IPTUX_NICK, IPTUX_GROUP, encode, "io.github.iptux_src.t%d%s" % (os.getpid(), tag))
        self.logpath = os.path.join(workdir, "iptux-%s.log" % tag)
        # iptux opens its chat log before it creates the log directory: on a first run it
        # would have none
        os.makedirs(os.path.join(self.home, ".config", "iptux", "log"), exist_ok=True)
        self.log = open(self.logpath, "wb")
        self.xvfb = self.proc = None
        r, w = os.pipe()
        try:
            self.xvfb = lan.popen(i, ["Xvfb", "-displayfd", str(w), "-nolisten", "tcp", "-nolisten", "unix",
                                      "-screen", "0", "800x600x24"],
                                  stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
                                  pass_fds=(w,), start_new_session=True)
            os.close(w)
            w = None
            display = b""
            deadline = time.monotonic() + h.T(20)
            while not display.endswith(b"\n") and time.monotonic() < deadline:
                ready, _, _ = select.select([r], [], [], 0.5)
                if ready:
                    chunk = os.read(r, 64)
                    if not chunk:
                        break
                    display += chunk
            if not display.strip().isdigit():
                raise h.HarnessError("Xvfb gave no display number (%r); see %s" % (display, self.logpath))
        finally:
            os.close(r)
            if w is not None:
                os.close(w)
        self.display = ":" + display.decode().strip()
        env = dict(os.environ, HOME=self.home, XDG_CONFIG_HOME=os.path.join(self.home, ".config"),
                   XDG_CACHE_HOME=os.path.join(self.home, ".cache"), NO_AT_BRIDGE="1", LANG="C.UTF-8",
                   DISPLAY=self.display)
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        self.proc = lan.popen(i, ["iptux", "-l", "DEBUG"], env=env, stdin=subprocess.DEVNULL, stdout=self.log,
                              stderr=subprocess.STDOUT, start_new_session=True)

    def text(self):
        with open(self.logpath, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def chatlog(self):
        p = os.path.join(self.home, ".config", "iptux", "log", "communicate.log")
        if not os.path.exists(p):
            return ""
        with open(p, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait(self, pred, timeout, what):
        deadline = time.monotonic() + h.T(timeout)
        while time.monotonic() < deadline:
            v = pred()
            if v:
                return v
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise h.HarnessError("iptux: no %s within %.0fs (rc %s); log tail:\n%s" % (
            what, h.T(timeout), self.proc.poll(), self.text()[-4000:]))

    def packets(self, direction, ip, mode=None):
        out = []
        for d, a, data in iptux_packets(self.text()):
            f = fields(data)
            if d == direction and a == ip and f and (mode is None or f[1] & 0xFF == mode):
                out.append(f)
        return out

    def close(self):
        for p in (self.proc, self.xvfb):  # iptux first, then its X server (removes its lock)
            if p is None or p.poll() is not None:
                continue
            try:
                p.terminate()
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
            except OSError:
                pass
        self.log.close()


def iptux_scenario(binary, encode):
    """udpchat A (default rules) starts before iptux, udpchat B (--ipmsg-charset utf-8 or
    gbk) after it; an iptux-core sender comes last."""
    workdir = tempfile.mkdtemp(prefix="uc-iptux-")
    enc_py = "utf-8" if encode == "utf-8" else "gb18030"
    b_cs = "utf-8" if encode == "utf-8" else "gbk"
    ok = False
    try:
        with netns.TestLan(4) as lan, h.ProcessGroup(binary) as g:
            ip_iptux, ip_a, ip_b = lan.addr(0), lan.addr(1), lan.addr(2)
            a = lan.start(g, 1, ["lan", "--json", "--nick", UC_NICK, "--group", UC_GROUP], name="A")
            a.wait_ready(10)
            time.sleep(0.3)  # A's own BR_ENTRY is out before iptux listens
            ipt = g.add(Iptux(lan, 0, workdir, encode, encode.replace("-", "")))
            # iptux's BR_ENTRY, in its preferred encoding: A decodes nick and group
            sent_bcast = lambda: [p for p in iptux_packets(ipt.text()) if p[0] == "send" and p[1] == lan.broadcast]  # noqa: E731
            ent = fields(ipt.wait(sent_bcast, 30, "BR_ENTRY broadcast")[0][2])
            check(ent[2][0] == IPTUX_NICK.encode(enc_py) and ent[2][1] == IPTUX_GROUP.encode(enc_py),
                  "iptux (%s) BR_ENTRY sections %r" % (encode, ent[2]))
            j = a.wait_event("join", 20, nick=IPTUX_NICK)
            check(j["text"].startswith("%s [%s]@" % (IPTUX_NICK, IPTUX_GROUP)) and
                  j["text"].endswith("(%s:%d)" % (ip_iptux, PORT)), "A: join from iptux: %r" % j["text"], a)
            print("  iptux %s: BR_ENTRY cmd %#x nick/group %r -> A: %s" % (encode, ent[1], ent[2][:2], j["text"]),
                  flush=True)
            # A answered iptux's entry with ANSENTRY (iptux learns of A that way)
            ipt.wait(lambda: ipt.packets("recv", ip_a, ANSENTRY), 10, "ANSENTRY from A")

            # B starts after iptux: it learns of iptux only from iptux's ANSENTRY to its BR_ENTRY
            b = lan.start(g, 2, ["lan", "--json", "--nick", B_NICK, "--group", B_GROUP, "--ipmsg-charset", b_cs],
                          name="B")
            j = b.wait_event("join", 20, nick=IPTUX_NICK)
            check(j["text"].startswith("%s [%s]@" % (IPTUX_NICK, IPTUX_GROUP)), "B: join from iptux: %r" % j["text"], b)
            got = ipt.wait(lambda: ipt.packets("recv", ip_b, ENTRY), 10, "BR_ENTRY from B")
            check(got[0][1] & 0x01000000, "B's BR_ENTRY without CAPUTF8OPT as iptux saw it: %#x" % got[0][1])
            ans = ipt.wait(lambda: ipt.packets("send", ip_b, ANSENTRY), 10, "ANSENTRY to B")
            check(ans[0][2][0] == IPTUX_NICK.encode(b_cs) and ans[0][2][1] == IPTUX_GROUP.encode(b_cs),
                  "iptux ANSENTRY to B (%s) sections %r" % (b_cs, ans[0][2]))
            print("  B (--ipmsg-charset %s): BR_ENTRY cmd %#x; iptux ANSENTRY nick/group %r -> B: %s" % (
                b_cs, got[0][1], ans[0][2][:2], j["text"]), flush=True)

            # A and B -> iptux: acknowledged by iptux's RECVMSG, decoded right (iptux's chat log)
            for proc, ip, nick in ((a, ip_a, UC_NICK), (b, ip_b, B_NICK)):
                text = "你好 iptux，来自 %s（%s）" % (proc.name, encode)
                m = proc.mark()
                proc.send_line("/msg %s %s" % (IPTUX_NICK, text))
                sent = proc.wait_event("sent", 10, m)
                proc.wait_event("delivered", 10, m, id=sent["id"], **{"from": IPTUX_NICK})
                rx = ipt.wait(lambda: ipt.packets("recv", ip, SENDMSG), 10, "SENDMSG from " + proc.name)
                acks = ipt.wait(lambda: ipt.packets("send", ip, RECVMSG), 10, "RECVMSG to " + proc.name)
                check(acks[0][2][0] == b"%d" % rx[0][0], "RECVMSG %r for SENDMSG %d" % (acks[0], rx[0][0]))
                want = "Nickname:%s" % nick
                log = ipt.wait(lambda: (lambda t: t if "[STRING]" + text in t and want in t else None)(ipt.chatlog()),
                               15, "%s's message in iptux's chat log" % proc.name)
                print("  %s -> iptux: SENDMSG no %d cmd %#x %r; RECVMSG back; chat log has it" % (
                    proc.name, rx[0][0], rx[0][1], rx[0][2][0]), flush=True)

            # iptux's protocol core -> A (the GUI would need clicks)
            sender = build_sender()
            if sender:
                shome = os.path.join(workdir, "sender-" + encode)
                scfg = write_config(shome, SENDER_NICK, SENDER_GROUP, encode, "x")
                stext = "udpchat 你好，iptux-core（%s）在此" % encode
                m = a.mark()
                r = lan.run(3, [sender, scfg, ip_a, stext], timeout=h.T(60), env=dict(os.environ, HOME=shome))
                out = r.stdout.decode("utf-8", "replace")
                print("  iptux_send (%s): rc %d: %s" % (encode, r.returncode, out.strip().replace("\n", "; ")),
                      flush=True)
                check(r.returncode == 0, "iptux_send failed: %s\n%s" % (out, r.stderr.decode()[-2000:]), a)
                j = a.wait_event("join", 10, m, nick=SENDER_NICK)
                check(j["text"].startswith("%s [%s]@" % (SENDER_NICK, SENDER_GROUP)), "join %r" % j["text"], a)
                a.wait_event("message", 10, m, text=stext, **{"from": SENDER_NICK})
                check("name '%s' group '%s'" % (UC_NICK, UC_GROUP) in out, "iptux-core saw A as: %s" % out)

            # away: iptux gets BR_ABSENCE with ABSENCEOPT and "小明[开会]" (IPMsg's way)
            a.send_line("/away 开会")
            ab = ipt.wait(lambda: ipt.packets("recv", ip_a, ABSENCE), 10, "BR_ABSENCE from A")
            ab_cs = "utf-8" if ab[-1][1] & 0x00800000 else "gbk"  # UTF8OPT, else GBK (a broadcast)
            check(ab[-1][1] & ABSENCEOPT and ab[-1][2][0] == ("%s[开会]" % UC_NICK).encode(ab_cs),
                  "BR_ABSENCE as iptux got it: %#x %r" % (ab[-1][1], ab[-1][2]))
            # a sealed message: iptux acknowledges it (opening it takes a click)
            m = a.mark()
            a.send_line("/seal %s 封好的 sealed" % IPTUX_NICK)
            sent = a.wait_event("sent", 10, m)
            a.wait_event("delivered", 10, m, id=sent["id"], **{"from": IPTUX_NICK})
            sx = [f for f in ipt.packets("recv", ip_a, SENDMSG) if f[1] & SECRETOPT]
            check(sx and sx[-1][1] & 0x100000, "iptux got no SENDMSG with SECRETOPT|READCHECKOPT")
            a.send_line("/back")
            print("  A away and sealed: iptux got BR_ABSENCE %r and a sealed SENDMSG, acknowledged" % ab[-1][2][0],
                  flush=True)

            # quit: iptux gets the BR_EXITs (A's with a reason after the group, our extension)
            a.send_line("/quit 下班了")
            check(a.wait_exit(10) == 0, "A exit code", a)
            ex = ipt.wait(lambda: ipt.packets("recv", ip_a, EXIT), 10, "BR_EXIT from A")
            check(ex[-1][2][2].startswith(b"\nUCQUIT:"), "BR_EXIT sections as iptux got them: %r" % ex[-1][2])
            # ... and still takes A off its list: its core posts PAL_OFFLINE (EventType 2,
            # iptux-core/Event.h), which its debug log shows, after the BR_EXIT with the reason
            offline = "processEventInMainThread:event type 2 "
            ipt.wait(lambda: (lambda t: offline in t[t.find("UCQUIT"):])(ipt.text()), 10,
                     "PAL_OFFLINE after A's BR_EXIT with a reason")
            print("  A quit with a reason: iptux got BR_EXIT sections %r and put A offline" % ex[-1][2][:3],
                  flush=True)
            for proc, ip in ((b, ip_b),):
                check(proc.stop(10) == 0, "%s exit code" % proc.name, proc)
                ipt.wait(lambda: ipt.packets("recv", ip, EXIT), 10, "BR_EXIT from " + proc.name)
            check(ipt.proc.poll() is None, "iptux exited early: see %s" % ipt.logpath)
            ok = True
    finally:
        if ok and not os.environ.get("UDPCHAT_KEEP_LOGS"):
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print("  iptux logs kept in %s" % workdir, flush=True)


def test_iptux_utf8(binary):
    iptux_scenario(binary, "utf-8")


def test_iptux_gb18030(binary):
    iptux_scenario(binary, "gb18030")


if __name__ == "__main__":
    prerequisites()
    h.main([test_iptux_utf8, test_iptux_gb18030])
