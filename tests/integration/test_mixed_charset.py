#!/usr/bin/env python3
"""test_mixed_charset.py -- the Windows charset backend (charset_win32.c: code page 936 through
MultiByteToWideChar/WideCharToMultiByte, under Wine) gives the same bytes as the POSIX one
(charset_iconv.c: glibc iconv), exhaustively, through `udpchat convert` on both builds:

  gbk -> utf-8       all 23 940 two-byte sequences (lead 81-FE, trail 40-7E, 80-FE), and
                     every byte 80-FF followed by any byte (32 640 pairs, malformed ones too)
  gb18030 -> utf-8   the same, and all 1 587 600 four-byte sequences
  utf-8 -> gb18030   all 1 112 064 Unicode scalar values, and the result back to utf-8 (all
                     come back but the 24 Private Use code points GB18030-2005 gave to codes
                     that 2022 maps to standard characters: U+E78D -> A6D9 -> U+FE10)
  utf-8 -> gbk       all scalar values

Each is one large input, one sequence or character per line, so a run takes seconds (Wine
starts in ~1 s). A difference is reported per sequence/character, with both outputs.

usage: test_mixed_charset.py PATH/TO/udpchat PATH/TO/udpchat.exe [TEST...]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mixed_os as mx  # noqa: E402
import udpchat_harness as h  # noqa: E402

NL = b"\n"


def both(src, dst, data):
    """Converts data on Linux and under Wine; returns (linux bytes, windows bytes)."""
    rc, lout, err = mx.run_linux(["convert", "--from", src, "--to", dst], data, timeout=120)
    h.check(rc == 0, "linux convert %s->%s: rc %d %r" % (src, dst, rc, err[-300:]))
    rc, wout, err = mx.run_exe(["convert", "--from", src, "--to", dst], data, timeout=120, env={})
    h.check(rc == 0, "udpchat.exe convert %s->%s: rc %d %r" % (src, dst, rc, err[-300:]))
    return lout, wout


def compare_lines(what, keys, lout, wout, show):
    """Line i of each output belongs to keys[i]; fails listing every key whose lines differ."""
    ll, wl = lout.split(NL), wout.split(NL)
    h.check(len(ll) == len(keys) and len(wl) == len(keys),
            "%s: %d keys, linux gave %d lines, windows %d" % (what, len(keys), len(ll), len(wl)))
    diffs = [(k, a, b) for k, a, b in zip(keys, ll, wl) if a != b]
    if diffs:
        lines = ["  %s: linux %s windows %s" % (show(k), a.hex() or "-", b.hex() or "-") for k, a, b in diffs[:200]]
        raise h.HarnessError("%s: %d of %d differ between Linux (iconv) and Windows (Wine, cp936):\n%s%s" % (
            what, len(diffs), len(keys), "\n".join(lines), "\n  ..." if len(diffs) > 200 else ""))
    print("  %s: %d lines, %d bytes, identical" % (what, len(keys), len(lout)), flush=True)


def two_byte_sequences():
    trails = [t for t in range(0x40, 0xFF) if t != 0x7F]
    return [bytes([lead, t]) for lead in range(0x81, 0xFF) for t in trails]


def any_pairs():
    """Every byte 80-FF followed by any byte but the line separator 0A: errors included."""
    return [bytes([a, b]) for a in range(0x80, 0x100) for b in range(0x100) if b != 0x0A]


def four_byte_sequences():
    r1, r2 = range(0x81, 0xFF), range(0x30, 0x3A)
    return [bytes([a, b, c, d]) for a in r1 for b in r2 for c in r1 for d in r2]


def scalars():
    """Every Unicode scalar value but U+000A (the line separator here; ASCII anyway)."""
    return [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and c != 0x0A]


def show_seq(s):
    return s.hex()


def show_char(c):
    return "U+%04X" % ord(c)


def test_gbk_decode(binary):
    seqs = two_byte_sequences()
    compare_lines("gbk -> utf-8, two-byte", seqs, *both("gbk", "utf-8", NL.join(seqs)), show_seq)
    seqs = any_pairs()
    compare_lines("gbk -> utf-8, 80-FF + any byte", seqs, *both("gbk", "utf-8", NL.join(seqs)), show_seq)


def test_gb18030_decode(binary):
    seqs = two_byte_sequences()
    compare_lines("gb18030 -> utf-8, two-byte", seqs, *both("gb18030", "utf-8", NL.join(seqs)), show_seq)
    seqs = any_pairs()
    compare_lines("gb18030 -> utf-8, 80-FF + any byte", seqs, *both("gb18030", "utf-8", NL.join(seqs)), show_seq)
    seqs = four_byte_sequences()
    compare_lines("gb18030 -> utf-8, four-byte", seqs, *both("gb18030", "utf-8", NL.join(seqs)), show_seq)


def test_gb18030_scalars(binary):
    chars = scalars()
    text = "\n".join(chars).encode("utf-8")
    lout, wout = both("utf-8", "gb18030", text)
    compare_lines("utf-8 -> gb18030, all scalar values", chars, lout, wout, show_char)
    lback, wback = both("gb18030", "utf-8", lout)
    compare_lines("gb18030 -> utf-8, all scalar values back", chars, lback, wback, show_char)
    moved = [(c, b) for c, b in zip(chars, lback.split(NL)) if c.encode("utf-8") != b]
    h.check(len(moved) == 24 and all(0xE78D <= ord(c) <= 0xE864 for c, _ in moved),
            "gb18030 round trip: %d differ: %r" % (len(moved), moved[:30]))
    print("  round trip utf-8 -> gb18030 -> utf-8 exact on both but the 24 old PUA code points",
          flush=True)


def test_gbk_scalars(binary):
    chars = scalars()
    lout, wout = both("utf-8", "gbk", "\n".join(chars).encode("utf-8"))
    compare_lines("utf-8 -> gbk, all scalar values", chars, lout, wout, show_char)
    mapped = sum(1 for l in lout.split(NL) if l != b"?")
    print("  %d scalar values have a GBK code (the rest are '?')" % mapped, flush=True)


if __name__ == "__main__":
    mx.main([test_gbk_decode, test_gb18030_decode, test_gb18030_scalars, test_gbk_scalars], gbk=False)
