#!/usr/bin/env python3
"""gui_bench.py -- row 10 of bench/run: the window (`udpchat gui join`) under Xvfb, software renderer.

  idle   CPU (utime+stime, /proc/PID/stat) of RUNS idle windows side by side over --idle-secs,
         against an idle console `udpchat join` client and a `sleep` in the same room and window
         of time (row 4's method).
  frames draw+present time of each frame while scrolling, from UDPCHAT_GUI_FRAMES=FILE (one
         line per frame, microseconds; src/gui/gui_stats.c). The window joins a room whose chat
         log holds --messages (100,000) stored messages and a sender writes 1,000 messages live.
         Then PageUp (xdotool, DELAY_MS apart) until the first stored message is at the top (the
         window reads the log in by pages of 200 as it nears the top of what it holds and lets
         the newest go past 1,000: src/app/gui_pages.c; ~500 pages, ~5,000 presses); a wheel,
         then PageDown KEYS times: pages come back below.
         Also the time of each page (query + lines handed to the window: the file's "# page
         older|newer N" lines). Baseline: the same window and presses with a 40-message
         conversation.
  start  process start (just before the fork) to the first frame presented (the file's
         "# first frame presented at unix_us" line), against `udpchat --version` start to exit.
  rss    peak RSS (VmHWM) of the window after the scrolling (the CJK face loaded, Chinese drawn),
         against a console `udpchat join` client with the same chat log and messages.

Prints "key<TAB>value" sample lines for report.py; progress on stderr. Every wait is bounded.
A benchmark, not a test: exits 0 whenever it could measure. Linux only (/proc, Xvfb, xdotool)."""
import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import udpchat_harness as h  # noqa: E402
from idle_cpu import Killer  # noqa: E402  (lets the group end a plain subprocess)

TICK = os.sysconf("SC_CLK_TCK")
HANZI = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
         "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好")
WORDS = ("udp", "chat", "room", "relay", "message", "window", "scroll", "frame", "font", "line", "test", "latin")
UP_CHUNKS = 24   # 500 PageUps each (~25 rows a press), until the first of 100,000 messages is at the top
KEYS = 1500      # PageDowns after that (the short conversation: as many PageUps first)
WHEEL = 100      # wheel clicks down in between (3 rows each)
DELAY_MS = 15    # between two presses (a frame is drawn for each: p50 ~2 ms)
LIVE = 1000      # messages the sender writes while the window is open
SHORT = 40       # the baseline's conversation


def log(*a):
    print("gui_bench:", *a, file=sys.stderr, flush=True)


def cpu_ms(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000.0 / TICK


def hwm_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def text_of(rng, i):
    """A message of mixed Chinese and Latin, 8 to ~140 characters (some wrap twice)."""
    parts, n = ["#%d" % i], rng.choice((8, 20, 40, 70, 140))
    while sum(len(p) + 1 for p in parts) < n:
        parts.append(rng.choice(WORDS) if rng.random() < 0.4 else "".join(rng.choice(HANZI) for _ in range(rng.randint(2, 12))))
    return " ".join(parts)


class Xvfb:
    """An X server of our own on a free display (-displayfd), as tests/integration/test_gui.py."""

    def __init__(self):
        for tool in ("Xvfb", "xdotool"):
            if not shutil.which(tool):
                raise SystemExit("gui_bench: %s is not installed (apt-get install xvfb xdotool)" % tool)
        r, w = os.pipe()
        self.proc = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
                                     pass_fds=(w,), stderr=subprocess.DEVNULL)
        os.close(w)
        with os.fdopen(r) as f:
            self.display = ":" + f.readline().strip()
        self.env = dict(os.environ, DISPLAY=self.display, SDL_RENDER_DRIVER="software")
        self.env.pop("WAYLAND_DISPLAY", None)

    def run(self, *args, timeout=60):
        return subprocess.run(list(args), env=self.env, capture_output=True, text=True, timeout=timeout)

    def window(self, name, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = self.run("xdotool", "search", "--name", name).stdout.split()
            if out:
                return out[0]
            time.sleep(0.1)
        raise SystemExit("gui_bench: no window named %r appeared" % name)

    def close(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def make_log(binary, path, place, n):
    """A chat log of n messages in `place` (the room), made by udpchat's schema, filled in bulk."""
    rc, _, err = h.run_cli(["history", "--file", path, "--limit", "1"], binary=binary)
    if rc != 0:
        raise SystemExit("gui_bench: udpchat history --file failed: %s" % err)
    rng = random.Random(1)
    t0 = 1790000000
    db = sqlite3.connect(path)
    db.executemany("INSERT INTO messages(time, place, conv, sender, recipient, address, kind, own, state, text)"
                   " VALUES (?,?,?,?,?,?,?,?,?,?)",
                   ((t0 + i, place, "", "peer%d" % (i % 50), "", "", "public", 0, "", text_of(rng, i)) for i in range(n)))
    db.commit()
    # udpchat's own indexing statement (src/store/history.c): nothing left for the window to index
    db.executescript("INSERT INTO messages_fts(rowid, text) SELECT id, text FROM messages WHERE id > "
                     "(SELECT last FROM fts_done); UPDATE fts_done SET last = (SELECT coalesce(max(id), 0) FROM messages);")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def home_with_log(binary, place, n):
    home = h.private_home("udpchat-guibench-")
    d = os.path.join(home["XDG_DATA_HOME"], "udpchat")
    os.makedirs(d)
    if n:
        make_log(binary, os.path.join(d, "history.db"), place, n)
    return home


def frame_lines(path):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except OSError:
        return []


def quiet(path, still=0.7, limit=30.0):
    """Waits until the window drew no frame for `still` seconds (at most `limit`)."""
    end, n, since = time.monotonic() + limit, -1, time.monotonic()
    while time.monotonic() < end:
        m = len(frame_lines(path))
        if m != n:
            n, since = m, time.monotonic()
        elif time.monotonic() - since >= still:
            return
        time.sleep(0.05)


def pct(vals, q):
    s = sorted(vals)
    return s[min(len(s) - 1, int(round(q / 100.0 * (len(s) - 1))))]


def scroll_run(binary, x, tmp, stored, live, run):
    """One window in a room; returns (frames in us, first-frame ms, window VmHWM KiB, console VmHWM KiB)."""
    with h.ProcessGroup(binary) as g:
        port = h.free_udp_port()
        g.start(["server", "--port", port, "--json"], name="server").wait_ready()
        place = "join 127.0.0.1:%d" % port
        home = home_with_log(binary, place, stored)
        frames = os.path.join(tmp, "frames.%d.%d" % (stored, run))
        env = dict(x.env, UDPCHAT_GUI_FRAMES=frames, **home)
        t0 = time.time()
        win = g.start(["gui", "join", "127.0.0.1:%d" % port, "--nick", "viewer"], name="viewer", env=env, stdin=False)
        wid = x.window("udpchat - viewer")
        log("run %d: window up (%d stored messages)" % (run, stored))
        chome = home_with_log(binary, place, stored)  # the console's own copy of the same log
        con = g.start(["join", "127.0.0.1:%d" % port, "--nick", "console", "--json"], name="console", env=chome)
        con.wait_event("status", text="joined", timeout=20)
        tx = g.start(["join", "127.0.0.1:%d" % port, "--nick", "tx", "--json", "--no-history"], name="tx")
        tx.wait_event("status", text="joined", timeout=20)
        x.run("xdotool", "windowfocus", "--sync", wid)
        quiet(frames, limit=60)
        rng = random.Random(2)
        lines = [text_of(rng, i) for i in range(live - 1)] + ["the last live line"]
        for i in range(0, live, 100):  # 100 every 0.125 s: under the relay's 1,000 a second per member
            tx.send_lines(lines[i:i + 100])
            time.sleep(0.125)
        win.wait_for(lambda e: e.get("event") == "_raw" and "the last live line" in e.get("line", ""), timeout=60)
        con.wait_event("message", text="the last live line", timeout=60)
        quiet(frames, limit=60)
        before = len(frame_lines(frames))
        x.run("xdotool", "windowfocus", "--sync", wid)
        x.run("xdotool", "mousemove", "--window", wid, "500", "300")
        if stored:  # up to the first stored message: the log read in by pages all the way
            want = (stored - 200 + 199) // 200 + 1  # the pages above the first, then one that finds none
            for _ in range(UP_CHUNKS):
                x.run("xdotool", "key", "--delay", str(DELAY_MS), *(["Prior"] * 500), timeout=120)
                if sum(1 for l in frame_lines(frames)[before:] if l.startswith("# page older ")) >= want:
                    break
        else:
            x.run("xdotool", "key", "--delay", str(DELAY_MS), *(["Prior"] * KEYS), timeout=120)
        x.run("xdotool", "click", "--repeat", str(WHEEL), "--delay", str(DELAY_MS), "5")
        x.run("xdotool", "key", "--delay", str(DELAY_MS), *(["Next"] * KEYS), timeout=120)
        quiet(frames, limit=60)
        all_lines = frame_lines(frames)
        first = [l for l in all_lines if l.startswith("# first frame presented at unix_us ")]
        us = [int(l) for l in all_lines[before:] if l and not l.startswith("#")]
        pages = [int(l.rsplit(" ", 1)[1]) for l in all_lines[before:] if l.startswith("# page ")]
        older = sum(1 for l in all_lines[before:] if l.startswith("# page older "))
        if stored and older < (stored - 200 + 199) // 200 + 1:
            log("run %d: only %d pages read above: the first message was not reached" % (run, older))
        if not first or not us:
            raise SystemExit("gui_bench: the window wrote no frames to %s (UDPCHAT_GUI_FRAMES)" % frames)
        first_ms = int(first[0].rsplit(" ", 1)[1]) / 1000.0 - t0 * 1000.0
        hw, hc = hwm_kib(win.pid), hwm_kib(con.pid)
        log("run %d: %d frames while scrolling, p50 %d us, p99 %d us, max %d us; %d pages read, p99 %d us; first frame "
            "%.0f ms; VmHWM %d KiB (console %d KiB)" % (run, len(us), pct(us, 50), pct(us, 99), max(us), len(pages),
                                                        pct(pages, 99) if pages else 0, first_ms, hw, hc))
        for p in (win, con, tx):
            p.kill()
    return us, (pages, older), first_ms, hw, hc


def idle(binary, x, sets, secs):
    """sets idle windows, console join clients and sleeps in one room; their CPU ms over secs."""
    out = {"window": [], "join": [], "sleep": []}
    with h.ProcessGroup(binary) as g:
        port = h.free_udp_port()
        g.start(["server", "--port", port, "--json"], name="server").wait_ready()
        pids = []
        for k in range(sets):
            win = g.start(["gui", "join", "127.0.0.1:%d" % port, "--nick", "win%d" % k], name="win%d" % k,
                          env=x.env, stdin=False)
            x.window("udpchat - win%d" % k)
            con = g.start(["join", "127.0.0.1:%d" % port, "--nick", "con%d" % k, "--json"], name="con%d" % k)
            con.wait_event("status", text="joined", timeout=20)
            slp = subprocess.Popen(["sleep", str(int(secs) + 60)])
            pids += [("window", win.pid), ("join", con.pid), ("sleep", slp.pid)]
            g.add(Killer(slp))
        time.sleep(2.0)  # let start-up work settle
        before = {p: cpu_ms(p) for _, p in pids}
        time.sleep(secs)
        for name, p in pids:
            out[name].append(cpu_ms(p) - before[p])
    return out


def version_ms(binary):
    t0 = time.time()
    subprocess.run([binary, "--version"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    return (time.time() - t0) * 1000.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary", nargs="?", default=os.path.join(HERE, "..", "build", "bench", "udpchat"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--idle-secs", type=float, default=60.0)
    ap.add_argument("--messages", type=int, default=100000)
    ap.add_argument("--skip-idle", action="store_true")
    o = ap.parse_args()
    x = Xvfb()
    tmp = tempfile.mkdtemp(prefix="udpchat-guibench-")
    try:
        if not o.skip_idle:
            log("idle: %d windows, %d console join clients and %d sleeps over %.0f s" % (o.runs, o.runs, o.runs, o.idle_secs))
            for name, vals in idle(o.binary, x, o.runs, o.idle_secs).items():
                for v in vals:
                    print("gui.idle.%s\t%.1f" % (name, v), flush=True)
        for run in range(1, o.runs + 1):  # interleaved: the long conversation, then the short one
            us, (pages, older), first, hw, hc = scroll_run(o.binary, x, tmp, o.messages, LIVE, run)
            print("gui.frame.p50_us\t%d\ngui.frame.p99_us\t%d\ngui.frame.max_us\t%d\ngui.frame.count\t%d" % (
                pct(us, 50), pct(us, 99), max(us), len(us)), flush=True)
            if pages:
                print("gui.page.older\t%d" % older, flush=True)
                print("gui.page.count\t%d\ngui.page.p50_us\t%d\ngui.page.p99_us\t%d\ngui.page.max_us\t%d" % (
                    len(pages), pct(pages, 50), pct(pages, 99), max(pages)), flush=True)
            print("gui.start.first_frame_log_ms\t%.1f\ngui.rss.window_kib\t%d\ngui.rss.join_kib\t%d" % (first, hw, hc),
                  flush=True)
            us, _, first, hw, hc = scroll_run(o.binary, x, tmp, 0, SHORT, run)
            print("gui.frame.short.p50_us\t%d\ngui.frame.short.p99_us\t%d\ngui.frame.short.max_us\t%d" % (
                pct(us, 50), pct(us, 99), max(us)), flush=True)
            print("gui.start.first_frame_ms\t%.1f\ngui.start.version_ms\t%.1f" % (first, version_ms(o.binary)), flush=True)
    finally:
        x.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
