#!/usr/bin/env python3
"""test_peer_chat.py -- two `udpchat peer --json` processes chat both ways at once on loopback;
Ctrl-C (SIGINT) and SIGTERM leave politely. Usage: test_peer_chat.py PATH/TO/udpchat [TEST...]"""
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import udpchat_harness as h  # noqa: E402
from udpchat_harness import check  # noqa: E402

BIG_BYTES = 60 * 1024


def big_text(nbytes, seed_text):
    """Exactly nbytes of UTF-8 mixing ASCII, Chinese (3 bytes) and emoji (4 bytes)."""
    unit = seed_text + " 你好，世界 0123456789 ABC xyz 😀 「引号」 end;"
    out, n = [], 0
    i = 0
    while True:
        ch = unit[i % len(unit)]
        k = len(ch.encode("utf-8"))
        if n + k > nbytes:
            break
        out.append(ch)
        n += k
        i += 1
    out.append("." * (nbytes - n))
    s = "".join(out)
    assert len(s.encode("utf-8")) == nbytes
    return s


def is_msg(e):
    return e.get("event") == "message"


def test_two_way_chat(binary):
    """Both sides type at once: Chinese, an empty line (not sent), a 60 KiB message."""
    with h.ProcessGroup(binary) as g:
        a, b, _, _ = h.start_peer_pair(g)
        a_lines = ["hello from alice", "你好，世界", "", "tab\there \"quotes\" \\ and 😀",
                   big_text(BIG_BYTES, "alice"), "", "last from alice"]
        b_lines = ["hello from bob", "你好，世界 (bob)", "", "第三条消息：收到！",
                   big_text(BIG_BYTES, "bob"), "last from bob"]
        ma, mb = a.mark(), b.mark()
        a.send_lines(a_lines)  # both processes get their input at the same moment
        b.send_lines(b_lines)
        for me, other, lines, m_me, m_other in ((a, b, a_lines, ma, mb), (b, a, b_lines, mb, ma)):
            want = [l for l in lines if l]
            sent = me.wait_count(lambda e: e.get("event") == "sent", len(want), 30, m_me, "sent events")
            check([e["text"] for e in sent] == want, "%s: sent events differ from the lines typed" % me.name, me)
            ids = [e["id"] for e in sent]
            check(len(set(ids)) == len(ids) and all(isinstance(i, int) and i > 0 for i in ids),
                  "%s: sent ids not unique positive integers: %r" % (me.name, ids))
            got = other.wait_count(is_msg, len(want), 30, m_other, "messages")
            texts = [e["text"] for e in got]
            for i, (t, w) in enumerate(zip(texts, want)):
                check(t.encode("utf-8") == w.encode("utf-8"),
                      "%s: message %d differs (%d bytes, want %d)" % (other.name, i, len(t.encode()), len(w.encode())))
            check(all(e.get("from") == me.name and e.get("private") is False and e.get("action") is False
                      for e in got), "%s: wrong from/private/action in %r" % (other.name, [
                          {k: v for k, v in e.items() if k != "text"} for e in got]))
            me.wait_count(lambda e: e.get("event") == "delivered" and e.get("id") in ids, len(ids), 30,
                          m_me, "delivered events")
        for p in (a, b):
            check(not p.of_type("undelivered") and not p.of_type("error"),
                  "%s: undelivered or error events" % p.name, p)
        check(a.stop() == 0, "alice: exit code not 0", a)
        b.wait_event("leave", 10, nick="alice", reason="quit")
        check(b.stop() == 0, "bob: exit code not 0", b)
        # exactly once: nothing more arrived after everything was delivered
        for me, other, lines in ((a, b, a_lines), (b, a, b_lines)):
            texts = [e["text"] for e in other.of_type("message")]
            check(texts == [l for l in lines if l], "%s: %d messages, want %d (duplicates?)" % (
                other.name, len(texts), len([l for l in lines if l])))
            check(not me.matching(lambda e: e.get("event") == "sent" and e.get("text") == ""),
                  "%s: an empty line was sent" % me.name)


def test_action_and_slash(binary):
    """/me is an action; // sends a leading slash; /help is not sent."""
    with h.ProcessGroup(binary) as g:
        a, b, _, _ = h.start_peer_pair(g)
        a.send_lines(["/me waves 挥手", "//not a command", "/help", "plain"])
        got = b.wait_count(is_msg, 3, 15, what="messages")
        check([(e["text"], e["action"]) for e in got] ==
              [("waves 挥手", True), ("/not a command", False), ("plain", False)],
              "bob: got %r" % [(e["text"], e["action"]) for e in got], b)
        check(a.stop() == 0 and b.stop() == 0, "exit codes not 0", a, b)


def _signal_leaves(binary, sig):
    with h.ProcessGroup(binary) as g:
        a, b, _, _ = h.start_peer_pair(g)
        m = b.mark()
        a.send_line("before the signal")
        b.wait_event("message", 10, text="before the signal")
        a.signal(sig)
        rc = a.wait_exit(10)  # Ctrl-C is polled every 250 ms; BYE retries end within ~1 s
        check(rc == 0, "alice: exit code %r after %s, want 0" % (rc, sig.name), a)
        ev = b.wait_event("leave", 10, start=m, nick="alice")
        check(ev.get("reason") == "quit", "bob: leave reason %r, want quit" % ev.get("reason"), b)
        check(b.stop() == 0, "bob: exit code not 0", b)


def test_sigint_leaves(binary):
    """Ctrl-C: exit 0 within a few seconds, the other side sees leave{reason: quit}."""
    _signal_leaves(binary, signal.SIGINT)


def test_sigterm_leaves(binary):
    _signal_leaves(binary, signal.SIGTERM)


if __name__ == "__main__":
    h.main([test_two_way_chat, test_action_and_slash, test_sigint_leaves, test_sigterm_leaves])
