#!/usr/bin/env python3
"""test_peer_lossy.py -- reliable delivery through lossy_proxy: 20% loss with duplication and
reordering (every message exactly once, in order), and a cut link (undelivered, then
recovery). Usage: test_peer_lossy.py PATH/TO/udpchat [TEST...]"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import udpchat_harness as h  # noqa: E402
from lossy_proxy import LossyProxy  # noqa: E402
from udpchat_harness import check  # noqa: E402

N_LOSSY = 1000


def start_via_proxy(g, a_args=(), b_args=(), wait_join=True, **rates):
    """alice <-> proxy <-> bob; returns (a, b, proxy)."""
    pa, pb = h.free_udp_ports(2)
    proxy = g.add(LossyProxy((h.LOOPBACK, pa), (h.LOOPBACK, pb), **rates)).start()
    a, b, _, _ = h.start_peer_pair(g, a_args, b_args, a_to=proxy.port_a, b_to=proxy.port_b,
                                   ports=(pa, pb), wait_join=wait_join, timeout=20)
    return a, b, proxy


def lossy_lines(n):
    out = []
    for i in range(n):
        if i % 100 == 37:  # a few multi-fragment messages (5 fragments)
            out.append("%04d big " % i + "长" * 1995)
        elif i % 3 == 0:
            out.append("%04d 你好，世界 第%d条" % (i, i))
        else:
            out.append("%04d message number %d" % (i, i))
    return out


def test_lossy_exactly_once_in_order(binary):
    """1000 messages A->B at 20% loss (both directions, acks too), 10% duplication, 10%
    reordering: B shows each exactly once in order; A gets 1000 delivered events."""
    r = h.rng()
    with h.ProcessGroup(binary) as g:
        t0 = time.monotonic()
        a, b, proxy = start_via_proxy(g, a_args=["--deliver-timeout", "120"],
                                      seed=r.randrange(1 << 30), drop=0.2, dup=0.1, reorder=0.1,
                                      max_lifetime=h.T(170))
        t_join = time.monotonic() - t0
        lines = lossy_lines(N_LOSSY)
        ma, mb = a.mark(), b.mark()
        t1 = time.monotonic()
        a.send_lines(lines)  # as fast as udpchat reads its input
        got = b.wait_count(lambda e: e.get("event") == "message", N_LOSSY, 90, mb, "messages")
        t_recv = time.monotonic() - t1
        sent = a.wait_count(lambda e: e.get("event") == "sent", N_LOSSY, 30, ma, "sent events")
        ids = [e["id"] for e in sent]
        check([e["text"] for e in sent] == lines, "alice: sent events differ from the input")
        dl = a.wait_count(lambda e: e.get("event") == "delivered", N_LOSSY, 60, ma, "delivered events")
        t_all = time.monotonic() - t1
        check(sorted(e["id"] for e in dl) == sorted(ids), "alice: delivered ids differ from sent ids")
        check(not a.of_type("undelivered"), "alice: undelivered events", a)
        stats = proxy.stats()
        check(a.stop(20) == 0, "alice: exit code not 0", a)
        check(b.stop(20) == 0, "bob: exit code not 0", b)
        texts = [e["text"] for e in b.of_type("message")]  # everything bob ever showed
        if texts != lines:
            first = next((i for i, (x, y) in enumerate(zip(texts, lines)) if x != y), min(len(texts), len(lines)))
            raise h.HarnessError("bob: %d messages, want %d; first difference at %d: got %r want %r" % (
                len(texts), len(lines), first, texts[first][:60] if first < len(texts) else None,
                lines[first][:60] if first < len(lines) else None))
        print("  join %.2fs, 1000 messages received in %.2fs, all delivered in %.2fs" % (t_join, t_recv, t_all))
        for d in ("a2b", "b2a"):
            s = stats[d]
            print("  proxy %s: received %d forwarded %d dropped %d duplicated %d reordered %d cut %d" % (
                d, s["received"], s["forwarded"], s["dropped"], s["duplicated"], s["reordered"], s["cut"]))
        # the impairments really happened in both directions (else the test proves nothing)
        for d in ("a2b", "b2a"):
            check(stats[d]["dropped"] > 0 and stats[d]["duplicated"] > 0 and stats[d]["reordered"] > 0,
                  "proxy did not impair %s: %r" % (d, stats[d]))
        check(stats["a2b"]["received"] >= N_LOSSY, "proxy saw only %d datagrams A->B" % stats["a2b"]["received"])


def sent_ids_for(p, texts, start, timeout=10):
    evs = p.wait_count(lambda e: e.get("event") == "sent" and e.get("text") in texts, len(texts),
                       timeout, start, "sent events")
    return {e["text"]: (e["id"], e["_t"]) for e in evs}


def test_cut_undelivered_then_recover(binary):
    """With everything cut, typed messages come back undelivered (ids and texts) after
    --deliver-timeout; the peers time out; once restored they reconnect and chat again."""
    args = ["--deliver-timeout", "2", "--timeout", "4", "--heartbeat", "1"]
    with h.ProcessGroup(binary) as g:
        a, b, proxy = start_via_proxy(g, a_args=args, b_args=args)
        a.send_line("before the cut")
        b.wait_event("message", 10, text="before the cut")
        a.wait_event("delivered", 10)
        proxy.cut()
        ma, mb = a.mark(), b.mark()
        a_texts = ["cut 1", "切断了 2", "cut 3 😀"]
        b_texts = ["bob during cut"]
        a.send_lines(a_texts)
        b.send_lines(b_texts)
        for p, texts, m in ((a, a_texts, ma), (b, b_texts, mb)):
            sent = sent_ids_for(p, texts, m)
            und = p.wait_count(lambda e: e.get("event") == "undelivered", len(texts), 20, m, "undelivered")
            check(sorted((e["id"], e.get("text")) for e in und) == sorted((i, t) for t, (i, _) in sent.items()),
                  "%s: undelivered %r, want %r" % (p.name, [(e["id"], e.get("text")) for e in und], sent), p)
            for e in und:  # not before the deliver timeout (a lower bound only: load makes it later)
                sent_t = sent[e["text"]][1]
                check(e["_t"] - sent_t >= 1.5, "%s: undelivered %.2fs after sent, before --deliver-timeout 2" % (
                    p.name, e["_t"] - sent_t), p)
            check(not p.matching(lambda e: e.get("event") == "delivered", m), "%s: delivered during the cut" % p.name, p)
        # silence beyond --timeout: both sides report the other gone
        a.wait_event("leave", 20, start=ma, nick="bob", reason="timeout")
        b.wait_event("leave", 20, start=mb, nick="alice", reason="timeout")
        check(not b.matching(lambda e: e.get("event") == "message", mb), "bob: a message got through the cut", b)
        ma, mb = a.mark(), b.mark()
        proxy.restore()
        a.wait_event("join", 20, start=ma, nick="bob")
        b.wait_event("join", 20, start=mb, nick="alice")
        a.send_lines(["after the cut 1", "恢复了 2"])
        b.send_line("bob after the cut")
        got_b = b.wait_count(lambda e: e.get("event") == "message", 2, 20, mb, "messages")
        got_a = a.wait_count(lambda e: e.get("event") == "message", 1, 20, ma, "messages")
        a.wait_count(lambda e: e.get("event") == "delivered", 2, 20, ma, "delivered")
        b.wait_count(lambda e: e.get("event") == "delivered", 1, 20, mb, "delivered")
        check([e["text"] for e in got_b] == ["after the cut 1", "恢复了 2"], "bob: got %r" % [e["text"] for e in got_b], b)
        check([e["text"] for e in got_a] == ["bob after the cut"], "alice: got %r" % [e["text"] for e in got_a], a)
        check(a.stop() == 0 and b.stop() == 0, "exit codes not 0", a, b)
        all_b = [e["text"] for e in b.of_type("message")]
        check(all_b == ["before the cut", "after the cut 1", "恢复了 2"],
              "bob: an abandoned message showed up after all: %r" % all_b)
        s = proxy.stats()["total"]
        print("  proxy: cut %d datagrams, forwarded %d" % (s["cut"], s["forwarded"]))


def test_short_outage_retransmits(binary):
    """A cut shorter than the deliver timeout: messages typed meanwhile arrive once, in order."""
    with h.ProcessGroup(binary) as g:
        a, b, proxy = start_via_proxy(g)
        a.send_line("warm up")
        a.wait_event("delivered", 10)
        mb = b.mark()
        proxy.cut()
        texts = ["during outage %d 中断" % i for i in range(5)]
        a.send_lines(texts)
        deadline = time.monotonic() + h.T(10)  # the first transmissions were really dropped
        while proxy.stats()["a2b"]["cut"] < len(texts) and time.monotonic() < deadline:
            time.sleep(0.02)
        check(proxy.stats()["a2b"]["cut"] >= len(texts), "proxy did not see the messages: %r" % proxy.stats())
        proxy.restore()
        got = b.wait_count(lambda e: e.get("event") == "message", len(texts), 20, mb, "messages")
        a.wait_count(lambda e: e.get("event") == "delivered", len(texts) + 1, 20, 0, "delivered")
        check(a.stop() == 0 and b.stop() == 0, "exit codes not 0", a, b)
        check([e["text"] for e in b.of_type("message")][1:] == texts, "bob: %r" % [e["text"] for e in got])
        check(not a.of_type("undelivered"), "alice: undelivered", a)


if __name__ == "__main__":
    h.main([test_lossy_exactly_once_in_order, test_cut_undelivered_then_recover, test_short_outage_retransmits])
