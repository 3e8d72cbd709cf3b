#!/usr/bin/env python3
"""test_locale_args.py -- in a zh_CN.GBK locale on Linux, what the user types is GBK: a --nick
given in GBK is the nick every peer sees (as UTF-8 on the wire), a GBK line is sent right, and
`convert` opens a file whose name is GBK bytes. Skips (77) when the locale cannot be had.
Usage: test_locale_args.py PATH/TO/udpchat"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import udpchat_harness as h  # noqa: E402
from udpchat_harness import check  # noqa: E402

GBK_LOCALE = "zh_CN.GBK"
GBK_ENV = {"LC_ALL": GBK_LOCALE, "LANG": GBK_LOCALE}


def gbk_locale_ready():
    def present():
        r = subprocess.run(["locale", "-a"], capture_output=True, text=True)
        return any(l.lower().replace("-", "") in ("zh_cn.gbk",) for l in r.stdout.split())
    if not present() and shutil.which("localedef"):
        subprocess.run(["localedef", "-i", "zh_CN", "-f", "GBK", GBK_LOCALE], capture_output=True, timeout=300)
    return present()


def arg(raw):
    """Bytes as a command-line argument, exactly (os.fsdecode round-trips through subprocess)."""
    return os.fsdecode(raw)


def test_gbk_nick_and_line(binary):
    with h.ProcessGroup(binary) as g:
        pa, pb = h.free_udp_ports(2)
        a = g.start(["peer", "127.0.0.1:%d" % pb, "--port", pa, "--nick", arg("小明".encode("gbk"))],
                    name="gbk-side", env=GBK_ENV, charset="gbk")
        b = g.start(["peer", "127.0.0.1:%d" % pa, "--port", pb, "--nick", "bob", "--json"], name="utf8-side")
        b.wait_for(lambda e: e.get("event") == "join" and e.get("nick") == "小明", 20)
        a.send_line("你好，世界")  # written to its stdin in GBK (charset="gbk")
        b.wait_for(lambda e: e.get("event") == "message" and e.get("from") == "小明"
                   and e.get("text") == "你好，世界", 20)


def test_gbk_file_name(binary):
    d = tempfile.mkdtemp(prefix="udpchat-locale-")
    try:
        raw_name = os.path.join(os.fsencode(d), "文件.txt".encode("gbk"))
        with open(raw_name, "wb") as f:
            f.write("你好\n".encode("gbk"))
        rc, out, err = h.run_cli(["convert", "--from", "gbk", "--to", "utf-8", arg(raw_name)], binary=binary,
                                 env=GBK_ENV)
        check(rc == 0 and out == "你好\n", "convert of a GBK-named file: rc %d, out %r, err %r" % (rc, out, err))
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    if not gbk_locale_ready():
        print("SKIP: the %s locale is not available (localedef failed)" % GBK_LOCALE)
        sys.exit(77)
    h.main([test_gbk_nick_and_line, test_gbk_file_name])
