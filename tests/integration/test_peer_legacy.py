#!/usr/bin/env python3
"""test_peer_legacy.py -- udpchat chats with a seed-style plain-text UDP peer (a Python socket
doing sendto(text.encode(cs)), like the seed programs) in UTF-8 and GBK, with --legacy and by
auto-detection. Usage: test_peer_legacy.py PATH/TO/udpchat [TEST...]"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import udpchat_harness as h  # noqa: E402
from udpchat_harness import check  # noqa: E402

FROM_SEED = ["你好，世界", "hello 中文混合 text", "第三句：再见！"]
FROM_UDPCHAT = ["收到：你好！", "plain ascii", "中文和 English 混在一起。"]


def chat_with_seed(binary, cs, extra_args, legacy_expected=True):
    with h.ProcessGroup(binary) as g:
        seed = g.add(h.UdpTextPeer(charset=cs))
        p = g.start(["peer", "%s:%d" % (h.LOOPBACK, seed.port), "--json", "--nick", "linux"] + extra_args,
                    name="udpchat-" + cs)
        port = p.wait_ready()
        label = "%s:%d" % (h.LOOPBACK, seed.port)
        # the seed speaks first, then udpchat answers, then the seed again, ...
        for mine, theirs in zip(FROM_SEED, FROM_UDPCHAT):
            m = p.mark()
            seed.send_text(mine, port)
            ev = p.wait_event("message", 10, start=m, text=mine)
            check(ev.get("from") == label, "from %r, want %r" % (ev.get("from"), label), p)
            check(ev.get("legacy") is True, "message not marked legacy: %r" % ev, p)
            p.send_line(theirs)
            data, addr = seed.recv(10, skip_magic=not legacy_expected)
            check(addr == (h.LOOPBACK, port), "seed got a datagram from %r, want udpchat's %r" % (addr, port))
            check(data == theirs.encode(cs), "seed got %r, want %r (%s)" % (data, theirs.encode(cs), cs), p)
            p.wait_event("sent", 10, start=m, text=theirs)
        check(not p.of_type("error"), "errors", p)
        check(not p.of_type("delivered"), "a plain-text peer cannot confirm delivery", p)
        check(p.stop() == 0, "exit code not 0", p)
        # a plain-text peer gets no protocol datagram at the end either (no BYE), at most text
        for data, _ in seed.drain(0.3):
            check(not legacy_expected or not data.startswith(b"\xffUCH"),
                  "seed got a protocol datagram in --legacy mode: %r" % data[:16])


def test_legacy_utf8(binary):
    chat_with_seed(binary, "utf-8", ["--legacy", "--peer-charset", "utf-8"])


def test_legacy_gbk(binary):
    chat_with_seed(binary, "gbk", ["--legacy", "--peer-charset", "gbk"])


def test_legacy_seed_newline(binary):
    """Seeds built on input() may send a trailing newline: it is not part of the message."""
    with h.ProcessGroup(binary) as g:
        seed = g.add(h.UdpTextPeer(charset="gbk"))
        p = g.start(["peer", "%s:%d" % (h.LOOPBACK, seed.port), "--json", "--legacy", "--peer-charset", "gbk"])
        port = p.wait_ready()
        seed.sendto("带换行的消息\r\n".encode("gbk"), (h.LOOPBACK, port))
        p.wait_event("message", 10, text="带换行的消息")
        check(p.stop() == 0, "exit code not 0", p)


def test_autodetect_gbk(binary):
    """No --legacy: the seed's GBK text switches udpchat to plain text; it shows the text
    right and answers in GBK."""
    chat_with_seed(binary, "gbk", [], legacy_expected=False)


def test_autodetect_utf8(binary):
    chat_with_seed(binary, "utf-8", [], legacy_expected=False)


def test_autodetect_status_and_no_more_hello(binary):
    """After switching to plain text, udpchat says so and stops sending HELLOs."""
    with h.ProcessGroup(binary) as g:
        seed = g.add(h.UdpTextPeer(charset="gbk"))
        p = g.start(["peer", "%s:%d" % (h.LOOPBACK, seed.port), "--json"])
        port = p.wait_ready()
        data, _ = seed.recv(10, skip_magic=False)  # udpchat opens with a calling card
        check(b"[UCH2 " in data and all(32 <= c < 127 for c in data[:-1]) and data.endswith(b"\n"),
              "first datagram is not a calling card (one line of printable ASCII): %r" % data[:40])
        data.decode("utf-8"), data.decode("gbk")  # a seed decodes it strictly in either charset
        seed.send_text("你好", port)
        p.wait_event("message", 10, text="你好")
        p.wait_for(lambda e: e.get("event") == "status" and "plain" in (e.get("text") or ""), 10,
                   what="status about plain-text mode")
        seed.drain(0.2)
        late = [d for d, _ in seed.drain(2.5) if d.startswith(b"\xffUCH") or b"[UCH2 " in d]  # > 2 intervals
        check(not late, "udpchat still sends protocol datagrams to a plain-text peer: %d" % len(late), p)
        check(p.stop() == 0, "exit code not 0", p)


def test_autodetect_queued_message_uses_detected_charset(binary):
    """A line typed before the seed spoke waits for the connection; when the seed's first
    datagram is GBK, the waiting line goes out in GBK too, like everything after it."""
    with h.ProcessGroup(binary) as g:
        seed = g.add(h.UdpTextPeer(charset="gbk"))
        p = g.start(["peer", "%s:%d" % (h.LOOPBACK, seed.port), "--json"])
        port = p.wait_ready()
        p.send_line("早上好，先发的")
        p.wait_event("sent", 10, text="早上好，先发的")
        seed.send_text("你好", port)
        p.wait_event("message", 10, text="你好")
        data, _ = seed.recv(10)
        check(data == "早上好，先发的".encode("gbk"),
              "the queued line reached the GBK peer as %r, want GBK %r" % (data, "早上好，先发的".encode("gbk")), p)
        p.send_line("后发的")
        data, _ = seed.recv(10)
        check(data == "后发的".encode("gbk"), "seed got %r" % data, p)
        check(p.stop() == 0, "exit code not 0", p)


if __name__ == "__main__":
    h.main([test_legacy_utf8, test_legacy_gbk, test_legacy_seed_newline, test_autodetect_gbk,
            test_autodetect_utf8, test_autodetect_status_and_no_more_hello,
            test_autodetect_queued_message_uses_detected_charset])
