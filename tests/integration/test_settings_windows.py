#!/usr/bin/env python3
"""test_settings_windows.py -- udpchat.exe under Wine: the first start without a nick asks
"Your nick [USER]: " on a real Windows console and saves the answer in
%APPDATA%\\udpchat\\udpchat.conf; the next start takes it from there.

The console is real: Wine started with a pseudo-terminal as stdin/stdout gives the program a
Windows console (conhost), so GetConsoleMode succeeds and ReadConsoleW reads what the test
types, with no test hook. A second test feeds the answer through a pipe with the documented
hook UDPCHAT_ASK_NICK=1, which asks even when stdin is not a console. The default nick is
the Windows user name (GetUserNameW), which Wine takes from the Unix login.

usage: test_settings_windows.py PATH/TO/udpchat PATH/TO/udpchat.exe [TEST...]
(skipped, exit 77, without the .exe or Wine)"""
import glob
import json
import os
import pty
import pwd
import re
import select
import shutil
import subprocess
import sys
import time
import tty

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mixed_os as mx  # noqa: E402
import udpchat_harness as h  # noqa: E402
from udpchat_harness import check  # noqa: E402

VT = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def conf_path():
    """Where %APPDATA%\\udpchat\\udpchat.conf is in the prefix ('' if not there)."""
    found = glob.glob(os.path.join(mx.CTX.prefix, "drive_c", "users", "*", "AppData", "Roaming", "udpchat",
                                   "udpchat.conf"))
    return found[0] if found else ""


def remove_conf():
    p = conf_path()
    if p:
        os.remove(p)


def read_conf():
    with open(conf_path(), "rb") as f:
        return f.read().decode("utf-8")


def unix_user():
    return pwd.getpwuid(os.getuid()).pw_name


class Pty:
    """udpchat.exe under Wine with a pseudo-terminal for stdin, stdout and stderr."""

    def __init__(self, args):
        self.master, slave = pty.openpty()
        tty.setraw(slave)  # Enter is "\r" for Wine's console (no ICRNL turning it into ^J)
        env = dict(os.environ, TERM="xterm", WINEPREFIX=mx.CTX.prefix)
        env.pop("UDPCHAT_ASK_NICK", None)
        self.proc = subprocess.Popen(mx.CTX.wrapper + [mx.CTX.exe] + args, stdin=slave, stdout=slave,
                                     stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.out = b""

    def text(self):
        """What the console showed, its VT sequences (cursor moves for spaces too) removed."""
        return VT.sub(b"", self.out).replace(b" ", b"").decode("utf-8", "replace")

    def wait_text(self, needle, timeout):
        deadline = time.monotonic() + h.T(timeout)
        while time.monotonic() < deadline:
            if needle in self.text():
                return
            r, _, _ = select.select([self.master], [], [], 0.5)
            if r:
                try:
                    data = os.read(self.master, 4096)
                except OSError:
                    break
                if not data:
                    break
                self.out += data
        raise h.HarnessError("console: no %r within %.0fs; it showed:\n%s" % (needle, h.T(timeout), self.text()))

    def type(self, keys):
        os.write(self.master, keys)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        os.close(self.master)


def test_console_first_start(binary):
    remove_conf()
    user = unix_user()
    c = Pty(["peer", "127.0.0.1:9"])
    try:
        c.wait_text("Yournick[%s]:" % user, 90)  # spaces are cursor moves on Wine's console
        c.type(b"winnick\r")
        c.wait_text("readyonUDPport", 30)
        c.type(b"/quit\r")
        rc = c.proc.wait(h.T(30))
        check(rc == 0, "exit %r; the console showed:\n%s" % (rc, c.text()))
    finally:
        c.close()
    check(conf_path(), "no udpchat.conf under %APPDATA% in " + mx.CTX.prefix)
    check(read_conf() == "nick = winnick\n", "udpchat.conf: %r" % read_conf())
    # the next start takes the nick from the file and asks nothing
    rc, out, err = mx.run_exe(["peer", "127.0.0.1:9", "--json"], b"/set nick\n", env={"UDPCHAT_ASK_NICK": "1"})
    out = out.decode("utf-8", "replace")
    check(rc == 0 and "Your nick" not in out, "asked again: rc %d\n%s" % (rc, out))
    check(re.search(r'"nick\s+= winnick\s+\(file, line 1\)"', out), "/set nick under Wine:\n" + out)


def test_pipe_hook_default_is_user_name(binary):
    remove_conf()
    rc, out, err = mx.run_exe(["peer", "127.0.0.1:9"], b"\n", env={"UDPCHAT_ASK_NICK": "1"})
    out = out.decode("utf-8", "replace")
    check(rc == 0 and "Your nick [%s]: " % unix_user() in out, "rc %d\n%s\n%r" % (rc, out, err[-500:]))
    check(read_conf() == "nick = %s\n" % unix_user(), "udpchat.conf: %r" % read_conf())
    # /set under Wine: saved with MoveFileEx over the old file, the comment kept
    with open(conf_path(), "wb") as f:
        f.write(b"; mine\r\nnick = a\r\n")
    rc, out, err = mx.run_exe(["peer", "127.0.0.1:9", "--json"], b"/set nick b\n/set timeout 40\n", env={})
    check(rc == 0, "rc %d %r" % (rc, err[-500:]))
    check(read_conf() == "; mine\r\nnick = b\r\n\r\n[peer]\r\ntimeout = 40\r\n", "after /set: %r" % read_conf())
    remove_conf()


def start_with(data):
    """Writes data as udpchat.conf (a folder when data is None) and starts a peer that leaves at
    end of input; it must start (ready) and exit 0. Returns stderr."""
    remove_conf()
    path = os.path.join(glob.glob(os.path.join(mx.CTX.prefix, "drive_c", "users", "*", "AppData", "Roaming"))[0],
                        "udpchat", "udpchat.conf")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.isdir(path):
        os.rmdir(path)
    if data is None:
        os.mkdir(path)
    else:
        with open(path, "wb") as f:
            f.write(data)
    rc, out, err = mx.run_exe(["peer", "127.0.0.1:9", "--json"], b"", env={})
    err = err.decode("utf-8", "replace")
    check(rc == 0 and b'"event":"ready"' in out, "did not start: rc %d\n%r\n%s" % (rc, out[-300:], err))
    if data is None:
        os.rmdir(path)
    return err


def test_hostile_files_windows(binary):
    err = start_with(b"nick = ok\r\n\xff\x00junk\r\nport = 99999\r\n[peer]\r\nnick = a b\r\n")
    for want in ("udpchat.conf:2: a NUL byte", "udpchat.conf:3: port = '99999'", "udpchat.conf:5: nick = 'a b'"):
        check(want in err, "stderr lacks %r:\n%s" % (want, err))
    err = start_with(b"#" * (2 << 20))
    check("larger than 1048576 bytes" in err, "huge file:\n" + err)
    err = start_with(None)
    check("udpchat.conf: cannot open it" in err or "not a regular file" in err, "a folder:\n" + err)


def test_config_path_chinese(binary):
    """%UDPCHAT_CONFIG% naming a file in a folder with Chinese in its name: udpchat.exe reads
    the variable wide (_wgetenv), so that file is the one read; in the ANSI code page the
    name would have come with '?' in it and no file would have been found."""
    remove_conf()
    folder = os.path.join(mx.CTX.prefix, "drive_c", "设置 配置")
    os.makedirs(folder, exist_ok=True)
    try:
        with open(os.path.join(folder, "udpchat.conf"), "wb") as f:
            f.write("nick = 小明\r\n".encode())
        env = {"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "UDPCHAT_CONFIG": "C:\\设置 配置\\udpchat.conf".encode()}
        rc, out, err = mx.run_exe(["peer", "127.0.0.1:9", "--json"], b"/set nick\n", env=env)
        out = out.decode("utf-8", "replace")
        check(rc == 0 and re.search(r'"nick\s+= 小明\s+\(file, line 1\)"', out),
              "the file at the Chinese path was not read: rc %d\n%s\n%s" % (rc, out, err.decode("utf-8", "replace")))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def appdata_file(name):
    """%APPDATA%\\udpchat\\NAME in the prefix ('' if not there)."""
    found = glob.glob(os.path.join(mx.CTX.prefix, "drive_c", "users", "*", "AppData", "Roaming", "udpchat", name))
    return found[0] if found else ""


def test_history_windows(binary):
    """The chat log on Windows: udpchat.exe peer chats in Chinese with a Linux peer; both
    lines are in %APPDATA%\\udpchat\\history.db (SQLite built for mingw), and
    `udpchat.exe history --search` finds the Chinese one after a restart."""
    remove_conf()
    db = appdata_file("history.db")
    for f in (db, db + "-wal", db + "-shm"):
        if f and os.path.exists(f):
            os.remove(f)
    mine, theirs = "视窗记录：第一条 %d" % os.getpid(), "林纳斯回复：收到了"
    with h.ProcessGroup(binary) as g:
        pw, pl = h.free_udp_ports(2)
        w = mx.win(g, ["peer", "127.0.0.1:%d" % pl, "--port", pw, "--nick", "win", "--charset", "gbk"], "win",
                   json_mode=True)  # its stdin is GBK (mx.win encodes so)
        l = mx.lin(g, ["peer", "127.0.0.1:%d" % pw, "--port", pl, "--nick", "lin", "--no-history"], "lin")
        check(l.wait_ready(10) == pl and w.wait_ready(90) == pw, "ready", l, w)
        l.wait_event("join", 60, nick="win")
        m = w.mark()
        w.send_line(mine)
        sent = w.wait_event("sent", 30, m, text=mine)
        w.wait_event("delivered", 30, m, id=sent["id"])
        l.send_line(theirs)
        w.wait_for(lambda e: e.get("event") == "message" and e.get("text") == theirs, 30, m, "the Linux line")
        check(w.stop(60) == 0 and l.stop(10) == 0, "exit codes", w, l)
    check(appdata_file("history.db"), "no history.db under %APPDATA%\\udpchat in " + mx.CTX.prefix)
    rc, out, err = mx.run_exe(["history", "--json"], env={})
    rows = [json.loads(x) for x in out.decode("utf-8").splitlines() if x.strip()]
    got = [(r["from"], r["own"], r["text"]) for r in rows]
    check(got[-2:] == [("win", True, mine), ("lin", False, theirs)], "history under Wine: rc %d %r %r" % (rc, got, err[-300:]))
    check(rows[-2]["state"] == "delivered", "own line not delivered: %r" % rows[-2])
    rc, out, err = mx.run_exe(["history", "--search", "第一条 %d" % os.getpid(), "--json"], env={})
    found = [json.loads(x)["text"] for x in out.decode("utf-8").splitlines() if x.strip()]
    check(rc == 0 and found == [mine], "--search under Wine: rc %d %r %r" % (rc, found, err[-300:]))


if __name__ == "__main__":
    mx.main([test_console_first_start, test_pipe_hook_default_is_user_name, test_hostile_files_windows,
             test_config_path_chinese, test_history_windows], gbk=False)
