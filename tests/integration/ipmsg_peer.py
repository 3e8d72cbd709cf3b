"""ipmsg_peer.py -- a raw IP Messenger peer for tests: build/parse packets by hand and keep
every datagram received (with its time) so tests can look at exact bytes.

    s = lan.udp_socket(1, port=2425)           # netns.TestLan: a socket inside namespace 1
    peer = RawIpmsgPeer(s)
    pkt = peer.wait(lambda p: p.mode == BR_ENTRY, timeout=5)
    peer.send((lan.addr(0), 2425), peer.next_no(), SENDMSG | SENDCHECKOPT, "hi".encode())
"""
import socket
import struct
import threading
import time

import udpchat_harness as h

BR_ENTRY, BR_EXIT, ANSENTRY, BR_ABSENCE = 0x01, 0x02, 0x03, 0x04
SENDMSG, RECVMSG, READMSG, GETINFO = 0x20, 0x21, 0x30, 0x40
SENDCHECKOPT = 0x00000100
SECRETOPT = 0x00000200
BROADCASTOPT = 0x00000400
FILEATTACHOPT = 0x00200000
ENCRYPTOPT = 0x00400000
UTF8OPT = 0x00800000
CAPUTF8OPT = 0x01000000
# Linux's SO_TIMESTAMPNS (= SCM_TIMESTAMPNS; Python has no name for it): the kernel stamps each
# datagram with its arrival time (a struct timespec, CLOCK_REALTIME)
SO_TIMESTAMPNS = 35


class Packet:
    """One parsed IPMsg datagram (byte fields; `sections` are the NUL-separated parts of the
    additional section). Unparseable datagrams have ok=False."""

    def __init__(self, raw, addr, t, kt=None):
        self.raw, self.addr, self.t = raw, addr, t
        self.kt = kt  # the kernel's arrival time (s, wall clock), None where not stamped
        self.ok = False
        head = raw.split(b"\0", 1)[0]
        parts = head.split(b":", 5)
        if len(parts) < 6:
            return
        try:
            self.no = int(parts[1])
            self.cmd = int(parts[4])
        except ValueError:
            return
        self.version, self.user, self.host = parts[0], parts[2], parts[3]
        body = raw[len(b":".join(parts[:5])) + 1:]
        self.sections = body.split(b"\0")
        if self.sections and self.sections[-1] == b"":
            self.sections.pop()  # the terminating NUL
        self.extra = self.sections[0] if self.sections else b""
        self.extra2 = self.sections[1] if len(self.sections) > 1 else None
        self.mode = self.cmd & 0xFF
        self.ok = True

    def __repr__(self):
        return "Packet(%r from %s)" % (self.raw[:120], self.addr)


def build(no, cmd, extra=b"", extra2=None, user=b"raw", host=b"rawhost", version=b"1_pytest"):
    """version:no:user:host:cmd:extra\\0[extra2\\0]"""
    out = b"%s:%d:%s:%s:%d:%s" % (version, no, user, host, cmd, extra)
    out += b"\0"
    if extra2 is not None:
        out += extra2 + b"\0"
    return out


def kernel_time(ancillary):
    """The SO_TIMESTAMPNS arrival time in recvmsg's ancillary data (seconds), else None."""
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
            sec, nsec = struct.unpack("qq", data[:16])
            return sec + nsec / 1e9
    return None


class RawIpmsgPeer:
    """Wraps a bound UDP socket; a reader thread keeps every datagram in self.packets."""

    def __init__(self, sock, first_no=1000):
        self.sock = sock
        self.packets = []
        self._cond = threading.Condition()
        self._closed = False
        self._no = first_no
        self.sock.settimeout(0.2)
        try:  # gaps between datagrams measured by the kernel, not by when this thread runs
            self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        except OSError:
            pass
        self._t = threading.Thread(target=self._read, daemon=True)
        self._t.start()

    def _read(self):
        while not self._closed:
            try:
                data, anc, _, addr = self.sock.recvmsg(65535, socket.CMSG_SPACE(16))
            except OSError:  # timeout, or closed
                continue
            p = Packet(data, addr, time.monotonic(), kernel_time(anc))
            with self._cond:
                self.packets.append(p)
                self._cond.notify_all()

    def next_no(self):
        self._no += 1
        return self._no

    def send(self, addr, no, cmd, extra=b"", extra2=None, **kw):
        self.sock.sendto(build(no, cmd, extra, extra2, **kw), addr)

    def sendraw(self, addr, data):
        self.sock.sendto(data, addr)

    def mark(self):
        with self._cond:
            return len(self.packets)

    def since(self, start=0, pred=None):
        with self._cond:
            got = list(self.packets[start:])
        return [p for p in got if p.ok and (pred is None or pred(p))]

    def wait_count(self, pred, n, timeout=h.DEFAULT_TIMEOUT, start=0, what="packets"):
        deadline = time.monotonic() + h.T(timeout)
        with self._cond:
            while True:
                found = [p for p in self.packets[start:] if p.ok and pred(p)]
                if len(found) >= n:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(min(left, 0.5))
        raise h.HarnessError("raw IPMsg peer: %d of %d %s within %.1fs; got %r" % (
            len(found), n, what, h.T(timeout), self.packets[start:][-10:]))

    def wait(self, pred, timeout=h.DEFAULT_TIMEOUT, start=0, what="packet"):
        return self.wait_count(pred, 1, timeout, start, what)[0]

    def close(self):
        self._closed = True
        self._t.join(2)
        self.sock.close()
