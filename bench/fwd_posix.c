/* fwd_posix.c -- a bare UDP forwarder on plain recvfrom/sendto: the second baseline for
 * udpchat server's plain-text relaying (bench/run, row 1).
 *
 *   fwd_posix PORT [LIFETIME_S]
 *
 * One blocking socket on 0.0.0.0:PORT (1 s receive timeout, to check the lifetime), one
 * recvfrom per datagram, no select. A source's first datagram registers it; each later one
 * is sent with sendto to every other member as it is. One thread. Exits after LIFETIME_S
 * seconds (default 600). */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fwd_common.h"

static fwd_table table;
static char buf[65536];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: fwd_posix PORT [LIFETIME_S]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    double lifetime = argc > 2 ? atof(argv[2]) : 600;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        fprintf(stderr, "fwd_posix: %s\n", strerror(errno));
        return 1;
    }
    struct timeval tv = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    printf("ready %d\n", port);
    fflush(stdout);
    double start = now_s();
    unsigned long long in = 0, out = 0;
    while (now_s() - start < lifetime) {
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
        if (n < 0) continue; /* timeout, EINTR, ICMP errors */
        in++;
        if (n == 0) continue;
        int self = fwd_lookup_or_add(&table, from.sin_addr.s_addr, from.sin_port);
        if (self < 0) continue;
        struct sockaddr_in to;
        memset(&to, 0, sizeof to);
        to.sin_family = AF_INET;
        for (int k = 0; k < table.count; k++) {
            if (k == self) continue;
            to.sin_addr.s_addr = table.m[k].host;
            to.sin_port = table.m[k].port;
            out += sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&to, sizeof to) == n;
        }
    }
    fprintf(stderr, "fwd_posix: %llu in, %llu out\n", in, out);
    close(fd);
    return 0;
}
