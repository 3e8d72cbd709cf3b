/* cmd_join.c -- `udpchat join HOST[:PORT]`: the room client of a relay server */
#include <stdio.h>

#include "udpchat/app.h"
#include "udpchat/cli.h"
#include "udpchat/nick.h"
#include "udpchat/settings.h"

#define DEFAULT_SERVER_PORT 10888

typedef struct join_opts {
    long port, deliver_timeout, timeout, heartbeat, legacy_max;
    const char *nick, *charset, *peer_charset;
    int json, no_color, legacy, no_bell, no_history;
} join_opts;

/* The session's settings from the options; -1 (and a message) for a bad charset. */
static int configure(const join_opts *o, const char *nick, session_config *cfg, charset_id *console)
{
    session_config_default(cfg);
    if (app_charset_option("join", "--charset", o->charset, charset_locale(), console) < 0 ||
        app_charset_option("join", "--peer-charset", o->peer_charset, CHARSET_UNKNOWN, &cfg->legacy_charset) < 0)
        return -1;
    if (*console == CHARSET_UNKNOWN) *console = CHARSET_UTF8;
    cfg->role = SESSION_CLIENT;
    cfg->nick = nick;
    if (o->timeout) cfg->timeout_ms = (uint32_t)o->timeout * 1000;
    if (o->deliver_timeout) cfg->link.deliver_timeout_ms = (uint32_t)o->deliver_timeout * 1000;
    cfg->legacy = o->legacy;
    if (o->heartbeat) cfg->legacy_heartbeat_ms = (uint32_t)o->heartbeat * 1000;
    if (o->legacy_max) cfg->legacy_max = (size_t)o->legacy_max;
    return 0;
}

int cmd_join(int argc, char **argv)
{
    join_opts o = {0};
    const cli_opt opts[] = {
        {"nick", CLI_STRING, &o.nick, 0, 0, "NAME", "your nick (default: your login name)"},
        {"port", CLI_INT, &o.port, 0, 65535, "LOCAL", "local UDP port (default: any free port)"},
        {"charset", CLI_STRING, &o.charset, 0, 0, "CS", "console charset (default: the locale's)"},
        {"json", CLI_FLAG, &o.json, 0, 0, NULL, "one JSON event per line on stdout"},
        {"no-color", CLI_FLAG, &o.no_color, 0, 0, NULL, "no colours on the terminal (also: NO_COLOR=1)"},
        {"no-bell", CLI_FLAG, &o.no_bell, 0, 0, NULL, "no terminal bell on private messages and mentions"},
        {"no-history", CLI_FLAG, &o.no_history, 0, 0, NULL, "keep no chat log and no input history (messages, typed lines)"},
        {"timeout", CLI_INT, &o.timeout, 2, 3600, "SECS", "server gone after this silence (30)"},
        {"deliver-timeout", CLI_INT, &o.deliver_timeout, 1, 3600, "SECS", "report undelivered after (10)"},
        {"legacy", CLI_FLAG, &o.legacy, 0, 0, NULL, "join a plain-text relay, like the seed programs' clients"},
        {"peer-charset", CLI_STRING, &o.peer_charset, 0, 0, "CS", "--legacy: the relay's charset (default: detect, else utf-8)"},
        {"heartbeat", CLI_INT, &o.heartbeat, 1, 3600, "SECS", "--legacy: send ^hb^ this often (default: never)"},
        {"legacy-max", CLI_INT, &o.legacy_max, 64, 65507, "BYTES", "--legacy: longer lines are cut into datagrams of this size (1024)"},
        {NULL, 0, NULL, 0, 0, NULL, NULL},
    };
    const char *remote = NULL, *why;
    int npos;
    int rc = cli_parse(argc, argv, opts, &remote, 1, &npos,
                       "HOST[:PORT] [OPTIONS]\n\nJoin the chat room of the relay server at HOST (port 10888 by default).\n"
                       "Lines you type go to the room; /help lists the commands. With --legacy, join a\n"
                       "plain-text relay (like the seed programs'): your nick first, then lines as text.");
    if (rc != 0) return rc > 0 ? EXIT_OK : EXIT_USAGE;
    if (npos != 1) {
        fprintf(stderr, "udpchat join: which server? usage: udpchat join HOST[:PORT] (see --help)\n");
        return EXIT_USAGE;
    }
    char nick[128];
    if (o.nick) snprintf(nick, sizeof nick, "%s", o.nick);
    else settings_default_nick(nick, sizeof nick);
    if (!nick_valid(nick, &why)) {
        fprintf(stderr, "udpchat join: bad nick '%s': %s\n", nick, why);
        return EXIT_USAGE;
    }
    session_config cfg;
    charset_id console;
    if (configure(&o, nick, &cfg, &console) < 0) return EXIT_USAGE;
    return app_run_session("join", &cfg, FE_JOIN, o.json, o.no_color, o.no_bell, o.no_history, console, remote,
                           DEFAULT_SERVER_PORT, o.port);
}
