#!/usr/bin/env python3
"""test_mixed_chat.py -- Linux and Windows udpchat chat with each other on loopback, in every
chat mode. The Windows side is udpchat.exe under Wine set up as a Chinese Windows (ANSI code
page 936, mixed_os.py): its console is GBK, here its redirected stdin/stdout, and its command
line is Unicode (Wine gets the GBK bytes, as a user's typing). The Linux side is `udpchat
--json` with a UTF-8 locale. Chinese goes both ways and each side reads it in its own charset.

  peer     udpchat.exe peer (line mode: GBK bytes on stdout) <-> udpchat peer
  peer_json  the same with --json on the .exe too (UTF-8 JSON although the console is GBK)
  legacy   udpchat.exe peer --legacy --peer-charset gbk <-> a GBK plain-text UDP peer (seed 004)
  relay_windows_server   udpchat.exe server <-> two Linux `udpchat join`
  relay_linux_server     udpchat server <-> udpchat.exe join (GBK) and a Linux join
  lan      udpchat.exe lan <-> udpchat lan, different ports, --peer 127.0.0.1:PORT
  lan_files  the same, with a file and a folder (Chinese names) each way (docs/IPMSG.md)

usage: test_mixed_chat.py PATH/TO/udpchat PATH/TO/udpchat.exe [TEST...]
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mixed_os as mx  # noqa: E402
import udpchat_harness as h  # noqa: E402
from udpchat_harness import check  # noqa: E402

LO = h.LOOPBACK
W = mx.READY  # bounded waits for anything the Windows side does (Wine is slow to start)


def warg(text):
    """A command-line argument for the .exe as a Chinese Windows user types it: Wine builds
    the UTF-16 command line from the bytes in its locale's charset (GBK); Python passes this
    str to exec as exactly those bytes."""
    return text.encode("gbk").decode("utf-8", "surrogateescape") if mx.CTX.gbk_acp else text


def gbk(text):
    """text in code page 936 as Windows (and udpchat) have it: Python's gbk lacks 80 = U+20AC."""
    return b"\x80".join(part.encode("gbk") for part in text.split("\u20ac"))


def is_msg(frm, text):
    return lambda e: e.get("event") == "message" and e.get("from") == frm and e.get("text") == text


def wait_line_ready(p):
    line = mx.wait_raw(p, b"-- ready on UDP port ", W)
    return int(line.rsplit(b" ", 1)[1])


def check_gbk_line(p, line, text):
    """line (bytes from the .exe's stdout) holds text in GBK, not in UTF-8."""
    check(gbk(text) in line and text.encode("utf-8") not in line,
          "%s: stdout line %r does not hold %r as GBK %s" % (p.name, line, text, gbk(text).hex()), p)


def no_errors(*procs):
    for p in procs:
        check(not p.of_type("error"), "%s: error events" % p.name, p)


# --------------------------------------------------------------------------- peer

LIN_TO_WIN = ["你好，窗口！这是来自 Linux 的消息。", "第二句：中文、English、数字 123 混在一起", "欧元符号 € 和全角（括号）"]
WIN_TO_LIN = ["你好，林！来自 Windows 的问候。", "收到，谢谢：GBK 控制台", "再见！"]


def test_peer(binary):
    """udpchat.exe peer in line mode on a GBK console <-> Linux udpchat peer --json."""
    with h.ProcessGroup(binary) as g:
        pw, pl = h.free_udp_ports(2)
        w = mx.win(g, ["peer", "%s:%d" % (LO, pl), "--port", pw, "--nick", warg("窗口用户")], "win-peer")
        l = mx.lin(g, ["peer", "%s:%d" % (LO, pw), "--port", pl, "--nick", "林"], "linux-peer")
        check(l.wait_ready(10) == pl, "linux: ready on another port", l)
        check(wait_line_ready(w) == pw, "windows: ready on another port", w)
        l.wait_event("join", W, nick="窗口用户")
        check_gbk_line(w, mx.wait_raw(w, gbk("林") + b" joined", W), "林")
        for mine, theirs in zip(LIN_TO_WIN, WIN_TO_LIN):
            m = l.mark()
            l.send_line(mine)
            sent = l.wait_event("sent", 10, m, text=mine)
            l.wait_event("delivered", W, m, id=sent["id"])
            line = mx.wait_raw(w, b"<" + gbk("林") + b"> " + gbk(mine), W)
            check_gbk_line(w, line, mine)
            w.send_line(theirs)  # GBK on the .exe's stdin
            l.wait_for(is_msg("窗口用户", theirs), W, m, "message %r from the .exe" % theirs)
        no_errors(l)
        check(not [x for x in mx.raw_lines(w) if x.startswith(b"!!") or b" !! " in x],
              "windows: error lines %r" % mx.raw_lines(w), w)
        m = l.mark()
        check(w.stop(W) == 0, "windows: exit code", w)
        l.wait_event("leave", W, m, nick="窗口用户", reason="quit")
        check(l.stop(10) == 0, "linux: exit code", l)


def test_peer_json(binary):
    """The same with --json on the .exe: its JSON is UTF-8 although its console (stdin) is GBK."""
    with h.ProcessGroup(binary) as g:
        pw, pl = h.free_udp_ports(2)
        w = mx.win(g, ["peer", "%s:%d" % (LO, pl), "--port", pw, "--nick", warg("小窗")], "win-peer-json",
                   json_mode=True)
        l = mx.lin(g, ["peer", "%s:%d" % (LO, pw), "--port", pl, "--nick", "小林"], "linux-peer-json")
        check(l.wait_ready(10) == pl and w.wait_ready(W) == pw, "ready on other ports", l, w)
        l.wait_event("join", W, nick="小窗")
        w.wait_event("join", W, nick="小林")
        m = w.mark()
        text = "视窗说：你好"
        w.send_line(text)  # GBK on stdin
        sent = w.wait_event("sent", W, m, text=text)
        w.wait_event("delivered", W, m, id=sent["id"])
        l.wait_for(is_msg("小窗", text), W)
        l.send_line("林纳斯说：收到 😀 (not in GBK: '?' on a GBK console, but JSON keeps it)")
        w.wait_for(is_msg("小林", "林纳斯说：收到 😀 (not in GBK: '?' on a GBK console, but JSON keeps it)"), W)
        no_errors(l, w)
        check(w.stop(W) == 0 and l.stop(10) == 0, "exit codes", w, l)


def test_peer_unreachable_first(binary):
    """The .exe says HELLO to a closed port for a while: Windows reports each ICMP
    port-unreachable on a UDP socket as WSAECONNRESET on the next receive. The receive loop
    must shrug that off: once the Linux peer starts there, the chat works both ways."""
    with h.ProcessGroup(binary) as g:
        pw, pl = h.free_udp_ports(2)
        w = mx.win(g, ["peer", "%s:%d" % (LO, pl), "--port", pw, "--nick", "win"], "win-peer-early",
                   json_mode=True)
        check(w.wait_ready(W) == pw, "windows: ready", w)
        time.sleep(4)  # a few HELLOs into the closed port (one a second)
        l = mx.lin(g, ["peer", "%s:%d" % (LO, pw), "--port", pl, "--nick", "lin"], "linux-peer-late")
        l.wait_event("join", W, nick="win")
        w.wait_event("join", W, nick="lin")
        m = w.mark()
        l.send_line("after the resets 重置之后")
        w.wait_for(is_msg("lin", "after the resets 重置之后"), W, m)
        w.send_line(gbk("收到"))
        l.wait_for(is_msg("win", "收到"), W)
        no_errors(l, w)
        check(w.stop(W) == 0 and l.stop(10) == 0, "exit codes", w, l)


def test_legacy(binary):
    """udpchat.exe peer --legacy --peer-charset gbk <-> a seed-style GBK plain-text UDP peer."""
    with h.ProcessGroup(binary) as g:
        seed = g.add(h.UdpTextPeer(charset="gbk"))
        w = mx.win(g, ["peer", "%s:%d" % (LO, seed.port), "--legacy", "--peer-charset", "gbk",
                       "--nick", warg("老王")], "win-legacy")
        port = wait_line_ready(w)
        for mine, theirs in (("你好，我是 Python 种子程序", "收到：你好！"), ("第二条：中文标点，。！", "plain ascii"),
                             ("再见", "中文和 English 混在一起。")):
            m = w.mark()
            seed.send_text(mine, port)
            check_gbk_line(w, mx.wait_raw(w, gbk(mine), W, m), mine)
            w.send_line(theirs)
            data, addr = seed.recv(W)
            check(addr == (LO, port), "seed got a datagram from %r, want the .exe's port %d" % (addr, port), w)
            check(data == gbk(theirs), "seed got %r, want GBK %r" % (data, gbk(theirs)), w)
        check(w.stop(W) == 0, "windows: exit code", w)
        for data, _ in seed.drain(0.3):
            check(not data.startswith(b"\xffUCH"), "seed got a protocol datagram in --legacy mode: %r" % data[:16])


# --------------------------------------------------------------------------- relay

def test_relay_windows_server(binary):
    """A Windows relay server; two Linux join clients chat in Chinese through it."""
    with h.ProcessGroup(binary) as g:
        port = h.free_udp_port()
        s = mx.win(g, ["server", "--port", port], "win-server", json_mode=True)
        check(s.wait_ready(W) == port, "windows server: ready on another port", s)
        a = mx.lin(g, ["join", "%s:%d" % (LO, port), "--nick", "小明"], "linux-xiaoming")
        a.wait_event("status", W, text="joined")
        b = mx.lin(g, ["join", "%s:%d" % (LO, port), "--nick", "小红"], "linux-xiaohong")
        b.wait_event("status", W, text="joined")
        s.wait_event("join", W, nick="小明")
        s.wait_event("join", W, nick="小红")
        a.wait_event("join", W, nick="小红")
        for snd, rcv, frm, text in ((a, b, "小明", "大家好，服务器在 Windows 上"), (b, a, "小红", "收到！你好，小明。")):
            m = snd.mark()
            snd.send_line(text)
            sent = snd.wait_event("sent", 10, m, text=text)
            snd.wait_event("delivered", W, m, id=sent["id"])
            rcv.wait_for(is_msg(frm, text), W, what="room message %r" % text)
        m = b.mark()
        a.send_line("/msg 小红 悄悄话：只给你")
        e = b.wait_for(is_msg("小明", "悄悄话：只给你"), W, m)
        check(e.get("private") is True, "not private: %r" % e, b)
        m = a.mark()
        s.send_line("/who")  # the admin console on the Windows side (GBK stdin)
        r = s.wait_event("roster", W)["text"]
        check(r.split("\n") == ["小明", "小红"], "server /who %r" % r, s)
        s.send_line(gbk("/say 管理员：服务器即将关闭"))
        a.wait_for(lambda e: "管理员：服务器即将关闭" in (e.get("text") or ""), W, m, "the server's /say")
        no_errors(a, b, s)
        check(a.stop(10) == 0 and b.stop(10) == 0, "linux clients: exit codes", a, b)
        check(s.stop(W) == 0, "windows server: exit code", s)


def test_relay_linux_server(binary):
    """A Linux relay server; a Windows join client (GBK console, line mode) and a Linux one."""
    with h.ProcessGroup(binary) as g:
        port = h.free_udp_port()
        s = mx.lin(g, ["server", "--port", port], "linux-server")
        check(s.wait_ready(10) == port, "linux server: ready on another port", s)
        l = mx.lin(g, ["join", "%s:%d" % (LO, port), "--nick", "林"], "linux-join")
        l.wait_event("status", W, text="joined")
        w = mx.win(g, ["join", "%s:%d" % (LO, port), "--nick", warg("窗口")], "win-join")
        s.wait_event("join", W, nick="窗口")
        l.wait_event("join", W, nick="窗口")
        mx.wait_raw(w, b"joined", W)
        for mine, theirs in zip(LIN_TO_WIN, WIN_TO_LIN):
            m = l.mark()
            l.send_line(mine)
            sent = l.wait_event("sent", 10, m, text=mine)
            l.wait_event("delivered", W, m, id=sent["id"])
            check_gbk_line(w, mx.wait_raw(w, b"<" + gbk("林") + b"> " + gbk(mine), W), mine)
            w.send_line(theirs)
            l.wait_for(is_msg("窗口", theirs), W, m, "room message %r from the .exe" % theirs)
        m = l.mark()
        w.send_line("/me 挥手告别")
        e = l.wait_for(is_msg("窗口", "挥手告别"), W, m)
        check(e.get("action") is True, "not an action: %r" % e, l)
        no_errors(l, s)
        m = l.mark()
        check(w.stop(W) == 0, "windows client: exit code", w)
        l.wait_event("leave", W, m, nick="窗口")
        check(l.stop(10) == 0 and s.stop(10) == 0, "exit codes", l, s)


# --------------------------------------------------------------------------- LAN

def test_lan(binary):
    """udpchat.exe lan <-> udpchat lan on loopback, each on its own port, finding each other by
    --peer 127.0.0.1:PORT (broadcast only to themselves): Chinese nicks, groups, messages and
    delivered events both ways, /msg, and the leave."""
    with h.ProcessGroup(binary) as g:
        pw, pl = h.free_udp_ports(2)
        w = mx.win(g, ["lan", "--port", pw, "--peer", "%s:%d" % (LO, pl), "--broadcast", LO,
                       "--nick", warg("窗口"), "--group", warg("研发部")], "win-lan", json_mode=True)
        l = mx.lin(g, ["lan", "--port", pl, "--peer", "%s:%d" % (LO, pw), "--broadcast", LO,
                       "--nick", "林", "--group", "测试组"], "linux-lan")
        check(l.wait_ready(10) == pl and w.wait_ready(W) == pw, "ready on other ports", l, w)
        e = l.wait_event("join", W, nick="窗口")
        check(e["text"].startswith("窗口 [研发部]@") and e["text"].endswith("(%s:%d)" % (LO, pw)),
              "linux: join text %r" % e["text"], l)
        e = w.wait_event("join", W, nick="林")
        check(e["text"].startswith("林 [测试组]@") and e["text"].endswith("(%s:%d)" % (LO, pl)),
              "windows: join text %r" % e["text"], w)
        for snd, rcv, frm, text in ((l, w, "林", "大家好，Linux 这边 你好"), (w, l, "窗口", "Windows 收到：你好，林！"),
                                    (l, w, "林", "第二条：欧元 € 和（全角）"), (w, l, "窗口", "再见。")):
            m = snd.mark()
            snd.send_line(text)
            sent = snd.wait_event("sent", W, m, text=text)
            rcv.wait_for(lambda e: e.get("event") == "message" and e.get("from") == frm and e.get("text") == text,
                         W, what="LAN message %r from %s" % (text, frm))
            d = snd.wait_event("delivered", W, m, id=sent["id"])
            check(d.get("from") == ("窗口" if snd is l else "林"), "%s: delivered from %r" % (snd.name, d), snd)
        m = l.mark()
        w.send_line(gbk("/msg 林 私信：只给林"))
        l.wait_for(is_msg("窗口", "私信：只给林"), W, m)
        no_errors(l, w)
        m = l.mark()
        check(w.stop(W) == 0, "windows: exit code", w)
        l.wait_event("leave", W, m, nick="窗口")
        check(l.stop(10) == 0, "linux: exit code", l)


def _winpath(path):
    return "Z:" + os.path.abspath(path).replace("/", "\\")


def _unix(name):
    """The bytes Wine gives a file name on the Unix side: its locale's charset (GBK here)."""
    return name.encode("gbk") if mx.CTX.gbk_acp else name.encode()


def _tree(root, wine=False):
    """{relative name (decoded; Wine's names from GBK): bytes} of the files under root."""
    out = {}
    for d, _, names in os.walk(os.fsencode(root)):
        for n in names:
            rel = os.path.relpath(os.path.join(d, n), os.fsencode(root))
            with open(os.path.join(d, n), "rb") as f:
                out[rel.decode("gbk" if wine and mx.CTX.gbk_acp else "utf-8")] = f.read()
    return out


def _write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def test_lan_files(binary):
    """udpchat.exe lan <-> udpchat lan on loopback: Linux offers a file and a folder with
    Chinese names, Windows accepts (fs_win32.c writes them); Windows offers a file typed in
    GBK, Linux accepts. Every copy byte-identical."""
    import shutil
    import tempfile
    work = tempfile.mkdtemp(prefix="uc-mixed-files-")
    try:
        src, wdl, ldl = (os.path.join(work, d) for d in ("src", "wdl", "ldl"))
        _write(os.path.join(src, "报告.txt"), os.urandom(300_000))
        _write(os.path.join(src, "资料夹", "子目录", "数据 1.bin"), os.urandom(70_000))
        _write(os.path.join(src, "资料夹", "说明.txt"), "你好\n".encode())
        png = os.urandom(200_000)
        _write(os.path.join(os.fsencode(src), b"win", _unix("图片.png")), png)  # as Wine names it
        with h.ProcessGroup(binary) as g:
            pw, pl = h.free_udp_ports(2)
            w = mx.win(g, ["lan", "--port", pw, "--peer", "%s:%d" % (LO, pl), "--broadcast", LO,
                           "--nick", warg("窗口"), "--download-dir", _winpath(wdl)], "win-lan", json_mode=True)
            l = mx.lin(g, ["lan", "--port", pl, "--peer", "%s:%d" % (LO, pw), "--broadcast", LO,
                           "--nick", "林", "--download-dir", ldl], "linux-lan")
            check(l.wait_ready(10) == pl and w.wait_ready(W) == pw, "ready on other ports", l, w)
            l.wait_event("join", W, nick="窗口")
            w.wait_event("join", W, nick="林")
            m = w.mark()
            l.send_line("/send 窗口 %s %s" % (os.path.join(src, "报告.txt"), os.path.join(src, "资料夹")))
            offer = w.wait_event("file_offer", W, m)
            w.send_line(gbk("/accept %d" % offer["offer"]))
            w.wait_for(lambda e: e.get("event") == "transfer" and not e.get("sending") and e.get("state") in ("done", "failed"), 60, m)
            got = _tree(wdl, wine=True)
            with open(os.path.join(src, "报告.txt"), "rb") as f:
                check(got.get("报告.txt") == f.read(), "linux -> windows file differs: %r" % sorted(got), w)
            want = {os.path.join("资料夹", k): v for k, v in _tree(os.path.join(src, "资料夹")).items()}
            check({k: v for k, v in got.items() if k.startswith("资料夹")} == want, "linux -> windows folder differs", w)
            m = l.mark()
            w.send_line(gbk("/send 林 %s" % _winpath(os.path.join(src, "win", "图片.png"))))
            offer = l.wait_event("file_offer", W, m)
            l.send_line("/accept %d" % offer["offer"])
            l.wait_for(lambda e: e.get("event") == "transfer" and not e.get("sending") and e.get("state") in ("done", "failed"),
                       60, m)
            with open(os.path.join(ldl, "图片.png"), "rb") as f:
                check(f.read() == png, "windows -> linux file differs", l)
            no_errors(l, w)
            print("  linux -> windows: file + folder; windows -> linux: file; all byte-identical", flush=True)
            check(w.stop(W) == 0 and l.stop(10) == 0, "exit codes", l, w)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    mx.main([test_peer, test_peer_json, test_peer_unreachable_first, test_legacy, test_relay_windows_server, test_relay_linux_server,
             test_lan, test_lan_files])
