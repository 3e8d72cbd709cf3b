#!/usr/bin/env python3
"""test_lan_files_iptux.py -- IPMsg file and folder transfer between `udpchat lan` and iptux's
own protocol core (libiptux-core 0.8.3 through iptux_send.cpp), each in its own network
namespace, with iptux configured for UTF-8 and for GB18030:
  - udpchat offers a file and a folder of nested files with Chinese names; iptux downloads
    them (GETFILEDATA, GETDIRFILES); its copies are byte-identical;
  - iptux offers a file and a folder; udpchat accepts; its copies are byte-identical;
and once more with udpchat forced to UTF-8 (--ipmsg-charset utf-8), where iptux's names come
in UTF-8 instead of GB18030.
Needs root (`ip netns`), iptux, g++ with the jsoncpp and sigc++ headers; exits 77 (skipped)
without them.

Usage: test_lan_files_iptux.py PATH/TO/udpchat [TEST...]"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
import udpchat_harness as h  # noqa: E402
from udpchat_harness import check  # noqa: E402
import test_lan_iptux as ti  # noqa: E402
from test_lan_files import write, tree, make_folder, wait_transfer  # noqa: E402

UC_NICK = "小明"


def prerequisites():
    netns.require_root_or_skip()
    if not shutil.which("iptux") or not ti.build_sender():
        print("SKIP: iptux or iptux_send (libiptux-core, g++, jsoncpp, sigc++) missing", flush=True)
        sys.exit(netns.SKIP)


def same(a, b, what):
    with open(a, "rb") as f, open(b, "rb") as g:
        check(f.read() == g.read(), "%s: %s and %s differ" % (what, a, b))


def scenario(binary, encode, uc_charset=None):
    """uc_charset: udpchat's --ipmsg-charset (None: per peer, which is GBK for iptux, since it
    does not announce CAPUTF8OPT; iptux then answers in GB18030 whatever its own preference)."""
    rnd = h.rng()
    work = tempfile.mkdtemp(prefix="uc-files-iptux-")
    ok = False
    try:
        src, dl, rdir = (os.path.join(work, d) for d in ("src", "dl", "iptux-got"))
        os.makedirs(rdir)
        write(os.path.join(src, "周报 第1期.txt"), rnd.randbytes(1_500_000))
        make_folder(os.path.join(src, "项目资料"), rnd)
        write(os.path.join(src, "iptux", "图片 甲.png"), rnd.randbytes(400_000))
        make_folder(os.path.join(src, "iptux", "共享目录"), rnd)
        sender = ti.build_sender()
        shome = os.path.join(work, "sender-home")
        scfg = ti.write_config(shome, ti.SENDER_NICK, ti.SENDER_GROUP, encode, "x")
        senv = dict(os.environ, HOME=shome)
        with netns.TestLan(2) as lan, h.ProcessGroup(binary) as g:
            ip_a = lan.addr(0)
            extra = ["--ipmsg-charset", uc_charset] if uc_charset else []
            a = lan.start(g, 0, ["lan", "--json", "--nick", UC_NICK, "--download-dir", dl] + extra, name="A")
            a.wait_ready(10)

            # udpchat -> iptux
            log = open(os.path.join(work, "recv.log"), "wb")
            p = lan.popen(1, [sender, scfg, ip_a, "--recv", rdir, "2"], env=senv, stdout=log, stderr=subprocess.STDOUT)
            try:
                a.wait_event("join", 20, nick=ti.SENDER_NICK)
                a.send_line('/send %s "%s" %s' % (ti.SENDER_NICK, os.path.join(src, "周报 第1期.txt"),
                                                  os.path.join(src, "项目资料")))
                rc = p.wait(h.T(90))
            finally:
                if p.poll() is None:
                    p.kill()
                log.close()
            out = open(os.path.join(work, "recv.log"), "rb").read().decode("utf-8", "replace")
            check(rc == 0, "iptux_send --recv rc %s:\n%s" % (rc, out[-3000:]), a)
            same(os.path.join(src, "周报 第1期.txt"), os.path.join(rdir, "周报 第1期.txt"), "udpchat -> iptux file")
            want, got = tree(os.path.join(src, "项目资料")), tree(os.path.join(rdir, "项目资料"))
            check(want == got, "udpchat -> iptux folder differs:\n%r\n%r\n%s" % (want, got, out[-2000:]))
            print("  %s: udpchat -> iptux: file + folder (%d files) byte-identical" % (encode, len(want[0])), flush=True)

            # iptux -> udpchat
            m = a.mark()
            log = open(os.path.join(work, "send.log"), "wb")
            p = lan.popen(1, [sender, scfg, ip_a, "--send", os.path.join(src, "iptux", "图片 甲.png"),
                              os.path.join(src, "iptux", "共享目录")], env=senv, stdout=log, stderr=subprocess.STDOUT)
            try:
                offer = a.wait_event("file_offer", 30, m)
                names = sorted(f["name"] for f in offer["files"])
                check(names == sorted(["图片 甲.png", "共享目录"]), "offer from iptux: %r" % offer, a)
                want_cs = "utf-8" if uc_charset == "utf-8" else "gb18030"
                check(offer.get("charset") == want_cs, "iptux (%s) offered in %r" % (encode, offer.get("charset")), a)
                a.send_line("/accept %d" % offer["offer"])
                wait_transfer(a, "done", 60, m)
                rc = p.wait(h.T(60))
            finally:
                if p.poll() is None:
                    p.kill()
                log.close()
            out = open(os.path.join(work, "send.log"), "rb").read().decode("utf-8", "replace")
            fails = a.matching(lambda e: e.get("event") == "transfer" and e.get("state") == "failed", m)
            check(not fails, "udpchat's download from iptux failed: %r\n%s" % (fails, out[-2000:]), a)
            same(os.path.join(src, "iptux", "图片 甲.png"), os.path.join(dl, "图片 甲.png"), "iptux -> udpchat file")
            want, got = tree(os.path.join(src, "iptux", "共享目录")), tree(os.path.join(dl, "共享目录"))
            check(want == got, "iptux -> udpchat folder differs:\n%r\n%r" % (want, got))
            check(rc == 0, "iptux_send --send rc %s:\n%s" % (rc, out[-2000:]))
            print("  %s: iptux -> udpchat: file + folder (%d files) byte-identical; names came in %s" % (
                encode, len(want[0]), offer["charset"]), flush=True)
            ok = True
    finally:
        if ok and not os.environ.get("UDPCHAT_KEEP_LOGS"):
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("  logs kept in %s" % work, flush=True)


def test_files_iptux_utf8(binary):
    scenario(binary, "utf-8")


def test_files_iptux_gb18030(binary):
    scenario(binary, "gb18030")


def test_files_iptux_utf8_both(binary):
    """iptux in UTF-8 and udpchat --ipmsg-charset utf-8: the names go in UTF-8 both ways."""
    scenario(binary, "utf-8", "utf-8")


if __name__ == "__main__":
    prerequisites()
    h.main([test_files_iptux_utf8, test_files_iptux_gb18030, test_files_iptux_utf8_both])
