#!/usr/bin/env python3
"""test_gui_windows.py -- the Windows window under Wine + Xvfb: udpchatw.exe (the GUI-subsystem
exe a double-click starts) chats in peer mode on loopback with the Linux `udpchat peer --json`;
xdotool types ASCII and Chinese (committed text) into it and the Linux side gets exactly that;
the Linux side's Chinese is drawn in the window (with WenQuanYi Micro Hei next to the exe: Wine
has no Chinese font of its own). `udpchat.exe gui` (the console exe) opens the same window.
udpchatw.exe's errors (a port in use, a wrong option) are shown in a window.
Screenshots (PNG) go to gui-shots/ in the build tree, for a person to look at.

usage: test_gui_windows.py PATH/TO/udpchat PATH/TO/udpchat.exe [TEST...]
(skipped, exit 77, without the .exe, udpchatw.exe, Wine, Xvfb, xdotool or ImageMagick)"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mixed_os as mx  # noqa: E402
import udpchat_harness as h  # noqa: E402
from udpchat_harness import check  # noqa: E402
from test_gui import CONV_ALL, Xvfb, dark, region_pixels, settled_pixels, shot_until, type_line  # noqa: E402

# One X server for the script, made before Wine starts: Wine's desktop process (explorer.exe),
# which the prefix's first program starts, owns every window and must have the display.
X = None

# CONV_ALL (test_gui): the whole conversation of a 900x600 window at 100%, down to the row above
# the input box (the newest lines are drawn at its bottom: a box that stops short of them sees
# only older lines move). Screenshots are retaken until the window under Wine has drawn what
# the test waited for on stdout (shot_until, bounded): a fixed sleep raced with it under load.
WINE_DRAW = 10  # seconds (scaled) for Wine's window to draw a line already printed

LONG_ZH = "中文消息：今天下午三点在会议室开会，请大家准时参加。我们将讨论新版本的发布计划。"


def printed(text):
    """A predicate: a line the window printed on stdout (line mode, in GBK: Wine plays a
    Chinese Windows) holds text."""
    return lambda e: (e.get("event") == "_raw" and "_hex" in e
                      and text in bytes.fromhex(e["_hex"]).decode("gbk", "replace"))


def exe_w():
    """udpchatw.exe next to udpchat.exe (skipped when the build has no window)."""
    path = os.path.join(os.path.dirname(mx.CTX.exe), "udpchatw.exe")
    if not os.path.isfile(path):
        raise h.Skip("no udpchatw.exe next to %s (a build without UDPCHAT_GUI?)" % mx.CTX.exe)
    return path


def start_pair(g, x, binary, args):
    """bob: the Linux console (--json); alice: the window under Wine, on Xvfb's display."""
    pa, pb = h.free_udp_ports(2)
    bob = mx.lin(g, ["peer", "127.0.0.1:%d" % pa, "--port", pb, "--nick", "bob"], name="bob")
    env = dict(mx.CTX.win_env, DISPLAY=x.display)
    env.pop("WAYLAND_DISPLAY", None)
    alice = g.start(args + ["peer", "127.0.0.1:%d" % pb, "--port", pa, "--nick", "alice", "--no-history"],
                    name="alice", binary=binary, wrapper=mx.CTX.wrapper, env=env, charset="gbk", stdin=False)
    wid = x.window("udpchat - alice", timeout=60)
    bob.wait_event("join", nick="alice", timeout=30)
    time.sleep(1)
    return alice, bob, wid


def test_windowed_exe_chat(linux):
    """udpchatw.exe: typed ASCII and Chinese reach the Linux side exactly; its Chinese is drawn."""
    x = X
    with h.ProcessGroup(linux) as g:
        alice, bob, wid = start_pair(g, x, exe_w(), [])
        title = x.run("xdotool", "getwindowname", wid).stdout.strip()
        check(title == "udpchat - alice (peer)", "window title %r" % title)
        for text in ("hello from Windows", "你好，窗口。中文输入"):
            type_line(x, wid, text, delay=80 if text.isascii() else 150)
            bob.wait_event("message", text=text, timeout=20)
        before = settled_pixels(x, wid, "gui-win-1-typed.png", CONV_ALL, WINE_DRAW)
        bob.send_line(LONG_ZH)
        bob.send_line("Latin and 中文 mixed: 再见 bye")
        alice.wait_for(printed("<bob> Latin and 中文 mixed: 再见 bye"), timeout=20)
        grown = lambda path: dark(region_pixels(x, path, CONV_ALL)) > dark(before) + 2000
        after = region_pixels(x, shot_until(x, wid, "gui-win-2-received.png", grown, WINE_DRAW), CONV_ALL)
        check(dark(after) > dark(before) + 2000, "too little new text drawn: %d -> %d dark pixels"
              % (dark(before), dark(after)))
        msgs = [m["text"] for m in bob.of_type("message")]
        check(msgs == ["hello from Windows", "你好，窗口。中文输入"], "bob got %r" % msgs)
        type_line(x, wid, "/quit")
        check(alice.wait_exit(timeout=20) == 0, "the window did not quit with /quit", alice)
        bob.wait_event("leave", nick="alice", timeout=20)


def test_console_exe_gui(linux):
    """`udpchat.exe gui peer ...` (from a console) opens the same window and chats."""
    x = X
    with h.ProcessGroup(linux) as g:
        alice, bob, wid = start_pair(g, x, mx.CTX.exe, ["gui"])
        type_line(x, wid, "控制台 gui", delay=150)
        bob.wait_event("message", text="控制台 gui", timeout=20)
        bob.send_line("收到")
        alice.wait_for(printed("<bob> 收到"), timeout=20)
        time.sleep(1)
        x.shot(wid, "gui-win-3-console-exe.png")
        type_line(x, wid, "/quit")
        check(alice.wait_exit(timeout=20) == 0, "the window did not quit with /quit", alice)


def error_window(g, x, args, name, needle, binary=None, title="^udpchat$"):
    """udpchatw.exe with args that fail: the error is shown in a window titled "udpchat" (no
    console shows stderr); Enter closes it; returns the exit code."""
    env = dict(mx.CTX.win_env, DISPLAY=x.display)
    p = g.start(args, name="alice", binary=binary or exe_w(), wrapper=mx.CTX.wrapper, env=env, charset="gbk",
                stdin=False)
    wid = x.window(title, timeout=60)
    time.sleep(1)
    x.shot(wid, name)
    x.run("xdotool", "windowfocus", "--sync", wid)
    x.run("xdotool", "key", "Return")
    rc = p.wait_exit(timeout=20)
    check(any(needle in l for l in p.stderr_lines), "stderr has no %r" % needle, p)
    return rc


def test_windowed_exe_errors(linux):
    """udpchatw.exe: a port in use (exit 1) and a wrong option (exit 2) are shown in a window."""
    x = X
    with h.ProcessGroup(linux) as g:
        pa, pb = h.free_udp_ports(2)
        bob = mx.lin(g, ["peer", "127.0.0.1:%d" % pa, "--port", pb, "--nick", "bob"], name="bob")
        bob.wait_ready()
        rc = error_window(g, x, ["peer", "127.0.0.1:%d" % pb, "--port", pb, "--no-history"],
                          "gui-win-4-port-taken.png", "cannot use UDP port %d" % pb)
        check(rc == 1, "port taken: exit %d" % rc)
        rc = error_window(g, x, ["peer", "127.0.0.1:%d" % pb, "--no-such-option"], "gui-win-5-bad-option.png",
                          "--no-such-option")
        check(rc == 2, "wrong option: exit %d" % rc)


def test_fonts_folder(linux):
    """The font lookup of a real Windows: udpchatw.exe alone in a folder (no font next to it)
    and no Chinese font in C:\\windows\\Fonts says so in a window (exit 1); with Microsoft
    YaHei's file name (msyh.ttc: here WenQuanYi's bytes) in the Fonts folder it opens, takes
    Latin from it too (Wine has no Segoe UI or Arial), and draws the Linux side's Chinese."""
    x = X
    work = tempfile.mkdtemp(prefix="udpchat-winfonts-")
    fonts = os.path.join(mx.CTX.prefix, "drive_c", "windows", "Fonts")
    yahei = os.path.join(fonts, "msyh.ttc")
    wqy = os.path.join(os.path.dirname(mx.CTX.exe), "wqy-microhei.ttc")
    try:
        lone = os.path.join(work, "udpchatw.exe")
        shutil.copy(exe_w(), lone)
        if os.path.exists(yahei):
            os.remove(yahei)
        with h.ProcessGroup(linux) as g:
            rc = error_window(g, x, ["peer", "127.0.0.1:9", "--no-history"], "gui-win-6-no-font.png",
                              "no font found", binary=lone, title="^udpchat gui$")  # a message box
            check(rc == 1, "no font: exit %d" % rc)
        check(os.path.isfile(wqy), "no %s to stand in for Microsoft YaHei" % wqy)
        os.makedirs(fonts, exist_ok=True)
        shutil.copy(wqy, yahei)
        with h.ProcessGroup(linux) as g:
            alice, bob, wid = start_pair(g, x, lone, [])
            before = settled_pixels(x, wid, "gui-win-7-yahei-before.png", CONV_ALL, WINE_DRAW)
            bob.send_line(LONG_ZH)
            alice.wait_for(printed("<bob> " + LONG_ZH[:10]), timeout=20)
            grown = lambda path: dark(region_pixels(x, path, CONV_ALL)) > dark(before) + 1500
            after = region_pixels(x, shot_until(x, wid, "gui-win-7-yahei.png", grown, WINE_DRAW), CONV_ALL)
            check(dark(after) > dark(before) + 1500, "too little Chinese drawn: %d -> %d dark pixels"
                  % (dark(before), dark(after)))
            type_line(x, wid, "/quit")
            check(alice.wait_exit(timeout=20) == 0, "the window did not quit with /quit", alice)
    finally:
        if os.path.exists(yahei):
            os.remove(yahei)
        shutil.rmtree(work, ignore_errors=True)


def set_screen_dpi(dpi):
    """Wine's screen DPI (winecfg's setting; 96 is 100%), for the prefix's next programs."""
    mx.shutdown_wine()
    r = subprocess.run(mx.CTX.wrapper + ["reg", "add", "HKEY_CURRENT_CONFIG\\Software\\Fonts", "/v", "LogPixels",
                                         "/t", "REG_DWORD", "/d", str(dpi), "/f"],
                       capture_output=True, timeout=h.T(120), env=dict(os.environ, **mx.CTX.win_env))
    check(r.returncode == 0, "reg add LogPixels %d: %r" % (dpi, r.stderr))
    mx.shutdown_wine()


def test_hidpi_200(linux):
    """A Windows screen at 200% (Wine's DPI 192): the window opens at twice its size in pixels
    (1800x1200 for 900x600), is drawn all over (the status bar at its very bottom, the roster at
    its left), with the text twice as big, and shows the Linux side's Chinese."""
    x = X
    try:
        set_screen_dpi(192)
        with h.ProcessGroup(linux) as g:
            alice, bob, wid = start_pair(g, x, exe_w(), [])
            geo = x.run("xdotool", "getwindowgeometry", wid).stdout
            size = [l.split(":", 1)[1].strip() for l in geo.splitlines() if "Geometry" in l]
            check(size == ["1800x1200"], "the window at 200%%: %r" % geo)
            bob.send_line(LONG_ZH)
            alice.wait_for(printed("<bob> " + LONG_ZH[:10]), timeout=20)
            drawn = lambda path: dark(region_pixels(x, path, (900, 20, 1790, 1100))) > 500
            shot = shot_until(x, wid, "gui-win-8-hidpi-200.png", drawn, WINE_DRAW)
            status = region_pixels(x, shot, (1700, 1185, 1790, 1195))  # inside the status bar
            check(status[:3] == bytes((0x2D, 0x34, 0x40)), "the bottom right is not the status bar: %r" % status[:6])
            right = region_pixels(x, shot, (900, 20, 1790, 1100))  # the right half of the conversation
            check(dark(right) > 500, "nothing drawn in the right half at 200%% (%d dark pixels)" % dark(right))
            bar_top = next((y for y in range(1199, 1100, -1)
                            if region_pixels(x, shot, (5, y, 6, y + 1))[:3] != bytes((0x2D, 0x34, 0x40))), 1199)
            check(1199 - bar_top >= 2 * 24, "the status bar is %d pixels high: not twice 100%%'s" % (1199 - bar_top))
            type_line(x, wid, "/quit")
            check(alice.wait_exit(timeout=20) == 0, "the window did not quit with /quit", alice)
    finally:
        set_screen_dpi(96)


def main():
    global X
    try:
        X = Xvfb("2048x1536")  # room for a window at 200% (test_hidpi_200)
    except h.Skip as e:
        mx.skip(str(e))
    os.environ["DISPLAY"] = X.display  # every Wine process of the prefix, from the first one
    os.environ.pop("WAYLAND_DISPLAY", None)
    try:
        mx.main([test_windowed_exe_chat, test_console_exe_gui, test_windowed_exe_errors, test_fonts_folder,
                 test_hidpi_200])
    finally:
        mx.shutdown_wine()
        X.close()


if __name__ == "__main__":
    main()
