/* load.c -- load generator for bench/run: one sender -> N receivers through a forwarder.
 *
 *   load --port P [--n N] [--silent K] [--mode search|latency] [options]
 *
 * Every socket is on 127.0.0.1 in this one process. Each receiver (and each silent member)
 * registers by sending its nick as its first datagram ("r0", "r1", ...; "s0", ...), then the
 * sender registers as "snd": the rule of `udpchat server`'s plain-text mode, which
 * bench/fwd_sdlnet.c and bench/fwd_posix.c copy, so one generator drives all three.
 *
 * The sender sends plain-text datagrams "#Q <step> <seq> <t_ns>" (t_ns: CLOCK_MONOTONIC at
 * send). A forwarder passes them on as they are; the relay as "snd : #Q ...". Receivers
 * count the datagrams of the current step and take send->receive latencies.
 *
 * --mode search: offered rates (messages/s) min, 2*min, ... up to max, each for --step-ms;
 *   a step passes when loss < 1% and the receivers are idle again within 10% of the step
 *   (no backlog left in the forwarder). After the first failing step it bisects
 *   (geometrically) between the last pass and the fail, --bisect times. Prints
 *   "RESULT best_rate=R fwd_per_s=F loss=L" where F = datagrams the receivers got per
 *   second at the best rate (deliveries: messages x receivers).
 * --mode latency: one step per rate in --rates (after a 300 ms warm-up step), printing
 *   "RESULT rate=R p50_us=.. p99_us=.. max_us=.. loss=..".
 *
 * Silent members (--silent K) have the smallest receive buffer and are never read: they
 * make the relay's room big. They register before the sender; with --notices (the relay
 * sends "*** NICK joined" to the room) the generator waits until receiver r0 has seen the
 * join notice of every silent member, re-sending missing nicks (3 rounds at most).
 * --pid PID prints the forwarder's VmRSS before and after the silent members joined.
 *
 * Every loop is bounded: steps last --step-ms, drains at most 3 s, registration at most
 * --reg-max seconds, the whole run at most --max-secs (default 120). Linux only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define VLEN 64
#define DGRAM 256

typedef struct rx {
    int fd;
    uint64_t got;       /* datagrams of the current step */
    uint64_t joined;    /* "joined" notices seen (r0 only matters) */
} rx;

static struct sockaddr_in target;
static rx *rxs;
static int nrx, epfd, sender;
static unsigned cur_step;
static int want_lat;
static uint32_t *lat_us;
static size_t nlat, caplat;
static unsigned char *silent_seen;
static int nsilent;
static uint64_t last_rx_ns;
static uint64_t deadline_ns;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "load: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void check_deadline(void)
{
    if (now_ns() > deadline_ns) {
        fprintf(stderr, "load: --max-secs reached, giving up\n");
        exit(3);
    }
}

static int open_sock(int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket (raise ulimit -n?)");
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
    if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (rcvbuf < 0) {
        int one = 1; /* the kernel's minimum */
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &one, sizeof one);
    }
    return fd;
}

static void send_text(int fd, const char *s)
{
    for (int tries = 0; tries < 1000; tries++) {
        if (sendto(fd, s, strlen(s), 0, (struct sockaddr *)&target, sizeof target) >= 0) return;
        if (errno != EAGAIN && errno != ENOBUFS) return; /* e.g. ECONNREFUSED: forwarder gone */
        usleep(100);
    }
}

/* --joins-log FILE: the relay's log names every join ("-- s123 joined"); a relay that
 * tells plain-text members only of protocol members' joins (udpchat's since issue 12)
 * is watched there instead of through r0's notices. */
static FILE *joins_log;

static void scan_joins_log(void)
{
    char line[512];
    if (!joins_log) return;
    clearerr(joins_log);
    while (fgets(line, sizeof line, joins_log)) {
        const char *p = strstr(line, "-- s");
        if (p && strstr(p, " joined")) {
            int k = atoi(p + 4);
            if (silent_seen && k >= 0 && k < nsilent) silent_seen[k] = 1;
        }
    }
}

static void on_datagram(rx *r, const char *d, size_t n, uint64_t t)
{
    const char *q = memmem(d, n, "#Q ", 3);
    if (!q) {
        /* a join notice from the relay: "*** s123 joined" */
        if (n > 8 && memmem(d, n, " joined", 7)) {
            r->joined++;
            if (r == &rxs[0] && silent_seen && n > 5 && d[4] == 's') {
                int k = atoi(d + 5);
                if (k >= 0 && k < nsilent) silent_seen[k] = 1;
            }
        }
        return;
    }
    char tmp[DGRAM];
    size_t len = n - (size_t)(q - d);
    if (len >= sizeof tmp) len = sizeof tmp - 1;
    memcpy(tmp, q, len);
    tmp[len] = '\0';
    unsigned step, seq;
    unsigned long long ts;
    if (sscanf(tmp, "#Q %u %u %llu", &step, &seq, &ts) != 3 || step != cur_step) return;
    r->got++;
    last_rx_ns = t;
    if (want_lat) {
        if (nlat == caplat) {
            caplat = caplat ? caplat * 2 : 65536;
            lat_us = realloc(lat_us, caplat * sizeof *lat_us);
            if (!lat_us) die("realloc");
        }
        uint64_t dt = t > ts ? (t - ts) / 1000 : 0;
        lat_us[nlat++] = dt > UINT32_MAX ? UINT32_MAX : (uint32_t)dt;
    }
}

/* Reads every receiver that is ready, waiting at most timeout_ns. Returns datagrams read. */
static uint64_t pump(int64_t timeout_ns)
{
    struct epoll_event ev[VLEN];
    struct timespec to;
    if (timeout_ns < 0) timeout_ns = 0;
    to.tv_sec = timeout_ns / 1000000000;
    to.tv_nsec = timeout_ns % 1000000000;
    int ne = epoll_pwait2(epfd, ev, VLEN, &to, NULL);
    if (ne < 0) {
        if (errno == EINTR) return 0;
        die("epoll_pwait2");
    }
    static char bufs[VLEN][DGRAM];
    static struct mmsghdr msgs[VLEN];
    static struct iovec iov[VLEN];
    uint64_t total = 0;
    for (int e = 0; e < ne; e++) {
        rx *r = &rxs[ev[e].data.u32];
        for (int rounds = 0; rounds < 16; rounds++) {
            for (int i = 0; i < VLEN; i++) {
                iov[i].iov_base = bufs[i];
                iov[i].iov_len = DGRAM;
                memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
                msgs[i].msg_hdr.msg_iov = &iov[i];
                msgs[i].msg_hdr.msg_iovlen = 1;
            }
            int n = recvmmsg(r->fd, msgs, VLEN, MSG_DONTWAIT, NULL);
            if (n <= 0) break;
            uint64_t t = now_ns();
            for (int i = 0; i < n; i++) on_datagram(r, bufs[i], msgs[i].msg_len, t);
            total += (uint64_t)n;
            if (n < VLEN) break;
        }
    }
    return total;
}

/* Reads until nothing arrived for quiet_ms, at most max_ms. */
static void drain(int quiet_ms, int max_ms)
{
    uint64_t start = now_ns(), last = start;
    while (now_ns() - start < (uint64_t)max_ms * 1000000ull) {
        if (pump((int64_t)quiet_ms * 1000000 / 4)) last = now_ns();
        else if (now_ns() - last >= (uint64_t)quiet_ms * 1000000ull) break;
    }
}

typedef struct step_result {
    double rate, loss, fwd_per_s, drain_ms, sent_rate;
    uint64_t sent, got;
    int pass;
} step_result;

static step_result run_step(double rate, int step_ms, int verbose)
{
    step_result s = {0};
    char msg[96];
    drain(30, 3000);
    cur_step++;
    for (int i = 0; i < nrx; i++) rxs[i].got = 0;
    nlat = 0;
    last_rx_ns = 0;
    uint64_t interval = (uint64_t)(1e9 / rate);
    uint64_t start = now_ns(), end = start + (uint64_t)step_ms * 1000000ull, next = start;
    unsigned seq = 0;
    for (;;) {
        uint64_t t = now_ns();
        if (t >= end) break;
        for (int burst = 0; next <= t && next < end && burst < 64; burst++) {
            int len = snprintf(msg, sizeof msg, "#Q %u %u %llu", cur_step, seq, (unsigned long long)now_ns());
            if (sendto(sender, msg, (size_t)len, 0, (struct sockaddr *)&target, sizeof target) >= 0) {
                seq++;
                next += interval;
            } else if (errno == EAGAIN || errno == ENOBUFS) {
                break; /* the local socket is full: try again after reading */
            } else {
                next += interval; /* ECONNREFUSED and such: counted as lost */
            }
        }
        t = now_ns();
        int64_t wait = next > t ? (int64_t)(next - t) : 0;
        if (next >= end) wait = (int64_t)(end - t);
        pump(wait);
    }
    uint64_t send_end = now_ns();
    /* the rest: until 100 ms quiet, at most 3 s */
    uint64_t quiet_from = now_ns();
    while (now_ns() - send_end < 3000000000ull) {
        if (pump(20000000)) quiet_from = now_ns();
        else if (now_ns() - quiet_from >= 100000000ull) break;
    }
    s.rate = rate;
    s.sent = seq;
    for (int i = 0; i < nrx; i++) s.got += rxs[i].got;
    double expected = (double)seq * nrx;
    s.loss = expected > 0 ? 1.0 - (double)s.got / expected : 1.0;
    if (s.loss < 0) s.loss = 0;
    s.drain_ms = last_rx_ns > send_end ? (double)(last_rx_ns - send_end) / 1e6 : 0.0;
    double secs = (double)(send_end - start) / 1e9 + s.drain_ms / 1e3;
    s.fwd_per_s = secs > 0 ? (double)s.got / secs : 0;
    s.sent_rate = (double)seq / ((double)(send_end - start) / 1e9);
    s.pass = s.loss < 0.01 && s.drain_ms < 0.1 * step_ms && s.sent_rate >= 0.97 * rate;
    if (verbose)
        fprintf(stderr, "  step rate=%.0f sent=%llu (%.0f/s) got=%llu loss=%.4f drain=%.1fms fwd/s=%.0f %s\n",
                rate, (unsigned long long)s.sent, s.sent_rate, (unsigned long long)s.got, s.loss,
                s.drain_ms, s.fwd_per_s, s.pass ? "pass" : "FAIL");
    check_deadline();
    return s;
}

static void search(double rmin, double rmax, int bisect, int step_ms, const char *phase)
{
    step_result best = {0}, first = {0}, fail = {0};
    int have_best = 0, have_fail = 0;
    fprintf(stderr, " search (%s):\n", phase);
    for (double r = rmin; r <= rmax * 1.0001; r *= 2) {
        step_result s = run_step(r, step_ms, 1);
        if (!first.rate) first = s;
        if (!s.pass) {
            fail = s;
            have_fail = 1;
            break;
        }
        best = s;
        have_best = 1;
    }
    if (have_best && have_fail) {
        double lo = best.rate, hi = fail.rate;
        for (int k = 0; k < bisect; k++) {
            double mid = sqrt(lo * hi);
            step_result s = run_step(mid, step_ms, 1);
            if (s.pass) best = s, lo = mid;
            else hi = mid;
        }
    }
    if (!have_best) best = first; /* even the lowest rate failed: report it as measured */
    int members = nrx + 1 + (strcmp(phase, "scale") ? 0 : nsilent);
    /* deliveries: what every member but the sender got, from what the measured ones got */
    double deliv = best.fwd_per_s / nrx * (members - 1);
    printf("RESULT phase=%s best_rate=%.0f fwd_per_s=%.0f deliv_per_s=%.0f loss=%.5f pass=%d receivers=%d members=%d\n",
           phase, have_best ? best.rate : 0.0, best.fwd_per_s, deliv, best.loss, have_best, nrx, members);
    fflush(stdout);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static long vmrss_kib(int pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    long v = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) v = atol(line + 6);
    fclose(f);
    return v;
}

static void add_rx(int fd, int index)
{
    struct epoll_event ev = {0};
    ev.events = EPOLLIN;
    ev.data.u32 = (uint32_t)index;
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
}

static void usage(void)
{
    fprintf(stderr, "usage: load --port P [--n N] [--silent K] [--notices [--joins-log FILE]] [--pid PID]\n"
                    "            [--mode search|latency] [--min R] [--max R] [--bisect K]\n"
                    "            [--scale-min R] [--repeat K] [--step-ms MS] [--rates R1,R2,...] [--reg-max S] [--max-secs S]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int repeat = 1, port = 0, n = 1, notices = 0, pid = 0, bisect = 3, step_ms = 1000, reg_max = 400, max_secs = 120;
    double rmin = 5000, rmax = 200000, smin = 5;
    const char *mode = "search", *rates = "1000,10000";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--notices")) { notices = 1; continue; }
        if (!v) usage();
        i++;
        if (!strcmp(a, "--port")) port = atoi(v);
        else if (!strcmp(a, "--n")) n = atoi(v);
        else if (!strcmp(a, "--silent")) nsilent = atoi(v);
        else if (!strcmp(a, "--pid")) pid = atoi(v);
        else if (!strcmp(a, "--joins-log")) {
            joins_log = fopen(v, "r");
            if (!joins_log) die("cannot open the --joins-log file");
        }
        else if (!strcmp(a, "--mode")) mode = v;
        else if (!strcmp(a, "--min")) rmin = atof(v);
        else if (!strcmp(a, "--max")) rmax = atof(v);
        else if (!strcmp(a, "--scale-min")) smin = atof(v);
        else if (!strcmp(a, "--repeat")) repeat = atoi(v);
        else if (!strcmp(a, "--bisect")) bisect = atoi(v);
        else if (!strcmp(a, "--step-ms")) step_ms = atoi(v);
        else if (!strcmp(a, "--rates")) rates = v;
        else if (!strcmp(a, "--reg-max")) reg_max = atoi(v);
        else if (!strcmp(a, "--max-secs")) max_secs = atoi(v);
        else usage();
    }
    if (port <= 0 || n < 1 || n > 4096 || nsilent < 0 || nsilent > 100000 || rmin <= 0 || step_ms < 50 ||
        step_ms > 10000)
        usage();
    deadline_ns = now_ns() + (uint64_t)max_secs * 1000000000ull;
    target.sin_family = AF_INET;
    target.sin_port = htons((uint16_t)port);
    target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)(n + nsilent + 64)) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) die("epoll_create1");
    nrx = n;
    rxs = calloc((size_t)n, sizeof *rxs);
    if (!rxs) die("calloc");
    char nick[32];
    for (int i = 0; i < n; i++) {
        rxs[i].fd = open_sock(8 << 20);
        add_rx(rxs[i].fd, i);
        snprintf(nick, sizeof nick, "r%d", i);
        send_text(rxs[i].fd, nick);
        if (i % 16 == 15) drain(5, 50);
    }
    drain(100, 2000);
    sender = open_sock(0);
    send_text(sender, "snd");
    drain(200, 5000);
    if (!strcmp(mode, "search") && nsilent) /* the same room before the silent members join */
        for (int k = 0; k < repeat; k++) search(rmin, rmax, bisect, step_ms, "base");
    long rss_before = pid ? vmrss_kib(pid) : -1;
    double reg_secs = 0;
    int registered = nsilent;
    if (nsilent) {
        uint64_t t0 = now_ns();
        int *sfd = malloc((size_t)nsilent * sizeof *sfd);
        silent_seen = calloc((size_t)nsilent, 1);
        if (!sfd || !silent_seen) die("malloc");
        for (int i = 0; i < nsilent; i++) {
            sfd[i] = open_sock(-1);
            snprintf(nick, sizeof nick, "s%d", i);
            send_text(sfd[i], nick);
            if (i % 64 == 63) pump(1000000); /* let the relay keep up; read r0's notices */
            check_deadline();
        }
        for (int round = 0; notices && round < 4; round++) {
            /* wait until r0 saw every join, or nothing came for 2 s */
            uint64_t quiet = now_ns();
            while (now_ns() - t0 < (uint64_t)reg_max * 1000000000ull) {
                int missing = 0;
                for (int i = 0; i < nsilent && !missing; i++) missing = !silent_seen[i];
                if (!missing) break;
                scan_joins_log();
                if (pump(50000000)) quiet = now_ns();
                else if (now_ns() - quiet > 2000000000ull) break;
            }
            registered = 0;
            for (int i = 0; i < nsilent; i++) registered += silent_seen[i];
            if (registered == nsilent || round == 3) break;
            fprintf(stderr, "load: %d of %d silent members joined; re-sending the others\n", registered, nsilent);
            for (int i = 0; i < nsilent; i++)
                if (!silent_seen[i]) {
                    snprintf(nick, sizeof nick, "s%d", i);
                    send_text(sfd[i], nick);
                }
        }
        drain(200, 10000);
        reg_secs = (double)(now_ns() - t0) / 1e9;
        /* the sockets stay open (and unread) until exit */
    }
    if (pid) {
        long rss_after = vmrss_kib(pid);
        printf("RSS before_kib=%ld after_kib=%ld members_added=%d registered=%d reg_secs=%.1f per_client_bytes=%.0f\n",
               rss_before, rss_after, nsilent, registered, reg_secs,
               nsilent ? (double)(rss_after - rss_before) * 1024.0 / nsilent : 0.0);
        fflush(stdout);
    }
    if (!strcmp(mode, "search")) {
        for (int k = 0; k < repeat; k++)
            search(nsilent ? smin : rmin, rmax, bisect, step_ms, nsilent ? "scale" : "plain");
    } else if (!strcmp(mode, "latency")) {
        want_lat = 1;
        run_step(rmin > 1000 ? 1000 : rmin, 300, 0); /* warm-up */
        char *list = strdup(rates);
        for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
            double r = atof(tok);
            if (r <= 0) continue;
            step_result s = run_step(r, step_ms, 1);
            qsort(lat_us, nlat, sizeof *lat_us, cmp_u32);
            uint32_t p50 = nlat ? lat_us[nlat / 2] : 0;
            uint32_t p99 = nlat ? lat_us[(size_t)((double)(nlat - 1) * 0.99)] : 0;
            uint32_t mx = nlat ? lat_us[nlat - 1] : 0;
            printf("RESULT rate=%.0f p50_us=%u p99_us=%u max_us=%u loss=%.5f samples=%zu\n", r, p50, p99, mx,
                   s.loss, nlat);
            fflush(stdout);
        }
        free(list);
    } else {
        usage();
    }
    return 0;
}
