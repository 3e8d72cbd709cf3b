#!/usr/bin/env python3
"""test_convert_cli.py -- `udpchat convert` as a user runs it: stdin, files, auto-detection,
errors, and a 50 MB stream through a pipe in constant memory.

usage: test_convert_cli.py PATH/TO/udpchat
"""
import hashlib
import os
import resource
import subprocess
import sys
import tempfile
import threading

UDPCHAT = sys.argv[1]
NIHAO_UTF8 = "你好".encode("utf-8")
NIHAO_GBK = b"\xc4\xe3\xba\xc3"
FFFD = "\ufffd".encode("utf-8")


def run(args, data=b""):
    return subprocess.run([UDPCHAT, "convert"] + args, input=data, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=60)


def expect(args, data, out, code=0):
    r = run(args, data)
    assert r.returncode == code, (args, r.returncode, r.stderr)
    assert r.stdout == out, (args, r.stdout[:200], out[:200])
    return r


def write(tmp, name, data):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def test_stdin():
    expect(["--from", "gbk", "--to", "utf-8"], NIHAO_GBK + b"\n", NIHAO_UTF8 + b"\n")
    expect(["--from", "UTF8", "--to", "CP936"], NIHAO_UTF8, NIHAO_GBK)
    expect(["--from", "utf-8", "--to", "gb18030"], "\U00020000".encode(), b"\x95\x32\x82\x36")
    expect(["--from", "gbk", "--to", "utf-8"], b"", b"")


def test_files_and_dash(tmp):
    a = write(tmp, "a.txt", b"a:" + NIHAO_GBK + b"\n")
    b = write(tmp, "b.txt", b"b:\x80\n")
    expect(["--from", "gbk", "--to", "utf-8", a, b], b"",
           b"a:" + NIHAO_UTF8 + b"\nb:\xe2\x82\xac\n")
    expect(["--from", "gbk", "--to", "utf-8", a, "-", b], b"stdin:" + NIHAO_GBK + b"\n",
           b"a:" + NIHAO_UTF8 + b"\nstdin:" + NIHAO_UTF8 + b"\nb:\xe2\x82\xac\n")
    expect(["--from", "gbk", "--to", "utf-8", "-"], NIHAO_GBK, NIHAO_UTF8)
    # A sequence cut by the end of one file is not joined with the next file.
    c = write(tmp, "c.txt", b"\xc4")
    expect(["--from", "gbk", "--to", "utf-8", c, a], b"", FFFD + b"a:" + NIHAO_UTF8 + b"\n")


def test_auto(tmp):
    utf8 = write(tmp, "u.txt", b"hello " + NIHAO_UTF8 + b"\n")
    gbk = write(tmp, "g.txt", b"hello " + NIHAO_GBK + b"\n")
    ascii_ = write(tmp, "plain.txt", b"just ascii\n")
    expect(["--from", "auto", "--to", "utf-8", utf8], b"", b"hello " + NIHAO_UTF8 + b"\n")
    expect(["--from", "auto", "--to", "utf-8", gbk], b"", b"hello " + NIHAO_UTF8 + b"\n")
    expect(["--from", "auto", "--to", "gbk", utf8], b"", b"hello " + NIHAO_GBK + b"\n")
    expect(["--from", "auto", "--to", "gbk", ascii_], b"", b"just ascii\n")
    expect(["--to", "utf-8", gbk, utf8], b"",  # auto is the default; detection is per file
           b"hello " + NIHAO_UTF8 + b"\nhello " + NIHAO_UTF8 + b"\n")
    # The first non-ASCII character straddles the 64 KiB read boundary; then a long tail.
    long_utf8 = b"x" * 65535 + NIHAO_UTF8 * 5000
    expect(["--to", "utf-8"], long_utf8, long_utf8)
    long_gbk = b"x" * 65535 + NIHAO_GBK * 5000
    expect(["--to", "utf-8"], long_gbk, b"x" * 65535 + NIHAO_UTF8 * 5000)
    # Valid-looking UTF-8 first, proof of GBK later but inside the detection window.
    expect(["--to", "utf-8"], b"\xc4\xa3" + NIHAO_GBK, "模".encode() + NIHAO_UTF8)


def test_bad_names():
    for args in (["--from", "big6", "--to", "utf-8"], ["--from", "gbk", "--to", "big6"]):
        r = run(args, b"x")
        assert r.returncode == 2, r
        msg = r.stderr.replace(b"\r\n", b"\n")  # stderr is a text stream on Windows
        assert msg == b"udpchat: unknown charset 'big6' (known: utf-8, gbk, gb18030)\n", r
        assert r.stdout == b""
    r = run(["--frm", "gbk"])
    assert r.returncode == 2 and b"--frm" in r.stderr, r
    r = run(["--help"])
    assert r.returncode == 0 and b"--from" in r.stdout and b"skipped" in r.stdout, r


def test_missing_file(tmp):
    a = write(tmp, "ok.txt", NIHAO_GBK)
    missing = os.path.join(tmp, "nope.txt")
    r = expect(["--from", "gbk", "--to", "utf-8", missing, a], b"", NIHAO_UTF8, code=1)
    assert f"cannot open '{missing}'".encode() in r.stderr, r.stderr
    assert os.strerror(2).encode() in r.stderr, r.stderr  # "No such file or directory"


def test_invalid_bytes():
    expect(["--from", "utf-8", "--to", "utf-8"], b"a\xffb\xc0\xafc\xed\xa0\x80",
           b"a" + FFFD + b"b" + FFFD * 2 + b"c" + FFFD * 3)
    expect(["--from", "gbk", "--to", "utf-8"], b"\xff\xc4!\xa2\xab", FFFD * 2 + b"!" + FFFD)
    expect(["--from", "gb18030", "--to", "utf-8"], b"\x81\x30", FFFD + b"0")
    expect(["--from", "utf-8", "--to", "gbk"], "a😀b\xff".encode() + b"\xff", b"a?b??")


def test_large_stream():
    """50 MB of GBK through a pipe, generated and hashed on the fly, never held whole."""
    block_text = "你好，世界！Hello, world 123 €\n" * 37
    block_in = block_text.replace("€", "\x00").encode("gbk").replace(b"\x00", b"\x80")
    block_out = block_text.encode("utf-8")
    count = 50 * 1000 * 1000 // len(block_in) + 1
    proc = subprocess.Popen([UDPCHAT, "convert", "--from", "gbk", "--to", "utf-8"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def feed():
        for _ in range(count):
            proc.stdin.write(block_in)
        proc.stdin.close()

    writer = threading.Thread(target=feed)
    writer.start()
    got, size = hashlib.sha256(), 0
    while chunk := proc.stdout.read(1 << 20):
        got.update(chunk)
        size += len(chunk)
    writer.join()
    assert proc.wait(timeout=120) == 0
    want = hashlib.sha256()
    for _ in range(count):
        want.update(block_out)
    assert size == count * len(block_out), (size, count * len(block_out))
    assert got.hexdigest() == want.hexdigest()
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"large stream: {count * len(block_in)} bytes in, {size} out, max RSS {rss_mb:.0f} MB")
    assert rss_mb < 48, "convert should stream in constant memory"


def main():
    with tempfile.TemporaryDirectory() as tmp:
        test_stdin()
        test_files_and_dash(tmp)
        test_auto(tmp)
        test_bad_names()
        test_missing_file(tmp)
        test_invalid_bytes()
        test_large_stream()
    print("ok")


if __name__ == "__main__":
    main()
