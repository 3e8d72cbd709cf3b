"""udpchat_harness.py -- run real udpchat processes on loopback and read their --json events.

Shared by the integration tests (peer, relay, LAN). Everything here is bounded: every wait
has a timeout, and every process started through a ProcessGroup is killed when the group
closes, whether the test passed or not.

    import udpchat_harness as h
    with h.ProcessGroup() as g:
        a = g.start(["peer", "127.0.0.1:%d" % pb, "--port", str(pa), "--json"])
        a.wait_event("join", timeout=10)
        a.send_line("你好")
        a.wait_event("delivered", timeout=10)
        assert a.stop() == 0

The binary is argv[1] (or env UDPCHAT_BIN); env UDPCHAT_WRAPPER is a command prefix such as
"wine64" to run a Windows build. Set UDPCHAT_TEST_TIMEOUT_SCALE (e.g. 3) on slow machines.
One process can use another binary and prefix than the rest (a Linux and a Windows build in
one test): g.start(args, binary="udpchat.exe", wrapper=["cmake/wine-run.sh"]); wrapper=None
(the default) means env UDPCHAT_WRAPPER, wrapper=[] none at all.
"""
import json
import os
import queue
import random
import shlex
import signal
import socket
import struct
import zlib
import subprocess
import sys
import tempfile
import threading
import time
import traceback

DEFAULT_TIMEOUT = 10.0
XDG_KEYS = ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME")


def private_home(prefix="udpchat-home-"):
    """A fresh folder for udpchat's user files (history, settings, input history): a dict of
    XDG_* variables naming its subfolders. Removed when the test script exits."""
    base = tempfile.mkdtemp(prefix=prefix)
    _homes.append(base)
    return {k: os.path.join(base, k.split("_")[1].lower()) for k in XDG_KEYS}


_homes = []


def _remove_homes():
    import shutil
    for d in _homes:
        shutil.rmtree(d, ignore_errors=True)


import atexit  # noqa: E402
atexit.register(_remove_homes)
# Whatever this script starts (tmux panes too) keeps its files here, never in the user's home;
# each UdpchatProcess gets a home of its own unless its env names one.
for _k, _v in private_home("udpchat-script-").items():
    os.environ[_k] = _v
# udpchat reads a settings file (man udpchat, SETTINGS): the tests never read the one of whoever
# runs them. Every process gets UDPCHAT_CONFIG = a file that does not exist, in a folder of its
# own, unless the test's env says otherwise (test_settings.py does).
NO_SETTINGS = os.path.join(tempfile.mkdtemp(prefix="udpchat-test-settings-"), "udpchat.conf")
LOOPBACK = "127.0.0.1"
MAX_UDP = 65507


def scale():
    """Multiplier for every timeout (env UDPCHAT_TEST_TIMEOUT_SCALE, default 1)."""
    try:
        return max(0.1, float(os.environ.get("UDPCHAT_TEST_TIMEOUT_SCALE", "1")))
    except ValueError:
        return 1.0


def T(seconds):
    """A timeout scaled for this machine."""
    return seconds * scale()


class HarnessError(AssertionError):
    """A test expectation failed (a timeout, a wrong exit code, an unexpected event)."""


def binary_path(argv=None):
    """The udpchat binary: the first non-option argument, else env UDPCHAT_BIN."""
    argv = sys.argv[1:] if argv is None else argv
    for a in argv:
        if not a.startswith("-"):
            return a
    b = os.environ.get("UDPCHAT_BIN")
    if not b:
        raise SystemExit("usage: %s PATH/TO/udpchat [TEST...]  (or set UDPCHAT_BIN)" % sys.argv[0])
    return b


def wrapper_prefix(wrapper=None):
    """The command prefix as a list: wrapper itself when given (a list, or a str split like a
    shell would), else env UDPCHAT_WRAPPER (e.g. 'wine64')."""
    if wrapper is None:
        wrapper = os.environ.get("UDPCHAT_WRAPPER", "")
    return shlex.split(wrapper) if isinstance(wrapper, str) else [str(w) for w in wrapper]


def free_udp_port(host=LOOPBACK):
    """A UDP port that is free right now on host and on the wildcard address (udpchat binds
    INADDR_ANY). There is a small race until the caller binds it; tests tolerate it."""
    for _ in range(50):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("0.0.0.0", 0))
            port = s.getsockname()[1]
        finally:
            s.close()
        t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            t.bind((host, port))
            return port
        except OSError:
            continue
        finally:
            t.close()
    raise HarnessError("no free UDP port found")


def free_udp_ports(n, host=LOOPBACK):
    """n distinct free ports."""
    ports = set()
    while len(ports) < n:
        ports.add(free_udp_port(host))
    return sorted(ports)


# --------------------------------------------------------------------------- processes

class UdpchatProcess:
    """One running udpchat. stdout lines are parsed as JSON into self.events (a list guarded
    by a condition; non-JSON lines become {"event": "_raw", "line": ...}); stderr is kept in
    self.stderr_lines. stdin is fed by a writer thread so a full pipe never blocks the test.
    A _raw event also has "_hex": the line's exact bytes (e.g. GBK text on stdout).
    wrapper: this process's command prefix (see wrapper_prefix; None = env UDPCHAT_WRAPPER)."""

    def __init__(self, args, binary=None, name=None, env=None, stdin=True, charset="utf-8", wrapper=None):
        self.binary = binary or binary_path()
        self.args = [str(a) for a in args]
        self.name = name or (self.args[0] if self.args else "udpchat")
        self.charset = charset
        self.cmd = wrapper_prefix(wrapper) + [self.binary] + self.args
        full_env = dict(os.environ)
        # A leak report at exit would change the exit code the tests check for; a crash is
        # still caught (ASan aborts with its own non-zero code and a report on stderr).
        small_quarantine(full_env)
        if not env or not any(k in env for k in XDG_KEYS):
            full_env.update(private_home())
        full_env.setdefault("UDPCHAT_CONFIG", NO_SETTINGS)
        if env:
            full_env.update(env)
        self.events = []
        self.stderr_lines = []
        self._cond = threading.Condition()
        self._cursor = 0
        self._eof = False
        self._stdin_q = queue.Queue()
        self._write_error = None
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            self.cmd,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=full_env,
            start_new_session=True,  # a Ctrl-C in the terminal running ctest is not theirs
        )
        self.pid = self.proc.pid
        self._threads = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        if stdin:
            self._threads.append(threading.Thread(target=self._write_stdin, daemon=True))
        for t in self._threads:
            t.start()

    # -- background threads
    def _read_stdout(self):
        for raw in iter(self.proc.stdout.readline, b""):
            line = raw.rstrip(b"\r\n")
            try:
                ev = json.loads(line.decode("utf-8"))
                if not isinstance(ev, dict):
                    raise ValueError("not an object")
            except (ValueError, UnicodeDecodeError):
                ev = {"event": "_raw", "line": line.decode("utf-8", "replace"), "_hex": line.hex()}
            ev["_t"] = time.monotonic() - self.started
            with self._cond:
                self.events.append(ev)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def _read_stderr(self):
        for raw in iter(self.proc.stderr.readline, b""):
            with self._cond:
                self.stderr_lines.append(raw.decode("utf-8", "replace").rstrip("\r\n"))

    def _write_stdin(self):
        while True:
            data = self._stdin_q.get()
            try:
                if data is None:
                    self.proc.stdin.close()
                    return
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError) as e:
                self._write_error = e
                return

    # -- input
    def send_bytes(self, data):
        """Queues raw bytes for stdin (the writer thread feeds them as fast as udpchat reads)."""
        self._stdin_q.put(bytes(data))

    def send_line(self, text, charset=None):
        """Queues one line (str, encoded with charset or the process's charset; or bytes)."""
        if isinstance(text, str):
            text = text.encode(charset or self.charset)
        self.send_bytes(text + b"\n")

    def send_lines(self, lines, charset=None):
        """Queues many lines in one write."""
        enc = charset or self.charset
        self.send_bytes(b"".join((l.encode(enc) if isinstance(l, str) else l) + b"\n" for l in lines))

    def close_stdin(self):
        self._stdin_q.put(None)

    # -- events
    def mark(self):
        """The index of the next event; pass it as start= to wait only for later events."""
        with self._cond:
            return len(self.events)

    def snapshot(self, start=0):
        with self._cond:
            return list(self.events[start:])

    def matching(self, pred, start=0):
        return [e for e in self.snapshot(start) if pred(e)]

    def of_type(self, name, start=0):
        return self.matching(lambda e: e.get("event") == name, start)

    def wait_for(self, pred, timeout=DEFAULT_TIMEOUT, start=0, what=None):
        """Waits for the first event at index >= start that satisfies pred; returns it.
        Raises HarnessError after timeout (scaled) or when stdout ended without one."""
        deadline = time.monotonic() + T(timeout)
        i = start
        with self._cond:
            while True:
                while i < len(self.events):
                    if pred(self.events[i]):
                        return self.events[i]
                    i += 1
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    break
                self._cond.wait(min(left, 0.5))
        raise HarnessError("%s: no %s within %.1fs%s\n%s" % (
            self.name, what or "matching event", T(timeout),
            " (stdout closed)" if self._eof else "", self.describe()))

    def wait_event(self, name, timeout=DEFAULT_TIMEOUT, start=0, **fields):
        """Waits for an event named `name` whose fields equal the given ones."""
        def pred(e):
            return e.get("event") == name and all(e.get(k) == v for k, v in fields.items())
        desc = name + ("" if not fields else " " + json.dumps(fields, ensure_ascii=False)[:200])
        return self.wait_for(pred, timeout, start, desc)

    def wait_count(self, pred, n, timeout=DEFAULT_TIMEOUT, start=0, what=None):
        """Waits until at least n events at index >= start satisfy pred; returns them all."""
        deadline = time.monotonic() + T(timeout)
        with self._cond:
            while True:
                found = [e for e in self.events[start:] if pred(e)]
                if len(found) >= n:
                    return found
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    break
                self._cond.wait(min(left, 0.5))
        raise HarnessError("%s: %d of %d %s within %.1fs%s\n%s" % (
            self.name, len(found), n, what or "matching events", T(timeout),
            " (stdout closed)" if self._eof else "", self.describe()))

    def next_event(self, timeout=DEFAULT_TIMEOUT):
        """Events one by one, in order, from an internal cursor (a queue-like view)."""
        with self._cond:
            i = self._cursor
        ev = self.wait_for(lambda e: True, timeout, start=i, what="next event")
        with self._cond:
            self._cursor = i + 1  # wait_for returned events[i] itself
        return ev

    def wait_ready(self, timeout=DEFAULT_TIMEOUT):
        """Waits for ready{port}; returns the port."""
        return self.wait_event("ready", timeout)["port"]

    # -- lifetime
    def running(self):
        return self.proc.poll() is None

    def wait_exit(self, timeout=DEFAULT_TIMEOUT):
        """Waits for the process to exit; returns its code, or kills it and raises."""
        try:
            rc = self.proc.wait(T(timeout))
        except subprocess.TimeoutExpired:
            self.kill()
            raise HarnessError("%s did not exit within %.1fs (killed)\n%s" % (
                self.name, T(timeout), self.describe()))
        for t in self._threads[:2]:
            t.join(T(5))
        return rc

    def stop(self, timeout=DEFAULT_TIMEOUT):
        """Clean shutdown: closes stdin (end of input = quit) and waits for the exit code."""
        self.close_stdin()
        return self.wait_exit(timeout)

    def signal(self, sig=signal.SIGINT):
        self.proc.send_signal(sig)

    def kill(self):
        if self.proc.poll() is None:
            try:
                self.proc.kill()
            except OSError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass

    def describe(self, last=25):
        with self._cond:
            evs = self.events[-last:]
            err = self.stderr_lines[-40:]
        out = ["--- %s: %s (pid %d, rc %s)" % (self.name, " ".join(self.cmd), self.pid, self.proc.poll())]
        out.append("    last %d of %d events:" % (len(evs), len(self.events)))
        for e in evs:
            s = json.dumps(e, ensure_ascii=False)
            out.append("      " + (s if len(s) < 300 else s[:300] + "...(%d chars)" % len(s)))
        if err:
            out.append("    stderr:")
            out.extend("      " + l for l in err)
        return "\n".join(out)


class ProcessGroup:
    """Starts processes and UDP sockets for one test and cleans every one of them up on exit
    (kills what still runs, closes sockets); prints their output when the test failed."""

    def __init__(self, binary=None):
        self.binary = binary
        self.procs = []
        self.closables = []

    def start(self, args, name=None, binary=None, **kw):
        """Starts a process with the group's binary, or binary (and wrapper=, see
        UdpchatProcess) for this one process only."""
        p = UdpchatProcess(args, binary=binary or self.binary, name=name, **kw)
        self.procs.append(p)
        return p

    def add(self, obj):
        """Registers anything with close() (a UdpTextPeer, a LossyProxy) for cleanup."""
        self.closables.append(obj)
        return obj

    def __enter__(self):
        return self

    def __exit__(self, et, ev, tb):
        for p in self.procs:
            p.kill()
        for c in reversed(self.closables):
            try:
                c.close()
            except Exception:
                pass
        if et is not None:
            for p in self.procs:
                sys.stderr.write(p.describe() + "\n")
        return False


def start_peer_pair(group, a_args=(), b_args=(), a_to=None, b_to=None, nicks=("alice", "bob"),
                    json_mode=True, wait_join=True, timeout=DEFAULT_TIMEOUT, ports=None):
    """Starts two `udpchat peer` processes on loopback. By default they talk to each other;
    a_to / b_to (ports on loopback) are where A / B send instead (e.g. a proxy); ports
    (pa, pb) are their local ports (default: two free ones). Returns (a, b, port_a, port_b)."""
    pa, pb = ports or free_udp_ports(2)

    def args(local, remote, nick, extra):
        out = ["peer", "%s:%d" % (LOOPBACK, remote), "--port", local, "--nick", nick]
        if json_mode:
            out.append("--json")
        return out + list(extra)

    a = group.start(args(pa, a_to or pb, nicks[0], a_args), name=nicks[0])
    b = group.start(args(pb, b_to or pa, nicks[1], b_args), name=nicks[1])
    a.wait_ready(timeout)
    b.wait_ready(timeout)
    if wait_join:
        a.wait_event("join", timeout)
        b.wait_event("join", timeout)
    return a, b, pa, pb


def run_cli(args, timeout=DEFAULT_TIMEOUT, binary=None, stdin=b"", wrapper=None, env=None):
    """Runs udpchat to completion; returns (rc, stdout str, stderr str). Killed and failed
    after timeout. wrapper: as for UdpchatProcess; env: extra environment variables."""
    cmd = wrapper_prefix(wrapper) + [binary or binary_path()] + [str(a) for a in args]
    extra_env = env
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    env.setdefault("UDPCHAT_CONFIG", NO_SETTINGS)
    env.update(extra_env or {})
    try:
        r = subprocess.run(cmd, input=stdin, capture_output=True, timeout=T(timeout), env=env)
    except subprocess.TimeoutExpired:
        raise HarnessError("%s did not finish within %.1fs" % (" ".join(cmd), T(timeout)))
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def small_quarantine(env):
    """ASAN_OPTIONS in env (a dict) with a 16 MB quarantine added, whatever else it says (the
    asan preset sets its own options): memory measured under ASan then means something."""
    opts = env.get("ASAN_OPTIONS", "detect_leaks=0")
    if "quarantine_size_mb" not in opts:
        opts += ":quarantine_size_mb=16"
    env["ASAN_OPTIONS"] = opts
    return env


def rss_kib(pid):
    """A process's resident set (VmRSS) in KiB, 0 if it is gone."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory_scale(pid):
    """How much more memory a process may use because a sanitizer runtime is mapped in it
    (ASan's shadow and allocator caches, TSan's shadow): 4, else 1. Memory bounds in the
    tests are multiplied by it; they still catch growth without bound."""
    try:
        with open("/proc/%d/maps" % pid) as f:
            maps = f.read()
    except OSError:
        return 1
    return 4 if ("libasan" in maps or "libtsan" in maps) else 1


# --------------------------------------------------------------------------- wire helpers

WIRE_VERSION = 2
WIRE_HEADER_LEN = 28  # magic, version, type, flags, reserved, session, dest_session, token, crc32


def seal(datagram):
    """Returns a udpchat datagram with its CRC-32 field filled in: zlib's crc32 of the whole
    datagram with that field zeroed (docs/PROTOCOL.md). Version 2 keeps it at bytes 24-27;
    any other version byte gets version 1's place (bytes 16-19), to make older datagrams."""
    d = bytearray(datagram)
    at = 24 if len(d) > 4 and d[4] == WIRE_VERSION else 16
    if len(d) < at + 4:
        return bytes(d)
    d[at:at + 4] = b"\0\0\0\0"
    d[at:at + 4] = struct.pack(">I", zlib.crc32(bytes(d)) & 0xFFFFFFFF)
    return bytes(d)


# --------------------------------------------------------------------------- plain UDP

class UdpTextPeer:
    """A seed-style plain-text UDP peer: one socket bound on loopback, sendto(text.encode(cs)),
    recvfrom. Datagrams starting with the udpchat magic can be skipped when receiving."""

    MAGIC = b"\xffUCH"
    CARD_TAG = b"[UCH2 "  # a calling card: a udpchat HELLO in plain text

    def __init__(self, port=0, host=LOOPBACK, charset="utf-8"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:  # best effort (capped by net.core.rmem_max): bursts must not overflow it
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        except OSError:
            pass
        self.sock.bind((host, port))
        self.charset = charset
        self.port = self.sock.getsockname()[1]
        self.addr = self.sock.getsockname()

    def sendto(self, data, addr):
        if isinstance(data, str):
            data = data.encode(self.charset)
        return self.sock.sendto(data, addr)

    def send_text(self, text, port, host=LOOPBACK, charset=None):
        return self.sock.sendto(text.encode(charset or self.charset), (host, port))

    def recv(self, timeout=DEFAULT_TIMEOUT, skip_magic=True):
        """The next datagram as (bytes, addr); skips udpchat protocol datagrams unless told
        not to. Raises HarnessError on timeout."""
        deadline = time.monotonic() + T(timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise HarnessError("UDP peer on port %d: nothing within %.1fs" % (self.port, T(timeout)))
            self.sock.settimeout(left)
            try:
                data, addr = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            if skip_magic and (data.startswith(self.MAGIC) or self.CARD_TAG in data):
                continue
            return data, addr

    def recv_text(self, timeout=DEFAULT_TIMEOUT, charset=None):
        data, _ = self.recv(timeout)
        return data.decode(charset or self.charset)

    def drain(self, quiet=0.1):
        """Reads and returns everything that arrives until quiet seconds pass."""
        got = []
        self.sock.settimeout(quiet)
        try:
            while True:
                got.append(self.sock.recvfrom(65535))
        except socket.timeout:
            pass
        return got

    def close(self):
        self.sock.close()


# --------------------------------------------------------------------------- test runner

class Skip(Exception):
    """Raised by a test that cannot run here (a missing tool or input): counted as skipped."""


def main(tests, argv=None):
    """Runs test functions (each takes the binary path), prints PASS/FAIL/SKIP and the time of
    each; exits 1 if any failed, 77 (ctest: skipped) if all were skipped. Extra arguments after
    the binary select tests by exact name, else by name substring."""
    argv = sys.argv[1:] if argv is None else argv
    binary = binary_path(argv)
    names = [a for a in argv if a != binary and not a.startswith("-")]
    selected = [t for t in tests if not names or t.__name__ in names]
    if not selected:
        selected = [t for t in tests if any(n in t.__name__ for n in names)]
    failed, skipped = [], []
    for t in selected:
        t0 = time.monotonic()
        print("RUN  %s" % t.__name__, flush=True)
        try:
            t(binary)
        except Skip as e:
            skipped.append(t.__name__)
            print("SKIP %s: %s" % (t.__name__, e), flush=True)
        except Exception:
            failed.append(t.__name__)
            traceback.print_exc()
            print("FAIL %s (%.2fs)" % (t.__name__, time.monotonic() - t0), flush=True)
        else:
            print("PASS %s (%.2fs)" % (t.__name__, time.monotonic() - t0), flush=True)
    print("%d passed, %d failed%s%s" % (len(selected) - len(failed) - len(skipped), len(failed),
                                        ", %d skipped" % len(skipped) if skipped else "",
                                        (": " + ", ".join(failed)) if failed else ""), flush=True)
    if failed or not selected:
        sys.exit(1)
    sys.exit(77 if len(skipped) == len(selected) else 0)


def check(cond, msg, *procs):
    """assert that also prints the processes' recent events and stderr."""
    if not cond:
        raise HarnessError(msg + ("\n" + "\n".join(p.describe() for p in procs) if procs else ""))


def rng(seed_env="UDPCHAT_TEST_SEED", default=20240601):
    """A seeded random.Random (env UDPCHAT_TEST_SEED overrides); prints the seed."""
    seed = int(os.environ.get(seed_env, default))
    print("  seed %d" % seed, flush=True)
    return random.Random(seed)
