#!/usr/bin/env python3
"""test_seed_binary.py -- a forger spoofing a plain-text (seed) program's address cannot make
udpchat send it anything binary (PROTOCOL.md §14 "Binary to plain-text programs": a calling
card is answered with a calling card; nothing udpchat goes to --legacy sessions or to a
relay's plain-text members). Found by the red team on the protocol-2 tree: 6 binary
datagrams (a 40-byte CHALLENGE, 20-byte UNSUPPORTEDs) reached the seed; the seeds' receive
thread dies on 0xFF.

Cases (the "seed" is a plain UDP socket here; the forger spoofs the seed's own address):
  peer_card      udpchat peer SEED (auto mode); forged calling card (ASCII text!) -> CHALLENGE
  peer_legacy_v1 udpchat peer SEED --legacy;    forged version-1 HELLO          -> UNSUPPORTED
  server_member  udpchat server, SEED is a plain-text member; forged HELLO      -> CHALLENGE
  server_v1      same, forged version-1 HELLO                                   -> UNSUPPORTED
  join_legacy_v1 udpchat join SEED --legacy (SEED = a seed relay); forged v1    -> UNSUPPORTED

    python3 tests/integration/test_seed_binary.py build/ci/udpchat     (root: raw socket; 77 = skipped)

Bounded: one or two forged datagrams per case, ~3 s per case. Exit 1 if any case got a
non-printable-ASCII datagram at the seed.
"""
import base64
import socket
import sys
import time

import forge
import ucproto as up
import udpchat_harness as h

LO = "127.0.0.1"


def printable(d):
    return all(0x20 <= c < 0x7F or c in (9, 10, 13) for c in d)


def card_of(dgram):
    return (b"udpchat 0.2: a udpchat user is calling. Type a line to chat in plain text. [UCH2 "
            + base64.b64encode(dgram).rstrip(b"=") + b"]\n")


def collect(sock, secs):
    out = []
    end = time.monotonic() + secs
    while time.monotonic() < end:
        sock.settimeout(max(0.01, end - time.monotonic()))
        try:
            out.append(sock.recvfrom(65535)[0])
        except socket.timeout:
            break
    return out


def run_case(name, args, forged, setup=None, binary=None):
    seed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    seed.bind((LO, 0))
    sport = seed.getsockname()[1]
    uport = h.free_udp_port()
    argv = [a.format(seed=sport, port=uport) for a in args]
    p = h.UdpchatProcess(argv, binary=binary, name=name)
    try:
        p.wait_ready(10)
        if setup:
            setup(seed, uport)
        time.sleep(0.5)
        before = collect(seed, 0.6)
        pre_bad = [d for d in before if not printable(d)]
        with forge.Forger() as f:
            sent = 0
            for d in forged:
                sent += f.send(d, src=(LO, sport), dst=(LO, uport))
        got = collect(seed, 1.5)
        bad = [d for d in got if not printable(d)]
        print("%-15s before forging: %d datagrams (%d binary); forged %d bytes; seed then got %d "
              "binary datagram(s) %s" % (name, len(before), len(pre_bad), sent, len(bad),
                                         [d[:8].hex() + "..(%dB)" % len(d) for d in bad]))
        return len(bad)
    finally:
        p.kill()
        seed.close()


def main():
    binary = h.binary_path()
    if not forge.Forger.available():
        print("SKIP: needs root (raw socket)")
        return 77
    hello2_peer = up.build_hello(0x11223344, role=up.ROLE_PEER, reply_token=1, nick="x")
    hello2_client = up.build_hello(0x11223344, role=up.ROLE_CLIENT, reply_token=1, nick="x")
    hello1 = up.build_hello(0x11223344, role=up.ROLE_PEER, nick="x", version=up.V1)
    total = 0
    total += run_case("peer_card", ["peer", LO + ":{seed}", "--port", "{port}", "--json"],
                      [card_of(hello2_peer)], binary=binary)
    total += run_case("peer_legacy_v1", ["peer", LO + ":{seed}", "--port", "{port}", "--legacy", "--json"],
                      [hello1], binary=binary)
    total += run_case("peer_legacy_v1card", ["peer", LO + ":{seed}", "--port", "{port}", "--legacy", "--json"],
                      [card_of(hello1)], binary=binary)

    def join_room(seed, uport):
        seed.sendto(b"seeduser", (LO, uport))
    total += run_case("server_member", ["server", "--port", "{port}", "--json"], [hello2_client],
                      setup=join_room, binary=binary)
    total += run_case("server_v1", ["server", "--port", "{port}", "--json"], [hello1],
                      setup=join_room, binary=binary)
    total += run_case("join_legacy_v1", ["join", LO + ":{seed}", "--port", "{port}", "--legacy",
                                         "--nick", "bob", "--json"], [hello1], binary=binary)
    print("FIGURE: %d binary datagrams reached the plain-text program" % total)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
