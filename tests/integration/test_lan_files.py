#!/usr/bin/env python3
"""test_lan_files.py -- IPMsg file and folder transfer between real `udpchat lan` processes,
each in its own network namespace (netns.py), and against a forger (raw IPMsg over UDP and
TCP from Python): byte-identical copies (Chinese names, nested folders), resume after a cut,
a declined offer, hostile names, lying sizes, a stalled stream, requests for things never
offered or from the wrong address. Needs root (`ip netns`); exits 77 (skipped) otherwise.

Usage: test_lan_files.py PATH/TO/udpchat [TEST...]"""
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
import udpchat_harness as h  # noqa: E402
from udpchat_harness import check  # noqa: E402
from ipmsg_peer import RawIpmsgPeer, BR_ENTRY, ANSENTRY, SENDMSG, RECVMSG, SENDCHECKOPT, UTF8OPT, \
    CAPUTF8OPT, FILEATTACHOPT  # noqa: E402

PORT = 2425
GETFILEDATA, RELEASEFILES, GETDIRFILES = 0x60, 0x61, 0x62
FORGER_HOST = b"forgerhost"


def lan_args(nick, dl):
    return ["lan", "--json", "--nick", nick, "--download-dir", dl]


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def tree(root):
    """{relative path: sha256} of every file under root, and the set of folders."""
    files, dirs = {}, set()
    for d, subdirs, names in os.walk(root):
        for s in subdirs:
            if not os.path.islink(os.path.join(d, s)):
                dirs.add(os.path.relpath(os.path.join(d, s), root))
        for n in names:
            p = os.path.join(d, n)
            if os.path.islink(p):
                continue  # links are not sent (docs/IPMSG.md §4)
            with open(p, "rb") as f:
                files[os.path.relpath(p, root)] = hashlib.sha256(f.read()).hexdigest()
    return files, dirs


def make_folder(root, rnd):
    """A folder of nested files with Chinese names (and an empty folder)."""
    write(os.path.join(root, "说明.txt"), "你好，文件夹\n".encode())
    write(os.path.join(root, "子目录", "数据.bin"), rnd.randbytes(300_000))
    write(os.path.join(root, "子目录", "更深", "照片 1.jpg"), rnd.randbytes(70_000))
    write(os.path.join(root, "子目录", "更深", "empty"), b"")
    os.makedirs(os.path.join(root, "空目录"))


def meet(a, b, na, nb):
    a.wait_event("join", 15, nick=nb)
    b.wait_event("join", 15, nick=na)


def wait_transfer(p, state, timeout, start=0, **kw):
    return p.wait_for(lambda e: e.get("event") == "transfer" and e.get("state") == state and
                      all(e.get(k) == v for k, v in kw.items()), timeout, start,
                      what="transfer %s %r" % (state, kw))


def test_file_and_folder(binary):
    """alice -> bob: a 3 MB file and a folder with Chinese names; copies byte-identical; a name
    already taken on bob's side becomes 'name (1).ext'; no .part left."""
    rnd = h.rng()
    work = tempfile.mkdtemp(prefix="uc-files-")
    try:
        src, dl = os.path.join(work, "src"), os.path.join(work, "dl")
        big = rnd.randbytes(3 * 1024 * 1024 + 17)
        write(os.path.join(src, "报告 终稿.pdf"), big)
        make_folder(os.path.join(src, "资料夹"), rnd)
        os.symlink("/etc", os.path.join(src, "资料夹", "链接"))        # out of the folder
        os.symlink(".", os.path.join(src, "资料夹", "子目录", "loop"))  # a loop
        os.symlink("说明.txt", os.path.join(src, "资料夹", "file-link"))
        write(os.path.join(dl, "报告 终稿.pdf"), b"already here")
        with netns.TestLan(2) as lan, h.ProcessGroup(binary) as g:
            a = lan.start(g, 0, lan_args("alice", os.path.join(work, "a-dl")), name="alice")
            b = lan.start(g, 1, lan_args("小红", dl), name="bob")
            meet(a, b, "alice", "小红")
            m = b.mark()
            a.send_line('/send 小红 "%s" %s' % (os.path.join(src, "报告 终稿.pdf"), os.path.join(src, "资料夹")))
            a.wait_event("file_shared", 10)
            offer = b.wait_event("file_offer", 10, m)
            names = [f["name"] for f in offer["files"]]
            check(names == ["报告 终稿.pdf", "资料夹"], "offer names %r" % names, b)
            check(offer["files"][0]["size"] == len(big) and offer["files"][1]["folder"], "offer %r" % offer, b)
            b.send_line("/accept %d" % offer["offer"])
            done = wait_transfer(b, "done", 60, m)
            check("failed" not in [e.get("state") for e in b.matching(lambda e: e.get("event") == "transfer", m)],
                  "a transfer failed", b)
            with open(os.path.join(dl, "报告 终稿 (1).pdf"), "rb") as f:
                check(f.read() == big, "the file's copy differs")
            with open(os.path.join(dl, "报告 终稿.pdf"), "rb") as f:
                check(f.read() == b"already here", "an existing file was overwritten")
            want, got = tree(os.path.join(src, "资料夹")), tree(os.path.join(dl, "资料夹"))
            check(want == got, "folder copy differs:\n%r\n%r" % (want, got))
            check(not any(os.path.lexists(os.path.join(dl, "资料夹", *p)) for p in
                          (("链接",), ("子目录", "loop"), ("file-link",))), "a symbolic link was followed")
            leftovers = [n for n in os.listdir(dl) if n.endswith(".part")]
            check(not leftovers, ".part left: %r" % leftovers)
            wait_transfer(a, "done", 10, sending=True)
            print("  3 MB file + folder (%d files) copied byte for byte; rate %s B/s" % (
                len(want[0]), done.get("rate")), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_resume_and_decline(binary):
    """A download cut in the middle (/cancel) resumes from where it stopped (the sender serves
    from an offset); a declined offer is released on the sender, whose file is then refused."""
    rnd = h.rng()
    work = tempfile.mkdtemp(prefix="uc-files-")
    try:
        src, dl = os.path.join(work, "src"), os.path.join(work, "dl")
        data = rnd.randbytes(6 * 1024 * 1024)
        write(os.path.join(src, "大文件.bin"), data)
        write(os.path.join(src, "small.txt"), b"no thanks")
        env = {"UDPCHAT_TRANSFER_RATE": str(2 * 1024 * 1024)}  # 2 MB/s: time to cut it
        with netns.TestLan(2) as lan, h.ProcessGroup(binary) as g:
            a = lan.start(g, 0, lan_args("alice", work), name="alice", env=env)
            b = lan.start(g, 1, lan_args("bob", dl), name="bob")
            meet(a, b, "alice", "bob")
            m = b.mark()
            a.send_line("/send bob %s" % os.path.join(src, "大文件.bin"))
            offer = b.wait_event("file_offer", 10, m)
            b.send_line("/accept %d" % offer["offer"])
            st = wait_transfer(b, "started", 10, m)
            prog = b.wait_for(lambda e: e.get("event") == "transfer" and e.get("state") == "progress" and
                              e.get("bytes", 0) > 1024 * 1024, 20, m, what="progress past 1 MB")
            me = b.mark()
            b.send_line("/accept %d" % offer["offer"])  # twice at once: refused, the first goes on
            b.wait_for(lambda e: e.get("event") == "error" and "being downloaded" in e.get("text", ""), 5, me)
            b.send_line("/cancel %d" % st["id"])
            wait_transfer(b, "cancelled", 10, m)
            part = os.path.join(dl, "大文件.bin.part")
            check(os.path.exists(part) and not os.path.exists(os.path.join(dl, "大文件.bin")),
                  "after the cut: %r" % os.listdir(dl), b)
            cut = os.path.getsize(part)
            ma = a.mark()
            b.send_line("/accept %d" % offer["offer"])
            wait_transfer(b, "done", 30, m)
            again = wait_transfer(a, "started", 10, ma, sending=True)
            check(again["bytes"] >= cut > 0, "the sender restarted at %d, the part had %d" % (again["bytes"], cut), a)
            with open(os.path.join(dl, "大文件.bin"), "rb") as f:
                check(f.read() == data, "the resumed copy differs")
            check(not os.path.exists(part), ".part left after the resume")
            print("  cut at %d bytes (progress said %d), resumed from %d: identical" % (cut, prog["bytes"], again["bytes"]),
                  flush=True)
            # declined: the sender hears RELEASEFILES and drops the share
            m = b.mark()
            a.send_line("/send bob %s" % os.path.join(src, "small.txt"))
            offer = b.wait_event("file_offer", 10, m)
            ma = a.mark()
            b.send_line("/decline %d" % offer["offer"])
            a.wait_event("file_released", 10, ma)
            got = tcp_request(lan, 1, lan.addr(0), offer["packet"], offer["files"][0]["id"], user=b"root")
            check(got == b"", "a declined file was served: %r" % got[:40])
            check(not os.path.exists(os.path.join(dl, "small.txt")), "a declined file was written")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_resume_after_link_cut(binary):
    """bob's network goes down in the middle of a download: the download times out with the
    part kept; the link comes back, /accept again resumes from the part; the copy is identical."""
    rnd = h.rng()
    work = tempfile.mkdtemp(prefix="uc-files-")
    try:
        src, dl = os.path.join(work, "src"), os.path.join(work, "dl")
        data = rnd.randbytes(6 * 1024 * 1024)
        write(os.path.join(src, "cut.bin"), data)
        with netns.TestLan(2) as lan, h.ProcessGroup(binary) as g:
            a = lan.start(g, 0, lan_args("alice", work), name="alice",
                          env={"UDPCHAT_TRANSFER_RATE": str(2 * 1024 * 1024)})
            b = lan.start(g, 1, lan_args("bob", dl), name="bob", env={"UDPCHAT_TRANSFER_TIMEOUT_MS": "2000"})
            meet(a, b, "alice", "bob")
            m = b.mark()
            a.send_line("/send bob %s" % os.path.join(src, "cut.bin"))
            offer = b.wait_event("file_offer", 10, m)
            b.send_line("/accept %d" % offer["offer"])
            b.wait_for(lambda e: e.get("event") == "transfer" and e.get("state") == "progress" and
                       e.get("bytes", 0) > 1024 * 1024, 20, m, what="progress past 1 MB")
            netns._ip("-n", lan.ns[1], "link", "set", "eth0", "down")
            try:
                e = wait_transfer(b, "failed", 15, m)
                check("timed out" in e.get("text", "") or b.matching(
                    lambda e: e.get("event") == "transfer" and "timed out" in e.get("text", ""), m),
                    "the cut was not reported as a timeout: %r" % e, b)
            finally:
                netns._ip("-n", lan.ns[1], "link", "set", "eth0", "up")
            part = os.path.join(dl, "cut.bin.part")
            cut = os.path.getsize(part)
            check(0 < cut < len(data) and not os.path.exists(os.path.join(dl, "cut.bin")), "after the cut", b)
            time.sleep(1)
            ma = a.mark()
            b.send_line("/accept %d" % offer["offer"])
            wait_transfer(b, "done", 30, m)
            again = wait_transfer(a, "started", 10, ma, sending=True)
            check(again["bytes"] == cut, "the sender restarted at %d, the part had %d" % (again["bytes"], cut), a)
            with open(os.path.join(dl, "cut.bin"), "rb") as f:
                check(f.read() == data, "the copy resumed after the cut differs")
            print("  link down at %d bytes: timed out; link up: resumed from %d, identical" % (cut, again["bytes"]),
                  flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- the forger

def tcp_request(lan, i, ip, packet, file_id, offset=0, cmd=GETFILEDATA, user=b"forger", host=None, wait=3):
    """From namespace i: one IPMsg TCP request; returns every byte the other side sent before
    closing (b"" if it closed at once)."""
    host = host or FORGER_HOST

    def make():
        s = socket.create_connection((ip, PORT), timeout=5)
        body = b"%x:%x:%x:" % (packet, file_id, offset) if cmd == GETFILEDATA else b"%x:%x:" % (packet, file_id)
        s.sendall(b"1_pytest:%d:%s:%s:%d:%s\0" % (int(time.time()), user, host, cmd, body))
        return s
    s = netns._enter_and_call(lan.ns[i], make)
    out, deadline = b"", time.monotonic() + h.T(wait)
    s.settimeout(0.5)
    while time.monotonic() < deadline:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            break
        out += chunk
    s.close()
    return out


class Forger:
    """A raw IPMsg peer on UDP 2425 and TCP 2425 in namespace i: offers files it then serves
    with whatever bytes a test wants."""

    def __init__(self, lan, i, nick=b"forger"):
        self.lan, self.i, self.nick = lan, i, nick
        self.peer = RawIpmsgPeer(lan.udp_socket(i, port=PORT))
        self.listener = netns._enter_and_call(lan.ns[i], self._listen)
        self.requests = []

    def _listen(self):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", PORT))
        s.listen(8)
        s.settimeout(0.2)
        return s

    def enter(self, ip):
        self.peer.send((ip, PORT), self.peer.next_no(), BR_ENTRY | CAPUTF8OPT | FILEATTACHOPT, self.nick, b"grp",
                       user=self.nick, host=FORGER_HOST)

    def offer(self, ip, entries, text=b"take these"):
        no = self.peer.next_no()
        lst = b"".join(b"%d:%s:%x:%x:%x:\a:" % e for e in entries)
        self.peer.send((ip, PORT), no, SENDMSG | SENDCHECKOPT | FILEATTACHOPT | UTF8OPT, text, lst, user=self.nick,
                       host=FORGER_HOST)
        return no

    def serve(self, reply, timeout=15, linger=0.0):
        """Accepts one connection, reads its request, sends reply (bytes, or a list of bytes
        sent with pauses), then waits linger seconds and closes."""
        deadline = time.monotonic() + h.T(timeout)
        while time.monotonic() < deadline:
            try:
                c, _ = self.listener.accept()
            except socket.timeout:
                continue
            c.settimeout(2)
            try:
                self.requests.append(c.recv(4096))
                for part in (reply if isinstance(reply, list) else [reply]):
                    c.sendall(part)
                    time.sleep(0.05)
                time.sleep(linger)
            except OSError:
                pass
            c.close()
            return
        raise h.HarnessError("forger: no TCP connection within %.0fs" % h.T(timeout))

    def close(self):
        self.peer.close()
        self.listener.close()


def test_hostile_offers(binary):
    """Names with .., absolute paths, drive letters, backslashes, CON, control characters: each
    refused with a reason, nothing written anywhere. Then a size that lies (short, and long), a
    stream that stops, a folder stream that climbs out with '..': each a clear failure, no file
    under its final name, nothing outside the download folder."""
    work = tempfile.mkdtemp(prefix="uc-files-")
    try:
        dl = os.path.join(work, "dl", "inner")
        os.makedirs(dl)
        env = {"UDPCHAT_TRANSFER_TIMEOUT_MS": "2000"}
        with netns.TestLan(2) as lan, h.ProcessGroup(binary) as g:
            b = lan.start(g, 1, lan_args("bob", dl), name="bob", env=env)
            b.wait_ready(10)
            f = Forger(lan, 0)
            g.add(f)
            f.enter(lan.addr(1))
            b.wait_event("join", 10, nick="forger")
            bad = [b"../x", b"/etc/passwd", b"C::\\x", b"a\\b", b"CON", b"nul.txt", b"a\x01b", b"..", b"COM1",
                   "长".encode() * 90]
            m = b.mark()
            f.offer(lan.addr(1), [(k + 1, n, 10, 0, 1) for k, n in enumerate(bad)])
            offer = b.wait_event("file_offer", 10, m)
            refused = [x.get("refused") for x in offer["files"]]
            check(len(refused) == len(bad) and all(refused), "names not all refused: %r" % offer["files"], b)
            b.send_line("/accept %d" % offer["offer"])
            b.wait_for(lambda e: e.get("event") == "transfer" and e.get("state") in ("done", "failed"), 10, m)
            n_ref = len(b.matching(lambda e: e.get("event") == "transfer" and e.get("state") == "refused", m))
            check(n_ref == len(bad), "%d refusals for %d hostile names" % (n_ref, len(bad)), b)
            check(f.requests == [], "a refused name was requested: %r" % f.requests)
            print("  %d hostile names refused: %s" % (len(bad), "; ".join(sorted(set(refused)))), flush=True)

            cases = [("short.bin", 100000, [b"x" * 5000], 0, "closed the connection early"),
                     ("long.bin", 1000, [b"y" * 3000], 0.5, "more bytes"),
                     ("stall.bin", 100000, [b"z" * 1000], 4.0, "timed out")]
            for name, size, reply, linger, why in cases:
                m = b.mark()
                f.offer(lan.addr(1), [(1, name.encode(), size, 0, 1)])
                offer = b.wait_event("file_offer", 10, m)
                b.send_line("/accept %d" % offer["offer"])
                f.serve(reply, linger=linger)
                e = wait_transfer(b, "failed", 15, m)
                fe = b.matching(lambda e: e.get("event") == "transfer" and e.get("state") == "failed" and
                                why in e.get("text", ""), m)
                check(fe, "%s: no failure saying %r: %r" % (name, why, e), b)
                check(not os.path.exists(os.path.join(dl, name)), "%s exists under its final name" % name)
                print("  %s: %s" % (name, fe[0]["text"]), flush=True)

            # a folder stream that tries to climb out
            m = b.mark()
            f.offer(lan.addr(1), [(1, "目录".encode(), 10, 0, 2)])
            offer = b.wait_event("file_offer", 10, m)
            b.send_line("/accept %d" % offer["offer"])

            def hdr(name, size, attr):
                body = b":%s:%x:%x:" % (name, size, attr)
                return b"%04x" % (len(body) + 4) + body
            f.serve([hdr("目录".encode(), 0, 2), hdr(b"..", 0, 2), hdr(b"evil.txt", 4, 1), b"evil",
                     hdr(b".", 0, 3), hdr(b".", 0, 3)])
            e = wait_transfer(b, "failed", 15, m)
            found = [os.path.join(d, n) for d, _, ns in os.walk(work) for n in ns if "evil" in n]
            check(not found, "a hostile folder stream wrote %r" % found, b)
            check(not os.path.exists(os.path.join(dl, "目录")), "the hostile folder exists under its final name")
            print("  folder stream with '..': refused (%s)" % [x["text"] for x in b.matching(
                lambda e: e.get("event") == "transfer" and e.get("state") == "failed", m)][:1], flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_requests_refused(binary):
    """alice offers a file to bob. A third host asking for it, bob's address with another user
    name, a file id never offered: each connection closed with nothing sent. Another peer's
    RELEASEFILES for bob's offer changes nothing. A host holding
    idle connections gets two serving slots (its third is closed at once) and bob is still
    served, from an offset; a second GETFILEDATA for the same file (sent whole) gets nothing."""
    rnd = h.rng()
    work = tempfile.mkdtemp(prefix="uc-files-")
    try:
        data = rnd.randbytes(200_000)
        write(os.path.join(work, "secret.bin"), data)
        with netns.TestLan(3) as lan, h.ProcessGroup(binary) as g:
            a = lan.start(g, 0, lan_args("alice", work), name="alice")
            a.wait_ready(10)
            bob = Forger(lan, 1, nick=b"bob")
            g.add(bob)
            bob.enter(lan.addr(0))
            a.wait_event("join", 10, nick="bob")
            m = bob.peer.mark()
            a.send_line("/send bob %s" % os.path.join(work, "secret.bin"))
            pkt = bob.peer.wait(lambda p: p.mode == SENDMSG and p.cmd & FILEATTACHOPT, 10, m)
            fid = int(pkt.extra2.split(b":")[0])
            check(pkt.cmd & 0x00200000 and b"secret.bin" in pkt.extra2, "offer %r" % pkt.raw)
            host = FORGER_HOST
            wrong = [("a third host", 2, b"bob", pkt.no, fid), ("bob's address, another user", 1, b"mallory", pkt.no, fid),
                     ("a file never offered", 1, b"bob", pkt.no, fid + 7), ("another packet", 1, b"bob", pkt.no + 1, fid)]
            for what, ns, user, no, f_id in wrong:
                got = tcp_request(lan, ns, lan.addr(0), no, f_id, user=user, host=host)
                check(got == b"", "%s got %d bytes" % (what, len(got)), a)
            a.wait_for(lambda e: e.get("event") == "transfer" and e.get("state") == "refused", 5)
            # another peer declining bob's offer: nothing happens (not even a line)
            eve = Forger(lan, 2, nick=b"eve")
            g.add(eve)
            eve.enter(lan.addr(0))
            a.wait_event("join", 10, nick="eve")
            ma = a.mark()
            eve.peer.send((lan.addr(0), PORT), eve.peer.next_no(), RELEASEFILES, b"%d" % pkt.no, user=b"eve",
                          host=FORGER_HOST)
            time.sleep(1)
            check(not a.matching(lambda e: e.get("event") == "file_released", ma), "eve released bob's files", a)
            # a host holding idle connections gets two serving slots, not all of them
            idle = [netns._enter_and_call(lan.ns[2], lambda: socket.create_connection((lan.addr(0), PORT), timeout=5))
                    for _ in range(3)]
            idle[2].settimeout(2)
            try:
                third = idle[2].recv(10)
            except socket.timeout:
                third = None
            check(third == b"", "a third idle connection from one host was not closed at once (%r)" % third, a)
            got = tcp_request(lan, 1, lan.addr(0), pkt.no, fid, offset=1000, user=b"bob", host=host)
            for s in idle:
                s.close()
            check(got == data[1000:], "bob from offset 1000: %d bytes, want %d" % (len(got), len(data) - 1000), a)
            again = tcp_request(lan, 1, lan.addr(0), pkt.no, fid, user=b"bob", host=host)
            check(again == b"", "the file was served twice (%d bytes)" % len(again), a)
            print("  4 wrong requests closed with nothing sent; bob got bytes 1000..%d; no second copy" % len(data),
                  flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def test_disk_full(binary):
    """The download folder on a 1 MiB tmpfs, a 3 MB file offered and sent whole: the transfer
    fails saying the disk is full, nothing is left under the final name."""
    work = tempfile.mkdtemp(prefix="uc-files-")
    dl = os.path.join(work, "small")
    os.makedirs(dl)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dl], capture_output=True)
    if r.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        raise h.Skip("cannot mount a tmpfs: %s" % r.stderr.decode().strip())
    try:
        with netns.TestLan(2) as lan, h.ProcessGroup(binary) as g:
            b = lan.start(g, 1, lan_args("bob", dl), name="bob")
            b.wait_ready(10)
            f = Forger(lan, 0)
            g.add(f)
            f.enter(lan.addr(1))
            b.wait_event("join", 10, nick="forger")
            size = 3 * 1024 * 1024
            m = b.mark()
            f.offer(lan.addr(1), [(1, b"big.bin", size, 0, 1)])
            offer = b.wait_event("file_offer", 10, m)
            b.send_line("/accept %d" % offer["offer"])
            f.serve([b"d" * (256 * 1024)] * 12, linger=1.0)
            e = wait_transfer(b, "failed", 15, m)
            fe = b.matching(lambda e: e.get("event") == "transfer" and e.get("state") == "failed" and
                            "disk is full" in e.get("text", ""), m)
            check(fe, "no 'disk is full' failure: %r" % e, b)
            check(not os.path.exists(os.path.join(dl, "big.bin")), "big.bin exists under its final name")
            print("  %s" % fe[0]["text"], flush=True)
    finally:
        subprocess.run(["umount", dl], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    netns.require_root_or_skip()
    h.main([test_file_and_folder, test_resume_and_decline, test_resume_after_link_cut, test_hostile_offers,
            test_requests_refused, test_disk_full])
