#!/usr/bin/env python3
"""test_peer_cli.py -- `udpchat peer` command-line errors: exit codes 2 (usage) and 1 (runtime)
with a message that says what is wrong. Usage: test_peer_cli.py PATH/TO/udpchat [TEST...]"""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import udpchat_harness as h  # noqa: E402
from udpchat_harness import check  # noqa: E402


def expect(args, rc, *needles, timeout=30):
    """Runs udpchat with stdin at end of input (if it did start a chat, it would leave at once
    with exit 0, which fails the check), expects rc and each needle in stderr."""
    got, out, err = h.run_cli(args, timeout=timeout)
    check(got == rc, "udpchat %s: exit %r, want %r\nstdout: %s\nstderr: %s" % (" ".join(map(str, args)), got, rc, out, err))
    for n in needles:
        check(n.lower() in err.lower(), "udpchat %s: stderr lacks %r:\n%s" % (" ".join(map(str, args)), n, err))
    check(err.strip(), "udpchat %s: no message on stderr" % " ".join(map(str, args)))
    check("AddressSanitizer" not in err and "runtime error" not in err, "sanitizer report:\n" + err)
    return err


def test_bad_port(binary):
    expect(["peer", "127.0.0.1:99999"], 2, "port", "99999")
    expect(["peer", "127.0.0.1:0"], 2, "port")
    expect(["peer", "127.0.0.1:abc"], 2, "port")
    expect(["peer", "127.0.0.1:"], 2, "port")


def test_bad_local_port(binary):
    expect(["peer", "127.0.0.1:5000", "--port", "99999"], 2, "--port", "99999")
    expect(["peer", "127.0.0.1:5000", "--port", "x"], 2, "--port")
    expect(["peer", "127.0.0.1:5000", "--port"], 2, "--port")


def test_unresolvable_host(binary):
    err = expect(["peer", "no-such-host.invalid:5000"], 1, "no-such-host.invalid", "resolve")
    check("\n" not in err.strip(), "more than one line for one error:\n" + err)


def test_port_in_use(binary):
    for bind_host in (h.LOOPBACK, "0.0.0.0"):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind((bind_host, 0))
            port = s.getsockname()[1]
            expect(["peer", "127.0.0.1:5000", "--port", str(port)], 1, str(port), "--port")
        finally:
            s.close()


def test_missing_remote(binary):
    expect(["peer"], 2, "HOST:PORT")
    expect(["peer", "--json", "--nick", "x"], 2, "HOST:PORT")


def test_unknown_option(binary):
    expect(["peer", "127.0.0.1:5000", "--bogus"], 2, "--bogus")
    expect(["peer", "--frobnicate=3", "127.0.0.1:5000"], 2, "--frobnicate")
    expect(["peer", "-x", "127.0.0.1:5000"], 2, "-x")
    expect(["peer", "127.0.0.1:5000", "127.0.0.1:5001"], 2, "127.0.0.1:5001")
    expect(["peer", "127.0.0.1:5000", "--json=1"], 2, "--json")


def test_bad_values(binary):
    expect(["peer", "127.0.0.1:5000", "--peer-charset", "klingon"], 2, "klingon")
    expect(["peer", "127.0.0.1:5000", "--charset", "klingon"], 2, "klingon")
    expect(["peer", "127.0.0.1:5000", "--timeout", "1"], 2, "--timeout")
    expect(["peer", "127.0.0.1:5000", "--deliver-timeout", "0"], 2, "--deliver-timeout")
    expect(["peer", "127.0.0.1:5000", "--heartbeat", "-1"], 2, "--heartbeat")
    expect(["peer", "127.0.0.1:5000", "--nick", ""], 2, "--nick")


def test_help(binary):
    rc, out, err = h.run_cli(["peer", "--help"])
    check(rc == 0 and "HOST:PORT" in out and "--deliver-timeout" in out, "peer --help: rc %r\n%s%s" % (rc, out, err))


def test_end_of_input_without_peer(binary):
    """A valid command with nobody at the other end leaves cleanly at end of input."""
    port = h.free_udp_port()
    rc, out, err = h.run_cli(["peer", "127.0.0.1:%d" % port, "--json"], timeout=20)
    check(rc == 0, "exit %r, want 0\n%s\n%s" % (rc, out, err))
    check('"event":"ready"' in out.replace(" ", ""), "no ready event:\n" + out)


if __name__ == "__main__":
    h.main([test_bad_port, test_bad_local_port, test_unresolvable_host, test_port_in_use,
            test_missing_remote, test_unknown_option, test_bad_values, test_help,
            test_end_of_input_without_peer])
