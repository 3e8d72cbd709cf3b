#!/usr/bin/env python3
"""test_notify.py -- notifications and lasting input in the interactive console: `udpchat join`
in tmux against a real `udpchat server` and bob, a `udpchat join --json` client.
The bell rings (tmux's alert-bell hook counts it) for a private message and a mention, not for
an ordinary line nor with --no-bell; those lines are highlighted apart; after a focus-out the
pane title counts the unseen lines, a focus-in gives the title back, and text from the network
never reaches the title; typed lines survive a restart (Up, Ctrl-R with Chinese), in a file of
mode 0600; a corrupt or unreadable history file gives one warning and the chat goes on.
Usage: test_notify.py PATH/TO/udpchat [TEST...]   (exit 77 = skipped: no tmux)"""
import os
import shlex
import shutil
import stat
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import udpchat_harness as h  # noqa: E402
from udpchat_harness import check  # noqa: E402
from test_console import (ESC, Pty, Tmux, bob_says, message_from, room, wait_until)  # noqa: E402

SKIP = 77
FOCUS_OUT, FOCUS_IN = ESC + "[O", ESC + "[I"


def alice_script(binary, port, state, nick="alice", extra=""):
    """udpchat join in a pane, its input history under `state` (XDG_STATE_HOME)."""
    env = "env -u LC_ALL -u LC_CTYPE LANG=C.UTF-8 ASAN_OPTIONS=detect_leaks=0 XDG_STATE_HOME=%s" % shlex.quote(state)
    cmd = "%s %s join 127.0.0.1:%d --nick %s %s" % (env, " ".join(map(shlex.quote, h.wrapper_prefix() + [binary])),
                                                   port, nick, extra)
    return "%s; echo \"EXIT=$?\"; exec sleep 600" % cmd


class Bells:
    """Counts the bells of each tmux session with the alert-bell hook (one line per bell in a file)."""

    def __init__(self, tm, tmp):
        self.path = os.path.join(tmp, "bells")
        open(self.path, "w").close()
        tm.run("set-hook", "-g", "alert-bell", "run-shell 'echo #{hook_session_name} >> %s'" % self.path)

    def count(self, t):
        with open(self.path) as f:
            return sum(1 for l in f if l.strip() == t)

    def wait(self, t, n, what):
        wait_until(lambda: self.count(t) >= n, 10, what)
        check(self.count(t) == n, "%s: %d bells, want %d" % (what, self.count(t), n))


def shown(tm, t, tail):
    tm.wait_screen(t, lambda ls: any(l.endswith(tail) for l in ls), what=repr(tail))


def escaped_line(tm, t, tail):
    """The screen line ending with tail, with its attributes (capture-pane -e)."""
    for l in tm.lines(t, escapes=True):
        if l.endswith(tail) or l.endswith(tail + ESC + "[0m") or l.endswith(tail + ESC + "[39m"):
            return l
    return ""


def quiet_for(bells, t, n, what, seconds=0.7):
    """No bell comes in the next moment (a bell would have been counted by then)."""
    time.sleep(seconds)
    check(bells.count(t) == n, "%s: %d bells, want %d" % (what, bells.count(t), n))


def test_bell_and_highlight(binary):
    """An ordinary line: no bell. A private message: a bell, the line bold magenta. A line naming
    alice: a bell, the line bold bright yellow. With --no-bell: the same lines ring nothing."""
    tm = Tmux()
    tmp = tempfile.mkdtemp(prefix="udpchat-notify-")
    try:
        with h.ProcessGroup(binary) as g:
            port, bob = room(g)
            m = bob.mark()
            t = tm.start(alice_script(binary, port, tmp))
            bells = Bells(tm, tmp)  # the server is up now
            bob.wait_event("join", start=m, nick="alice")
            tm.wait_row(t, "[alice] >")
            bob_says(bob, ["an ordinary line"])
            shown(tm, t, "<bob> an ordinary line")
            quiet_for(bells, t, 0, "an ordinary line")
            bob_says(bob, ["/msg alice a secret for you"])
            shown(tm, t, "*bob* a secret for you")
            bells.wait(t, 1, "a private message")
            priv = escaped_line(tm, t, "a secret for you")
            check(ESC + "[1m" in priv and "95m" in priv, "the private line is not bold magenta: %r" % priv)
            bob_says(bob, ["hey alice, look at this"])
            shown(tm, t, "<bob> hey alice, look at this")
            bells.wait(t, 2, "a mention")
            ment = escaped_line(tm, t, "hey alice, look at this")
            check(ESC + "[1m" in ment and "93m" in ment, "the mention is not bold bright yellow: %r" % ment)
            plain = escaped_line(tm, t, "an ordinary line")
            check("93m" not in plain and "95m" not in plain, "the ordinary line is highlighted: %r" % plain)
            bob_says(bob, ["malice is no mention"])  # alice inside a longer word
            shown(tm, t, "<bob> malice is no mention")
            quiet_for(bells, t, 2, "alice inside a word")
            # --no-bell: nothing rings, the highlight stays
            m = bob.mark()
            t2 = tm.start(alice_script(binary, port, tmp, nick="carol", extra="--no-bell"))
            bob.wait_event("join", start=m, nick="carol")
            tm.wait_row(t2, "[carol] >")
            bob_says(bob, ["/msg carol psst", "carol: you there?"])
            shown(tm, t2, "<bob> carol: you there?")
            shown(tm, t2, "*bob* psst")
            quiet_for(bells, t2, 0, "--no-bell")
            check("95m" in escaped_line(tm, t2, "psst"), "--no-bell: no highlight either")
            tm.keys(t, "C-c")
            tm.keys(t2, "C-c")
            tm.wait_screen(t, lambda ls: "EXIT=0" in ls, what="EXIT=0")
    finally:
        tm.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def test_title_unread(binary):
    """After a focus-out (ESC [ O typed into the pane, as tmux sends it) each line from bob counts
    in the title, "(3) udpchat"; a message carrying OSC title sequences only counts; a focus-in
    gives the title back; lines while focused leave it alone; the focus reports never become
    text. At exit the title is the pane's own."""
    tm = Tmux()
    tmp = tempfile.mkdtemp(prefix="udpchat-notify-")
    try:
        with h.ProcessGroup(binary) as g:
            port, bob = room(g)
            m = bob.mark()
            t = tm.start(alice_script(binary, port, tmp))
            bob.wait_event("join", start=m, nick="alice")
            tm.wait_row(t, "[alice] >")
            tm.run("select-pane", "-t", t, "-T", "my-title")
            bob_says(bob, ["seen while focused"])
            shown(tm, t, "<bob> seen while focused")
            time.sleep(0.3)
            check(tm.title(t) == "my-title", "title changed while focused: %r" % tm.title(t))
            tm.type(t, FOCUS_OUT)
            time.sleep(0.3)
            bob_says(bob, ["one", "two", "three"])
            wait_until(lambda: tm.title(t) == "(3) udpchat", 10, "title (3) udpchat, is %r" % tm.title(t))
            evil = ESC + "]2;pwned" + "\x07" + ESC + "]0;pwned too" + ESC + "\\" + "\u009d2;c1 pwned\u009c"
            bob_says(bob, [evil, "after the evil one"])
            shown(tm, t, "<bob> after the evil one")
            wait_until(lambda: tm.title(t) == "(5) udpchat", 10, "title (5) udpchat, is %r" % tm.title(t))
            check(tm.input_row(t)[1] == "[alice] >", "a focus report became text: %r" % tm.input_row(t)[1])
            tm.type(t, FOCUS_IN)
            wait_until(lambda: tm.title(t) == "my-title", 10, "the title back, is %r" % tm.title(t))
            bob_says(bob, ["focused again"])
            shown(tm, t, "<bob> focused again")
            time.sleep(0.3)
            check(tm.title(t) == "my-title", "title changed while focused: %r" % tm.title(t))
            tm.type(t, FOCUS_OUT)
            time.sleep(0.3)
            bob_says(bob, ["unseen"])
            wait_until(lambda: tm.title(t) == "(1) udpchat", 10, "the count from 1 again, is %r" % tm.title(t))
            tm.type(t, "typing means looking")  # a key typed: focused after all
            wait_until(lambda: tm.title(t) == "my-title", 10, "the title back on typing, is %r" % tm.title(t))
            tm.keys(t, "C-u")
            tm.type(t, FOCUS_OUT)
            time.sleep(0.3)
            bob_says(bob, ["unseen at exit"])
            wait_until(lambda: tm.title(t) == "(1) udpchat", 10, "(1) before exit, is %r" % tm.title(t))
            tm.keys(t, "C-c")
            tm.wait_screen(t, lambda ls: "EXIT=0" in ls, what="EXIT=0")
            check(tm.title(t) == "my-title", "title not given back at exit: %r" % tm.title(t))
            check(not any("pwned" in l for l in [tm.title(t)]), "pwned")
    finally:
        tm.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def history_file(state, mode="join"):
    return os.path.join(state, "udpchat", "history-" + mode)


def test_history_survives_restart(binary):
    """Lines typed, quit, restart: Up shows them newest first; Ctrl-R finds the Chinese one and
    Enter sends it; Esc cancels a search. The file is 0600 and holds the lines as typed.
    --no-history: Up shows nothing and nothing is added."""
    tm = Tmux()
    tmp = tempfile.mkdtemp(prefix="udpchat-notify-")
    try:
        with h.ProcessGroup(binary) as g:
            port, bob = room(g)
            typed = ["first line", "中文的历史记录", "third one"]
            t = tm.start(alice_script(binary, port, tmp))
            tm.wait_row(t, "[alice] >")
            for line in typed:
                m = bob.mark()
                tm.type(t, line)
                tm.keys(t, "Enter")
                message_from(bob, "alice", m)
            tm.keys(t, "C-d")
            tm.wait_screen(t, lambda ls: "EXIT=0" in ls, what="EXIT=0")
            path = history_file(tmp)
            check(os.path.isfile(path), "no history file at %s" % path)
            mode = stat.S_IMODE(os.stat(path).st_mode)
            check(mode == 0o600, "history file mode %o, want 600" % mode)
            with open(path, encoding="utf-8") as f:
                check(f.read().split("\n") == typed + [""], "history file holds %r" % open(path, "rb").read())
            t = tm.start(alice_script(binary, port, tmp))
            tm.wait_row(t, "[alice] >")
            tm.keys(t, "Up")
            tm.wait_row(t, "[alice] > third one")
            tm.keys(t, "Up")
            tm.wait_row(t, "[alice] > 中文的历史记录")
            tm.keys(t, "C-u")
            tm.keys(t, "C-r")
            tm.wait_row(t, "(reverse-i-search)'':")
            tm.type(t, "历史")
            tm.wait_row(t, "(reverse-i-search)'历史': 中文的历史记录")
            x, _ = tm.cursor(t)
            check(x == len("(reverse-i-search)'") + 4 + len("': ") + 6, "cursor at %d, not on the match" % x)
            m = bob.mark()
            tm.keys(t, "Enter")
            ev = message_from(bob, "alice", m)
            check(ev["text"] == "中文的历史记录", "bob got %r" % ev["text"])
            tm.wait_row(t, "[alice] >")
            tm.type(t, "draft")
            tm.keys(t, "C-r")
            tm.type(t, "fir")
            tm.wait_row(t, "(reverse-i-search)'fir': first line")
            tm.keys(t, "Escape")
            tm.wait_row(t, "[alice] > draft")
            tm.keys(t, "C-c")
            tm.wait_screen(t, lambda ls: "EXIT=0" in ls, what="EXIT=0")
            with open(path, encoding="utf-8") as f:
                lines = f.read().split("\n")
            check(lines == typed + ["中文的历史记录", ""], "history file after the second run: %r" % lines)
            # --no-history: nothing loaded, nothing added
            t = tm.start(alice_script(binary, port, tmp, extra="--no-history"))
            tm.wait_row(t, "[alice] >")
            tm.keys(t, "Up")
            time.sleep(0.5)
            check(tm.input_row(t)[1] == "[alice] >", "--no-history: Up shows %r" % tm.input_row(t)[1])
            m = bob.mark()
            tm.type(t, "not to be kept")
            tm.keys(t, "Enter")
            message_from(bob, "alice", m)
            tm.keys(t, "C-c")
            tm.wait_screen(t, lambda ls: "EXIT=0" in ls, what="EXIT=0")
            with open(path, encoding="utf-8") as f:
                check("not to be kept" not in f.read(), "--no-history: the line was kept")
    finally:
        tm.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def warnings_on(tm, t):
    return [l for l in tm.lines(t) if l.startswith("!! input history")]


def test_history_corrupt(binary):
    """Binary junk in the history file: one warning, no crash, the good line still there, the
    junk gone from the file. A history "file" that cannot be read (a directory): one warning,
    the chat goes on."""
    tm = Tmux()
    tmp = tempfile.mkdtemp(prefix="udpchat-notify-")
    try:
        with h.ProcessGroup(binary) as g:
            port, bob = room(g)
            path = history_file(tmp)
            os.makedirs(os.path.dirname(path))
            junk = bytes(range(256)) * 4 + b"\n" + os.urandom(2000).replace(b"\n", b"\x00") + b"\n"
            with open(path, "wb") as f:
                f.write(b"good line\n" + junk + ESC.encode() + b"]2;pwned\x07\n\xff\xfe\n" + b"x" * 5000 + b"\n")
            os.chmod(path, 0o644)
            t = tm.start(alice_script(binary, port, tmp))
            tm.wait_row(t, "[alice] >")
            tm.wait_screen(t, lambda ls: warnings_on(tm, t), what="the warning")
            w = warnings_on(tm, t)
            check(len(w) == 1 and "dropped" in w[0], "warnings: %r" % w)
            tm.keys(t, "Up")
            tm.wait_row(t, "[alice] > good line")
            tm.keys(t, "Up")
            time.sleep(0.3)
            check(tm.input_row(t)[1] == "[alice] > good line", "junk in the history: %r" % tm.input_row(t)[1])
            tm.keys(t, "C-u")
            m = bob.mark()
            tm.type(t, "still chatting")
            tm.keys(t, "Enter")
            check(message_from(bob, "alice", m)["text"] == "still chatting", "bob got something else")
            tm.keys(t, "C-c")
            tm.wait_screen(t, lambda ls: "EXIT=0" in ls, what="EXIT=0")
            with open(path, "rb") as f:
                check(f.read() == b"good line\nstill chatting\n", "the file was not compacted: %r" % open(path, "rb").read()[:200])
            check(stat.S_IMODE(os.stat(path).st_mode) == 0o600, "mode %o after compaction" % os.stat(path).st_mode)
            # unreadable: a directory where the file should be
            os.remove(path)
            os.mkdir(path)
            t = tm.start(alice_script(binary, port, tmp))
            tm.wait_row(t, "[alice] >")
            tm.wait_screen(t, lambda ls: warnings_on(tm, t), what="the warning")
            w = warnings_on(tm, t)
            check(len(w) == 1 and "cannot read" in w[0], "warnings: %r" % w)
            m = bob.mark()
            tm.type(t, "chat goes on")
            tm.keys(t, "Enter")
            check(message_from(bob, "alice", m)["text"] == "chat goes on", "bob got something else")
            tm.keys(t, "C-c")
            tm.wait_screen(t, lambda ls: "EXIT=0" in ls, what="EXIT=0")
            check(os.path.isdir(path), "the directory was replaced")
    finally:
        tm.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def test_focus_mode_bytes(binary):
    """On a raw pty: focus reporting is turned on (CSI ?1004h) and off at exit (CSI ?1004l);
    the title is set only after a focus-out, pushed and popped on xterm's title stack, and
    ended by ST; a BEL is written for a private message only."""
    tmp = tempfile.mkdtemp(prefix="udpchat-notify-")
    try:
        with h.ProcessGroup(binary) as g:
            port, bob = room(g)
            env = {k: v for k, v in os.environ.items() if not k.startswith("LC_")}
            env.update(LANG="C.UTF-8", TERM="xterm", ASAN_OPTIONS="detect_leaks=0", XDG_STATE_HOME=tmp)
            m = bob.mark()
            p = Pty(h.wrapper_prefix() + [binary, "join", "127.0.0.1:%d" % port, "--nick", "alice", "--no-color"], env)
            try:
                bob.wait_event("join", start=m, nick="alice")
                p.wait_output(lambda o: b"\x1b[?1004h" in o, 10, "focus reporting on")
                bob_says(bob, ["plain"])
                p.wait_output(lambda o: b"<bob> plain" in o, 10, "bob's line")
                time.sleep(0.3)
                check(b"\x07" not in p.output() and b"\x1b]" not in p.output(), "a bell or a title for a plain line")
                p.write(b"\x1b[O")
                bob_says(bob, ["/msg alice ring"])
                p.wait_output(lambda o: b"\x07" in o, 10, "the bell")
                # the title follows the bell in its own write: wait for it rather than race it
                # ... up to its ST, which the pty reader may hand over in a later chunk
                p.wait_output(lambda o: b"\x1b]2;(1) udpchat\x1b\\" in o, 10, "the title, ended by ST")
                out = p.output()
                check(out.count(b"\x07") == 1, "%d bells" % out.count(b"\x07"))
                check(b"\x1b[22;0t\x1b]2;(1) udpchat\x1b\\" in out, "title not pushed and set: %r" % out[-200:])
                p.write(b"\x1b[I")
                p.wait_output(lambda o: o.endswith(b"\x1b]2;udpchat\x1b\\\x1b[23;0t") or b"\x1b[23;0t" in o, 10,
                              "the title popped")
                p.write(b"\x03")
                check(p.wait_exit(15) == 0, "exit code")
                check(b"\x1b[?1004l" in p.output().split(b"\x1b[?1004h")[-1], "focus reporting not turned off")
            finally:
                p.kill()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    if not shutil.which("tmux"):
        print("SKIP: tmux is not installed (apt-get install tmux); the console tests need it", flush=True)
        sys.exit(SKIP)
    h.main([test_bell_and_highlight, test_title_unread, test_history_survives_restart, test_history_corrupt,
            test_focus_mode_bytes])


if __name__ == "__main__":
    main()
