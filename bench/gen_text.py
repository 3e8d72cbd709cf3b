#!/usr/bin/env python3
"""gen_text.py -- the deterministic test text for bench/run row 5 (charset throughput).

    bench/gen_text.py OUT_DIR [--mb 100] [--seed 1]

Writes OUT_DIR/mixed.utf8 (MB megabytes of UTF-8: lines of ASCII words mixed with Chinese
from GB2312 level 1, full-width punctuation, digits) and OUT_DIR/mixed.gbk (the same text in
GBK). The same seed and size give the same bytes; files already there with the right stamp
are kept.
"""
import argparse
import os
import random
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--mb", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    o = ap.parse_args()
    os.makedirs(o.out, exist_ok=True)
    stamp = os.path.join(o.out, "mixed.stamp")
    want = "mb=%d seed=%d v1" % (o.mb, o.seed)
    if os.path.exists(stamp) and open(stamp).read() == want and \
            os.path.exists(os.path.join(o.out, "mixed.gbk")):
        return 0
    rng = random.Random(o.seed)
    hanzi = [bytes([hi, lo]).decode("gbk") for hi in range(0xB0, 0xD8) for lo in range(0xA1, 0xFF)
             if not (hi == 0xD7 and lo > 0xF9)]
    words = ["the", "relay", "udp", "chat", "message", "server", "client", "hello", "world", "ok",
             "SDL2", "net", "port", "10888", "nick", "room", "GBK", "UTF-8", "test", "data"]
    punct = ["，", "。", "：", "！", "？", "、", "（", "）"]
    pool = []
    for _ in range(20000):
        parts = []
        for _ in range(rng.randint(3, 12)):
            k = rng.random()
            if k < 0.45:
                parts.append("".join(rng.choice(hanzi) for _ in range(rng.randint(1, 8))))
            elif k < 0.85:
                parts.append(rng.choice(words))
            elif k < 0.95:
                parts.append(rng.choice(punct))
            else:
                parts.append(str(rng.randint(0, 99999)))
        pool.append(" ".join(parts) + "\n")
    target = o.mb * 1000 * 1000
    out, size = [], 0
    while size < target:
        chunk = "".join(rng.choices(pool, k=4096))
        out.append(chunk)
        size += len(chunk.encode("utf-8"))
    text = "".join(out)
    data = text.encode("utf-8")[:target]
    data = data[:data.rfind(b"\n") + 1]
    with open(os.path.join(o.out, "mixed.utf8"), "wb") as f:
        f.write(data)
    with open(os.path.join(o.out, "mixed.gbk"), "wb") as f:
        f.write(data.decode("utf-8").encode("gbk"))
    with open(stamp, "w") as f:
        f.write(want)
    return 0


if __name__ == "__main__":
    sys.exit(main())
