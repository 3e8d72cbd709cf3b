#!/usr/bin/env python3
"""report.py -- the table of bench/run from its samples file (key TAB value per line).

Each row: median of the runs, [min-max], against a baseline measured in the same bench/run;
ratio = median(value) / median(baseline). Targets are reported (met / MISSED), never enforced.
"""
import statistics
import sys
from collections import defaultdict

TICK_MS = 10.0  # USER_HZ 100: the resolution of /proc/PID/stat CPU times


def load(path):
    d = defaultdict(list)
    notes = []
    for line in open(path, encoding="utf-8"):
        k, _, v = line.rstrip("\n").partition("\t")
        if k in ("error", "note", "uptime"):
            notes.append("%s: %s" % (k, v))
            continue
        try:
            d[k].append(float(v))
        except ValueError:
            pass
    return d, notes


def fmt(x):
    if x is None:
        return "-"
    a = abs(x)
    if a >= 1000:
        return "{:,.0f}".format(x)
    if a >= 100:
        return "%.0f" % x
    if a >= 10:
        return "%.1f" % x
    return "%.2f" % x


def cell(vals):
    if not vals:
        return "n/a", None
    m = statistics.median(vals)
    if len(vals) == 1:
        return fmt(m) + " (1 run)", m
    return "%s [%s-%s]" % (fmt(m), fmt(min(vals)), fmt(max(vals))), m


# (row, what, unit, value key, baseline key or None, baseline name, target text, check)
# check(value_median, ratio) -> True/False, or None when the row has no target
ge = lambda t: (lambda v, r: None if r is None else r >= t)  # noqa: E731
ROWS = []
for n in (1, 8, 64):
    ROWS += [
        ("1", "relay forwarding, N=%d receivers" % n, "datagrams/s", "fwd.relay.%d" % n, "fwd.sdl.%d" % n,
         "fwd_sdlnet", ">= 0.8x", ge(0.8)),
        ("1", "relay forwarding, N=%d receivers" % n, "datagrams/s", "fwd.relay.%d" % n, "fwd.posix.%d" % n,
         "fwd_posix", "-", None),
        ("1", "fwd_sdlnet forwarding, N=%d (SDL_net's cost)" % n, "datagrams/s", "fwd.sdl.%d" % n,
         "fwd.posix.%d" % n, "fwd_posix", "-", None),
    ]
ROWS += [
    ("1s", "syscalls per datagram received, relay (N=8, 5k/s)", "calls", "sys.relay", "sys.posix", "fwd_posix", "-", None),
    ("1s", "syscalls per datagram received, fwd_sdlnet", "calls", "sys.sdl", "sys.posix", "fwd_posix", "-", None),
    ("1s", "select/pselect6 per datagram, relay", "calls", "sel.relay", "sel.sdl", "fwd_sdlnet", "-", None),
    ("1s", "futex per datagram, relay", "calls", "futex.relay", "futex.sdl", "fwd_sdlnet", "-", None),
]
for rate in (1000, 10000):
    for q, tgt in (("p50_us", "-"), ("p99_us", "<= 2000 us" if rate == 10000 else "-"), ("max_us", "-")):
        chk = (lambda v, r: v <= 2000) if (rate == 10000 and q == "p99_us") else None
        ROWS.append(("2", "latency %s at %d msg/s (N=1)" % (q[:-3], rate), "us", "lat.relay.%d.%s" % (rate, q),
                     "lat.sdl.%d.%s" % (rate, q), "fwd_sdlnet", tgt, chk))
ROWS += [
    ("3", "relay RSS per plain-text client (10,000 joined)", "bytes", "rss.per_client", None, "-", "<= 2048 B",
     lambda v, r: v <= 2048),
    ("3", "relay deliveries/s, 10,000 silent + 8 measured members", "datagrams/s", "scale.scale.deliv",
     "scale.base.deliv", "same relay, 8 members", ">= 0.5x", ge(0.5)),
    ("3", "relay messages/s (<1% loss), 10,008 members", "msg/s", "scale.scale.msgs", "scale.base.msgs",
     "same relay, 8 members", "-", None),
    ("4", "idle `udpchat server` (1 idle client), 60 s", "CPU ms", "idle.server", "idle.sleep", "sleep 60",
     "< 50 ms", lambda v, r: v < 50),
    ("4", "idle `udpchat join`, 60 s", "CPU ms", "idle.join", "idle.sleep", "sleep 60", "< 50 ms",
     lambda v, r: v < 50),
    ("5", "convert GBK -> UTF-8, 100 MB", "MB/CPU-s", "conv.udpchat.g2u", "conv.iconv.g2u", "iconv", ">= 1.0x", ge(1.0)),
    ("5", "convert UTF-8 -> GBK, 100 MB", "MB/CPU-s", "conv.udpchat.u2g", "conv.iconv.u2g", "iconv", ">= 1.0x", ge(1.0)),
    ("6", "1000 peer messages, 20% loss: all received", "s", "lossy.drop.recv", "lossy.clean.recv", "clean link", "-", None),
    ("6", "1000 peer messages, 20% loss: all delivered (acked)", "s", "lossy.drop.all", "lossy.clean.all", "clean link", "-", None),
]

# row 7: amplification (bench/amplification.py); the value is already a ratio (victim bytes per
# attacker byte), so it is shown as value with no baseline; target <= 1.0x before verification
AMP_KINDS = {
    "server": ("hello_v2", "hello_v1", "hello_taken_v2", "hello_taken_v1", "plain_nick_200", "bad_version",
               "garbage_ff", "garbage_magic", "data_wrong_token", "data_v1"),
    "peer": ("hello_v2", "hello_v1", "plain_text", "bad_version", "garbage_ff", "garbage_magic",
             "data_wrong_token", "data_v1"),
    "lan": ("sendmsg_check", "br_entry", "hello_v2", "hello_v1", "bad_version", "garbage_ff", "garbage_magic"),
}
for mode, kinds in AMP_KINDS.items():
    for kind in kinds:
        ROWS.append(("7", "bytes back per stranger byte: %s, %s" % (mode, kind), "x", "amp.%s.%s" % (mode, kind),
                     None, "-", "<= 1.0x", lambda v, r: v <= 1.0))
ROWS += [
    ("7", "relay RSS growth, peak with 20,000 forged clients", "KiB", "ampmem.peak_grow_kib", None, "-", "bounded", None),
    ("7", "relay RSS growth after the forged clients expired", "KiB", "ampmem.after_grow_kib", None, "-",
     "<= 10 MiB", lambda v, r: v <= 10240),
]

# row 8: IPMsg file transfer between two network namespaces (bench/files_bench.py)
ROWS += [
    ("8", "file transfer udpchat -> udpchat, two namespaces", "MB/s", "files.udpchat.mbps", "files.tcp.mbps",
     "plain TCP copy", ">= 0.9x", ge(0.9)),
    ("8", "sender RSS growth while serving a 2 GiB file", "KiB", "files.rss.grow_kib", None, "-", "< 20 MiB",
     lambda v, r: v < 20480),
]
ROWS += [
    ("9", "messages/s through the relay to a join client keeping the chat log (4 x 900/s sent)", "msg/s", "hist.relay.on", "hist.relay.off",
     "--no-history", ">= 0.95x", ge(0.95)),
    ("9", "CPU per message shown, join client keeping the chat log", "us", "hist.cpu.on", "hist.cpu.off",
     "--no-history", "-", None),
    ("9", "/search in a running chat, 1,000,000 stored messages", "ms", "hist.chat_search.ms", "hist.grep.ms",
     "grep -c", "< 1.0x", lambda v, r: None if r is None else r < 1.0),
    ("9", "search of 1,000,000 stored messages (udpchat history --search, a process)", "ms", "hist.search.ms",
     "hist.grep.ms", "grep -c", "-", None),
    ("9", "the same process's start alone (udpchat --version)", "ms", "hist.version.ms", "hist.search.ms",
     "history --search", "-", None),
]

# row 10: the window under Xvfb, software renderer (bench/gui_bench.py)
ROWS += [
    ("10", "idle `udpchat gui join` window, 60 s", "CPU ms", "gui.idle.window", "gui.idle.join",
     "console `join`", "< 50 ms", lambda v, r: v < 50),
    ("10", "idle `udpchat gui join` window, 60 s", "CPU ms", "gui.idle.window", "gui.idle.sleep", "sleep", "-", None),
    ("10", "frame (draw+present) p99, scrolling a conversation of 100,000 stored messages", "us", "gui.frame.p99_us",
     "gui.frame.short.p99_us", "40 messages", "< 16,000 us", lambda v, r: v < 16000),
    ("10", "frame p50, scrolling 100,000 stored", "us", "gui.frame.p50_us", "gui.frame.short.p50_us",
     "40 messages", "-", None),
    ("10", "frame max, scrolling 100,000 stored", "us", "gui.frame.max_us", "gui.frame.short.max_us",
     "40 messages", "-", None),
    ("10", "a page of 200 read from the log and handed to the window, p50", "us", "gui.page.p50_us", None,
     "-", "-", None),
    ("10", "a page read, p99", "us", "gui.page.p99_us", None, "-", "< 16,000 us", lambda v, r: v < 16000),
    ("10", "a page read, max", "us", "gui.page.max_us", None, "-", "-", None),
    ("10", "start to first frame presented (fresh home)", "ms", "gui.start.first_frame_ms", "gui.start.version_ms",
     "`udpchat --version`", "-", None),
    ("10", "start to first frame presented (100,000 stored)", "ms", "gui.start.first_frame_log_ms",
     "gui.start.version_ms", "`udpchat --version`", "-", None),
    ("10", "peak RSS (VmHWM) of the window, CJK face loaded, after scrolling", "KiB", "gui.rss.window_kib",
     "gui.rss.join_kib", "console `join`", "< 100 MiB", lambda v, r: v < 102400),
]


def main():
    d, notes = load(sys.argv[1])
    print("| row | measure | unit | value: median [min-max] | baseline | baseline: median [min-max] | ratio | target | met |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row, what, unit, vk, bk, bname, target, check in ROWS:
        if vk not in d:
            continue
        vcell, vm = cell(d[vk])
        bcell, bm = cell(d.get(bk, [])) if bk else ("-", None)
        if bk and bk.startswith(("idle.", "gui.idle.")) and bm is not None:
            bm = max(bm, TICK_MS)  # sleep uses 0 ticks: ratio against one tick
        ratio = vm / bm if (vm is not None and bm) else None
        met = "-"
        if check is not None and vm is not None:
            ok = check(vm, ratio)
            met = "-" if ok is None else ("yes" if ok else "MISSED")
        print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            row, what, unit, vcell, bname, bcell, "%.2fx" % ratio if ratio is not None else "-", target, met))
    for k in ("gui.frame.count", "gui.page.count", "gui.page.older", "files.rss.idle_kib", "rss.before_kib", "rss.after_kib", "rss.registered", "rss.reg_secs", "ampmem.base_kib",
              "ampmem.peak_kib", "ampmem.after_kib"):
        if k in d:
            print("\n%s = %s" % (k, ", ".join(fmt(v) for v in d[k])), end="")
    print()
    for n in notes:
        print("\n" + n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
