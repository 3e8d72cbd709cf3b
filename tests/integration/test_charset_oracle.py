#!/usr/bin/env python3
"""test_charset_oracle.py -- `udpchat convert` checked exhaustively against Python's codecs.

Python's gbk and gb18030 codecs (CJKCodecs) are an oracle independent of iconv and of
Windows. Every 2-byte GBK/GB18030 sequence and every Unicode scalar value is converted in
a few large `udpchat convert` runs; results must equal Python's except for the differences
written down in docs/CHARSET.md, which are checked to be exactly these:

  gbk decode      the 1894 user-defined-area sequences (AAA1-AFFE, F8A1-FEFE, A140-A7A0)
                  decode to U+E000..U+E765 (as Windows and GB18030); Python rejects them
  gbk encode      those 1894 PUA characters, and U+20AC -> 0x80; Python gives '?'
  gb18030 decode  A8BC -> U+1E3F (GB18030-2005); Python: U+E7C7 (GB18030-2000)
  gb18030 encode  U+1E3F -> A8BC and U+E7C7 -> 81 35 F4 37; Python the other way round

usage: test_charset_oracle.py PATH/TO/udpchat
"""
import subprocess
import sys

UDPCHAT = sys.argv[1]
REPLACEMENT = "\ufffd"


def convert(src, dst, data):
    r = subprocess.run([UDPCHAT, "convert", "--from", src, "--to", dst], input=data,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    assert r.returncode == 0, (src, dst, r.returncode, r.stderr)
    return r.stdout


def two_byte_sequences():
    trails = [t for t in range(0x40, 0xFF) if t != 0x7F]
    return [bytes([lead, t]) for lead in range(0x81, 0xFF) for t in trails]


def eudc(seq):
    b1, b2 = seq
    return ((0xAA <= b1 <= 0xAF and b2 >= 0xA1) or (0xF8 <= b1 <= 0xFE and b2 >= 0xA1)
            or (0xA1 <= b1 <= 0xA7 and b2 <= 0xA0))


def python_decode(seq, codec):
    try:
        return seq.decode(codec)
    except UnicodeDecodeError:
        return REPLACEMENT


def check_two_byte(codec, seqs):
    """Decodes all 2-byte sequences; returns {seq: (ours, python)} where they differ."""
    out = convert(codec, "utf-8", b"\n".join(seqs)).decode("utf-8").split("\n")
    assert len(out) == len(seqs), (codec, len(out))
    diffs = {}
    for seq, ours in zip(seqs, out):
        theirs = python_decode(seq, codec)
        assert len(ours) == 1, (codec, seq.hex(), ours)
        if ours != theirs:
            diffs[seq] = (ours, theirs)
    # Round trip: whatever decodes to a real character encodes back to the same bytes.
    real = [(seq, ch) for seq, ch in zip(seqs, out) if ch != REPLACEMENT]
    back = convert("utf-8", codec, "\n".join(ch for _, ch in real).encode("utf-8"))
    assert back == b"\n".join(seq for seq, _ in real), codec + " 2-byte round trip"
    print(f"{codec}: {len(seqs)} two-byte sequences, {len(real)} characters round-trip, "
          f"{len(diffs)} differ from Python")
    return diffs


def check_gbk_decode(seqs):
    diffs = check_two_byte("gbk", seqs)
    expected = {s for s in seqs if eudc(s)}
    assert set(diffs) == expected, sorted(s.hex() for s in set(diffs) ^ expected)[:20]
    for seq, (ours, theirs) in diffs.items():  # the same PUA characters as GB18030 gives
        assert theirs == REPLACEMENT and ours == seq.decode("gb18030"), seq.hex()
    assert len(diffs) == 1894


def check_gb18030_decode(seqs):
    diffs = check_two_byte("gb18030", seqs)
    assert diffs == {b"\xa8\xbc": ("\u1e3f", "\ue7c7")}, diffs


def all_scalars():
    return "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)


def expect_encoded(text, codec, overrides):
    parts = []
    for ch in text:
        if ch in overrides:
            parts.append(overrides[ch])
            continue
        try:
            parts.append(ch.encode(codec))
        except UnicodeEncodeError:
            parts.append(b"?")
    return parts


def first_mismatch(ours, parts, text):
    pos = 0
    for ch, want in zip(text, parts):
        if ours[pos:pos + len(want)] != want:
            return f"U+{ord(ch):04X}: ours {ours[pos:pos + 8].hex()} want {want.hex()}"
        pos += len(want)
    return "lengths differ"


def check_encode(codec, text, overrides):
    parts = expect_encoded(text, codec, overrides)
    ours = convert("utf-8", codec, text.encode("utf-8"))
    assert ours == b"".join(parts), first_mismatch(ours, parts, text)
    return ours


def check_gb18030_scalars(text):
    overrides = {"\u1e3f": b"\xa8\xbc", "\ue7c7": b"\x81\x35\xf4\x37"}
    ours = check_encode("gb18030", text, overrides)
    assert convert("gb18030", "utf-8", ours) == text.encode("utf-8"), "gb18030 round trip"
    print(f"gb18030: {len(text)} scalar values round-trip, bytes equal Python's except "
          f"{len(overrides)} (U+1E3F, U+E7C7)")


def check_gbk_scalars(text):
    overrides = {"\u20ac": b"\x80"}
    for seq in two_byte_sequences():
        if eudc(seq):
            overrides[seq.decode("gb18030")] = seq
    check_encode("gbk", text, overrides)
    print(f"gbk: {len(text)} scalar values encoded, equal to Python's (unrepresentable -> '?') "
          f"except {len(overrides)} (U+20AC, U+E000..U+E765)")


def main():
    seqs = two_byte_sequences()
    check_gbk_decode(seqs)
    check_gb18030_decode(seqs)
    text = all_scalars()
    check_gb18030_scalars(text)
    check_gbk_scalars(text)
    print("ok")


if __name__ == "__main__":
    main()
