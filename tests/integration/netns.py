"""netns.py -- a throwaway test LAN made of Linux network namespaces (needs root and `ip`).

    import netns
    with netns.TestLan(3) as lan:            # namespaces lan.ns[0..2], one /24 on a bridge
        lan.addr(0)                          # "10.213.57.10"
        lan.broadcast                        # "10.213.57.255"
        p = lan.start(group, 0, ["lan", "--json"], name="alice")   # udpchat inside ns 0
        s = lan.udp_socket(1, port=2425)     # a Python UDP socket living in ns 1
        lan.run(2, ["ip", "addr"])           # any command inside ns 2

Layout: host namespaces "ucl<pid>-<tag>-<i>" each with lo up and eth0 = 10.213.R.(10+i)/24,
the other ends of the veth pairs enslaved to bridge br0 in namespace "ucl<pid>-<tag>-br"
(nothing is created in the root namespace). R is random per test LAN. There is no route
out of these namespaces: every packet a test sends, broadcasts included, stays inside.

Cleanup is guaranteed as far as a process can guarantee it: close() (also on leaving the
`with`, and from atexit) kills whatever still runs inside the namespaces and deletes them,
which deletes their links too. A run killed with SIGKILL cannot clean up; the next run's
sweep_stale() removes namespaces whose creating process is gone.
"""
import atexit
import ctypes
import os
import random
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading

CLONE_NEWNET = 0x40000000
PREFIX = "ucl"
_NAME_RE = re.compile(r"^%s(\d+)-" % PREFIX)
SKIP = 77  # CTest SKIP_RETURN_CODE


class Unavailable(Exception):
    """Namespaces cannot be made here (not root, no `ip`, no kernel support)."""


def _ip(*args, check=True, timeout=20):
    r = subprocess.run(["ip"] + [str(a) for a in args], capture_output=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError("ip %s: %s" % (" ".join(map(str, args)), r.stderr.decode(errors="replace").strip()))
    return r


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill_inside(ns):
    """Kills the processes running inside namespace ns (all of them were started by tests)."""
    r = _ip("netns", "pids", ns, check=False)
    for tok in r.stdout.split():
        try:
            pid = int(tok)
        except ValueError:
            continue
        if pid != os.getpid():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def list_namespaces():
    r = _ip("netns", "list", check=False)
    return [line.split()[0] for line in r.stdout.decode(errors="replace").splitlines() if line.strip()]


def sweep_stale():
    """Deletes test namespaces left by runs whose process no longer exists."""
    for ns in list_namespaces():
        m = _NAME_RE.match(ns)
        if m and int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1))):
            _kill_inside(ns)
            _ip("netns", "del", ns, check=False)


def require_root_or_skip():
    """Exits with 77 (CTest: skipped) and a clear message when namespaces can't be made."""
    why = None
    if os.name != "posix" or not sys.platform.startswith("linux"):
        why = "network namespaces need Linux"
    elif os.geteuid() != 0:
        why = "needs root for `ip netns` (run as root, as CI does)"
    else:
        probe = "%s%d-probe" % (PREFIX, os.getpid())
        try:
            r = _ip("netns", "add", probe, check=False)
            if r.returncode != 0:
                why = "`ip netns add` failed: %s" % r.stderr.decode(errors="replace").strip()
            else:
                _ip("netns", "del", probe, check=False)
        except (OSError, subprocess.SubprocessError) as e:
            why = "cannot run `ip`: %s" % e
    if why:
        print("SKIP: %s" % why, flush=True)
        sys.exit(SKIP)


def _enter_and_call(ns, fn):
    """Runs fn() on a fresh thread that first joined namespace ns; returns its result. Sockets
    made there stay in that namespace after the thread is gone."""
    out = {}

    def body():
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = os.open("/run/netns/%s" % ns, os.O_RDONLY)
            try:
                if libc.setns(fd, CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns(%s)" % ns)
            finally:
                os.close(fd)
            out["value"] = fn()
        except BaseException as e:  # handed to the caller
            out["error"] = e

    t = threading.Thread(target=body, daemon=True)
    t.start()
    t.join(20)
    if "error" in out:
        raise out["error"]
    if "value" not in out:
        raise RuntimeError("entering namespace %s timed out" % ns)
    return out["value"]


_live = []


def _close_all():
    for lan in list(_live):
        lan.close()


atexit.register(_close_all)


class TestLan:
    """n namespaces on one bridge, in a private 10.213.R.0/24 chosen at random."""

    def __init__(self, n, tag=None, subnet=None):
        sweep_stale()
        self.tag = tag or "%04x" % random.randrange(0x10000)
        base = "%s%d-%s" % (PREFIX, os.getpid(), self.tag)
        self.ns = ["%s-%d" % (base, i) for i in range(n)]
        self.bridge_ns = base + "-br"
        self.third = subnet if subnet is not None else random.randrange(1, 255)
        self.prefix = "10.213.%d." % self.third
        self.broadcast = self.prefix + "255"
        self._created = []
        self._closed = False
        _live.append(self)
        try:
            self._build()
        except BaseException:
            self.close()
            raise

    def _build(self):
        _ip("netns", "add", self.bridge_ns)
        self._created.append(self.bridge_ns)
        b = ["-n", self.bridge_ns]
        _ip(*b, "link", "set", "lo", "up")
        _ip(*b, "link", "add", "br0", "type", "bridge", "forward_delay", "0", "stp_state", "0")
        _ip(*b, "link", "set", "br0", "up")
        for i, ns in enumerate(self.ns):
            _ip("netns", "add", ns)
            self._created.append(ns)
            _ip("-n", ns, "link", "set", "lo", "up")
            # both ends made inside the namespaces: nothing named in the root namespace
            _ip(*b, "link", "add", "p%d" % i, "type", "veth", "peer", "name", "eth0", "netns", ns)
            _ip(*b, "link", "set", "p%d" % i, "master", "br0")
            _ip(*b, "link", "set", "p%d" % i, "up")
            _ip("-n", ns, "addr", "add", "%s/24" % self.addr(i), "brd", "+", "dev", "eth0")
            _ip("-n", ns, "link", "set", "eth0", "up")

    def addr(self, i):
        return "%s%d" % (self.prefix, 10 + i)

    def exec_prefix(self, i):
        return ["ip", "netns", "exec", self.ns[i]]

    def run(self, i, cmd, timeout=20, **kw):
        """Runs cmd inside namespace i to completion (subprocess.run, output captured)."""
        return subprocess.run(self.exec_prefix(i) + list(cmd), capture_output=True, timeout=timeout, **kw)

    def popen(self, i, cmd, **kw):
        """Starts cmd inside namespace i (`ip netns exec` execs it: the pid is cmd's)."""
        return subprocess.Popen(self.exec_prefix(i) + list(cmd), **kw)

    def start(self, group, i, args, name=None, **kw):
        """Starts udpchat with args inside namespace i through a udpchat_harness.ProcessGroup
        (the harness runs env UDPCHAT_WRAPPER + binary; the namespace goes in front)."""
        old = os.environ.get("UDPCHAT_WRAPPER")
        os.environ["UDPCHAT_WRAPPER"] = " ".join(shlex.quote(a) for a in self.exec_prefix(i)) + (
            " " + old if old else "")
        try:
            return group.start(args, name=name, **kw)
        finally:
            if old is None:
                del os.environ["UDPCHAT_WRAPPER"]
            else:
                os.environ["UDPCHAT_WRAPPER"] = old

    def udp_socket(self, i, port=0, bind_addr="0.0.0.0", broadcast=True, rcvbuf=4 << 20):
        """A UDP socket created inside namespace i, bound to (bind_addr, port)."""
        def make():
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if broadcast:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
            except OSError:
                pass
            s.bind((bind_addr, port))
            return s
        return _enter_and_call(self.ns[i], make)

    def close(self):
        if self._closed:
            return
        self._closed = True
        for ns in reversed(self._created):
            try:
                _kill_inside(ns)
            except Exception:
                pass
        for ns in reversed(self._created):
            try:
                _ip("netns", "del", ns, check=False)
            except Exception:
                pass
        if self in _live:
            _live.remove(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
