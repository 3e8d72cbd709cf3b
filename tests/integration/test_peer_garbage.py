#!/usr/bin/env python3
"""test_peer_garbage.py -- hostile datagrams are dropped and the chat goes on: garbage from a
foreign address, and magic-prefixed garbage injected by lossy_proxy from the very address a
peer talks to. Usage: test_peer_garbage.py PATH/TO/udpchat [TEST...]"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import udpchat_harness as h  # noqa: E402
from lossy_proxy import LossyProxy  # noqa: E402
from udpchat_harness import check  # noqa: E402

MAGIC = b"\xffUCH"
DATA, ACK, PING, PONG, HELLO, BYE, BYE_ACK, REFUSE, RESET = range(1, 10)


class _Sealed(bytes):
    """A header that seals (fills in the CRC-32 of) whatever datagram it is the start of."""

    def __add__(self, body):
        return h.seal(bytes(self) + body)


def header(typ, session, dest, version=2, token=0x5EC2E7):
    """A header with a guessed token (an off-path forger does not know the real one)."""
    if version != 2:
        return _Sealed(h.seal(MAGIC + struct.pack(">BBBBIII", version, typ, 0, 0, session, dest, 0)))
    return _Sealed(h.seal(MAGIC + struct.pack(">BBBBIIQI", version, typ, 0, 0, session, dest, token, 0)))


def chat_msg(text, frm=b"", to=b""):
    return bytes([1, 0, 0, 0, 0, 0, 0, len(frm)]) + frm + bytes([len(to)]) + to + text.encode("utf-8")


def data_body(seq, base, frag, nfrags, payload, ts=0):
    return struct.pack(">IIIHH", seq, base, ts, frag, nfrags) + payload


def random_magic(r, n):
    """Magic + random bytes, never a well-formed HELLO (that would be a legitimate restart)."""
    b = bytearray(MAGIC + bytes(r.getrandbits(8) for _ in range(n)))
    if len(b) > 5 and b[4] == 2 and b[5] == HELLO:
        b[5] = 0x7E
    return bytes(b)


def garbage_set(r, sess_a, sess_b, with_magic_only):
    """Hostile datagrams. sess_a / sess_b: the real session ids (seen on the wire)."""
    out = []
    out += [random_magic(r, r.randrange(0, 1400)) for _ in range(60)]          # random after the magic
    out += [MAGIC + bytes(r.getrandbits(8) for _ in range(n)) for n in range(0, 12)]  # truncated headers
    out += [MAGIC[:n] for n in range(1, 4)] + [b"\xff\x00", b"\xffXYZ garbage"]  # shorter than the magic
    out += [header(t, sess_a, sess_b, version=v) + b"xx" for v in (0, 1, 3, 255) for t in (DATA, HELLO, PING)]
    out.append(random_magic(r, h.MAX_UDP - 4))                                  # the largest UDP datagram
    out.append(header(DATA, 0, sess_b))                                         # session 0
    for wrong in (sess_a ^ 0x5A5A5A5A, 1, 0xFFFFFFFF):                          # wrong sender session
        out.append(header(DATA, wrong, sess_b) + data_body(0, 0, 0, 1, chat_msg("forged: wrong session")))
        out.append(header(ACK, wrong, sess_b) + struct.pack(">IIQI", 1, 0, 0, 0))
        out.append(header(PING, wrong, sess_b))
        out.append(header(BYE, wrong, sess_b) + b"\x00forged bye")
        out.append(header(RESET, wrong, sess_b ^ 1))
        out.append(header(REFUSE, wrong, sess_b ^ 1) + b"\x00forged refuse")
    # the right sessions but malformed bodies: dropped as malformed, not delivered
    out.append(header(DATA, sess_a, sess_b) + data_body(0, 0, 0, 0, b"x"))        # nfrags 0
    out.append(header(DATA, sess_a, sess_b) + data_body(0, 0, 5, 2, b"x"))        # frag >= nfrags
    out.append(header(DATA, sess_a, sess_b) + data_body(0, 0, 0, 60000, b"x"))    # too many fragments
    out.append(header(DATA, sess_a, sess_b) + b"\x00\x00\x00")                    # short body
    out.append(header(DATA, sess_a, sess_b) + data_body(0, 0, 0, 1, b"y" * 1300))  # fragment too long
    out.append(header(ACK, sess_a, sess_b) + b"\x00" * 7)                         # short ack
    out.append(header(ACK, sess_a, sess_b) + struct.pack(">IIII", 0x7FFFFFFF, 0, 0, 0))  # acks the future
    out.append(header(HELLO, sess_a, sess_b) + b"\x00")                           # short hello
    out.append(header(77, sess_a, sess_b) + b"unknown type")
    if not with_magic_only:
        out.append("陌生人的明文消息 from a stranger".encode("utf-8"))
        out.append(bytes(r.getrandbits(8) for _ in range(h.MAX_UDP)))
        out.append(b"")
        # a well-formed chat message with the real sessions and every plausible seq: only the
        # source address can tell it is forged
        out += [header(DATA, sess_a, sess_b) + data_body(s, 0, 0, 1, chat_msg("SPOOFED %d" % s))
                for s in range(0, 40)]
    return out


def expect_quiet(p, start, allowed_texts):
    """Since start: only chat traffic (sent/delivered/the expected messages), nothing else."""
    for e in p.snapshot(start):
        kind = e.get("event")
        if kind in ("sent", "delivered"):
            continue
        if kind == "message" and e.get("text") in allowed_texts and not e.get("legacy"):
            continue
        raise h.HarnessError("%s: unexpected event after garbage: %r\n%s" % (p.name, e, p.describe()))


def exchange(a, b, tag):
    """A message each way; both delivered."""
    ma, mb = a.mark(), b.mark()
    ta, tb = "alice still here %s 你好" % tag, "bob still here %s 世界" % tag
    a.send_line(ta)
    b.send_line(tb)
    b.wait_event("message", 15, start=mb, text=ta)
    a.wait_event("message", 15, start=ma, text=tb)
    a.wait_event("delivered", 15, start=ma)
    b.wait_event("delivered", 15, start=mb)
    return [ta, tb]


def test_garbage_dropped_chat_goes_on(binary):
    r = h.rng()
    with h.ProcessGroup(binary) as g:
        pa, pb = h.free_udp_ports(2)
        proxy = g.add(LossyProxy((h.LOOPBACK, pa), (h.LOOPBACK, pb))).start()
        a, b, _, _ = h.start_peer_pair(g, a_to=proxy.port_a, b_to=proxy.port_b, ports=(pa, pb))
        allowed = exchange(a, b, "0")
        sa, sb = proxy.sessions["a"], proxy.sessions["b"]
        check(sa and sb, "the proxy did not see the session ids: %r" % proxy.sessions)
        ma, mb = a.mark(), b.mark()

        # 1. from a foreign address, straight to both peers: everything dropped
        stranger = g.add(h.UdpTextPeer())
        n_foreign = 0
        for target, (s1, s2) in ((pb, (sa, sb)), (pa, (sb, sa))):
            for d in garbage_set(r, s1, s2, with_magic_only=False):
                stranger.sendto(d, (h.LOOPBACK, target))
                n_foreign += 1
        allowed += exchange(a, b, "1")

        # 2. from the address each peer talks to (the proxy's sockets): magic-prefixed garbage
        n_injected = 0
        for toward, (s1, s2) in (("b", (sa, sb)), ("a", (sb, sa))):
            for d in garbage_set(r, s1, s2, with_magic_only=True):
                proxy.inject(d, toward)
                n_injected += 1
        allowed += exchange(a, b, "2")

        # 3. plain text from the same addresses: a working udpchat session is not downgraded
        for toward in ("a", "b"):
            for t in ("明文伪造 forged plain text", "quit", "^hb^"):
                proxy.inject(t.encode("utf-8"), toward)
                proxy.inject(t.encode("gbk"), toward)
        allowed += exchange(a, b, "3")  # still delivered (acknowledged): still the protocol
        expect_quiet(a, ma, allowed)
        expect_quiet(b, mb, allowed)
        check(not stranger.drain(0.2), "udpchat answered a foreign address")
        check(a.stop() == 0, "alice: exit code not 0", a)
        b.wait_event("leave", 10, start=mb, nick="alice", reason="quit")
        check(b.stop() == 0, "bob: exit code not 0", b)
        for p in (a, b):
            check(not any("SPOOFED" in (e.get("text") or "") or "forged" in (e.get("text") or "")
                          for e in p.snapshot()), "%s: showed forged text" % p.name, p)
            check(not any("ERROR: AddressSanitizer" in l or "runtime error" in l for l in p.stderr_lines),
                  "%s: sanitizer report" % p.name, p)
        print("  %d foreign datagrams, %d injected from the peers' own addresses" % (n_foreign, n_injected))


if __name__ == "__main__":
    h.main([test_garbage_dropped_chat_goes_on])
