#!/usr/bin/env python3
"""test_daemon.py -- a udpchat started with stdin on /dev/null (in the background, or by a
service manager) keeps running: end of input only quits when there was an input to end.
SIGTERM still stops it cleanly. Usage: test_daemon.py PATH/TO/udpchat"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import udpchat_harness as h  # noqa: E402
from udpchat_harness import check  # noqa: E402


def test_server_on_dev_null(binary):
    with h.ProcessGroup(binary) as g:
        port = h.free_udp_port()
        srv = g.start(["server", "--port", port, "--json"], name="server", stdin=False)
        check(srv.wait_ready(10) == port, "server: ready", srv)
        time.sleep(1.5)
        check(srv.running(), "server on /dev/null quit at end of input", srv)
        c = g.start(["join", "127.0.0.1:%d" % port, "--nick", "alice", "--json"], name="alice")
        c.wait_event("status", 15, text="joined")
        srv.proc.send_signal(signal.SIGTERM)
        check(srv.proc.wait(h.T(10)) == 0, "server: exit code after SIGTERM", srv)
        c.wait_event("shutdown", 15)


if __name__ == "__main__":
    h.main([test_server_on_dev_null])
