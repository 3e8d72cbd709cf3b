#!/usr/bin/env python3
"""test_slow_reader.py -- a receiver whose front end stops reading (a paused terminal, a
--json consumer that falls behind) must not make the sender hear "delivered" for messages it
never shows (PROTOCOL.md §14 "Silent loss reported as delivered": a session takes no DATA
while its event queue is full). Found by the red team on the protocol-2 tree: 57 of 200
(peer) and 58 of 200 (room) were reported delivered and never shown.

    python3 tests/integration/test_slow_reader.py build/ci/udpchat
    python3 tests/integration/test_slow_reader.py build/ci/udpchat --relay
      (join/server: alice gets "relayed" then "delivered" from the RECEIPT)

Bounded: 200 lines of 60000 bytes, at most ~60 s. Prints the figures; exit 1 if a message
was reported delivered and not shown.
"""
import sys
import threading
import time

import udpchat_harness as h

N_MSG = 200
SIZE = 60000


class GatedProcess(h.UdpchatProcess):
    """Its stdout is not read until .gate is set (a stopped reader)."""
    def __init__(self, *a, **kw):
        self.gate = threading.Event()
        self.first_lines = 3  # let "ready" through
        super().__init__(*a, **kw)

    def _read_stdout(self):
        n = 0
        for raw in iter(self.proc.stdout.readline, b""):
            n += 1
            if n > self.first_lines:
                self.gate.wait(120)
            line = raw.rstrip(b"\r\n")
            try:
                import json
                ev = json.loads(line.decode("utf-8"))
            except Exception:
                ev = {"event": "_raw", "line": line[:200].decode("utf-8", "replace")}
            if ev.get("event") == "message" and "text" in ev:
                ev["text_len"] = len(ev["text"])
                ev["text"] = ev["text"][:40]
            ev["_t"] = time.monotonic() - self.started
            with self._cond:
                self.events.append(ev)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()


def main():
    binary = h.binary_path()
    mode = "relay" if "--relay" in sys.argv else "peer"
    pa, pb, ps = h.free_udp_ports(3)
    srv = None
    if mode == "peer":
        a = h.UdpchatProcess(["peer", "127.0.0.1:%d" % pb, "--port", pa, "--nick", "alice", "--json",
                              "--deliver-timeout", "60"], binary=binary, name="alice")
        b = GatedProcess(["peer", "127.0.0.1:%d" % pa, "--port", pb, "--nick", "bob", "--json"],
                         binary=binary, name="bob")
    else:  # alice and bob in a room: "relayed" then "delivered" (the RECEIPT: all members acked)
        srv = h.UdpchatProcess(["server", "--port", ps, "--json"], binary=binary, name="server")
        srv.wait_ready(10)
        b = GatedProcess(["join", "127.0.0.1:%d" % ps, "--port", pb, "--nick", "bob", "--json"],
                         binary=binary, name="bob")
        b.first_lines = 4
        srv.wait_event("join", 10, nick="bob")
        a = h.UdpchatProcess(["join", "127.0.0.1:%d" % ps, "--port", pa, "--nick", "alice", "--json",
                              "--deliver-timeout", "60"], binary=binary, name="alice")
    try:
        a.wait_ready(10)
        a.wait_event("join" if mode == "peer" else "roster", 10)
        time.sleep(0.5)
        # bob's reader is now stalled (gate closed): only its first few events were read
        lines = ["m%03d:" % i + "x" * (SIZE - 5) for i in range(N_MSG)]
        a.send_lines(lines)
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            done = len(a.of_type("delivered")) + len(a.of_type("undelivered"))
            if done >= N_MSG:
                break
            time.sleep(0.5)
        delivered = len(a.of_type("delivered"))
        undelivered = len(a.of_type("undelivered"))
        b.gate.set()  # the reader resumes
        time.sleep(3)
        try:
            b.wait_count(lambda e: e.get("event") == "message", N_MSG, timeout=10)
        except h.HarnessError:
            pass
        shown = {e["text"][:4] for e in b.of_type("message")}
        errors = [e.get("text") for e in b.of_type("error")]
        print("sent %d messages of %d bytes" % (N_MSG, SIZE))
        print("mode %s; alice: delivered=%d undelivered=%d relayed=%d receipt(partial)=%d"
              % (mode, delivered, undelivered, len(a.of_type("relayed")), len(a.of_type("receipt"))))
        print("bob: shown=%d distinct messages" % len(shown))
        print("bob errors: %s" % errors[:3])
        lost = delivered - len(shown)
        print("FIGURE: %d messages reported 'delivered' to alice that bob never showed" % max(lost, 0))
        return 1 if lost > 0 else 0
    finally:
        b.gate.set()
        for p in (a, b, srv):
            if p:
                p.kill()


if __name__ == "__main__":
    sys.exit(main())
