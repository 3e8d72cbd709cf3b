"""mixed_os.py -- shared by the mixed-OS tests (test_mixed_*.py, CTest label "mixed"): one test
runs the Linux build and the Windows build (udpchat.exe under Wine, through cmake/wine-run.sh)
side by side on loopback.

    usage: test_mixed_X.py PATH/TO/udpchat PATH/TO/udpchat.exe [TEST...]

The .exe may also come from env UDPCHAT_WINDOWS_EXE. Exits 77 (CTest: skipped) when the .exe
or Wine is missing. Wine runs in its own prefix, env UDPCHAT_MIXED_WINEPREFIX (default: a
directory "wineprefix-mixed" next to the .exe; created on first use, ~20 s, then reused), and
every Wine process in it is ended when the script ends (`wineserver -k`), pass or fail.

The Windows side plays a Chinese Windows: LC_ALL=zh_CN.GBK in Wine's environment makes Wine's
ANSI code page (GetACP) 936, so udpchat.exe's console charset is GBK. setup() proves that with
`udpchat.exe convert` (its default --to is the ANSI code page's charset); if the locale is
missing it is generated with localedef (needs root and Debian's `locales`), and if that fails
too the .exe gets --charset gbk instead (printed as a NOTE).
"""
import atexit
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import udpchat_harness as h  # noqa: E402

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))
WINE_RUN = os.path.normpath(os.path.join(HERE, "..", "..", "cmake", "wine-run.sh"))
GBK_LOCALE = "zh_CN.GBK"
LINUX_ENV = {"LC_ALL": "C.UTF-8"}  # the Linux side: a UTF-8 console


class Ctx:
    linux = None        # the Linux udpchat
    exe = None          # udpchat.exe
    wrapper = [WINE_RUN]
    win_env = {}        # environment of every Windows process (the GBK locale)
    gbk_acp = False     # Wine's ANSI code page is 936 (else the fallback: --charset gbk)
    win_charset = []    # extra arguments of every Windows chat process ([] or --charset gbk)
    prefix = None


CTX = Ctx()


def skip(why):
    print("SKIP: " + why, flush=True)
    sys.exit(SKIP)


def find_wine():
    """The wine loader wine-run.sh will use, or None."""
    for w in (os.environ.get("UDPCHAT_WINE"), "wine64", "/usr/lib/wine/wine64", "wine"):
        if w and (shutil.which(w) or (os.path.isabs(w) and os.access(w, os.X_OK))):
            return w
    return None


def parse_args(argv=None):
    """(linux binary, exe, test-name filters) from the command line."""
    argv = sys.argv[1:] if argv is None else argv
    pos = [a for a in argv if not a.startswith("-")]
    if not pos:
        raise SystemExit("usage: %s PATH/TO/udpchat PATH/TO/udpchat.exe [TEST...]" % sys.argv[0])
    linux = pos[0]
    if len(pos) > 1 and pos[1].lower().endswith(".exe"):
        exe, names = pos[1], pos[2:]
    else:
        exe, names = os.environ.get("UDPCHAT_WINDOWS_EXE", ""), pos[1:]
    return linux, exe, names


def run_exe(args, stdin=b"", timeout=60, env=None):
    """Runs udpchat.exe under Wine to completion; returns (rc, stdout bytes, stderr bytes)."""
    full = dict(os.environ)
    full.update(CTX.win_env if env is None else env)
    cmd = CTX.wrapper + [CTX.exe] + [str(a) for a in args]
    try:
        r = subprocess.run(cmd, input=stdin, capture_output=True, timeout=h.T(timeout), env=full)
    except subprocess.TimeoutExpired:
        raise h.HarnessError("%s did not finish within %.0fs" % (" ".join(cmd), h.T(timeout)))
    return r.returncode, r.stdout, r.stderr


def run_linux(args, stdin=b"", timeout=60):
    full = dict(os.environ)
    full.update(LINUX_ENV)
    full.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    cmd = [CTX.linux] + [str(a) for a in args]
    try:
        r = subprocess.run(cmd, input=stdin, capture_output=True, timeout=h.T(timeout), env=full)
    except subprocess.TimeoutExpired:
        raise h.HarnessError("%s did not finish within %.0fs" % (" ".join(cmd), h.T(timeout)))
    return r.returncode, r.stdout, r.stderr


def acp_is_gbk(env):
    """True if udpchat.exe's default charset under env is GBK: `convert` with no --to writes
    the ANSI code page's charset (charset_locale(): GetACP() 936 -> gbk)."""
    rc, out, err = run_exe(["convert", "--from", "utf-8"], "你好\n".encode("utf-8"), env=env)
    return rc == 0 and out.replace(b"\r", b"") == "你好\n".encode("gbk")


def locale_installed(name):
    try:
        out = subprocess.run(["locale", "-a"], capture_output=True, timeout=30).stdout.decode("latin-1")
    except (OSError, subprocess.TimeoutExpired):
        return False
    want = name.lower().replace("-", "")
    return any(l.strip().lower().replace("-", "") == want for l in out.split())


def setup_gbk():
    """Makes the Windows side a Chinese Windows (ACP 936), or falls back to --charset gbk."""
    env = {"LC_ALL": GBK_LOCALE, "LANG": GBK_LOCALE}
    if acp_is_gbk(env):
        print("  Wine with LC_ALL=%s: GetACP() = 936, console charset gbk" % GBK_LOCALE, flush=True)
        CTX.win_env, CTX.gbk_acp = env, True
        return
    if not locale_installed(GBK_LOCALE) and shutil.which("localedef"):
        print("  generating the %s locale: localedef -i zh_CN -f GBK %s" % (GBK_LOCALE, GBK_LOCALE), flush=True)
        r = subprocess.run(["localedef", "-i", "zh_CN", "-f", "GBK", GBK_LOCALE], capture_output=True, timeout=300)
        if r.returncode not in (0, 1):  # 1: warnings only
            print("  localedef failed (%d): %s" % (r.returncode, r.stderr.decode("utf-8", "replace").strip()))
        if acp_is_gbk(env):
            print("  Wine with LC_ALL=%s: GetACP() = 936, console charset gbk" % GBK_LOCALE, flush=True)
            CTX.win_env, CTX.gbk_acp = env, True
            return
    print("NOTE: Wine's ANSI code page is not 936 with LC_ALL=%s (locale missing?): the Windows "
          "side runs with --charset gbk instead" % GBK_LOCALE, flush=True)
    CTX.win_env = dict(LINUX_ENV)  # Wine then reads the (UTF-8) command line right
    CTX.win_charset = ["--charset", "gbk"]


def shutdown_wine():
    """Ends every Wine process of our prefix (the chat programs, wineserver, Wine's services)."""
    if CTX.prefix:
        env = dict(os.environ, WINEPREFIX=CTX.prefix)
        try:
            subprocess.run([os.environ.get("WINESERVER", "wineserver"), "-k"], env=env, timeout=30,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired):
            pass


def setup(linux, exe, gbk=True):
    """Checks the binaries and Wine (exit 77 when missing), prepares and warms the prefix."""
    CTX.linux = os.path.abspath(linux)
    if not exe or not os.path.isfile(exe):
        skip("no Windows build at %r (build it: cmake --workflow --preset windows; or set "
             "UDPCHAT_WINDOWS_EXE)" % exe)
    CTX.exe = os.path.abspath(exe)
    if not find_wine():
        skip("Wine is not installed (apt-get install wine64 wine; see docs/WINDOWS.md)")
    if not os.access(CTX.linux, os.X_OK):
        raise SystemExit("not an executable: %s" % CTX.linux)
    CTX.prefix = os.path.abspath(os.environ.get("UDPCHAT_MIXED_WINEPREFIX")
                                 or os.path.join(os.path.dirname(CTX.exe), "wineprefix-mixed"))
    os.environ["WINEPREFIX"] = CTX.prefix  # for wine-run.sh in every Windows child
    atexit.register(shutdown_wine)
    print("  linux: %s\n  windows: %s (WINEPREFIX=%s)" % (CTX.linux, CTX.exe, CTX.prefix), flush=True)
    rc, out, err = run_exe(["--version"], timeout=300, env={})  # creates the prefix the first time
    if rc != 0 or not out.startswith(b"udpchat "):
        raise SystemExit("udpchat.exe --version under Wine failed (rc %d): %r %r" % (rc, out[:200], err[-500:]))
    print("  %s under Wine" % out.decode("utf-8", "replace").strip(), flush=True)
    if gbk:
        setup_gbk()


def main(tests, gbk=True):
    linux, exe, names = parse_args()
    setup(linux, exe, gbk)
    try:
        h.main(tests, [CTX.linux] + names)
    finally:
        shutdown_wine()


# --------------------------------------------------------------------------- chat processes

def win(g, args, name, json_mode=False, charset_args=True, **kw):
    """Starts udpchat.exe under Wine (GBK console) in group g. Its stdin lines are GBK."""
    args = [str(a) for a in args] + (["--json"] if json_mode else []) + (CTX.win_charset if charset_args else [])
    env = dict(CTX.win_env)
    env.update(kw.pop("env", {}) or {})
    return g.start(args, name=name, binary=CTX.exe, wrapper=CTX.wrapper, env=env, charset="gbk", **kw)


def lin(g, args, name, **kw):
    """Starts the Linux udpchat --json (UTF-8 console) in group g."""
    env = dict(LINUX_ENV)
    env.update(kw.pop("env", {}) or {})
    return g.start([str(a) for a in args] + ["--json"], name=name, binary=CTX.linux, wrapper=[], env=env,
                   charset="utf-8", **kw)


def raw_lines(p, start=0):
    """The non-JSON stdout lines of p as bytes (line mode output)."""
    return [bytes.fromhex(e["_hex"]) for e in p.snapshot(start) if e.get("event") == "_raw" and "_hex" in e]


def wait_raw(p, needle, timeout=20, start=0, what=None):
    """Waits for a stdout line of p (bytes) containing needle (bytes); returns it."""
    e = p.wait_for(lambda e: e.get("event") == "_raw" and needle in bytes.fromhex(e.get("_hex", "")),
                   timeout, start, what or "stdout line with %r" % needle)
    return bytes.fromhex(e["_hex"])


READY = 20  # seconds for a Windows process to say it is ready (Wine starts slowly)
