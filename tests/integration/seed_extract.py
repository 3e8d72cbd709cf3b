#!/usr/bin/env python3
"""seed_extract.py -- pulls the real Python listings out of the seed tutorials (the markdown
and plain-text pages in ../shared/seeds/, relative to the repository) at test time, patches
only their host/port constants, and writes them to a temporary directory to be run with
`python3 -u`. Nothing from the seeds is stored in this repository: only how to find each
listing (a marker string) and which constants to change.

    import seed_extract as se
    d = se.seeds_dir()              # None when the seeds are not here (tests skip, exit 77)
    path = se.write_listing("002_server", tmpdir, ports={10888: 40001})

Listings (name: seed file, where, what it is):
  000_menu      000 fenced   single-threaded menu peer, bind ("", 7890)
  000_peer      000 fenced   threaded peer: recv thread (recvfrom(1024), decode utf-8), send menu
  001_peer      001 fenced   threaded peer: recv/send addresses from input(), QUIT = SIGKILL
  002_server    002 fenced   relay, first datagram = nick, HOST from input(), PORT = 10888
  002_client    002 fenced   relay client, HOST and nick from input(), sleep(1) in both threads
  003_server    003 plain    ChatUDPServer: ack b'...' to every client, quit, `bye bye` on stop
  004_send_bind 004 plain    sender bound to 7879, b"123" -> 7878
  004_recv      004 plain    one-shot receiver on 7878, decode("gbk")
  004_sendrecv  004 plain    bind 7789, b"hahahah" -> 7788, one recvfrom, decode("gbk")
  004_menu      004 plain    menu peer bound to 7789: 1 = b'124124' -> 7788, 2 = one recvfrom
  004_recv2     004 plain    one-shot receiver on 7788
  004_send      004 plain    b"123" -> 7789, unbound

Run as a script it extracts every listing and compiles it (a self-check):
    python3 seed_extract.py [OUTDIR]
"""
import os
import re
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


class SeedsMissing(Exception):
    """The seeds directory (or one seed file, or one listing in it) is not there."""


def seeds_dir():
    """../shared/seeds relative to the repository (env UDPCHAT_SEEDS_DIR overrides); None if
    it does not exist."""
    d = os.environ.get("UDPCHAT_SEEDS_DIR") or os.path.join(os.path.dirname(REPO), "shared", "seeds")
    return d if os.path.isdir(d) else None


def seed_text(number):
    """The text of seed NNN_*.txt."""
    d = seeds_dir()
    if not d:
        raise SeedsMissing("no seeds directory")
    for name in sorted(os.listdir(d)):
        if name.startswith("%03d_" % number):
            with open(os.path.join(d, name), encoding="utf-8") as f:
                return f.read()
    raise SeedsMissing("seed %03d not found in %s" % (number, d))


def fenced_blocks(text):
    """The bodies of ``` fenced code blocks (any info string, even a broken one like
    ```python\\)."""
    out = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].lstrip().startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].lstrip().startswith("```"):
                j += 1
            out.append("\n".join(lines[i + 1:j]) + "\n")
            i = j + 1
        else:
            i += 1
    return out


def one_block(blocks, *markers):
    """The only block containing every marker."""
    hits = [b for b in blocks if all(m in b for m in markers)]
    if len(hits) != 1:
        raise SeedsMissing("%d listings contain %r (want 1)" % (len(hits), markers))
    return hits[0]


def unfenced(text, start_line, start_index=0):
    """Unfenced code (seeds 003/004): from the start_index-th line equal to start_line through
    the indented call after `if __name__ == '__main__':`."""
    lines = text.split("\n")
    starts = [i for i, l in enumerate(lines) if l.rstrip() == start_line]
    if len(starts) <= start_index:
        raise SeedsMissing("listing start %r #%d not found" % (start_line, start_index))
    s = starts[start_index]
    for j in range(s, len(lines)):
        if lines[j].startswith("if __name__ == '__main__':"):
            k = j + 1
            while k < len(lines) and lines[k].startswith(" ") and lines[k].strip():
                k += 1
            return "\n".join(lines[s:k]) + "\n"
    raise SeedsMissing("end of listing %r not found" % start_line)


def _004(i):
    return lambda: unfenced(seed_text(4), "# -*- coding: utf-8 -*-", i)


# name -> (function returning the listing text, the port constants it uses)
LISTINGS = {
    "000_menu": (lambda: one_block(fenced_blocks(seed_text(0)), "op_num", "recvfrom(1024)"), (7890,)),
    "000_peer": (lambda: one_block(fenced_blocks(seed_text(0)), "threading.Thread", "recvfrom(1024)"), (7890,)),
    "001_peer": (lambda: one_block(fenced_blocks(seed_text(1)), "udp_socket_recv_client",
                                   "threading.Thread"), ()),
    "002_server": (lambda: one_block(fenced_blocks(seed_text(2)), "user = {}", "Please input IP address",
                                     "Hosted By"), (10888,)),
    "002_client": (lambda: one_block(fenced_blocks(seed_text(2)), "NickName = input", "def RECV",
                                     "Hosted By"), (10888,)),
    "003_server": (lambda: unfenced(seed_text(3), "import threading", 0), (9999,)),
    "004_send_bind": (_004(0), (7878, 7879)),
    "004_recv": (_004(1), (7878,)),
    "004_sendrecv": (_004(2), (7788, 7789)),
    "004_menu": (_004(3), (7788, 7789)),
    "004_recv2": (_004(4), (7788,)),
    "004_send": (_004(5), (7789,)),
}

# Checks that each listing is the one meant (a seed edited under us fails loudly, not oddly).
EXPECT = {
    "000_menu": ["udp_socket.bind((\"\", 7890))", "recv_msg[0].decode(\"utf-8\")"],
    "000_peer": ["udp_socket.bind((\"\", 7890))", "recv_msg[0].decode(\"utf-8\")", "except:"],
    "001_peer": ["recvfrom(1024)", "decode('utf-8')", "QUIT", "SIGKILL"],
    "002_server": ["PORT = 10888", "user[addr] = data.decode('utf-8')", "\" : \""],
    "002_client": ["PORT = 10888", "time.sleep(1)", "recvfrom(1024)"],
    "003_server": ["port=9999", "'ack {}'.format(data)", "b'bye bye'", "b'quit'", "recvfrom(1024)"],
    "004_send_bind": ["bind((\"\", 7879))", "(\"127.0.0.1\", 7878)"],
    "004_recv": ["bind((\"\", 7878))", "decode(\"gbk\")", "recvfrom(1024)"],
    "004_sendrecv": ["bind((\"\", 7789))", "(\"127.0.0.1\", 7788)", "decode(\"gbk\")"],
    "004_menu": ["bind((\"\", 7789))", "(\"127.0.0.1\", 7788)", "decode(\"gbk\")", "op == \"2\""],
    "004_recv2": ["bind((\"\", 7788))", "decode(\"gbk\")"],
    "004_send": ["(\"127.0.0.1\", 7789)"],
}

# The one fix that is not a host/port constant: seed 001's threaded listing has its sendto()
# at column 0 under `else:` (an IndentationError: the program cannot start at all as printed).
# It is re-indented to the `else:` body, nothing else changes.
SYNTAX_FIXES = {
    "001_peer": [("\nudp_socket_client.sendto(send_data.encode('utf-8'), send_address)",
                  "\n            udp_socket_client.sendto(send_data.encode('utf-8'), send_address)")],
}


def listing(name):
    """The listing's text exactly as printed in the seed (no patches)."""
    fn, _ = LISTINGS[name]
    text = fn()
    for want in EXPECT[name]:
        if want not in text:
            raise SeedsMissing("listing %s does not contain %r" % (name, want))
    return text


def patched(name, ports=None):
    """The listing with its port constants replaced (ports: {old: new}) and the syntax fix
    above; raises SeedsMissing when the seed is not here."""
    text = listing(name)
    for old, new in SYNTAX_FIXES.get(name, []):
        if old not in text:
            raise SeedsMissing("listing %s: the line to re-indent is gone" % name)
        text = text.replace(old, new)
    ports = ports or {}
    for p in ports:
        if p not in LISTINGS[name][1]:
            raise ValueError("listing %s has no port constant %d" % (name, p))
    if ports:
        pat = re.compile(r"(?<![0-9])(%s)(?![0-9])" % "|".join(str(p) for p in ports))
        text = pat.sub(lambda m: str(ports[int(m.group(1))]), text)
    return text


def write_listing(name, outdir, ports=None):
    """Writes the patched listing to OUTDIR/seed_NAME.py; returns the path."""
    path = os.path.join(outdir, "seed_%s.py" % name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(patched(name, ports))
    return path


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="seeds-")
    os.makedirs(outdir, exist_ok=True)
    if not seeds_dir():
        print("no seeds directory: nothing to extract")
        sys.exit(77)
    bad = 0
    for name in LISTINGS:
        try:
            path = write_listing(name, outdir)
            with open(path, encoding="utf-8") as f:
                compile(f.read(), path, "exec")
            print("ok   %-14s %s" % (name, path))
        except (SeedsMissing, SyntaxError) as e:
            bad += 1
            print("FAIL %-14s %s" % (name, e))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
