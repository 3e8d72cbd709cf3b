#!/usr/bin/env python3
"""ucproto.py -- a small Python implementation of the udpchat wire protocol for hostile tests.

Version 2 (docs/PROTOCOL.md; 28-byte header with a token) is the one we write tests against;
version 1 (20-byte header, no token) is kept so the same tests can show what today's binary
does with the same attack. All integers big-endian; CRC-32 (zlib) over the whole datagram with
the crc field zeroed (bytes 24..27 in v2, 16..19 in v1).

    build_hello(...), build_challenge(...), build_data(...), build_ack(...), build_msg(...)
    parse(datagram) -> Datagram or None (bad magic/CRC/length: None)
    c = ProtoClient(("127.0.0.1", port), "alice", version=2, ack=True); c.join(); c.chat("hi")

A ProtoClient runs one receive thread (bounded lifetime), ACKs DATA (unless ack=False), keeps
every reassembled message in c.msgs, retransmits its own unacknowledged DATA.
"""
import os
import random
import socket
import struct
import threading
import time
import zlib

MAGIC = b"\xffUCH"
V1, V2 = 1, 2
HDR_LEN = {V1: 20, V2: 28}
CRC_OFF = {V1: 16, V2: 24}
DATA, ACK, PING, PONG, HELLO, BYE, BYE_ACK, REFUSE, RESET, CHALLENGE = range(1, 11)
UNSUPPORTED = 127
TYPE_NAMES = {1: "DATA", 2: "ACK", 3: "PING", 4: "PONG", 5: "HELLO", 6: "BYE", 7: "BYE_ACK",
              8: "REFUSE", 9: "RESET", 10: "CHALLENGE", 127: "UNSUPPORTED"}
ROLE_PEER, ROLE_CLIENT, ROLE_SERVER = 0, 1, 2
# reliable message kinds
CHAT, WELCOME, ROSTER, JOINED, LEFT, NICK, WHO, NOTICE, SHUTDOWN, RECEIPT = range(1, 11)
MAX_FRAG = 1200


def seal(d, version=V2):
    """d with its CRC-32 filled in (a v1 or v2 header, judged by version)."""
    d = bytearray(d)
    off = CRC_OFF[version]
    if len(d) < off + 4:
        return bytes(d)
    d[off:off + 4] = b"\0\0\0\0"
    d[off:off + 4] = struct.pack(">I", zlib.crc32(bytes(d)) & 0xFFFFFFFF)
    return bytes(d)


def header(typ, session, dest=0, token=0, version=V2):
    """An unsealed header (seal the whole datagram once the body is appended)."""
    if version == V1:
        return MAGIC + struct.pack(">BBBBIII", V1, typ, 0, 0, session, dest, 0)
    return MAGIC + struct.pack(">BBBBIIQI", version, typ, 0, 0, session, dest, token, 0)


def datagram(typ, session, dest=0, token=0, body=b"", version=V2):
    return seal(header(typ, session, dest, token, version) + body, V1 if version == V1 else V2)


def str8(s):
    b = s.encode("utf-8") if isinstance(s, str) else bytes(s)
    b = b[:255]
    return bytes([len(b)]) + b


def build_hello(session, dest=0, token=0, nick="", role=ROLE_CLIENT, heartbeat_ms=5000,
                timeout_s=30, cookie_ts=0, reply_token=0, version=V2):
    if version == V1:
        body = struct.pack(">BBHH", role, 0, heartbeat_ms, timeout_s) + str8(nick)
    else:
        body = struct.pack(">BBHHIQ", role, 0, heartbeat_ms, timeout_s, cookie_ts, reply_token) + str8(nick)
    return datagram(HELLO, session, dest, token, body, version)


def build_challenge(session, dest, cookie_ts, cookie):
    return datagram(CHALLENGE, session, dest, 0, struct.pack(">IQ", cookie_ts, cookie))


def build_data(session, dest, token, seq, base, payload, frag=0, nfrags=1, ts=0, version=V2):
    body = struct.pack(">IIIHH", seq, base, ts, frag, nfrags) + payload
    return datagram(DATA, session, dest, token, body, version)


def build_ack(session, dest, token, nxt, echo_ts=0, sack=0, version=V2, skipped=0):
    body = struct.pack(">IIQ", nxt, echo_ts, sack) + (struct.pack(">I", skipped) if version == V2 else b"")
    return datagram(ACK, session, dest, token, body, version)


def build_msg(kind, text="", a="", b="", flags=0, reason=0, ref=0, version=V2):
    t = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    head = bytes([kind, flags, reason]) + (struct.pack(">I", ref) if version != V1 else b"")
    return head + str8(a) + str8(b) + t


class Datagram:
    """A parsed datagram. Fields: version, type, session, dest, token (0 in v1), body, raw,
    plus type-specific ones (see parse)."""

    def __repr__(self):
        keys = ("version", "type", "session", "dest", "token")
        return "<%s %s>" % (TYPE_NAMES.get(self.type, self.type),
                            " ".join("%s=%r" % (k, getattr(self, k)) for k in keys))


def parse(d):
    """A Datagram, or None if d is not a well-formed udpchat datagram of version 1 or 2
    (magic, length, CRC). Unknown versions: a Datagram with only version/type/raw set."""
    if len(d) < 6 or not d.startswith(MAGIC):
        return None
    g = Datagram()
    g.raw, g.version, g.type = bytes(d), d[4], d[5]
    if g.version not in HDR_LEN:
        return g
    hl = HDR_LEN[g.version]
    if len(d) < hl or seal(d, g.version) != bytes(d):
        return None
    if g.version == V1:
        g.session, g.dest = struct.unpack(">II", d[8:16])
        g.token = 0
    else:
        g.session, g.dest, g.token = struct.unpack(">IIQ", d[8:24])
    g.body = bytes(d[hl:])
    try:
        _parse_body(g)
    except (struct.error, IndexError):
        return None
    return g


def _parse_body(g):
    b = g.body
    if g.type == DATA:
        g.seq, g.base, g.ts, g.frag, g.nfrags = struct.unpack(">IIIHH", b[:16])
        g.payload = b[16:]
    elif g.type == ACK:
        g.next, g.echo_ts, g.sack = struct.unpack(">IIQ", b[:16])
    elif g.type == HELLO:
        if g.version == V1:
            g.role, g.caps, g.heartbeat_ms, g.timeout_s = struct.unpack(">BBHH", b[:6])
            g.cookie_ts, g.reply_token, off = 0, 0, 6
        else:
            g.role, g.caps, g.heartbeat_ms, g.timeout_s, g.cookie_ts, g.reply_token = \
                struct.unpack(">BBHHIQ", b[:18])
            off = 18
        n = b[off]
        g.nick = b[off + 1:off + 1 + n].decode("utf-8", "replace")
    elif g.type == CHALLENGE:
        g.cookie_ts, g.cookie = struct.unpack(">IQ", b[:12])
    elif g.type in (REFUSE, BYE):
        g.code = b[0]
        g.text = b[1:].decode("utf-8", "replace")


class Msg:
    def __repr__(self):
        return "<msg kind=%d a=%r b=%r ref=%d text=%r>" % (self.kind, self.a, self.b, self.ref, self.text[:60])


def parse_msg(p, version=V2):
    """A reassembled reliable message -> Msg (kind, flags, reason, ref, a, b, text)."""
    m = Msg()
    m.kind, m.flags, m.reason = p[0], p[1], p[2]
    off = 3
    m.ref = 0
    if version != V1:
        m.ref = struct.unpack(">I", p[3:7])[0]
        off = 7
    n = p[off]
    m.a = p[off + 1:off + 1 + n].decode("utf-8", "replace")
    off += 1 + n
    n = p[off]
    m.b = p[off + 1:off + 1 + n].decode("utf-8", "replace")
    m.text = p[off + 1 + n:].decode("utf-8", "replace")
    return m


def random_id(rng=random):
    return rng.randrange(1, 1 << 32)


class ProtocolError(AssertionError):
    pass


class ProtoClient:
    """A room client speaking v2 (or v1). ack=False: it never ACKs DATA (a member that has
    stopped reading). Everything received is in self.got (Datagram list) and self.msgs (Msg
    list); self.refused holds a REFUSE's text. The receive thread ends after max_lifetime s."""

    def __init__(self, server, nick, version=V2, ack=True, host="127.0.0.1", port=0,
                 max_lifetime=120.0, rng=None):
        self.server = server
        self.nick = nick
        self.version = version
        self.ack = ack
        self.rng = rng or random.Random(os.urandom(8))
        self.session = random_id(self.rng)
        self.reply_token = self.rng.randrange(1, 1 << 64)
        self.send_token = 0             # the relay's token for us (its cookie)
        self.server_session = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.sock.bind((host, port))
        self.addr = self.sock.getsockname()
        self.got, self.msgs = [], []
        self.refused = None
        self.joined = threading.Event()
        self.rx_bytes = 0
        self._lock = threading.Lock()
        self._next_expected = 0
        self._parked = {}               # seq -> Datagram (out of order)
        self._partial = []
        self._tx_seq = 0
        self._unacked = {}              # seq -> (datagram bytes, first sent)
        self._ack_pending = False
        self._last_ts = 0
        self._stop = threading.Event()
        self._deadline = time.monotonic() + max_lifetime
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    # -- sending
    def send_raw(self, d):
        self.sock.sendto(d, self.server)

    def hello(self, cookie_ts=0, token=0):
        return build_hello(self.session, self.server_session, token, self.nick, ROLE_CLIENT,
                           cookie_ts=cookie_ts, reply_token=self.reply_token, version=self.version)

    def join(self, timeout=10.0):
        """The full handshake; returns True when joined, False if refused. Raises
        ProtocolError (with what came back) on a timeout."""
        deadline = time.monotonic() + timeout
        challenge = None
        next_send = 0
        while time.monotonic() < deadline and not self.joined.is_set() and self.refused is None:
            if time.monotonic() >= next_send:
                if self.version == V1 or challenge is None:
                    self.send_raw(self.hello())
                else:
                    self.send_raw(self.hello(challenge.cookie_ts, challenge.cookie))
                next_send = time.monotonic() + 1.0
            time.sleep(0.02)
            with self._lock:
                ch = [g for g in self.got if g.type == CHALLENGE and g.dest == self.session]
            if ch and challenge is None:
                challenge = ch[-1]
                self.server_session = challenge.session
                next_send = 0
        if self.joined.is_set():
            return True
        if self.refused is not None:
            return False
        with self._lock:
            seen = [repr(g) for g in self.got[-5:]]
        raise ProtocolError("%s: no %s from the relay %s:%d within %.1fs (v%d); got %s" % (
            self.nick, "welcome" if challenge else "CHALLENGE", self.server[0], self.server[1],
            timeout, self.version, seen or "nothing"))

    def send_msg(self, payload):
        """One reliable message (fragmented), retransmitted until ACKed (by the receive thread)."""
        n = max(1, (len(payload) + MAX_FRAG - 1) // MAX_FRAG)
        with self._lock:
            for i in range(n):
                d = build_data(self.session, self.server_session, self.send_token, self._tx_seq,
                               min(self._unacked) if self._unacked else self._tx_seq,
                               payload[i * MAX_FRAG:(i + 1) * MAX_FRAG], i, n,
                               int(time.monotonic() * 1000) & 0xFFFFFFFF, self.version)
                self._unacked[self._tx_seq] = [d, time.monotonic(), time.monotonic()]
                self._tx_seq += 1
                self.send_raw(d)

    def chat(self, text, to="", ref=None):
        ref = ref if ref is not None else self._tx_seq + 1
        self.send_msg(build_msg(CHAT, text, "", to, ref=ref, version=self.version))
        return ref

    def raw_data(self, seq, payload, frag=0, nfrags=1, base=0):
        """One DATA datagram with an arbitrary seq (out of order), not tracked for resends."""
        self.send_raw(build_data(self.session, self.server_session, self.send_token, seq, base,
                                 payload, frag, nfrags, 0, self.version))

    # -- receiving
    def messages(self, kind=None):
        with self._lock:
            return [m for m in self.msgs if kind is None or m.kind == kind]

    def wait_msg(self, pred, timeout=10.0, what="message"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.messages():
                if pred(m):
                    return m
            time.sleep(0.02)
        raise ProtocolError("%s: no %s within %.1fs; got %r" % (self.nick, what, timeout, self.messages()[-8:]))

    def _run(self):
        self.sock.settimeout(0.05)
        while not self._stop.is_set() and time.monotonic() < self._deadline:
            try:
                d, src = self.sock.recvfrom(65535)
            except socket.timeout:
                self._service()
                continue
            except OSError:
                return
            self.rx_bytes += len(d)
            g = parse(d)
            if g is None or g.version not in HDR_LEN:
                continue
            with self._lock:
                self.got.append(g)
                self._on(g)
            self._service()

    def _on(self, g):
        if g.type == HELLO and g.role == ROLE_SERVER and g.dest == self.session:
            if self.version == V1 or g.token == self.reply_token:
                self.server_session = g.session
                self.send_token = g.reply_token
                self.joined.set()
        elif g.type == REFUSE and g.dest == self.session:
            self.refused = g.text
        elif g.type == DATA and self.joined.is_set():
            self._on_data(g)
        elif g.type == ACK:
            for s in list(self._unacked):
                if s < g.next or (s > g.next and s - g.next - 1 < 64 and g.sack >> (s - g.next - 1) & 1):
                    del self._unacked[s]
        elif g.type == PING:
            self.send_raw(datagram(PONG, self.session, self.server_session, self.send_token,
                                   version=self.version))

    def _on_data(self, g):
        self._ack_pending = True
        self._last_ts = g.ts
        if g.seq < self._next_expected:
            return
        self._parked[g.seq] = g
        while self._next_expected in self._parked:
            f = self._parked.pop(self._next_expected)
            self._next_expected += 1
            if f.frag == 0:
                self._partial = []
            self._partial.append(f.payload)
            if f.frag == f.nfrags - 1:
                try:
                    self.msgs.append(parse_msg(b"".join(self._partial), self.version))
                except (IndexError, struct.error):
                    pass
                self._partial = []

    def _service(self):
        with self._lock:
            if self._ack_pending and self.ack:
                sack = 0
                for s in self._parked:
                    if 0 <= s - self._next_expected - 1 < 64:
                        sack |= 1 << (s - self._next_expected - 1)
                self.send_raw(build_ack(self.session, self.server_session, self.send_token,
                                        self._next_expected, self._last_ts, sack, self.version))
            self._ack_pending = False
            now = time.monotonic()
            for s, ent in self._unacked.items():
                if now - ent[2] > 0.3 and now - ent[1] < 15:
                    ent[2] = now
                    self.send_raw(ent[0])

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def probe_version(server, timeout=3.0):
    """Which protocol version the relay at server speaks: 2 if a v2 HELLO gets a CHALLENGE,
    1 if it gets a v1 UNSUPPORTED or anything v1; None if nothing came back."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    try:
        sess = random_id()
        s.sendto(build_hello(sess, nick="probe%d" % (sess % 1000), reply_token=1), server)
        s.settimeout(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                d, _ = s.recvfrom(65535)
            except socket.timeout:
                break
            g = parse(d)
            if g is None:
                continue
            if g.version == V2 and g.type == CHALLENGE:
                return V2
            if g.version == V1:
                return V1
        return None
    finally:
        s.close()
