#!/usr/bin/env python3
"""test_settings.py -- the settings file with real udpchat processes: keys written, a restart,
they apply; flags win over the file; /set lists, shows, checks, saves (file content and mode
checked) and applies; hostile files (binary junk, huge, invalid UTF-8, bad values, a FIFO, a
folder) give warnings with line numbers and the chat still starts; the first-start nick
question (forced with UDPCHAT_ASK_NICK=1, as on a Windows console); the man page lists every
key. Each test gets its own XDG_CONFIG_HOME. Usage: test_settings.py PATH/TO/udpchat [TEST...]"""
import os
import re
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import udpchat_harness as h  # noqa: E402
from udpchat_harness import check  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHATS = ("lan", "peer", "join", "server")


class Home:
    """A fresh XDG_CONFIG_HOME; .conf is where udpchat must keep its settings."""

    def __init__(self, text=None):
        self.dir = tempfile.mkdtemp(prefix="udpchat-settings-")
        self.conf = os.path.join(self.dir, "udpchat", "udpchat.conf")
        self.env = {"XDG_CONFIG_HOME": self.dir, "UDPCHAT_CONFIG": "", "NO_COLOR": ""}
        if text is not None:
            self.write(text)

    def write(self, data):
        os.makedirs(os.path.dirname(self.conf), mode=0o700, exist_ok=True)
        with open(self.conf, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)

    def read(self):
        with open(self.conf, "rb") as f:
            return f.read().decode("utf-8", "replace")


def notices(p, start=0):
    return [e.get("text", "") for e in p.snapshot(start) if e.get("event") in ("notice", "error")]


def set_cmd(p, line, want, timeout=10):
    """Types a /set line and waits for a notice or error containing want; returns its text."""
    m = p.mark()
    p.send_line(line)
    ev = p.wait_for(lambda e: e.get("event") in ("notice", "error") and want in e.get("text", ""),
                    timeout, start=m, what="%r after %r" % (want, line))
    return ev["text"]


def listing(p, last="deliver-timeout"):
    """/set's lines as {key: (value, origin)}; last: the command's last option."""
    m = p.mark()
    p.send_line("/set")
    p.wait_for(lambda e: e.get("event") == "notice" and e.get("text", "").startswith(last + " "), 10,
               start=m, what="/set list")
    out = {}
    for t in notices(p, m):
        mt = re.match(r"(\S+)\s+= (.*?)\s+\(([^)]*)\)", t)
        if mt:
            out[mt.group(1)] = (mt.group(2), mt.group(3))
    return out


def quick(args, env, stdin=b"", timeout=20):
    """Runs udpchat to completion (stdin at end: a chat leaves at once)."""
    return h.run_cli(args, timeout=timeout, stdin=stdin, env=env)


def test_round_trip_and_flags_win(binary):
    home = Home("# my udpchat\nnick = alice_file\ncolor = false\n\n[peer]\ntimeout = 7\n"
                "deliver-timeout = 9\n[lan]\nport = 1\n")
    with h.ProcessGroup() as g:
        pa, pb = h.free_udp_ports(2)
        a = g.start(["peer", "127.0.0.1:%d" % pb, "--port", pa, "--json", "--deliver-timeout", "11"],
                    name="a", env=home.env)
        b = g.start(["peer", "127.0.0.1:%d" % pa, "--port", pb, "--json", "--nick", "bob"], name="b",
                    env=home.env)
        b.wait_event("join", 10, nick="alice_file")  # the nick came from the file
        a.wait_event("join", 10, nick="bob")          # the flag won over the file
        got = listing(a)
        check(got.get("nick") == ("alice_file", "file, line 2"), "nick: %r" % (got.get("nick"),), a)
        check(got.get("no-color") == ("true", "file, line 3"), "no-color: %r" % (got.get("no-color"),), a)
        check(got.get("timeout") == ("7", "file, line 6, [peer]"), "timeout: %r" % (got.get("timeout"),), a)
        check(got.get("deliver-timeout") == ("11", "flag"), "flag: %r" % (got.get("deliver-timeout"),), a)
        check(got.get("legacy", ("", ""))[1] == "default", "legacy: %r" % (got.get("legacy"),), a)
        check(len(got) == 13, "peer has 13 settings, /set listed %d: %r" % (len(got), got), a)
        gb = listing(b)
        check(gb.get("nick") == ("bob", "flag"), "b nick: %r" % (gb.get("nick"),), b)
        check(not a.stderr_lines, "warnings for a good file: %r" % a.stderr_lines)
        check(a.stop() == 0 and b.stop() == 0, "exit codes", a, b)
    # --color undoes color = false from the file; --no-json is not an error
    with h.ProcessGroup() as g:
        a = g.start(["peer", "127.0.0.1:9", "--json", "--color", "--no-legacy"], name="a", env=home.env)
        a.wait_ready()
        got = listing(a)
        check(got.get("no-color") == ("false", "flag"), "--color: %r" % (got.get("no-color"),), a)
        check(a.stop() == 0, "exit", a)


def test_set_saves_and_applies(binary):
    home = Home()  # no folder yet: /set creates it, 0700, and the file 0600
    with h.ProcessGroup() as g:
        port = h.free_udp_port()
        srv = g.start(["server", "--port", port, "--json"], name="server", env=home.env)
        srv.wait_ready()
        j = g.start(["join", "127.0.0.1:%d" % port, "--json", "--nick", "first"], name="join", env=home.env)
        j.wait_event("status", 10)
        t = set_cmd(j, "/set nick second", "saved nick = second")
        # --nick was a flag: the file gets it, this run keeps the flag's nick
        check("this run keeps --nick" in t, "a flag's key changed: %r" % t, j)
        set_cmd(j, "/set timeout 40", "next start")
        set_cmd(j, "/set color false", "saved no-color = true")
        set_cmd(j, "/set no-such-key 1", "unknown setting 'no-such-key'")
        t = set_cmd(j, "/set timeout 1", "wants a whole number from 2 to 3600")
        set_cmd(j, "/set charset klingon", "unknown charset")
        set_cmd(j, "/set nick has space", "not a nick")
        t = set_cmd(j, "/set timeout", "timeout")
        check(re.match(r"timeout\s+= 40\s+\(file, line \d+, \[join\]\)", t), "/set timeout: %r" % t, j)
        check(j.stop() == 0, "join exit", j)
        text = home.read()
        check(text == "nick = second\nno-color = true\n\n[join]\ntimeout = 40\n", "file:\n" + text)
        check(stat.S_IMODE(os.stat(home.conf).st_mode) == 0o600, "file mode %o" % os.stat(home.conf).st_mode)
        d = os.path.dirname(home.conf)
        check(stat.S_IMODE(os.stat(d).st_mode) == 0o700, "folder mode %o" % os.stat(d).st_mode)
        # a comment of the user's, then a restart: the saved nick applies, /set nick renames now
        home.write("# keep me\n" + text.replace("timeout = 40", "; and me\ntimeout = 40"))
        os.chmod(home.conf, 0o644)
        j = g.start(["join", "127.0.0.1:%d" % port, "--json"], name="join2", env=home.env)
        j.wait_event("status", 10)
        j.wait_for(lambda e: e.get("event") == "status" and e.get("from") == "second", 10, what="welcome as second")
        m = j.mark()
        t = set_cmd(j, "/set nick third", "changing your nick now")
        j.wait_event("nick", 10, start=m, old="second", new="third")
        check(j.stop() == 0, "join2 exit", j)
        text = home.read()
        check(text == "# keep me\nnick = third\nno-color = true\n\n[join]\n; and me\ntimeout = 40\n",
              "file after the second /set:\n" + text)
        check(stat.S_IMODE(os.stat(home.conf).st_mode) == 0o600, "mode after replacing a 0644 file")
        srv.stop()


def test_symlinked_file_kept(binary):
    """A dotfiles checkout: udpchat.conf is a symbolic link; /set writes the file it points to."""
    home = Home()
    real = os.path.join(home.dir, "dotfiles", "udpchat.conf")
    os.makedirs(os.path.dirname(real))
    with open(real, "w") as f:
        f.write("# from my dotfiles\nnick = linked\n")
    os.makedirs(os.path.dirname(home.conf))
    os.symlink(real, home.conf)
    with h.ProcessGroup() as g:
        a = g.start(["peer", "127.0.0.1:9", "--json"], name="a", env=home.env)
        a.wait_ready()
        set_cmd(a, "/set timeout 12", "saved timeout = 12")
        check(a.stop() == 0, "exit", a)
    check(os.path.islink(home.conf), "the link was replaced by a file")
    with open(real) as f:
        text = f.read()
    check(text == "# from my dotfiles\nnick = linked\n\n[peer]\ntimeout = 12\n", "the linked file: %r" % text)


def expect_start(home, *wants, args=None, missing=()):
    """Starts a peer with the file; it must start (ready), leave at end of input with 0, and
    print each of wants on stderr."""
    args = args or ["peer", "127.0.0.1:9", "--json"]
    rc, out, err = quick(args, home.env)
    check(rc == 0 and '"event":"ready"' in out, "did not start: rc %d\n%s\n%s" % (rc, out, err))
    for w in wants:
        check(re.search(w, err), "stderr lacks %r:\n%s" % (w, err))
    for w in missing:
        check(not re.search(w, err), "stderr has %r:\n%s" % (w, err))
    check("AddressSanitizer" not in err and "runtime error" not in err, "sanitizer:\n" + err)
    return err


def test_hostile_files(binary):
    conf = re.escape("udpchat.conf")
    home = Home()
    home.write(b"nick = ok\n\xff\xfe\x00binary\x01\x02\nport = 99999\nnick = has space\n"
               b"charset = klingon\njson = maybe\n[peer]\nunknown-key = 1\n[nosuch]\nx = 1\n"
               b"k = \xc3\x28\n" + b"y" * 5000 + b"\n\x1b[31m = red\n[peer\n")
    err = expect_start(home, conf + r":2: a NUL byte", conf + r":3: port = '99999': wants a whole number",
                       conf + r":4: nick = 'has space': not a nick", conf + r":5: charset = 'klingon': unknown charset",
                       conf + r":6: json = 'maybe': wants true or false", conf + r":8: unknown setting 'unknown-key'",
                       conf + r":10: unknown section \[nosuch\]", conf + r":11: not valid UTF-8",
                       conf + r":12: longer than 4096", conf + r":13: a control character",
                       conf + r":14: a bad section header")
    check("\x1b" not in err, "an escape from the file reached the terminal")
    # random junk: a warning per bad line at most 20 of them, then one line; never a crash
    rnd = h.rng()
    home.write(bytes(rnd.getrandbits(8) for _ in range(200000)))
    err = expect_start(home, conf + r":\d+: ", r"more problems not shown")
    check(len(err.splitlines()) <= 22, "%d lines of warnings" % len(err.splitlines()))
    # huge: not read; /set does not overwrite it
    home.write(b"# big\n" + b"#" * (2 << 20))
    with h.ProcessGroup() as g:
        a = g.start(["peer", "127.0.0.1:9", "--json"], name="a", env=home.env)
        a.wait_ready()
        set_cmd(a, "/set timeout 5", "not saved")
        check(a.stop() == 0, "exit", a)
        check(any("larger than 1048576 bytes" in l for l in a.stderr_lines), "no warning: %r" % a.stderr_lines)
    check(os.path.getsize(home.conf) == 6 + (2 << 20), "the huge file was changed")
    # a folder, and a FIFO (must not block) where the file should be
    os.remove(home.conf)
    os.mkdir(home.conf)
    expect_start(home, "not a regular file")
    os.rmdir(home.conf)
    os.mkfifo(home.conf)
    expect_start(home, "not a regular file")
    os.remove(home.conf)
    # a good file with CRLF and a BOM: no warning at all
    home.write(b"\xef\xbb\xbf# windows notepad\r\nnick = crlf\r\n[peer]\r\ntimeout = 9\r\n")
    expect_start(home, missing=["warning"])


def test_first_start_nick_question(binary):
    """UDPCHAT_ASK_NICK=1 forces the Windows first-start question on any platform."""
    home = Home()
    env = dict(home.env, UDPCHAT_ASK_NICK="1", USER="tester", LOGNAME="tester")
    rc, out, err = quick(["peer", "127.0.0.1:9"], env, stdin=b"a b\nzoe\n")
    check(rc == 0, "rc %d\n%s\n%s" % (rc, out, err))
    check(out.count("Your nick [tester]: ") == 2, "the question, twice:\n" + out)
    check("that nick cannot be used" in err, "no reason for a bad nick:\n" + err)
    check(home.read() == "nick = zoe\n", "file: %r" % home.read())
    check(stat.S_IMODE(os.stat(home.conf).st_mode) == 0o600, "mode")
    rc, out, err = quick(["peer", "127.0.0.1:9"], env, stdin=b"")
    check(rc == 0 and "Your nick" not in out, "asked again with a nick in the file:\n" + out)
    # Enter takes the default; --json and --nick never ask
    os.remove(home.conf)
    rc, out, err = quick(["lan", "--port", h.free_udp_port(), "--peer", "127.0.0.1"], env, stdin=b"\n")
    check(rc == 0 and home.read() == "nick = tester\n", "default: rc %d %r\n%s" % (rc, out, err))
    os.remove(home.conf)
    for args in (["peer", "127.0.0.1:9", "--json"], ["peer", "127.0.0.1:9", "--nick", "x"]):
        rc, out, err = quick(args, env, stdin=b"")
        check(rc == 0 and "Your nick" not in out and not os.path.exists(home.conf), "%r asked:\n%s" % (args, out))
    rc, out, err = quick(["peer", "127.0.0.1:9"], dict(home.env, USER="tester"), stdin=b"zoe\n")
    check("Your nick" not in out and not os.path.exists(home.conf), "Linux asked without the hook")


def option_names(binary, cmd):
    rc, out, err = h.run_cli([cmd, "--help"])
    check(rc == 0, "%s --help: %d" % (cmd, rc))
    check("udpchat.conf" in out and "/set" in out, "%s --help does not mention the settings file:\n%s" % (cmd, out))
    return [n for n in re.findall(r"^  --([a-z][a-z0-9-]*)", out, re.M) if n != "help"]


def test_man_page_lists_every_key(binary):
    with open(os.path.join(ROOT, "packaging", "udpchat.1.in"), encoding="utf-8") as f:
        page = f.read()
    m = re.search(r"^\.SH SETTINGS\n(.*?)^\.SH ", page, re.M | re.S)
    check(m, "the man page has no SETTINGS section")
    section = m.group(1).replace("\\-", "-")
    missing = ["%s (%s)" % (n, cmd) for cmd in CHATS for n in option_names(binary, cmd)
               if not re.search(r"\b%s\b" % re.escape(n), section)]
    check(not missing, "keys missing in the man page's SETTINGS: " + ", ".join(missing))


if __name__ == "__main__":
    h.main([test_round_trip_and_flags_win, test_set_saves_and_applies, test_hostile_files,
            test_first_start_nick_question, test_man_page_lists_every_key, test_symlinked_file_kept])
