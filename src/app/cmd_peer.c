/* cmd_peer.c -- `udpchat peer HOST:PORT`: a direct, full-duplex chat with one peer */
#include <stdio.h>
#include <stdlib.h>

#include "udpchat/app.h"
#include "udpchat/cli.h"
#include "udpchat/nick.h"
#include "udpchat/settings.h"
#include "udpchat/record.h"

typedef struct peer_opts {
    long port, timeout, deliver_timeout, heartbeat, legacy_max;
    const char *nick, *peer_charset, *charset;
    int legacy, json, no_color, no_bell, no_history;
} peer_opts;

static int parse(int argc, char **argv, peer_opts *o, const char **remote)
{
    const cli_opt opts[] = {
        {"port", CLI_INT, &o->port, 0, 65535, "LOCAL", "local UDP port (default: any free port)"},
        {"nick", CLI_STRING, &o->nick, 0, 0, "NAME", "your nick (default: your login name)"},
        {"legacy", CLI_FLAG, &o->legacy, 0, 0, NULL, "talk plain text, like the seed programs"},
        {"peer-charset", CLI_STRING, &o->peer_charset, 0, 0, "CS", "plain-text peer's charset (default: detect)"},
        {"legacy-max", CLI_INT, &o->legacy_max, 64, 65507, "BYTES", "plain text: longer lines are cut into datagrams of this size (1024)"},
        {"charset", CLI_STRING, &o->charset, 0, 0, "CS", "console charset (default: the locale's)"},
        {"json", CLI_FLAG, &o->json, 0, 0, NULL, "one JSON event per line on stdout"},
        {"no-color", CLI_FLAG, &o->no_color, 0, 0, NULL, "no colours on the terminal (also: NO_COLOR=1)"},
        {"no-bell", CLI_FLAG, &o->no_bell, 0, 0, NULL, "no terminal bell on private messages and mentions"},
        {"no-history", CLI_FLAG, &o->no_history, 0, 0, NULL, "keep no chat log and no input history (messages, typed lines)"},
        {"timeout", CLI_INT, &o->timeout, 2, 3600, "SECS", "peer gone after this silence (30)"},
        {"heartbeat", CLI_INT, &o->heartbeat, 1, 600, "SECS", "keepalive interval (5)"},
        {"deliver-timeout", CLI_INT, &o->deliver_timeout, 1, 3600, "SECS", "report undelivered after (10)"},
        {NULL, 0, NULL, 0, 0, NULL, NULL},
    };
    int npos;
    int rc = cli_parse(argc, argv, opts, remote, 1, &npos,
                       "HOST:PORT [OPTIONS]\n\nChat directly with the peer at HOST:PORT. Each line you type is sent;\n"
                       "what arrives is printed. /quit or end of input leaves.");
    if (rc != 0) return rc > 0 ? EXIT_OK : EXIT_USAGE;
    if (npos != 1) {
        fprintf(stderr, "udpchat peer: which peer? usage: udpchat peer HOST:PORT (see --help)\n");
        return EXIT_USAGE;
    }
    return -1;
}

static int configure(const peer_opts *o, session_config *cfg, charset_id *console, char *nick)
{
    const char *why;
    session_config_default(cfg);
    if (o->nick && !nick_valid(o->nick, &why)) {
        fprintf(stderr, "udpchat peer: bad --nick: %s\n", why);
        return EXIT_USAGE;
    }
    if (app_charset_option("peer", "--peer-charset", o->peer_charset, CHARSET_UNKNOWN, &cfg->legacy_charset) < 0 ||
        app_charset_option("peer", "--charset", o->charset, charset_locale(), console) < 0)
        return EXIT_USAGE;
    if (*console == CHARSET_UNKNOWN) *console = CHARSET_UTF8;
    cfg->role = SESSION_PEER;
    cfg->nick = nick;
    cfg->legacy = o->legacy;
    if (o->legacy_max) cfg->legacy_max = (size_t)o->legacy_max;
    if (o->timeout) cfg->timeout_ms = (uint32_t)o->timeout * 1000;
    if (o->heartbeat) cfg->heartbeat_ms = (uint32_t)o->heartbeat * 1000;
    if (o->deliver_timeout) cfg->link.deliver_timeout_ms = (uint32_t)o->deliver_timeout * 1000;
    return -1;
}

int app_run_session(const char *cmd, session_config *cfg, frontend_mode mode, int json, int no_color,
                    int no_bell, int no_history, charset_id console, const char *remote,
                    uint16_t default_port, long port)
{
    char err[256], label[64];
    if (net_init(err, sizeof err) < 0) {
        fprintf(stderr, "udpchat %s: %s\n", cmd, err);
        return EXIT_RUNTIME;
    }
    net_socket *sock = NULL;
    net_addr to;
    int rc = app_open_endpoint(cmd, remote, default_port, port, &sock, &to);
    if (rc != EXIT_OK) {
        net_quit();
        return rc;
    }
    addr_format(&to, label, sizeof label);
    cfg->remote_label = label;
    cfg->remote = to;
    if (net_random_bytes(&cfg->key, sizeof cfg->key) < 0) {
        fprintf(stderr, "udpchat %s: the system's random source failed\n", cmd);
        net_close(sock);
        net_quit();
        return EXIT_RUNTIME;
    }
    session *s = session_create(cfg, net_random_session(), net_emit, sock, net_now_ms());
    frontend fe;
    frontend_init(&fe, mode, json, console, cfg->nick);
    char place[80];
    snprintf(place, sizeof place, "%s %s", cmd, label);
    if (!no_history) fe.rec = record_open(place, NULL);
    fe.bell = !no_bell;
    fe.history = !no_history;
    rc = app_run(sock, s, &session_ops, &fe, no_color);
    session_ops.destroy(s);
    net_close(sock);
    frontend_free(&fe);
    net_quit();
    return rc;
}

int cmd_peer(int argc, char **argv)
{
    peer_opts o = {0};
    const char *remote = NULL;
    int rc = parse(argc, argv, &o, &remote);
    if (rc >= 0) return rc;
    session_config cfg;
    charset_id console;
    char nick[128];
    if (o.nick) snprintf(nick, sizeof nick, "%s", o.nick);
    else settings_default_nick(nick, sizeof nick);
    rc = configure(&o, &cfg, &console, nick);
    if (rc >= 0) return rc;
    return app_run_session("peer", &cfg, FE_PEER, o.json, o.no_color, o.no_bell, o.no_history, console, remote, 0,
                           o.port);
}
