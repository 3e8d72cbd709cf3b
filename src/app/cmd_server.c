/* cmd_server.c -- `udpchat server`: the relay, its admin console and its log */
#include <stdio.h>
#include <stdlib.h>

#include "udpchat/app.h"
#include "udpchat/cli.h"
#include "udpchat/ifaddr.h"
#include "udpchat/relay.h"

#include <string.h>

typedef struct server_opts {
    long port, timeout, legacy_timeout, max_clients, max_legacy, legacy_rate, legacy_max, rate;
    const char *log, *legacy_charset, *charset, *legacy_allow;
    int json, no_color, no_legacy, no_history;
} server_opts;

static int parse(int argc, char **argv, server_opts *o)
{
    const cli_opt opts[] = {
        {"port", CLI_INT, &o->port, 1, 65535, "PORT", "UDP port to serve (10888)"},
        {"timeout", CLI_INT, &o->timeout, 2, 86400, "SECS", "remove members silent this long (30)"},
        {"legacy-timeout", CLI_INT, &o->legacy_timeout, 2, 2592000, "SECS", "same for plain-text clients (86400)"},
        {"max-clients", CLI_INT, &o->max_clients, 1, 100000, "N", "members at most (1024)"},
        {"max-legacy", CLI_INT, &o->max_legacy, 0, 100000, "N", "plain-text members at most, besides those (32)"},
        {"no-legacy", CLI_FLAG, &o->no_legacy, 0, 0, NULL, "admit no plain-text (seed-style) clients"},
        {"legacy-max", CLI_INT, &o->legacy_max, 64, 65507, "BYTES", "datagrams to plain-text clients at most this long (1024)"},
        {"legacy-rate", CLI_INT, &o->legacy_rate, 0, 10000000, "N", "datagrams/s to each plain-text member, 0 = no limit (20)"},
        {"legacy-allow", CLI_STRING, &o->legacy_allow, 0, 0, "CIDR[,CIDR]", "plain-text clients only from these networks"},
        {"rate", CLI_INT, &o->rate, 0, 10000000, "N", "datagrams/s per member, 0 = no limit (1000)"},
        {"legacy-charset", CLI_STRING, &o->legacy_charset, 0, 0, "CS", "plain-text clients' default charset (utf-8)"},
        {"charset", CLI_STRING, &o->charset, 0, 0, "CS", "console charset (default: the locale's)"},
        {"log", CLI_STRING, &o->log, 0, 0, "FILE", "append the event log to FILE (default: stderr)"},
        {"json", CLI_FLAG, &o->json, 0, 0, NULL, "events as JSON lines on stdout"},
        {"no-color", CLI_FLAG, &o->no_color, 0, 0, NULL, "no colours on the terminal (also: NO_COLOR=1)"},
        {"no-history", CLI_FLAG, &o->no_history, 0, 0, NULL, "keep no input history (typed lines) across runs"},
        {NULL, 0, NULL, 0, 0, NULL, NULL},
    };
    const char *pos[1];
    int npos;
    int rc = cli_parse(argc, argv, opts, pos, 0, &npos,
                       "[OPTIONS]\n\nRun a chat-room relay. Its console takes /who, /kick NICK [WHY], /say TEXT\n"
                       "and /shutdown [WHY]; end of input, Ctrl-C or SIGTERM also shut it down\n"
                       "(with stdin on /dev/null it runs until a signal: as a service).\n"
                       "Plain-text clients (like the seed programs) can join too: their first\n"
                       "datagram is their nick, 'quit' leaves, '^hb^' is a heartbeat.");
    if (rc != 0) return rc > 0 ? EXIT_OK : EXIT_USAGE;
    return -1;
}

/* "10.0.0.0/8,192.168.1.5" into ranges; -1 (and a message) if one is malformed. */
static int parse_allow(const char *spec, relay_config *cfg)
{
    char item[64];
    for (const char *p = spec; *p;) {
        size_t n = strcspn(p, ",");
        unsigned a, b, c, d, bits = 32;
        char tail;
        snprintf(item, sizeof item, "%.*s", (int)(n < sizeof item ? n : sizeof item - 1), p);
        int k = sscanf(item, "%u.%u.%u.%u/%u%c", &a, &b, &c, &d, &bits, &tail);
        if ((k != 4 && k != 5) || a > 255 || b > 255 || c > 255 || d > 255 || bits > 32 ||
            cfg->nallow == RELAY_MAX_ALLOW) {
            fprintf(stderr, "udpchat server: bad --legacy-allow range '%s' (want A.B.C.D[/BITS], "
                    "at most %d of them)\n", item, RELAY_MAX_ALLOW);
            return -1;
        }
        uint32_t mask = bits ? 0xFFFFFFFFu << (32 - bits) : 0;
        relay_range rg = {((uint32_t)a << 24 | b << 16 | c << 8 | d) & mask, mask};
        cfg->legacy_allow[cfg->nallow++] = rg;
        p += n + (p[n] == ',');
    }
    return 0;
}

static int configure(const server_opts *o, relay_config *cfg, charset_id *console)
{
    relay_config_default(cfg);
    if (app_charset_option("server", "--legacy-charset", o->legacy_charset, CHARSET_UTF8, &cfg->legacy_charset) < 0 ||
        app_charset_option("server", "--charset", o->charset, charset_locale(), console) < 0)
        return EXIT_USAGE;
    if (*console == CHARSET_UNKNOWN) *console = CHARSET_UTF8;
    if (o->timeout) cfg->timeout_ms = (uint32_t)o->timeout * 1000;
    if (o->legacy_timeout) cfg->legacy_timeout_ms = (uint32_t)o->legacy_timeout * 1000;
    if (o->max_clients) cfg->max_clients = (size_t)o->max_clients;
    if (o->max_legacy >= 0) cfg->max_legacy = (size_t)o->max_legacy;
    cfg->no_legacy = o->no_legacy;
    if (o->legacy_rate >= 0) cfg->legacy_out_rate = (uint32_t)o->legacy_rate;
    if (o->legacy_max) cfg->legacy_max = (size_t)o->legacy_max;
    if (o->legacy_allow && parse_allow(o->legacy_allow, cfg) < 0) return EXIT_USAGE;
    if (o->rate >= 0 && o->rate != 1000) cfg->rate = (uint32_t)o->rate, cfg->burst = 2 * (uint32_t)o->rate;
    if (cfg->heartbeat_ms > cfg->timeout_ms / 3) cfg->heartbeat_ms = cfg->timeout_ms / 3;
    return -1;
}

static int serve(const server_opts *o, relay_config *cfg, charset_id console, frontend *fe)
{
    char err[256];
    net_socket *sock = net_open((uint16_t)(o->port ? o->port : 10888), err, sizeof err);
    if (!sock) {
        fprintf(stderr, "udpchat server: %s\n", err);
        return EXIT_RUNTIME;
    }
    if (net_random_bytes(&cfg->key, sizeof cfg->key) < 0) {
        fprintf(stderr, "udpchat server: the system's random source failed\n");
        net_close(sock);
        return EXIT_RUNTIME;
    }
    uint16_t port = (uint16_t)(o->port ? o->port : 10888);
    net_iface ifs[RELAY_SELF_MAX];
    net_addr self[RELAY_SELF_MAX];
    size_t n = net_interfaces(ifs, RELAY_SELF_MAX);
    for (size_t i = 0; i < n; i++) self[i] = ifs[i].addr;
    relay *r = relay_create(cfg, net_random_session(), net_emit, sock);
    relay_set_self(r, self, n, port);
    int rc = app_run(sock, r, &relay_ops, fe, o->no_color);
    relay_ops.destroy(r);
    net_close(sock);
    return rc;
}

int cmd_server(int argc, char **argv)
{
    server_opts o = {0};
    o.rate = 1000;
    o.max_legacy = -1;
    o.legacy_rate = -1;
    int rc = parse(argc, argv, &o);
    if (rc >= 0) return rc;
    relay_config cfg;
    charset_id console;
    if ((rc = configure(&o, &cfg, &console)) >= 0) return rc;
    FILE *log = stderr;
    if (o.log && !(log = charset_fopen(o.log, "a"))) {
        fprintf(stderr, "udpchat server: cannot open log file '%s'\n", o.log);
        return EXIT_RUNTIME;
    }
    char err[256];
    if (net_init(err, sizeof err) < 0) {
        fprintf(stderr, "udpchat server: %s\n", err);
        return EXIT_RUNTIME;
    }
    frontend fe;
    frontend_init(&fe, FE_SERVER, o.json, console, "server");
    if (!o.json) fe.out = log;
    fe.history = !o.no_history;
    rc = serve(&o, &cfg, console, &fe);
    frontend_free(&fe);
    if (log != stderr) fclose(log);
    net_quit();
    return rc;
}
