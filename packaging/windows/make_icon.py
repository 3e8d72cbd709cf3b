#!/usr/bin/env python3
"""make_icon.py -- draws udpchat.ico (a blue chat bubble with three dots), stdlib only.

usage: python3 packaging/windows/make_icon.py [OUT.ico]   (default: udpchat.ico next to this file)
Writes 16, 24, 32 and 48 px images as 32-bit BMPs and 256 px as PNG, the layout Windows expects.
"""
import os
import struct
import sys
import zlib

SIZES = (16, 24, 32, 48, 256)
BUBBLE = (0x1E, 0x6F, 0xD9)   # blue
DOTS = (0xFF, 0xFF, 0xFF)
SS = 4                        # supersampling per axis, for anti-aliased edges


def inside_bubble(x, y):
    """True if (x, y) in unit coordinates [0,1) lies in the bubble or its tail."""
    left, top, right, bottom, r = 0.06, 0.10, 0.94, 0.74, 0.16
    cx = min(max(x, left + r), right - r)
    cy = min(max(y, top + r), bottom - r)
    if left <= x <= right and top <= y <= bottom and (x - cx) ** 2 + (y - cy) ** 2 <= r * r:
        return True
    # tail: triangle below the bubble's lower left
    ax, ay, bx, by, tx, ty = 0.22, 0.70, 0.46, 0.70, 0.18, 0.94
    d = (by - ty) * (ax - tx) + (tx - bx) * (ay - ty)
    l1 = ((by - ty) * (x - tx) + (tx - bx) * (y - ty)) / d
    l2 = ((ty - ay) * (x - tx) + (ax - tx) * (y - ty)) / d
    return l1 >= 0 and l2 >= 0 and l1 + l2 <= 1


def inside_dot(x, y):
    return any((x - cx) ** 2 + (y - 0.42) ** 2 <= 0.075 ** 2 for cx in (0.30, 0.50, 0.70))


def render(n):
    """Returns n rows (top first) of n (r, g, b, a) pixels."""
    rows = []
    for py in range(n):
        row = []
        for px in range(n):
            cover = dot = 0
            for sy in range(SS):
                for sx in range(SS):
                    x, y = (px + (sx + 0.5) / SS) / n, (py + (sy + 0.5) / SS) / n
                    if inside_bubble(x, y):
                        cover += 1
                        dot += inside_dot(x, y)
            a = cover * 255 // (SS * SS)
            t = dot / cover if cover else 0.0
            rgb = tuple(round(b + (d - b) * t) for b, d in zip(BUBBLE, DOTS))
            row.append(rgb + (a,))
        rows.append(row)
    return rows


def bmp_image(n, rows):
    """A BITMAPINFOHEADER + BGRA rows bottom-up + a 1-bit AND mask, as .ico stores BMPs."""
    header = struct.pack("<IiiHHIIiiII", 40, n, 2 * n, 1, 32, 0, 0, 0, 0, 0, 0)
    pixels = b"".join(bytes((b, g, r, a)) for row in reversed(rows) for (r, g, b, a) in row)
    stride = ((n + 31) // 32) * 4
    mask = bytearray()
    for row in reversed(rows):
        bits = bytearray(stride)
        for x, px in enumerate(row):
            if px[3] == 0:
                bits[x // 8] |= 0x80 >> (x % 8)
        mask += bits
    return header + pixels + bytes(mask)


def png_image(n, rows):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"".join(b"\0" + bytes(c for px in row for c in px) for row in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", n, n, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "udpchat.ico")
    images = []
    for n in SIZES:
        rows = render(n)
        images.append((n, png_image(n, rows) if n >= 256 else bmp_image(n, rows)))
    data = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    for n, img in images:
        data += struct.pack("<BBBBHHII", n % 256, n % 256, 0, 0, 1, 32, len(img), offset)
        offset += len(img)
    data += b"".join(img for _, img in images)
    with open(out, "wb") as f:
        f.write(data)
    print(f"wrote {out} ({len(data)} bytes, sizes {', '.join(map(str, SIZES))})")


if __name__ == "__main__":
    main()
