/* session_core.c -- drives a session (peer or room client) from the runner's threads */
#include <stdio.h>
#include <string.h>

#include "udpchat/app.h"
#include "udpchat/cli.h"

void session_core_emit(void *ctx, const void *data, size_t len)
{
    session_core *c = ctx;
    net_send(c->sock, &c->remote, data, len);
}

static void on_datagram(void *core, const net_addr *from, const void *data, size_t len, uint64_t now)
{
    session_core *c = core;
    if (!net_addr_equal(from, &c->remote)) {
        char label[32];
        c->foreign++;
        if (session_is_legacy(c->s)) { /* the seed programs print whatever arrives */
            net_addr_format(from, label, sizeof label);
            session_on_foreign(c->s, label, data, len, now);
        }
        return;
    }
    session_on_datagram(c->s, data, len, now);
}

static void flush(void *core) { session_flush(((session_core *)core)->s); }
static void service(void *core, uint64_t now) { session_service(((session_core *)core)->s, now); }

static uint64_t next_deadline(void *core, uint64_t now)
{
    return session_next_deadline(((session_core *)core)->s, now);
}

static int poll_event(void *core, chat_event *ev) { return session_poll_event(((session_core *)core)->s, ev); }

static uint32_t command(void *core, const ui_command *cmd, uint64_t now)
{
    session *s = ((session_core *)core)->s;
    switch (cmd->type) {
    case CMD_SAY: return session_say(s, cmd->text, cmd->flags, cmd->to, now);
    case CMD_NICK: session_set_nick(s, cmd->text, now); break;
    case CMD_WHO: session_request_who(s, now); break;
    case CMD_QUIT: session_quit(s, cmd->text, now); break;
    default: break;
    }
    return 0;
}

static int done(void *core) { return session_done(((session_core *)core)->s); }

const core_ops session_core_ops = {on_datagram, flush, service, next_deadline, poll_event, command, done};

int app_open_endpoint(const char *cmd, const char *remote, uint16_t default_port, long local_port,
                      net_socket **sock, net_addr *addr)
{
    char err[256];
    int rc = net_resolve(remote, default_port, addr);
    if (rc == -1) {
        fprintf(stderr, "udpchat %s: bad port in '%s' (want HOST:PORT, port 1-65535)\n", cmd, remote);
        return EXIT_USAGE;
    }
    if (rc == -2) {
        fprintf(stderr, "udpchat %s: cannot resolve host '%s': check the name or use an IP address\n",
                cmd, remote);
        return EXIT_RUNTIME;
    }
    *sock = net_open((uint16_t)local_port, err, sizeof err);
    if (!*sock) {
        fprintf(stderr, "udpchat %s: %s\n", cmd, err);
        return EXIT_RUNTIME;
    }
    return EXIT_OK;
}

int app_charset_option(const char *cmd, const char *opt, const char *value, charset_id dflt,
                       charset_id *out)
{
    if (!value) {
        *out = dflt;
        return 0;
    }
    if (strcmp(value, "auto") == 0) {
        *out = CHARSET_UNKNOWN;
        return 0;
    }
    if (charset_from_name(value, out) == 0) return 0;
    fprintf(stderr, "udpchat: unknown charset '%s' for %s %s (known: %s)\n", value, cmd, opt,
            charset_known_list());
    return -1;
}
