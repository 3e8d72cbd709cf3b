#!/usr/bin/env python3
"""forge.py -- send UDP datagrams with a forged source address on loopback (raw IP socket).

Only for testing our own processes: both the source and the destination must be in
127.0.0.0/8, so neither a forged datagram nor anything answered to a forged source ever
leaves this host. Needs CAP_NET_RAW (root); Forger.available() says whether it works here.

    with Forger() as f:
        f.send(b"hello", src=("127.0.0.9", 4000), dst=("127.0.0.1", 10888))
        f.send_many(((d, src, dst) for ...), max_count=2000, max_secs=5, rate=4000)

The IPv4 header and the UDP header are built here (IP_HDRINCL); the UDP checksum is 0 ("none",
allowed on IPv4). Every loop is bounded in count and time.
"""
import ipaddress
import socket
import struct
import time

MAX_PAYLOAD = 65507          # 65535 - 20 (IP) - 8 (UDP)
LOOPBACK_NET = ipaddress.ip_network("127.0.0.0/8")


class ForgeError(RuntimeError):
    pass


def _check_loopback(addr, what):
    host, port = addr
    ip = ipaddress.ip_address(host)
    if ip not in LOOPBACK_NET:
        raise ForgeError("%s %s is not in 127.0.0.0/8: forge.py only forges on loopback" % (what, host))
    if not 0 <= int(port) <= 0xFFFF:
        raise ForgeError("%s port %r out of range" % (what, port))
    return ip.packed, int(port)


def ip_checksum(header):
    """The Internet checksum (RFC 1071) of header (even length)."""
    s = sum(struct.unpack("!%dH" % (len(header) // 2), header))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def build_packet(payload, src, dst, ident=0, ttl=64):
    """The whole IPv4 packet (20-byte header, no options) carrying one UDP datagram."""
    if len(payload) > MAX_PAYLOAD:
        raise ForgeError("payload of %d bytes is over %d" % (len(payload), MAX_PAYLOAD))
    sip, sport = _check_loopback(src, "source")
    dip, dport = _check_loopback(dst, "destination")
    udp_len = 8 + len(payload)
    total = 20 + udp_len
    # version 4, IHL 5; DSCP 0; total length; id; flags DF, offset 0; ttl; UDP; checksum
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ident & 0xFFFF, 0x4000, ttl, 17, 0, sip, dip)
    hdr = hdr[:10] + struct.pack("!H", ip_checksum(hdr)) + hdr[12:]
    udp = struct.pack("!HHHH", sport, dport, udp_len, 0)
    return hdr + udp + bytes(payload)


class Forger:
    """One raw socket (AF_INET, SOCK_RAW, IPPROTO_RAW: IP_HDRINCL is implied). Counts what it
    sent: self.sent (datagrams) and self.sent_bytes (UDP payload bytes)."""

    def __init__(self):
        try:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        except PermissionError as e:
            raise ForgeError("no raw socket (needs root / CAP_NET_RAW): %s" % e)
        self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        self.sent = 0
        self.sent_bytes = 0
        self._ident = 1

    @staticmethod
    def available():
        try:
            Forger().close()
            return True
        except (ForgeError, OSError):
            return False

    def send(self, payload, src, dst):
        """One datagram from src (forged) to dst; both (host, port) on loopback. Retries a
        full send buffer for at most 1 s. Returns the payload length."""
        pkt = build_packet(payload, src, dst, self._ident)
        self._ident += 1
        deadline = time.monotonic() + 1.0
        while True:
            try:
                self.sock.sendto(pkt, (dst[0], 0))
                break
            except (BlockingIOError, InterruptedError, ) as e:
                if time.monotonic() > deadline:
                    raise ForgeError("raw send stalled: %s" % e)
                time.sleep(0.001)
            except OSError as e:
                if e.errno == 105 and time.monotonic() < deadline:  # ENOBUFS
                    time.sleep(0.001)
                    continue
                raise
        self.sent += 1
        self.sent_bytes += len(payload)
        return len(payload)

    def send_many(self, items, max_count, max_secs, rate=None):
        """Sends (payload, src, dst) items until one of: items run out, max_count sent,
        max_secs passed. rate: datagrams/s at most (None: as fast as the socket takes them).
        Returns (count, payload bytes) sent by this call."""
        t0 = time.monotonic()
        n = nbytes = 0
        for payload, src, dst in items:
            if n >= max_count or time.monotonic() - t0 >= max_secs:
                break
            if rate:
                ahead = t0 + n / float(rate) - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
            nbytes += self.send(payload, src, dst)
            n += 1
        return n, nbytes

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def distinct_sources(n, first_octet2=100, base_port=20000):
    """n distinct forged (host, port) pairs in 127.<first_octet2..>.x.y, ports from base_port:
    nothing listens there (answers to them are lost on loopback). n <= 65536 * 16."""
    out = []
    for i in range(n):
        host = "127.%d.%d.%d" % (first_octet2 + (i >> 16) % 16, (i >> 8) & 0xFF, (i & 0xFF) or 1)
        out.append((host, base_port + (i % 40000)))
    return out
