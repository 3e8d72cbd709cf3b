#!/usr/bin/env python3
"""test_seeds.py -- issue 13, "Seed compatibility for real": udpchat against the seed
tutorials' programs themselves (extracted from ../shared/seeds/ at test time by
seed_extract.py; "real" variants, skipped when the seeds are absent) and against our own
faithful versions of them (seedprogs.py; "faithful" variants, always run). The seed programs
are strict: recvfrom(1024), .decode("utf-8") / ("gbk") that raises on a bad byte and kills
the receiving thread (a Traceback on stderr), sleep(1) between reads.

Usage: test_seeds.py PATH/TO/udpchat [TEST...]   (exit 77: every selected test skipped)

Every expected text is in the constants block below: adjust it there to the final
implementation.
"""
import base64
import os
import re
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import udpchat_harness as h  # noqa: E402
from udpchat_harness import check  # noqa: E402
import seed_extract as se  # noqa: E402
import seedprogs as sp  # noqa: E402

LO = h.LOOPBACK

# =========================================================================== expectations
# --- 1. the calling card (what udpchat sends to an address that has not yet sent it a
#     udpchat datagram): one printable 7-bit ASCII line ending in "\n"
CARD_RE = re.compile(rb"^udpchat [0-9][0-9.]*: a udpchat user is calling\. Type a line to chat in plain text\. "
                     rb"\[UCH2 ([A-Za-z0-9+/]+={0,2})\]\n$")
CARD_MUST_CONTAIN = b"udpchat"
CARD_PAYLOAD_PREFIX = b"\xffUCH"   # what the base64 decodes to (the binary HELLO); None: unchecked
CARD_MAX_BYTES = 1024
CARD_WINDOW_S = 15                 # cards counted over this long after start ...
CARDS_MIN, CARDS_MAX = 2, 6        # ... "repeated a few times", at most 6
CARD_GAP_SLACK_S = 0.35            # growing intervals: each gap >= the previous one - slack
CARD_IN_SEED_OUTPUT = ("udpchat", "[UCH2 ")   # how a seed's print of a card is recognised
# --- 2. peer mode
PEER_SWITCH_MIN_S, PEER_SWITCH_MAX_S = 1.5, 10   # default mode: plain text "about 3 s" after the
                                                 # seed's first line (the first reply's arrival)
FROM_SEED = ["你好，世界", "hello 中文混合 text", "第三句：再见！"]
FROM_UDPCHAT = ["收到：你好！", "plain ascii", "中文和 English 混在一起。"]
EARLY_LINE = "先打的一句：早上好"   # typed before the seed spoke: resent as text after the switch
LINE_TERMINATOR = b""              # what udpchat appends to each text datagram (none)
# --- 3. `udpchat server`
SERVER_LEGACY_TIMEOUT = ["--legacy-timeout", "10"]
QUIET_S = 20
HB_FLOOD_COUNT, HB_FLOOD_SECONDS = 2000, 1.0
# --- 4. `udpchat join --legacy`
JOIN_LEGACY = ["--legacy"]
JOIN_HEARTBEAT_S = 1
HB_TEXT = b"^hb^"
QUIT_TEXT = "quit"
SEED_BYE = "bye bye"
EV_SHUTDOWN = "shutdown"           # what `bye bye` from the server becomes
NICK_SEP = " : "                   # a line "nick : text" is a message from nick (first " : ")
# --- 5. `udpchat join` (protocol mode) where no udpchat server answers
ADVICE_WITHIN_S = 6
ADVICE_EVENT = "error"
ADVICE_MUST_CONTAIN = ("--legacy", "udpchat server")
# --- 6. long lines
SEED_RECV_MAX = 1024
LONG_LINE = ("长行测试，" * 600)    # 3,000 Chinese characters: 9,000 bytes UTF-8, 6,000 GBK
# --- 7. peer --legacy: from = "host:port" of the other address
# --- 8. every "sent" event has an "id", distinct within the process

T_EVENT = 10    # seconds to wait for one expected event or seed output


# =========================================================================== helpers

Skip = h.Skip


def need_seeds():
    if not se.seeds_dir():
        raise Skip("no seeds directory (../shared/seeds): real-listing variant skipped")


class Group(h.ProcessGroup):
    """A ProcessGroup that also owns seed programs (SeedProc) and a temp directory, and prints
    the seeds' output when the test failed."""

    def __init__(self, binary):
        super().__init__(binary)
        self.seeds = []
        self.tmp = tempfile.mkdtemp(prefix="udpchat-seeds-")

    def seed(self, argv, name):
        s = sp.SeedProc(argv, name=name, cwd=self.tmp)
        self.seeds.append(s)
        self.add(s)
        return s

    def faithful(self, name, *args, label=None):
        return self.seed(sp.faithful(name, *args), label or name + " (faithful)")

    def real(self, listing, ports=None, label=None):
        try:
            path = se.write_listing(listing, self.tmp, ports)
        except se.SeedsMissing as e:
            raise Skip(str(e))
        return self.seed([path], label or listing + " (real listing)")

    def __exit__(self, et, ev, tb):
        if et is not None and et is not Skip:
            for s in self.seeds:
                sys.stderr.write(s.describe() + "\n")
        r = super().__exit__(et, ev, tb)
        shutil.rmtree(self.tmp, ignore_errors=True)
        return r


def addr(port):
    return "%s:%d" % (LO, port)


def card_problem(data):
    """None if data is a well-formed calling card, else what is wrong with it."""
    if data.startswith(b"\xff"):
        return "binary (starts 0xFF)"
    if len(data) > CARD_MAX_BYTES:
        return "%d bytes > %d" % (len(data), CARD_MAX_BYTES)
    if not data.endswith(b"\n") or b"\n" in data[:-1]:
        return "not one line ending in \\n"
    if any(c < 0x20 or c > 0x7e for c in data[:-1]):
        return "not printable 7-bit ASCII"
    for cs in ("utf-8", "gbk"):
        try:
            data.decode(cs)
        except UnicodeDecodeError:
            return "does not decode as %s" % cs
    if CARD_MUST_CONTAIN not in data:
        return "no %r in it" % CARD_MUST_CONTAIN
    m = CARD_RE.match(data)
    if not m:
        return "not of the form %r" % CARD_RE.pattern
    try:
        b64 = m.group(1)
        payload = base64.b64decode(b64 + b"=" * (-len(b64) % 4), validate=True)  # sent without padding
    except ValueError:
        return "bad base64"
    if CARD_PAYLOAD_PREFIX is not None and not payload.startswith(CARD_PAYLOAD_PREFIX):
        return "base64 payload starts %r" % payload[:8]
    return None


def is_card_text(text):
    return all(k in text for k in CARD_IN_SEED_OUTPUT)


def check_sent_ids(*procs):
    """Item 8: every "sent" event has an id, all distinct within the process."""
    for p in procs:
        sent = p.of_type("sent")
        ids = [e.get("id") for e in sent]
        check(all(isinstance(i, int) for i in ids), "%s: a sent event without an id: %r" % (p.name, sent), p)
        check(len(set(ids)) == len(ids), "%s: sent ids not distinct: %r" % (p.name, ids), p)


def is_msg(frm=None, text=None):
    return lambda e: (e.get("event") == "message" and (frm is None or e.get("from") == frm)
                      and (text is None or e.get("text") == text))


def healthy(*seeds, running=True):
    for s in seeds:
        s.check_healthy(running=running)


# what each kind of seed prints for a received datagram (group 1: the text)
RX_000 = r">>>\('127\.0\.0\.1', %d\):([^\n]*)"
RX_001 = r">> \[收到來自<127\.0\.0\.1>的信息啦\] ([^\n]*)"
RX_004_MENU = r"\('127\.0\.0\.1', %d\):([^\n]*)"
RX_004_RECV = r"接收到来自\('127\.0\.0\.1', %d\),的([^\n]*)\n?信息"   # (a card ends in \n)


def received(seed, rx):
    return re.findall(rx, seed.out())


def check_only_expected(seed, rx, allowed):
    """Everything the seed printed as received is a card or one of the allowed texts."""
    for t in received(seed, rx):
        check(is_card_text(t) or t in allowed, "%s printed an unexpected datagram %r\n%s" % (
            seed.name, t[:200], seed.describe()))


def peer_args(remote, local, mode, nick="linux"):
    return ["peer", addr(remote), "--port", local, "--json", "--nick", nick] + list(mode)


# =========================================================================== 1. calling card

def collect(obs, seconds):
    """Every datagram on obs for `seconds`: [(t, bytes)]."""
    got = []
    t0 = time.monotonic()
    while True:
        left = t0 + seconds - time.monotonic()
        if left <= 0:
            return got
        try:
            data, _ = obs.recv(left / h.scale(), skip_magic=False)
        except h.HarnessError:
            return got
        got.append((time.monotonic() - t0, data))


def test_card_raw(binary):
    """Item 1: `peer` and `join` (protocol mode) to a silent plain socket: every datagram in
    the first 15 s is a calling card (printable ASCII, one line, <=1024 bytes, UTF-8 and GBK
    clean, `udpchat ...[UCH2 base64]`), 2..6 of them, at growing intervals."""
    with Group(binary) as g:
        o1 = g.add(h.UdpTextPeer())
        o2 = g.add(h.UdpTextPeer())
        p = g.start(["peer", addr(o1.port), "--json", "--nick", "caller"], name="peer")
        j = g.start(["join", addr(o2.port), "--json", "--nick", "caller2"], name="join")
        res = {}
        th = [threading.Thread(target=lambda k, o: res.__setitem__(k, collect(o, CARD_WINDOW_S)), args=(k, o))
              for k, o in (("peer", o1), ("join", o2))]
        for t in th:
            t.start()
        for t in th:
            t.join()
        for (name, proc) in (("peer", p), ("join", j)):
            got = res[name]
            for t, d in got:
                prob = card_problem(d)
                check(prob is None, "%s: datagram at %.1fs is not a calling card (%s): %r" % (
                    name, t, prob, d[:80]), proc)
            check(CARDS_MIN <= len(got) <= CARDS_MAX, "%s: %d cards in %ds, want %d..%d (at %r)" % (
                name, len(got), CARD_WINDOW_S, CARDS_MIN, CARDS_MAX, [round(t, 1) for t, _ in got]), proc)
            gaps = [b[0] - a[0] for a, b in zip(got, got[1:])]
            check(all(g2 >= g1 - CARD_GAP_SLACK_S for g1, g2 in zip(gaps, gaps[1:])),
                  "%s: card intervals do not grow: %r" % (name, [round(x, 2) for x in gaps]), proc)
            check(proc.running(), "%s exited" % name, proc)


# =========================================================================== 2. peer mode

def start_seed_peer(g, kind, variant, sport, uport):
    """Seed 000 or 001 peer on sport that talks to uport; returns (seed, rx, say)."""
    if kind == "000":
        s = (g.faithful("seed000_peer", sport) if variant == "faithful"
             else g.real("000_peer", {7890: sport}))
        s.wait_out("请输入操作序号", T_EVENT)
        state = {"menu": False}

        def say(text):
            if not state["menu"]:
                s.send_lines(["1", LO, str(uport)])
                state["menu"] = True
            s.send_line(text)
        return s, RX_000 % uport, say
    s = g.faithful("seed001_peer") if variant == "faithful" else g.real("001_peer")
    s.send_lines(["", str(sport), LO, str(uport)])
    s.wait_out("鏈接成功", T_EVENT)
    time.sleep(0.3)  # the receive thread binds after the send thread's banner
    return s, RX_001, s.send_line


def peer_chat_with(binary, kind, variant, mode):
    """Chinese both ways between `udpchat peer` (mode: [] default, or --legacy) and a seed
    000/001 peer started first; no seed thread dies."""
    default = "--legacy" not in mode
    with Group(binary) as g:
        sport, uport = h.free_udp_ports(2)
        seed, rx, say = start_seed_peer(g, kind, variant, sport, uport)
        p = g.start(peer_args(sport, uport, mode), name="udpchat-" + ("default" if default else "legacy"))
        check(p.wait_ready(T_EVENT) == uport, "udpchat: ready on another port", p)
        if default:
            # the seed got a calling card first, printed it, and lives on
            seed.wait_out(re.escape(CARD_IN_SEED_OUTPUT[1]), T_EVENT, what="a calling card")
            time.sleep(0.5)
            healthy(seed)
            p.send_line(EARLY_LINE)
        t_first = None
        for mine, theirs in zip(FROM_SEED, FROM_UDPCHAT):
            m = p.mark()
            say(mine)
            t_first = t_first or time.monotonic()
            p.wait_for(is_msg(addr(sport), mine), T_EVENT, start=m, what="seed's %r" % mine)
            p.send_line(theirs)
            seed.wait_out(rx.replace("([^\\n]*)", re.escape(theirs)), PEER_SWITCH_MAX_S, what=repr(theirs))
            if default and theirs == FROM_UDPCHAT[0]:
                took = time.monotonic() - t_first
                check(took >= PEER_SWITCH_MIN_S, "default mode: text to the seed %.1fs after its first "
                      "line, want about 3 s (>= %.1f)" % (took, PEER_SWITCH_MIN_S), p)
        if default:
            seed.wait_out(rx.replace("([^\\n]*)", re.escape(EARLY_LINE)), 1, what="the early line")
        healthy(seed)
        check_only_expected(seed, rx, set(FROM_UDPCHAT) | {EARLY_LINE})
        check_sent_ids(p)
        check(p.stop() == 0, "udpchat: exit code not 0", p)
        time.sleep(0.5)
        healthy(seed)
        check_only_expected(seed, rx, set(FROM_UDPCHAT) | {EARLY_LINE})


def test_peer_seed000_legacy_faithful(binary):
    """Item 2: seed 000's threaded peer (ours), `udpchat peer --legacy`."""
    peer_chat_with(binary, "000", "faithful", JOIN_LEGACY)


def test_peer_seed000_legacy_real(binary):
    """Item 2: seed 000's threaded peer (the listing), `udpchat peer --legacy`."""
    need_seeds()
    peer_chat_with(binary, "000", "real", JOIN_LEGACY)


def test_peer_seed000_default_faithful(binary):
    """Item 2: seed 000's threaded peer (ours), `udpchat peer`."""
    peer_chat_with(binary, "000", "faithful", [])


def test_peer_seed000_default_real(binary):
    """Item 2: seed 000's threaded peer (the listing), `udpchat peer`."""
    need_seeds()
    peer_chat_with(binary, "000", "real", [])


def test_peer_seed001_legacy_faithful(binary):
    """Item 2: seed 001's threaded peer (ours), `udpchat peer --legacy`."""
    peer_chat_with(binary, "001", "faithful", JOIN_LEGACY)


def test_peer_seed001_legacy_real(binary):
    """Item 2: seed 001's threaded peer (the listing, its one mis-indented line fixed), `udpchat peer --legacy`."""
    need_seeds()
    peer_chat_with(binary, "001", "real", JOIN_LEGACY)


def test_peer_seed001_default_faithful(binary):
    """Item 2: seed 001's threaded peer (ours), `udpchat peer`."""
    peer_chat_with(binary, "001", "faithful", [])


def test_peer_seed001_default_real(binary):
    """Item 2: seed 001's threaded peer (the listing, its one mis-indented line fixed), `udpchat peer`."""
    need_seeds()
    peer_chat_with(binary, "001", "real", [])


def menu_receive(seed, rx, want, tries=8):
    """Seed 004's menu: '2' reads one datagram; repeat (skipping cards) until `want` is printed."""
    for _ in range(tries):
        n = len(received(seed, rx))
        seed.send_line("2")
        seed.wait_count(rx, n + 1, T_EVENT)
        got = received(seed, rx)[n]
        if got == want:
            return
        check(is_card_text(got), "%s printed %r, want %r (or a card)\n%s" % (seed.name, got, want, seed.describe()))
    raise AssertionError("%s: %r not received after %d reads\n%s" % (seed.name, want, tries, seed.describe()))


GBK_FROM_SEED = "你好，我用GBK发的"
GBK_FROM_UDPCHAT = ["收到：GBK 中文没问题", "第二句，也是中文"]


def gbk_menu_chat(g, mode, variant):
    """Seed 004's menu peer (GBK) and `udpchat peer --peer-charset gbk` (mode)."""
    sport, uport = h.free_udp_ports(2)
    if variant == "faithful":
        seed = g.faithful("seed004_menu", sport, uport, 1, "gbk", label="seed004_menu (faithful, %s)" % mode)
        seed_says = GBK_FROM_SEED
    else:
        seed = g.real("004_menu", {7789: sport, 7788: uport})
        seed_says = "124124"
    seed.wait_out("请输入功能", T_EVENT)
    p = g.start(peer_args(sport, uport, ["--peer-charset", "gbk"] + list(mode)), name="udpchat-gbk %s" % mode)
    p.wait_ready(T_EVENT)
    seed.send_line("1")
    if variant == "faithful":
        seed.send_line(seed_says)
    p.wait_for(is_msg(addr(sport), seed_says), T_EVENT, what="seed's %r" % seed_says)
    rx = RX_004_MENU % uport
    for line in GBK_FROM_UDPCHAT:
        p.send_line(line)
        menu_receive(seed, rx, line)
    healthy(seed)
    check_sent_ids(p)
    check(p.stop() == 0, "udpchat: exit code not 0", p)
    healthy(seed)


def gbk_menu_test(binary, mode, variant):
    with Group(binary) as g:
        gbk_menu_chat(g, mode, variant)


def test_peer_seed004_menu_legacy_faithful(binary):
    """Item 2: GBK both ways with seed 004's menu peer (ours: option 1 sends an input() line in
    GBK), `udpchat peer --legacy --peer-charset gbk`."""
    gbk_menu_test(binary, JOIN_LEGACY, "faithful")


def test_peer_seed004_menu_default_faithful(binary):
    """Item 2: the same, `udpchat peer --peer-charset gbk` (default mode)."""
    gbk_menu_test(binary, [], "faithful")


def test_peer_seed004_menu_legacy_real(binary):
    """Item 2: seed 004's menu listing (b'124124' to udpchat; GBK Chinese from udpchat), --legacy."""
    need_seeds()
    gbk_menu_test(binary, JOIN_LEGACY, "real")


def test_peer_seed004_menu_default_real(binary):
    """Item 2: seed 004's menu listing, default mode."""
    need_seeds()
    gbk_menu_test(binary, [], "real")


def test_peer_seed004_oneshots_faithful(binary):
    """Item 2: our GBK sender (input() lines from a bound port) to `udpchat peer --peer-charset
    gbk` (default mode); our GBK receiver (recvfrom(1024), decode gbk, 5 datagrams) from
    `udpchat peer --legacy --peer-charset gbk`."""
    with Group(binary) as g:
        sport, uport = h.free_udp_ports(2)
        p = g.start(peer_args(sport, uport, ["--peer-charset", "gbk"]), name="udpchat-from-sender")
        p.wait_ready(T_EVENT)
        snd = g.faithful("seed004_sender", uport, sport, "gbk")
        lines = ["发送者的第一句", "第二句：中文，标点！"]
        for line in lines:
            snd.send_line(line)
            p.wait_for(is_msg(addr(sport), line), T_EVENT, what=repr(line))
        healthy(snd)
        check(p.stop() == 0, "exit code", p)
        rport, uport = h.free_udp_ports(2)
        rcv = g.faithful("seed004_receiver", rport, 5, "gbk")
        time.sleep(0.3)
        p = g.start(peer_args(rport, uport, ["--legacy", "--peer-charset", "gbk"]), name="udpchat-to-receiver")
        p.wait_ready(T_EVENT)
        rx = RX_004_RECV % uport
        for line in GBK_FROM_UDPCHAT:
            p.send_line(line)
            rcv.wait_out(rx.replace("([^\\n]*)", re.escape(line)), T_EVENT, what=repr(line))
        healthy(rcv)
        check_only_expected(rcv, rx, set(GBK_FROM_UDPCHAT))
        check_sent_ids(p)
        check(p.stop() == 0, "exit code", p)


def test_peer_seed004_oneshots_real(binary):
    """Items 1, 2, 7 with seed 004's one-shot listings: the bound sender's b"123" arrives; the
    send-and-receive listing gets a GBK answer from `peer --legacy`; the one-shot receiver
    prints udpchat's calling card decoded as GBK and exits 0; the unbound sender's b"123"
    reaches a `peer --legacy` talking to someone else, from the sender's host:port."""
    need_seeds()
    with Group(binary) as g:
        # bound sender (bind 7879, b"123" -> 7878)
        sport, uport = h.free_udp_ports(2)
        p = g.start(peer_args(sport, uport, ["--peer-charset", "gbk"]), name="udpchat-from-send_bind")
        p.wait_ready(T_EVENT)
        snd = g.real("004_send_bind", {7879: sport, 7878: uport})
        p.wait_for(is_msg(addr(sport), "123"), T_EVENT, what="b'123'")
        healthy(snd, running=False)
        check(p.stop() == 0, "exit code", p)
        # send-and-receive (bind 7789, b"hahahah" -> 7788, then one recvfrom, gbk)
        sport, uport = h.free_udp_ports(2)
        p = g.start(peer_args(sport, uport, ["--legacy", "--peer-charset", "gbk"]), name="udpchat-sendrecv")
        p.wait_ready(T_EVENT)
        sr = g.real("004_sendrecv", {7789: sport, 7788: uport})
        p.wait_for(is_msg(addr(sport), "hahahah"), T_EVENT, what="b'hahahah'")
        p.send_line(GBK_FROM_UDPCHAT[0])
        m = sr.wait_out(RX_004_RECV % uport, T_EVENT)
        check(m.group(1) == GBK_FROM_UDPCHAT[0], "send-and-receive printed %r" % m.group(1))
        healthy(sr, running=False)
        check_sent_ids(p)
        check(p.stop() == 0, "exit code", p)
        # one-shot receiver (bind 7878): the first thing it gets is the card (default mode)
        rport, uport = h.free_udp_ports(2)
        rcv = g.real("004_recv", {7878: rport})
        time.sleep(0.3)
        p = g.start(peer_args(rport, uport, ["--peer-charset", "gbk"]), name="udpchat-to-recv")
        p.wait_ready(T_EVENT)
        rcv.wait_exit(T_EVENT)
        healthy(rcv, running=False)
        m = rcv.wait_out(RX_004_RECV % uport, 1, what="the card")
        check(is_card_text(m.group(1)), "receiver printed %r, want a card" % m.group(1))
        check(p.stop() == 0, "exit code", p)
        # unbound sender (b"123" -> 7789) to a `peer --legacy` that talks to someone else
        other, uport = h.free_udp_ports(2)
        p = g.start(peer_args(other, uport, ["--legacy", "--peer-charset", "gbk"]), name="udpchat-legacy-other")
        p.wait_ready(T_EVENT)
        snd = g.real("004_send", {7789: uport})
        e = p.wait_for(is_msg(None, "123"), T_EVENT, what="b'123' from another address")
        check(re.fullmatch(r"127\.0\.0\.1:\d+", e.get("from") or "") and e["from"] != addr(other),
              "from %r, want the sender's host:port" % e.get("from"), p)
        healthy(snd, running=False)
        check(p.stop() == 0, "exit code", p)


# =========================================================================== 3. udpchat server

def start_server(g, extra=()):
    port = h.free_udp_port()
    s = g.start(["server", "--port", port, "--json"] + list(extra), name="server")
    check(s.wait_ready(T_EVENT) == port, "server: ready on another port", s)
    return s, port


def join_client(g, port, nick, extra=(), wait=True, name=None):
    p = g.start(["join", addr(port), "--nick", nick, "--json"] + list(extra), name=name or nick)
    if wait:
        p.wait_event("status", T_EVENT, text="joined")
    return p


def start_002_client(g, variant, port, nick, charset="utf-8"):
    if variant == "real":
        c = g.real("002_client", {10888: port}, label="002_client %s (real listing)" % nick)
    else:
        c = g.faithful("seed002_client", port, charset, label="seed002_client %s (faithful, %s)" % (nick, charset))
    c.send_lines([LO, nick])
    return c


def server_with_002(binary, variant):
    """Item 3: `udpchat server --legacy-timeout 10` with two seed 002 clients (UTF-8: real or
    ours; GBK: ours) and a join client: `nick : text` in each one's charset; quiet for 20 s,
    then back with the OLD nick, its line a message (not a new nick)."""
    with Group(binary) as g:
        srv, port = start_server(g, SERVER_LEGACY_TIMEOUT)
        obs = join_client(g, port, "观察者", name="observer")
        c1 = start_002_client(g, variant, port, "小明")
        srv.wait_event("join", T_EVENT, nick="小明")
        c2 = start_002_client(g, "faithful", port, "小红", "gbk")
        srv.wait_event("join", T_EVENT, nick="小红")
        c1.send_line("大家好")
        obs.wait_for(is_msg("小明", "大家好"), T_EVENT)
        c2.wait_out(re.escape("小明 : 大家好"), T_EVENT)
        c2.send_line("你好，我是小红")
        obs.wait_for(is_msg("小红", "你好，我是小红"), T_EVENT)
        c1.wait_out(re.escape("小红 : 你好，我是小红"), T_EVENT)
        obs.send_line("欢迎两位")
        for c in (c1, c2):
            c.wait_out(re.escape("观察者 : 欢迎两位"), T_EVENT)
        healthy(c1, c2)
        # both quiet for 20 s (twice --legacy-timeout), then back
        time.sleep(QUIET_S)
        healthy(c1, c2)
        m_o, m_s = obs.mark(), srv.mark()
        c1.send_line("我回来了")
        obs.wait_for(is_msg("小明", "我回来了"), T_EVENT, start=m_o, what="小明's line after 20 s quiet")
        c2.send_line("我也回来了")
        obs.wait_for(is_msg("小红", "我也回来了"), T_EVENT, start=m_o, what="小红's line after 20 s quiet")
        for p in (obs, srv):
            bad = p.matching(lambda e: e.get("event") in ("join", "nick") and
                             ("回来" in (e.get("nick") or "") or "回来" in (e.get("new") or "")), start=0)
            check(not bad, "%s: a returning line was taken as a nick: %r" % (p.name, bad), p)
        obs.send_line("欢迎回来")
        for c in (c1, c2):
            c.wait_out(re.escape("观察者 : 欢迎回来"), T_EVENT)
        healthy(c1, c2)
        check_sent_ids(obs)


def test_server_seed002_faithful(binary):
    server_with_002(binary, "faithful")


def test_server_seed002_real(binary):
    need_seeds()
    server_with_002(binary, "real")


def test_server_seed003_hb_flood(binary):
    """Item 3: a seed 003 client sending ^hb^ in a tight loop (2,000 in 1 s): its chat lines
    during and after the flood reach the room, it gets the room's lines, and its `quit`
    leaves (reason quit)."""
    with Group(binary) as g:
        srv, port = start_server(g, SERVER_LEGACY_TIMEOUT)
        obs = join_client(g, port, "观察者", name="observer")
        c = g.faithful("seed003_client", port, "小刚", "utf-8", HB_FLOOD_COUNT, HB_FLOOD_SECONDS)
        srv.wait_event("join", T_EVENT, nick="小刚")
        time.sleep(0.3)
        c.send_line("洪水中的一句")
        obs.wait_for(is_msg("小刚", "洪水中的一句"), T_EVENT, what="the line sent during the flood")
        c.wait_out(re.escape("heartbeats sent: %d" % HB_FLOOD_COUNT), T_EVENT + HB_FLOOD_SECONDS)
        c.send_line("洪水后的一句")
        obs.wait_for(is_msg("小刚", "洪水后的一句"), T_EVENT, what="the line after the flood")
        obs.send_line("收到两句")
        c.wait_out(re.escape("观察者 : 收到两句"), T_EVENT)
        check(not obs.matching(is_msg(None, "^hb^")), "a heartbeat was relayed", obs)
        healthy(c)
        m = obs.mark()
        c.send_line(QUIT_TEXT)
        e = obs.wait_event("leave", T_EVENT, start=m, nick="小刚")
        check(e.get("reason") == "quit", "leave reason %r, want quit" % e.get("reason"), obs)
        srv.wait_event("leave", T_EVENT, nick="小刚", reason="quit")
        check_sent_ids(obs)


# =========================================================================== 4. join --legacy

def join_legacy(g, port, nick, extra=(), name=None):
    p = g.start(["join", addr(port), "--nick", nick, "--json"] + JOIN_LEGACY + list(extra), name=name or nick)
    p.wait_ready(T_EVENT)
    return p


def start_002_server(g, variant, charset="utf-8"):
    port = h.free_udp_port()
    if variant == "real":
        s = g.real("002_server", {10888: port})
    else:
        s = g.faithful("seed002_server", port, charset, label="seed002_server (faithful, %s)" % charset)
    s.wait_out("Hosted By", T_EVENT)
    s.send_line(LO)
    time.sleep(0.4)  # binds after input()
    return s, port


def join_in_002(binary, variant, charset):
    """Item 4: `udpchat join --legacy` in seed 002's relay next to a seed 002 client: the
    nick is the first datagram, lines as text both ways (`nick : text` becomes a message from
    nick), `quit` at end of input."""
    with Group(binary) as g:
        srv, port = start_002_server(g, variant, charset)
        c = start_002_client(g, variant, port, "小明", charset)
        srv.wait_out(re.escape("NickName(小明) Join"), T_EVENT)
        extra = ["--peer-charset", "gbk"] if charset == "gbk" else []
        p = join_legacy(g, port, "李雷", extra)
        srv.wait_out(r"IP\(\('127\.0\.0\.1', \d+\)\) NickName\(李雷\) Join", T_EVENT, what="李雷's nick as its first datagram")
        nicks = re.findall(r"NickName\(([^)\n]*)\) Join", srv.out())
        check(nicks == ["小明", "李雷"], "seed server's nicks %r (udpchat's first datagram must be its nick)" % nicks)
        p.send_line("大家好，我是李雷")
        c.wait_out(re.escape("李雷 : 大家好，我是李雷"), T_EVENT)
        c.send_line("你好李雷，欢迎")
        e = p.wait_for(is_msg("小明", "你好李雷，欢迎"), T_EVENT, what="小明's line as a message from 小明")
        p.send_line("第二句：再见")
        c.wait_out(re.escape("李雷 : 第二句：再见"), T_EVENT + 2)
        healthy(srv, c)
        check_sent_ids(p)
        rc = p.stop()  # end of input: `quit`
        c.wait_out(re.escape("李雷 : " + QUIT_TEXT), T_EVENT + 2, what="udpchat's quit")
        check(rc == 0, "udpchat join --legacy: exit code %r" % rc, p)
        healthy(srv, c)


def test_join_legacy_seed002_faithful(binary):
    join_in_002(binary, "faithful", "utf-8")
    join_in_002(binary, "faithful", "gbk")


def test_join_legacy_seed002_real(binary):
    need_seeds()
    join_in_002(binary, "real", "utf-8")


def join_in_003(binary, variant):
    """Item 4: `udpchat join --legacy --heartbeat 1` in seed 003's relay next to a seed 003
    client: nick first, ^hb^ every second, the server's `ack b'...'` lines are messages from
    the server's address, /quit sends `quit`; a second udpchat (GBK nick) sees the server's
    `bye bye` as a shutdown event."""
    with Group(binary) as g:
        port = h.free_udp_port()
        srv = (g.faithful("seed003_server", port) if variant == "faithful"
               else g.real("003_server", {9999: port}))
        srv.wait_out("please set stop command", T_EVENT)
        c = g.faithful("seed003_client", port, "小刚", "utf-8", 0, 1.0)
        srv.wait_out(re.escape(repr("小刚".encode())), T_EVENT)
        mark = len(srv.out())
        a = join_legacy(g, port, "韩梅梅", ["--heartbeat", JOIN_HEARTBEAT_S], name="hanmeimei")
        first = srv.wait_out(r"(b'[^\n]*')\n", T_EVENT, start=mark).group(1)
        check(first == repr("韩梅梅".encode()), "udpchat's first datagram: server printed %s, want %r" % (
            first, repr("韩梅梅".encode())))
        mark = len(srv.out())
        b = join_legacy(g, port, "李雷", ["--peer-charset", "gbk"], name="lilei-gbk")
        # (a's heartbeats go on meanwhile: the first other datagram is b's)
        first = srv.wait_out(r"(b'(?!\^hb\^')[^\n]*')\n", T_EVENT, start=mark).group(1)
        check(first == repr("李雷".encode("gbk")), "GBK udpchat's first datagram: %s, want %r" % (
            first, repr("李雷".encode("gbk"))))
        # heartbeats: about one a second from a
        n0 = srv.out().count(repr(HB_TEXT))
        time.sleep(5)
        n = srv.out().count(repr(HB_TEXT)) - n0
        check(3 <= n <= 7, "%d heartbeats in 5 s with --heartbeat %d" % (n, JOIN_HEARTBEAT_S))
        # a line: the server acks it to everyone; the ack is a message from the server's address
        line = "你好，我是韩梅梅"
        ack = "ack " + repr(line.encode())
        m = a.mark()
        a.send_line(line)
        c.wait_out(re.escape(ack), T_EVENT)
        a.wait_for(is_msg(addr(port), ack), T_EVENT, start=m, what="the server's ack as a message from it")
        b.wait_for(is_msg(addr(port), ack), T_EVENT, what="the ack at the second udpchat")
        c.send_line("seed says hi")
        a.wait_for(is_msg(addr(port), "ack " + repr(b"seed says hi")), T_EVENT)
        # /quit: `quit` to the server
        n_quit = srv.out().count(repr(QUIT_TEXT.encode()))
        a.send_line("/quit")
        srv.wait_count(re.escape(repr(QUIT_TEXT.encode())), n_quit + 1, T_EVENT)
        check(a.wait_exit(T_EVENT) == 0, "udpchat join --legacy: /quit exit code", a)
        # the server stops: `bye bye` -> a shutdown event at b
        srv.send_line("quit")
        c.wait_out(re.escape(SEED_BYE), T_EVENT)
        b.wait_event(EV_SHUTDOWN, T_EVENT)
        healthy(c)
        check(not srv.tracebacks(), "seed 003 server: a Traceback\n" + srv.describe())
        check_sent_ids(a, b)


def test_join_legacy_seed003_faithful(binary):
    join_in_003(binary, "faithful")


def test_join_legacy_seed003_real(binary):
    need_seeds()
    join_in_003(binary, "real")


# =========================================================================== 5. join advice

def is_advice(e):
    return e.get("event") == ADVICE_EVENT and all(k in (e.get("text") or "") for k in ADVICE_MUST_CONTAIN)


def advice_check(g, targets, seeds):
    """Starts one `udpchat join` per (name, port), types a line at once, and asserts the advice
    within ADVICE_WITHIN_S, no downgrade, and seeds alive without the typed line."""
    procs = []
    for name, port in targets:
        p = g.start(["join", addr(port), "--nick", "测试者", "--json"], name="join-" + name)
        procs.append((name, p))
    t0 = time.monotonic()
    for name, p in procs:
        p.send_line("不该发出的一句")
    for name, p in procs:
        left = max(0.5, ADVICE_WITHIN_S - (time.monotonic() - t0))
        p.wait_for(is_advice, left, what="advice mentioning %s" % " and ".join(ADVICE_MUST_CONTAIN))
    time.sleep(1)
    for name, p in procs:
        check(not p.matching(lambda e: e.get("event") == "status" and
                             ("plain" in (e.get("text") or "") or e.get("text") == "joined")),
              "%s: downgraded / joined: %r" % (name, p.of_type("status")), p)
    for s in seeds:
        healthy(s)
        check("不该发出的一句" not in s.out() and repr("不该发出的一句".encode()) not in s.out(),
              "%s got the typed line as plain text (silent downgrade)\n%s" % (s.name, s.describe()))


def test_join_protocol_advice(binary):
    """Item 5: `udpchat join` (protocol mode) to a silent socket, to a closed port, and to our
    seed 002 and 003 relays: within 6 s an error event that mentions --legacy and `udpchat
    server`; the seed relays survive and never get the typed line (no silent downgrade)."""
    with Group(binary) as g:
        silent = g.add(h.UdpTextPeer())
        closed = h.free_udp_port()
        s2, p2 = start_002_server(g, "faithful")
        s3p = h.free_udp_port()
        s3 = g.faithful("seed003_server", s3p)
        s3.wait_out("please set stop command", T_EVENT)
        advice_check(g, [("silent", silent.port), ("closed", closed), ("seed002", p2), ("seed003", s3p)],
                     [s2, s3])


def test_join_protocol_advice_real(binary):
    """Item 5 with seed 002's and 003's relay listings."""
    need_seeds()
    with Group(binary) as g:
        s2, p2 = start_002_server(g, "real")
        s3p = h.free_udp_port()
        s3 = g.real("003_server", {9999: s3p})
        s3.wait_out("please set stop command", T_EVENT)
        advice_check(g, [("seed002-real", p2), ("seed003-real", s3p)], [s2, s3])


# =========================================================================== 6. long lines

def long_line_raw(g, cs):
    obs = g.add(h.UdpTextPeer(charset=cs))
    extra = ["--legacy"] + (["--peer-charset", cs] if cs != "utf-8" else [])
    p = g.start(["peer", addr(obs.port), "--json"] + extra, name="udpchat-long-" + cs)
    p.wait_ready(T_EVENT)
    want = LONG_LINE.encode(cs) + LINE_TERMINATOR
    p.send_line(LONG_LINE)
    got = b""
    sizes = []
    deadline = time.monotonic() + T_EVENT
    while len(got) < len(want) and time.monotonic() < deadline:
        try:
            d, _ = obs.recv(1, skip_magic=False)
        except h.HarnessError:
            continue
        if card_problem(d) is None:
            continue
        check(len(d) <= SEED_RECV_MAX, "%s: a %d-byte datagram (> %d)" % (cs, len(d), SEED_RECV_MAX), p)
        try:
            d.decode(cs)
        except UnicodeDecodeError as e:
            raise h.HarnessError("%s: a datagram cut inside a character: %s" % (cs, e))
        sizes.append(len(d))
        got += d
    check(got == want, "%s: the pieces (%r bytes) do not make the line (%d bytes)" % (cs, sizes, len(want)), p)
    check(len(sizes) >= 2, "%s: one datagram?" % cs, p)
    check_sent_ids(p)
    check(p.stop() == 0, "exit code", p)


def test_long_lines_raw(binary):
    """Item 6: a 3,000-character line to a plain socket, UTF-8 and GBK: datagrams <= 1024
    bytes, each decodes strictly, together exactly the line."""
    with Group(binary) as g:
        long_line_raw(g, "utf-8")
        long_line_raw(g, "gbk")


def long_line_to_seed(binary, variant):
    with Group(binary) as g:
        sport, uport = h.free_udp_ports(2)
        seed, rx, say = start_seed_peer(g, "000", variant, sport, uport)
        p = g.start(peer_args(sport, uport, JOIN_LEGACY), name="udpchat-long")
        p.wait_ready(T_EVENT)
        p.send_line(LONG_LINE)
        deadline = time.monotonic() + T_EVENT
        while time.monotonic() < deadline:
            parts = [t for t in received(seed, rx) if not is_card_text(t)]
            if len("".join(parts)) >= len(LONG_LINE) or not seed.running() or seed.tracebacks():
                break
            time.sleep(0.2)
        healthy(seed)
        parts = [t for t in received(seed, rx) if not is_card_text(t)]
        check("".join(parts) == LONG_LINE, "seed printed %d pieces, %d characters, want the %d-character line" % (
            len(parts), len("".join(parts)), len(LONG_LINE)))
        check(len(parts) >= 2, "one piece?")
        # and GBK to our seed 004 receiver
        rport, uport2 = h.free_udp_ports(2)
        rcv = g.faithful("seed004_receiver", rport, 40, "gbk")
        time.sleep(0.3)
        q = g.start(peer_args(rport, uport2, ["--legacy", "--peer-charset", "gbk"]), name="udpchat-long-gbk")
        q.wait_ready(T_EVENT)
        q.send_line(LONG_LINE)
        rx4 = RX_004_RECV % uport2
        deadline = time.monotonic() + T_EVENT
        while time.monotonic() < deadline:
            parts = [t for t in received(rcv, rx4) if not is_card_text(t)]
            if len("".join(parts)) >= len(LONG_LINE) or not rcv.running() or rcv.tracebacks():
                break
            time.sleep(0.2)
        check(not rcv.tracebacks(), "GBK receiver died\n" + rcv.describe())
        parts = [t for t in received(rcv, rx4) if not is_card_text(t)]
        check("".join(parts) == LONG_LINE, "GBK receiver: %d pieces, %d characters" % (
            len(parts), len("".join(parts))))
        check_sent_ids(p, q)


def test_long_lines_seed_faithful(binary):
    """Item 6 with seed 000's peer (ours) and seed 004's receiver (ours, 40 datagrams)."""
    long_line_to_seed(binary, "faithful")


def test_long_lines_seed_real(binary):
    """Item 6 with seed 000's threaded peer (the listing)."""
    need_seeds()
    long_line_to_seed(binary, "real")


# =========================================================================== 7. other addresses

def test_peer_legacy_other_addresses(binary):
    """Item 7: `peer --legacy` shows a datagram from another address as a message from that
    host:port (and the peer's own ones from the peer's)."""
    with Group(binary) as g:
        peer = g.add(h.UdpTextPeer())
        stranger = g.add(h.UdpTextPeer())
        p = g.start(["peer", addr(peer.port), "--json", "--legacy"], name="udpchat-legacy")
        port = p.wait_ready(T_EVENT)
        peer.send_text("我是约好的那位", port)
        p.wait_for(is_msg(addr(peer.port), "我是约好的那位"), T_EVENT)
        stranger.send_text("陌生人你好", port)
        p.wait_for(is_msg(addr(stranger.port), "陌生人你好"), T_EVENT, what="the stranger's line from its host:port")
        check(p.stop() == 0, "exit code", p)


# =========================================================================== 8. unique ids

def test_sent_ids_unique(binary):
    """Item 8: every "sent" event has a distinct id in peer (protocol), peer --legacy, join
    (protocol) and join --legacy mode, 6 lines each."""
    lines = ["第%d句" % i for i in range(6)]
    with Group(binary) as g:
        a, b, _, _ = h.start_peer_pair(g)
        srv, port = start_server(g)
        j = join_client(g, port, "编号")
        obs = g.add(h.UdpTextPeer())
        pl = g.start(["peer", addr(obs.port), "--json", "--legacy"], name="peer-legacy")
        pl.wait_ready(T_EVENT)
        for p in (a, j, pl):
            p.send_lines(lines)
        for p in (a, j, pl):
            p.wait_count(lambda e: e.get("event") == "sent", len(lines), T_EVENT, what="sent events")
        check_sent_ids(a, j, pl)
        s2, p2 = start_002_server(g, "faithful")
        jl = join_legacy(g, p2, "编号二")
        jl.send_lines(lines)
        jl.wait_count(lambda e: e.get("event") == "sent", len(lines), T_EVENT, what="sent events")
        check_sent_ids(jl)


# =========================================================================== runner

TESTS = [test_card_raw,
         test_peer_seed000_legacy_faithful,
         test_peer_seed000_legacy_real,
         test_peer_seed000_default_faithful,
         test_peer_seed000_default_real,
         test_peer_seed001_legacy_faithful,
         test_peer_seed001_legacy_real,
         test_peer_seed001_default_faithful,
         test_peer_seed001_default_real,
         test_peer_seed004_menu_legacy_faithful,
         test_peer_seed004_menu_default_faithful,
         test_peer_seed004_menu_legacy_real,
         test_peer_seed004_menu_default_real,
         test_peer_seed004_oneshots_faithful,
         test_peer_seed004_oneshots_real,
         test_server_seed002_faithful,
         test_server_seed002_real,
         test_server_seed003_hb_flood,
         test_join_legacy_seed002_faithful,
         test_join_legacy_seed002_real,
         test_join_legacy_seed003_faithful,
         test_join_legacy_seed003_real,
         test_join_protocol_advice,
         test_join_protocol_advice_real,
         test_long_lines_raw,
         test_long_lines_seed_faithful,
         test_long_lines_seed_real,
         test_peer_legacy_other_addresses,
         test_sent_ids_unique]


if __name__ == "__main__":
    h.main(TESTS)
