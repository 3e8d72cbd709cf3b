#!/usr/bin/env python3
"""test_charset_oracle.py -- `udpchat convert` checked exhaustively against Python's codecs
and, for GB18030, against glibc's iconv.

Python's gbk and gb18030 codecs (CJKCodecs) are an oracle independent of iconv and of
Windows; glibc's "GB18030" module (called through ctypes, not through udpchat) follows
GB18030-2022, as udpchat does. Every 2-byte GBK/GB18030 sequence, every 4-byte GB18030
sequence and every Unicode scalar value is converted in a few large `udpchat convert`
runs; results must equal the oracles' except for the differences written down in
docs/CHARSET.md, which are checked to be exactly these:

  gbk decode      the 1894 user-defined-area sequences (AAA1-AFFE, F8A1-FEFE, A140-A7A0)
                  decode to U+E000..U+E765 (as Windows and GB18030); Python rejects them
  gbk encode      those 1894 PUA characters, and U+20AC -> 0x80; Python gives '?'

  gb18030 against Python (GB18030-2000 plus nothing; udpchat is 2022):
    2-byte decode   25: A8BC -> U+1E3F (2005; Python U+E7C7) and the 24 codes that 2022
                    (and glibc) map to standard characters, where Python gives PUA:
                    A6D9.. -> U+FE10-U+FE19, FE59.. -> U+9FB4-U+9FBB, FE51.. -> U+20087..
    4-byte decode   1: 81 35 F4 37 -> U+E7C7 (2005; Python U+1E3F)
    encode          26: U+1E3F -> A8BC, U+E7C7 -> 81 35 F4 37 (Python the other way round)
                    and the 24 standard characters to their 2-byte codes (Python: 4 bytes)
  gb18030 against glibc (GB18030-2022): no character where both give one and differ;
    4-byte decode   18: the codes 2005 gave U+FE10-U+FE19 and U+9FB4-U+9FBB (84 31 82 36..,
                    82 35 90 37..) still decode to those characters here; glibc: EILSEQ
    encode          24: the PUA code points 2005 gave the 24 codes (U+E78D.., U+E816..)
                    encode to those old codes here, so 2005 text round-trips; glibc: EILSEQ

usage: test_charset_oracle.py PATH/TO/udpchat
"""
import ctypes
import ctypes.util
import errno
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


# GB18030-2022's changes to 2-byte codes: code -> (2022 character, the 2005 PUA character).
# The first 18 are the standard's; glibc and GNU libiconv also map the last six.
CHANGED_2022 = {
    b"\xa6\xd9": ("\ufe10", "\ue78d"), b"\xa6\xda": ("\ufe12", "\ue78e"),
    b"\xa6\xdb": ("\ufe11", "\ue78f"), b"\xa6\xdc": ("\ufe13", "\ue790"),
    b"\xa6\xdd": ("\ufe14", "\ue791"), b"\xa6\xde": ("\ufe15", "\ue792"),
    b"\xa6\xdf": ("\ufe16", "\ue793"), b"\xa6\xec": ("\ufe17", "\ue794"),
    b"\xa6\xed": ("\ufe18", "\ue795"), b"\xa6\xf3": ("\ufe19", "\ue796"),
    b"\xfe\x59": ("\u9fb4", "\ue81e"), b"\xfe\x61": ("\u9fb5", "\ue826"),
    b"\xfe\x66": ("\u9fb6", "\ue82b"), b"\xfe\x67": ("\u9fb7", "\ue82c"),
    b"\xfe\x6d": ("\u9fb8", "\ue832"), b"\xfe\x7e": ("\u9fb9", "\ue843"),
    b"\xfe\x90": ("\u9fba", "\ue854"), b"\xfe\xa0": ("\u9fbb", "\ue864"),
    b"\xfe\x51": ("\U00020087", "\ue816"), b"\xfe\x52": ("\U00020089", "\ue817"),
    b"\xfe\x53": ("\U000200cc", "\ue818"), b"\xfe\x6c": ("\U000215d7", "\ue831"),
    b"\xfe\x76": ("\U0002298f", "\ue83b"), b"\xfe\x91": ("\U000241fe", "\ue855"),
}
NEW_CHAR = {new: seq for seq, (new, _) in CHANGED_2022.items()}   # U+FE10 -> A6D9
OLD_PUA = {old: seq for seq, (_, old) in CHANGED_2022.items()}    # U+E78D -> A6D9
PUA_TO_NEW = {old: new for new, old in CHANGED_2022.values()}     # U+E78D -> U+FE10


# ---- glibc's iconv through ctypes: one iconv() call per run of good lines ----

class Glibc:
    def __init__(self):
        self.libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        self.libc.iconv_open.restype = ctypes.c_void_p
        self.libc.iconv_open.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        self.libc.iconv.restype = ctypes.c_size_t
        self.libc.iconv.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p),
                                    ctypes.POINTER(ctypes.c_size_t),
                                    ctypes.POINTER(ctypes.c_void_p),
                                    ctypes.POINTER(ctypes.c_size_t)]
        self.libc.iconv_close.argtypes = [ctypes.c_void_p]

    def lines(self, tocode, fromcode, data):
        """Converts newline-separated items; returns one bytes per item, None where glibc
        refuses it (EILSEQ/EINVAL: the item is skipped up to the next newline)."""
        cd = self.libc.iconv_open(tocode.encode(), fromcode.encode())
        assert cd not in (None, ctypes.c_void_p(-1).value), f"iconv_open {fromcode}->{tocode}"
        inbuf = ctypes.create_string_buffer(data, len(data))
        outsize = 4 * len(data) + 64
        outbuf = ctypes.create_string_buffer(outsize)
        ip, il = ctypes.c_void_p(ctypes.addressof(inbuf)), ctypes.c_size_t(len(data))
        op, ol = ctypes.c_void_p(ctypes.addressof(outbuf)), ctypes.c_size_t(outsize)
        refused, line, counted = set(), 0, 0  # line = newlines in data[:counted]
        while il.value:
            r = self.libc.iconv(cd, ctypes.byref(ip), ctypes.byref(il), ctypes.byref(op),
                                ctypes.byref(ol))
            if r != ctypes.c_size_t(-1).value:
                break
            err = ctypes.get_errno()
            assert err in (errno.EILSEQ, errno.EINVAL), f"iconv: errno {err}"
            pos = ip.value - ctypes.addressof(inbuf)
            line += data.count(b"\n", counted, pos)
            counted = pos
            refused.add(line)
            nl = data.find(b"\n", pos)
            skip = (nl if nl >= 0 else len(data)) - pos  # the newline is converted next
            ip.value += skip
            il.value -= skip
        self.libc.iconv_close(cd)
        out = outbuf.raw[:outsize - ol.value].split(b"\n")
        assert len(out) == data.count(b"\n") + 1, (fromcode, tocode, len(out))
        return [None if i in refused else o for i, o in enumerate(out)]


GLIBC = Glibc()


def glibc_decode(seqs):
    """GB18030 sequences to characters with glibc; U+FFFD where it refuses one."""
    out = GLIBC.lines("UTF-8", "GB18030", b"\n".join(seqs))
    return [REPLACEMENT if o is None else o.decode("utf-8") for o in out]


def check_gb18030_decode(seqs):
    diffs = check_two_byte("gb18030", seqs)
    expected = {s: (new, old) for s, (new, old) in CHANGED_2022.items()}
    expected[b"\xa8\xbc"] = ("\u1e3f", "\ue7c7")
    assert diffs == expected, sorted(set(diffs.items()) ^ set(expected.items()))
    ours = convert("gb18030", "utf-8", b"\n".join(seqs)).decode("utf-8").split("\n")
    glibc = glibc_decode(seqs)
    gdiffs = {s: (o, g) for s, o, g in zip(seqs, ours, glibc) if o != g}
    assert gdiffs == {}, sorted(gdiffs.items())[:20]
    print(f"gb18030: {len(seqs)} two-byte sequences decode as glibc's GB18030 does")


def four_byte_sequences():
    r1, r2 = range(0x81, 0xFF), range(0x30, 0x3A)
    return [bytes([a, b, c, d]) for a in r1 for b in r2 for c in r1 for d in r2]


def check_gb18030_four_byte():
    """All 1 587 600 four-byte sequences (BMP codes, past-the-BMP gap, supplementary planes
    and beyond U+10FFFF) against Python and glibc, and the round trip back to bytes."""
    seqs = four_byte_sequences()
    ours = convert("gb18030", "utf-8", b"\n".join(seqs)).decode("utf-8").split("\n")
    assert len(ours) == len(seqs) and all(len(o) == 1 for o in ours)
    pdiffs = {s: (o, python_decode(s, "gb18030")) for s, o in zip(seqs, ours)
              if o != python_decode(s, "gb18030")}
    assert pdiffs == {b"\x81\x35\xf4\x37": ("\ue7c7", "\u1e3f")}, sorted(pdiffs.items())[:20]
    glibc = glibc_decode(seqs)
    gdiffs = {s: (o, g) for s, o, g in zip(seqs, ours, glibc) if o != g}
    # The 18 codes GB18030-2005 gave to U+FE10-U+FE19 and U+9FB4-U+9FBB: glibc refuses them
    # (2022 gives them the PUA code points that used to be A6D9..); here they keep their
    # 2005 meaning, so old text still reads right.
    old_codes = {s.encode("gb18030"): s for s in NEW_CHAR if ord(s) < 0x10000}
    assert len(old_codes) == 18
    assert gdiffs == {s: (ch, REPLACEMENT) for s, ch in old_codes.items()}, \
        sorted(gdiffs.items())[:20]
    # Round trip: whatever decodes to a character encodes back to the same 4 bytes, but the
    # 18 above and the 4-byte codes of the six Ext-B characters (95 32 90 31 = U+20087; also
    # many-to-one in glibc), which encode to their 2022 2-byte codes.
    real = [(s, ch) for s, ch in zip(seqs, ours) if ch != REPLACEMENT]
    back = convert("utf-8", "gb18030", "\n".join(ch for _, ch in real).encode("utf-8"))
    back = back.split(b"\n")
    moved = {s: b for (s, _), b in zip(real, back) if s != b}
    assert moved == {s: NEW_CHAR[ch] for s, ch in real if ch in NEW_CHAR}, sorted(moved.items())
    assert len(moved) == 24
    print(f"gb18030: {len(seqs)} four-byte sequences, {len(real)} characters, differ from "
          f"Python in {len(pdiffs)}, from glibc in {len(gdiffs)} (glibc refuses them); "
          f"{len(real) - len(moved)} round-trip, {len(moved)} re-encode to 2 bytes")


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
    overrides = {"\u1e3f": b"\xa8\xbc", "\ue7c7": b"\x81\x35\xf4\x37", **NEW_CHAR}
    ours = check_encode("gb18030", text, overrides)
    # glibc, character by character (one per line); None where it refuses one
    chars = [ch for ch in text if ch != "\n"]
    glibc = GLIBC.lines("GB18030", "UTF-8", "\n".join(chars).encode("utf-8"))
    mine = convert("utf-8", "gb18030", "\n".join(chars).encode("utf-8")).split(b"\n")
    assert len(mine) == len(chars) == len(glibc)
    gdiffs = {ch: (o, g) for ch, o, g in zip(chars, mine, glibc) if o != g}
    # The 24 PUA code points 2005 gave the changed codes: glibc refuses them; here they
    # encode to their old codes (U+E78D -> A6D9, which now decodes to U+FE10).
    assert gdiffs == {ch: (seq, None) for ch, seq in OLD_PUA.items()}, sorted(gdiffs.items())[:20]
    # Round trip: every scalar value comes back, but those 24, which come back as the
    # characters 2022 gives their codes.
    want = "".join(PUA_TO_NEW.get(ch, ch) for ch in text)
    assert convert("gb18030", "utf-8", ours) == want.encode("utf-8"), "gb18030 round trip"
    print(f"gb18030: {len(text)} scalar values encoded; bytes equal Python's except "
          f"{len(overrides)} (U+1E3F, U+E7C7 and the 24 GB18030-2022 characters), "
          f"glibc's except {len(gdiffs)} (the 24 old PUA code points glibc refuses); "
          f"all round-trip but those 24")


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
    check_gb18030_four_byte()
    text = all_scalars()
    check_gb18030_scalars(text)
    check_gbk_scalars(text)
    print("ok")


if __name__ == "__main__":
    main()
