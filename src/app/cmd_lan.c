/* cmd_lan.c -- `udpchat` / `udpchat lan`: serverless LAN chat speaking IP Messenger */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "udpchat/app.h"
#include "udpchat/cli.h"
#include "udpchat/fs.h"
#include "udpchat/ifaddr.h"
#include "udpchat/ipmsg.h"
#include "udpchat/lan.h"
#include "udpchat/nick.h"
#include "udpchat/settings.h"
#include "udpchat/record.h"
#include "udpchat/transfer.h"

#define MAX_TARGETS 64

typedef struct lan_opts {
    long port, refresh;
    const char *nick, *group, *peers, *broadcast, *ipmsg_charset, *charset, *download_dir;
    int json, no_color, no_bell, no_history;
} lan_opts;

/* Adds "HOST[,HOST...]" (each with an optional :PORT) to targets; -1 on a bad one. */
static int add_hosts(const char *list, uint16_t port, net_addr *t, size_t *n)
{
    char item[256];
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof item) return -1;
        memcpy(item, p, len);
        item[len] = '\0';
        if (*n >= MAX_TARGETS || net_resolve(item, port, &t[*n]) < 0) {
            fprintf(stderr, "udpchat lan: cannot use '%s' as a peer address\n", item);
            return -1;
        }
        (*n)++;
        p += len + (p[len] == ',');
    }
    return 0;
}

static int targets(const lan_opts *o, uint16_t port, net_addr *t, size_t *n, net_addr *self, size_t *nself)
{
    net_iface ifs[32];
    size_t nif = net_interfaces(ifs, 32);
    *n = *nself = 0;
    for (size_t i = 0; i < nif; i++) {
        self[(*nself)++] = (net_addr){ifs[i].addr.host, port};
        if (!o->broadcast) t[(*n)++] = (net_addr){ifs[i].broadcast.host, port};
    }
    self[(*nself)++] = (net_addr){0x7F000001, port};
    if (!o->broadcast && *n == 0) t[(*n)++] = (net_addr){0xFFFFFFFFu, port};
    if (o->broadcast && add_hosts(o->broadcast, port, t, n) < 0) return -1;
    return add_hosts(o->peers, port, t, n);
}

static int parse(int argc, char **argv, lan_opts *o)
{
    const cli_opt opts[] = {
        {"nick", CLI_STRING, &o->nick, 0, 0, "NAME", "your nick (default: your login name)"},
        {"group", CLI_STRING, &o->group, 0, 0, "NAME", "your group (shown by IPMsg, FeiQ, iptux)"},
        {"port", CLI_INT, &o->port, 1, 65535, "PORT", "UDP port (2425, the IP Messenger port)"},
        {"peer", CLI_STRING, &o->peers, 0, 0, "HOST[:PORT][,...]", "also announce to these (where broadcast does not reach)"},
        {"broadcast", CLI_STRING, &o->broadcast, 0, 0, "ADDR[,ADDR]", "broadcast addresses (default: each interface's)"},
        {"ipmsg-charset", CLI_STRING, &o->ipmsg_charset, 0, 0, "CS", "charset for every peer (default: per peer)"},
        {"charset", CLI_STRING, &o->charset, 0, 0, "CS", "console charset (default: the locale's)"},
        {"refresh", CLI_INT, &o->refresh, 0, 86400, "SECONDS", "ask who is still there every SECONDS (180; 0: only on /refresh)"},
        {"download-dir", CLI_STRING, &o->download_dir, 0, 0, "DIR", "where /accept puts files (default: your Downloads folder)"},
        {"json", CLI_FLAG, &o->json, 0, 0, NULL, "one JSON event per line on stdout"},
        {"no-color", CLI_FLAG, &o->no_color, 0, 0, NULL, "no colours on the terminal (also: NO_COLOR=1)"},
        {"no-bell", CLI_FLAG, &o->no_bell, 0, 0, NULL, "no terminal bell on private messages and mentions"},
        {"no-history", CLI_FLAG, &o->no_history, 0, 0, NULL, "keep no chat log and no input history (messages, typed lines)"},
        {NULL, 0, NULL, 0, 0, NULL, NULL},
    };
    const char *pos[1];
    int npos;
    int rc = cli_parse(argc, argv, opts, pos, 0, &npos,
                       "[OPTIONS]\n\nChat with everyone on the LAN, no server needed. Speaks IP Messenger, so\n"
                       "IPMsg, FeiQ and iptux users see you too. Lines go to everyone, or to the\n"
                       "peer chosen with /to NICK; /msg NICK TEXT, /all TEXT, /who, /quit [REASON],\n"
                       "/away [TEXT], /back, /seal NICK TEXT, /open N, /refresh.\n"
                       "Files: /send NICK PATH... (files and folders), /accept N [DIR], /decline N,\n"
                       "/transfers, /cancel N; over TCP on the same port number.");
    if (rc != 0) return rc > 0 ? EXIT_OK : EXIT_USAGE;
    return -1;
}

static int configure(const lan_opts *o, lan_config *cfg, charset_id *console, char *nick, size_t n)
{
    const char *why;
    lan_config_default(cfg);
    if (o->nick) snprintf(nick, n, "%s", o->nick);
    else settings_default_nick(nick, n);
    if (!nick_valid(nick, &why)) {
        fprintf(stderr, "udpchat lan: bad nick '%s': %s\n", nick, why);
        return EXIT_USAGE;
    }
    if (app_charset_option("lan", "--ipmsg-charset", o->ipmsg_charset, CHARSET_UNKNOWN, &cfg->peer_charset) < 0 ||
        app_charset_option("lan", "--charset", o->charset, charset_locale(), console) < 0)
        return EXIT_USAGE;
    if (*console == CHARSET_UNKNOWN) *console = CHARSET_UTF8;
    cfg->nick = nick;
    cfg->group = o->group ? o->group : "";
    cfg->first_packet_no = (uint64_t)time(NULL);
    if (o->refresh >= 0) cfg->refresh_ms = (uint32_t)o->refresh * 1000u;
    return -1;
}

/* The port cannot be had: on 2425 it is almost always another IP Messenger program. */
static void port_taken(uint16_t port, const char *err)
{
    if (port != IPMSG_PORT) {
        fprintf(stderr, "udpchat lan: %s\n", err);
        return;
    }
    fprintf(stderr,
            "udpchat lan: UDP port 2425 is taken: another IP Messenger program is probably running on this\n"
            "computer (IPMsg, FeiQ, iptux, or another udpchat lan). Only one program per computer can use\n"
            "it: quit the other one and start udpchat again. Or give udpchat another port, with the peers\n"
            "given explicitly: udpchat lan --port 2426 --peer HOST:2426 (IPMsg, FeiQ and iptux use 2425 only\n"
            "and will not see you then).\n");
}

/* File transfers on TCP port `port` (NULL and a warning if it is taken: chat goes on). */
static transfer_engine *start_files(const lan_opts *o, uint16_t port, const lan_config *cfg, buf *dir)
{
    char err[256];
    if (o->download_dir) buf_append_str(dir, o->download_dir);
    else fs_download_dir(dir);
    transfer_config tc = {port, cfg->user, cfg->host, runner_ui_queue(), 0, 0, 0};
    transfer_engine *te = transfer_start(&tc, err, sizeof err);
    if (!te) fprintf(stderr, "udpchat lan: file transfers are off: %s\n", err);
    return te;
}

static int run(lan_opts *o, lan_config *cfg, charset_id console)
{
    char err[256], host[128], user[128];
    net_addr t[MAX_TARGETS + 34], self[34];
    size_t nt, nself;
    uint16_t port = (uint16_t)(o->port ? o->port : IPMSG_PORT);
    if (targets(o, port, t, &nt, self, &nself) < 0) return EXIT_USAGE;
    net_socket *sock = net_open(port, err, sizeof err);
    if (!sock) {
        port_taken(port, err);
        return EXIT_RUNTIME;
    }
    net_hostname(host, sizeof host);
    settings_default_nick(user, sizeof user);
    cfg->host = host;
    cfg->user = user;
    lan *l = lan_create(cfg, net_emit, sock);
    lan_set_targets(l, t, nt);
    lan_set_self(l, self, nself);
    frontend fe;
    frontend_init(&fe, FE_LAN, o->json, console, cfg->nick);
    if (!o->no_history) fe.rec = record_open("lan", NULL);
    fe.bell = !o->no_bell;
    fe.history = !o->no_history;
    buf dir = {0};
    transfer_engine *te = start_files(o, port, cfg, &dir);
    fe.files = te;
    fe.download_dir = dir.data;
    lan_enter(l, net_now_ms());
    int rc = app_run(sock, l, &lan_ops, &fe, o->no_color);
    transfer_stop(te);
    buf_free(&dir);
    lan_ops.destroy(l);
    net_close(sock);
    frontend_free(&fe);
    return rc;
}

int cmd_lan(int argc, char **argv)
{
    lan_opts o = {0};
    o.refresh = -1; /* not given */
    int rc = parse(argc, argv, &o);
    if (rc >= 0) return rc;
    lan_config cfg;
    charset_id console;
    char nick[128];
    if ((rc = configure(&o, &cfg, &console, nick, sizeof nick)) >= 0) return rc;
    char err[256];
    if (net_init(err, sizeof err) < 0) {
        fprintf(stderr, "udpchat lan: %s\n", err);
        return EXIT_RUNTIME;
    }
    rc = run(&o, &cfg, console);
    net_quit();
    return rc;
}
