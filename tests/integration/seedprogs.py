#!/usr/bin/env python3
"""seedprogs.py -- our own plain-text programs that behave exactly like the seed tutorials'
listings (../shared/seeds/), and a runner for them and for the real listings
(seed_extract.py).

Each program below is written for these tests, in the seeds' style and with their faults kept
on purpose: recvfrom(1024) (a longer datagram is cut), a strict .decode("utf-8") / ("gbk")
outside any try (a bad byte raises and the receiving thread dies with a Traceback on stderr,
as the seed's would), the sleep(1) of seed 002's client, seed 002's first-datagram-is-nick
dict, seed 003's `ack b'...'` to every client and `bye bye`. What differs: ports come from
the command line, and every loop is bounded in count (MAX_LOOPS) and the whole program in
time (LIFETIME, a watchdog); the runner adds `timeout -s KILL` on top.

    python3 -u seedprogs.py PROGRAM [ARGS...]      (see PROGRAMS at the bottom)

    import seedprogs as sp
    s = sp.SeedProc(sp.faithful("seed000_peer", "--port", 7890))
    s = sp.SeedProc(["/tmp/x/seed_000_peer.py"])    # a real listing
    s.send_line("1"); s.wait_out(r">>>.*你好", 10); s.check_healthy()
"""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

MAX_LOOPS = 100000     # no loop in a program runs more often than this
LIFETIME = 170.0       # seconds: no program lives longer (watchdog + timeout -s KILL)
HERE = os.path.abspath(__file__)


def _watchdog(seconds=LIFETIME):
    t = threading.Timer(seconds, lambda: os._exit(124))
    t.daemon = True
    t.start()


# =========================================================================== the programs

def seed000_peer(port):
    """Seed 000, the threaded peer: a receive thread (recvfrom(1024), decode("utf-8") outside
    the try: a bad byte kills the thread), a send menu (1: ip, port, then lines until an empty
    one; 2: close and leave)."""
    def send_msg(udp_socket):
        for _ in range(MAX_LOOPS):
            print("1: 发送数据")
            print("2: 退出程序")
            op = input("请输入操作序号:")
            if op == "1":
                dest_ip = input("\n请输入对方的ip地址:")
                dest_port = int(input("\n请输入对方的port:"))
                for _ in range(MAX_LOOPS):
                    msg = input("\n请输入要发送的数据:")
                    if msg:
                        udp_socket.sendto(msg.encode("utf-8"), (dest_ip, dest_port))
                    else:
                        break
            elif op == "2":
                break
        udp_socket.close()

    def recv_msg(udp_socket):
        for _ in range(MAX_LOOPS):
            try:
                recv_msg = udp_socket.recvfrom(1024)
            except:  # noqa: E722 (the seed's own)
                break
            else:
                recv_ip = recv_msg[1]
                recv_msg = recv_msg[0].decode("utf-8")
                print(">>>%s:%s" % (str(recv_ip), recv_msg))

    udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp_socket.bind(("", port))
    threading.Thread(target=recv_msg, args=(udp_socket,)).start()
    threading.Thread(target=send_msg, args=(udp_socket,)).start()


def seed001_peer():
    """Seed 001, the threaded peer: the receive address and the other side's address are read
    with input(); the receive thread binds, then recvfrom(1024) and decode('utf-8'); QUIT
    SIGKILLs the process."""
    def recv_client(udp_socket_client, recv_address):
        udp_socket_client.bind(recv_address)
        for _ in range(MAX_LOOPS):
            recv_data, recv_addr = udp_socket_client.recvfrom(1024)
            print('\n')
            print('>> [收到來自<%s>的信息啦]' % recv_addr[0], recv_data.decode('utf-8') + '\n' + '<<', end='')

    def send_client(udp_socket_client, send_address):
        print('鏈接成功,可以發送信息了:)')
        for _ in range(MAX_LOOPS):
            send_data = input('<<')
            if send_data == 'QUIT':
                udp_socket_client.close()
                print('退出成功')
                os.kill(os.getpid(), signal.SIGKILL)
            else:
                udp_socket_client.sendto(send_data.encode('utf-8'), send_address)

    udp_socket_client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    print('輸入 QUIT 退出程序')
    recv_ip = input('接受信息 IP 不輸入默認本機 IP:')
    recv_port = input('接受信息端口:')
    send_ip = input('對方 IP:')
    send_port = input('對方接受信息端口:')
    recv_address = (recv_ip, int(recv_port))
    send_address = (send_ip, int(send_port))
    threading.Thread(target=recv_client, args=(udp_socket_client, recv_address)).start()
    threading.Thread(target=send_client, args=(udp_socket_client, send_address)).start()


def seed002_server(port, charset="utf-8"):
    """Seed 002's relay ("源码" server): HOST from input(); the first datagram from an address
    is its nick (decode, strict); later ones are printed and sent as `nick : text` to every
    other address. One thread: a bad byte ends the server."""
    print("Hosted By markjuruo(Linzhihan)")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    HOST = input("Please input IP address: ")
    PORT = port
    s.bind((HOST, PORT))
    user = {}
    for _ in range(MAX_LOOPS):
        (data, addr) = s.recvfrom(1024)
        if user.get(addr, False) == False:  # noqa: E712 (the seed's own)
            user[addr] = data.decode(charset)
            print("IP(%s) NickName(%s) Join" % (addr, data.decode(charset)))
        else:
            print(addr, " : ", data.decode(charset))
            data = user[addr] + " : " + data.decode(charset)
            for key, value in user.items():
                if key != addr:
                    s.sendto(data.encode(charset), key)


def seed002_client(port, charset="utf-8"):
    """Seed 002's client: connect()ed socket, HOST and nick from input(), nick sent first;
    RECV: recvfrom(1024), print(decode), sleep(1); SEND: input(), sendto, sleep(1)."""
    print("Hosted By markjuruo(Linzhihan)")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    HOST = input("Please input IP address: ")
    PORT = port
    s.connect((HOST, PORT))
    NickName = input("Please input your nick-name : ")
    s.sendto(NickName.encode(charset), (HOST, PORT))

    def RECV():
        for _ in range(MAX_LOOPS):
            (data, addr) = s.recvfrom(1024)
            print(data.decode(charset))
            time.sleep(1)

    def SEND():
        for _ in range(MAX_LOOPS):
            data = input("")
            s.sendto(data.encode(charset), (HOST, PORT))
            time.sleep(1)

    t1 = threading.Thread(target=RECV)
    t2 = threading.Thread(target=SEND)
    t1.start()
    t2.start()


def seed003_server(port):
    """Seed 003's ChatUDPServer (the first, working version): print(data) of every datagram;
    `quit` removes the address; anything else adds it and sends 'ack {}'.format(data) (the
    bytes' repr) to every client; the console command `quit` sends b'bye bye' to every client
    and closes the socket."""
    import logging
    logging.basicConfig(level=logging.INFO, format='%(asctime)s,%(threadName)s %(thread)d,%(message)s')

    class ChatUDPServer:
        def __init__(self, ip='127.0.0.1', port=9999):
            self.addr = (ip, port)
            self.sock = socket.socket(type=socket.SOCK_DGRAM)
            self.event = threading.Event()
            self.clients = set()

        def start(self):
            self.sock.bind(self.addr)
            threading.Thread(target=self.receive, name='receive').start()

        def receive(self):
            for _ in range(MAX_LOOPS):
                if self.event.is_set():
                    break
                data, raddr = self.sock.recvfrom(1024)
                print(data)
                if data.strip() == b'quit':
                    if raddr in self.clients:
                        self.clients.remove(raddr)
                        logging.info('remove leave clients')
                    continue
                self.clients.add(raddr)
                for i in self.clients:
                    self.sock.sendto('ack {}'.format(data).encode(), i)

        def stop(self):
            for i in self.clients:
                self.sock.sendto(b'bye bye', i)
            self.sock.close()
            self.event.set()

    cs = ChatUDPServer(port=port)
    cs.start()
    for _ in range(MAX_LOOPS):
        cmd = input("please set stop command>>>>>>")
        if cmd == 'quit':
            cs.stop()
            break
        logging.info(cs.clients)


def seed003_client(port, hello="hello server", charset="utf-8", hb_count=0, hb_seconds=1.0):
    """Seed 003's client (the listing gives only start(): connect, b'hello server', a receive
    thread and a daemon heartbeat thread sending b'^hb^' in a tight loop). Completed the
    obvious way: the receive thread prints data.decode() (strict); the heartbeat loop is
    bounded: hb_count datagrams spread over hb_seconds; stdin lines are sent, `quit` is sent
    and ends the program."""
    class ChatUdpClient:
        def __init__(self, ip='127.0.0.1', port=9999):
            self.addr = (ip, port)
            self.sock = socket.socket(type=socket.SOCK_DGRAM)
            self.event = threading.Event()

        def start(self):
            self.sock.connect(self.addr)
            self.sock.sendto(hello.encode(charset), self.addr)
            threading.Thread(target=self.receive, name='receive', daemon=True).start()
            threading.Thread(target=self._sendb, name="heartbeat", daemon=True).start()

        def _sendb(self):
            burst = 100
            for i in range(min(hb_count, MAX_LOOPS)):
                self.sock.sendto(b'^hb^', self.addr)
                if i % burst == burst - 1:
                    time.sleep(hb_seconds * burst / max(hb_count, 1))
            print("heartbeats sent: %d" % hb_count)

        def receive(self):
            for _ in range(MAX_LOOPS):
                if self.event.is_set():
                    break
                data, raddr = self.sock.recvfrom(1024)
                print(data.decode(charset))

        def send(self, msg):
            self.sock.sendto(msg.encode(charset), self.addr)

    cc = ChatUdpClient(port=port)
    cc.start()
    for _ in range(MAX_LOOPS):
        msg = input(">>>")
        cc.send(msg)
        if msg == 'quit':
            cc.event.set()
            print("bye")
            os._exit(0)


def seed004_receiver(port, count=1, charset="gbk"):
    """Seed 004's receiver: bind ("", port), recvfrom(1024) `count` times (the listing: once),
    print decode("gbk") (strict), close."""
    recv_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    recv_socket.bind(("", port))
    for _ in range(min(count, MAX_LOOPS)):
        recv_data = recv_socket.recvfrom(1024)
        print("接收到来自{},的{}信息".format(recv_data[1], recv_data[0].decode(charset)))
    recv_socket.close()


def seed004_sender(to_port, bind=0, charset="gbk"):
    """Seed 004's sender, with the article's suggested input() of the text: every stdin line
    is sent as line.encode("gbk") to 127.0.0.1:to_port from a socket bound to `bind`."""
    send_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if bind:
        send_socket.bind(("", bind))
    for _ in range(MAX_LOOPS):
        msg = input("")
        send_socket.sendto(msg.encode(charset), ("127.0.0.1", to_port))
        print("sent %d bytes" % len(msg.encode(charset)))


def seed004_menu(bind, to_port, ask=False, charset="gbk"):
    """Seed 004's menu peer (DreamsPy): 1 sends b'124124' to 127.0.0.1:to_port (with ask: an
    input() line, encoded gbk, as the article suggests); 2 receives one datagram,
    recvfrom(1024), and prints it decoded as gbk (strict: a bad byte ends the program); 0
    leaves."""
    def send_msg(udp_socket):
        if ask:
            udp_socket.sendto(input("内容:").encode(charset), ("127.0.0.1", to_port))
        else:
            udp_socket.sendto(b'124124', ("127.0.0.1", to_port))

    def recv_msg(udp_socket):
        recv_data = udp_socket.recvfrom(1024)
        print("%s:%s" % (str(recv_data[1]), recv_data[0].decode(charset)))

    udp_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp_socket.bind(("", bind))
    for _ in range(MAX_LOOPS):
        print("------DreamsPy聊天器------")
        print("1:发送消息")
        print("2:接收消息")
        print("0:退出系统")
        op = input("请输入功能:")
        if op == "1":
            send_msg(udp_socket)
        elif op == "2":
            recv_msg(udp_socket)
        elif op == "0":
            break
        else:
            print("您输入的命令有误,请重新输入")


PROGRAMS = {
    "seed000_peer": (seed000_peer, [("port", int)]),
    "seed001_peer": (seed001_peer, []),
    "seed002_server": (seed002_server, [("port", int), ("charset", str)]),
    "seed002_client": (seed002_client, [("port", int), ("charset", str)]),
    "seed003_server": (seed003_server, [("port", int)]),
    "seed003_client": (seed003_client, [("port", int), ("hello", str), ("charset", str),
                                        ("hb_count", int), ("hb_seconds", float)]),
    "seed004_receiver": (seed004_receiver, [("port", int), ("count", int), ("charset", str)]),
    "seed004_sender": (seed004_sender, [("to_port", int), ("bind", int), ("charset", str)]),
    "seed004_menu": (seed004_menu, [("bind", int), ("to_port", int), ("ask", int), ("charset", str)]),
}


def faithful(name, *args):
    """The argv (after python3 -u) of one of our programs: faithful("seed000_peer", 7890)."""
    if name not in PROGRAMS:
        raise KeyError(name)
    return [HERE, name] + [str(a) for a in args]


def _main(argv):
    if not argv or argv[0] not in PROGRAMS:
        sys.stderr.write("usage: seedprogs.py {%s} ARGS...\n" % ",".join(PROGRAMS))
        sys.exit(2)
    fn, params = PROGRAMS[argv[0]]
    kw = {}
    for (pname, conv), val in zip(params, argv[1:]):
        kw[pname] = conv(val)
    _watchdog()
    fn(**kw)


# =========================================================================== the runner

class SeedProc:
    """One seed program (ours or a real listing) under `timeout -s KILL LIFETIME python3 -u`,
    in its own session; stdin fed line by line (UTF-8: the seeds' input() gets str), stdout
    and stderr kept as raw bytes with arrival times. PYTHONIOENCODING=utf-8 so that print() of
    Chinese works whatever the test machine's locale (a Chinese console in real life)."""

    def __init__(self, argv, name="seed", cwd=None):
        self.name = name
        self.cmd = ["timeout", "-s", "KILL", str(int(LIFETIME)), sys.executable, "-u"] + [str(a) for a in argv]
        env = dict(os.environ)
        env["PYTHONIOENCODING"] = "utf-8"
        env.pop("PYTHONSTARTUP", None)
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=cwd, env=env, start_new_session=True)
        self.pid = self.proc.pid
        self._out = bytearray()
        self._err = bytearray()
        self._cond = threading.Condition()
        self._eof = 0
        for stream, buf in ((self.proc.stdout, self._out), (self.proc.stderr, self._err)):
            threading.Thread(target=self._reader, args=(stream, buf), daemon=True).start()

    def _reader(self, stream, buf):
        fd = stream.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            with self._cond:
                if not chunk:
                    self._eof += 1
                    self._cond.notify_all()
                    return
                buf.extend(chunk)
                self._cond.notify_all()

    # -- input
    def send_line(self, text):
        try:
            self.proc.stdin.write(text.encode("utf-8") + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass

    def send_lines(self, lines):
        for l in lines:
            self.send_line(l)

    # -- output
    def out(self):
        with self._cond:
            return self._out.decode("utf-8", "replace")

    def err(self):
        with self._cond:
            return self._err.decode("utf-8", "replace")

    def out_bytes(self):
        with self._cond:
            return bytes(self._out)

    def wait_out(self, pattern, timeout=10.0, start=0, what=None):
        """Waits until stdout (from character `start` on) matches the regex (or contains the
        str given as re.escape'd by the caller); returns the match."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                text = self._out.decode("utf-8", "replace")[start:]
                m = rx.search(text)
                if m:
                    return m
                left = deadline - time.monotonic()
                if left <= 0 or self._eof >= 2:
                    break
                self._cond.wait(min(left, 0.5))
        raise AssertionError("%s: no %s on stdout within %.1fs\n%s" % (
            self.name, what or repr(rx.pattern), timeout, self.describe()))

    def wait_count(self, pattern, n, timeout=10.0):
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = rx.findall(self._out.decode("utf-8", "replace"))
                if len(found) >= n:
                    return found
                left = deadline - time.monotonic()
                if left <= 0 or self._eof >= 2:
                    break
                self._cond.wait(min(left, 0.5))
        raise AssertionError("%s: %d of %d %r within %.1fs\n%s" % (
            self.name, len(found), n, pattern, timeout, self.describe()))

    # -- health
    def running(self):
        return self.proc.poll() is None

    def tracebacks(self):
        return self.err().count("Traceback")

    def check_healthy(self, running=True):
        """No Traceback on stderr (no thread died), and still running (or, for one-shot
        programs, running=False: exited 0)."""
        if self.tracebacks():
            raise AssertionError("%s: a thread died (Traceback on stderr)\n%s" % (self.name, self.describe()))
        if running and not self.running():
            raise AssertionError("%s: exited (rc %r)\n%s" % (self.name, self.proc.returncode, self.describe()))
        if not running:
            try:
                rc = self.proc.wait(10)
            except subprocess.TimeoutExpired:
                rc = None
            if rc != 0:
                raise AssertionError("%s: exit code %r, want 0\n%s" % (self.name, rc, self.describe()))

    def wait_exit(self, timeout=10.0):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def close(self):
        """Kills the program (its own process group: timeout and python) and closes pipes."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                f.close()
            except Exception:
                pass

    def describe(self, chars=3000):
        out = self.out()
        err = self.err()
        return "--- %s: %s (pid %d, rc %s)\n    stdout (last %d chars):\n%s\n    stderr:\n%s" % (
            self.name, " ".join(self.cmd), self.pid, self.proc.poll(), chars,
            _indent(out[-chars:]), _indent(err[-chars:]))


def _indent(s):
    return "\n".join("      " + l for l in s.split("\n"))


if __name__ == "__main__":
    _main(sys.argv[1:])
