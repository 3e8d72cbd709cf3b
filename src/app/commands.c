/* commands.c -- what a typed line means: a message, or a /command of the current mode */
#include <stdlib.h>
#include <string.h>

#include "udpchat/frontend.h"
#include "udpchat/mem.h"
#include "udpchat/nick.h"
#include "udpchat/record.h"
#include "udpchat/settings.h"
#include "udpchat/wire.h"

typedef struct cmd_spec {
    const char *name;
    core_cmd_type type;
    int modes;      /* bit per frontend_mode */
    int args;       /* 0: none, 1: rest is text, 2: first word is a nick, rest text */
    int flags;
    const char *help;
} cmd_spec;

#define M_PEER (1 << FE_PEER)
#define M_JOIN (1 << FE_JOIN)
#define M_SERVER (1 << FE_SERVER)
#define M_LAN (1 << FE_LAN)

static const cmd_spec specs[] = {
    {"msg", CMD_SAY, M_JOIN | M_LAN, 2, CHAT_PRIVATE, "/msg NICK TEXT   a message to one member only"},
    {"all", CMD_SAY, M_LAN, 1, 0, "/all TEXT        a message to every peer on the LAN"},
    {"me", CMD_SAY, M_PEER | M_JOIN | M_LAN, 1, CHAT_ACTION, "/me ACTION       an action (\"* alice waves\")"},
    {"nick", CMD_NICK, M_JOIN | M_LAN, 1, 0, "/nick NAME       change your nick"},
    {"who", CMD_WHO, M_JOIN | M_SERVER | M_LAN, 0, 0, "/who             list who is here (the room, or the LAN)"},
    {"kick", CMD_KICK, M_SERVER, 2, 0, "/kick NICK [WHY] remove a member"},
    {"say", CMD_NOTICE, M_SERVER, 1, 0, "/say TEXT        a notice to everyone"},
    {"shutdown", CMD_SHUTDOWN, M_SERVER, 1, 0, "/shutdown [WHY]  tell everyone, then stop the server"},
    {"quit", CMD_QUIT, M_PEER | M_JOIN | M_LAN, 1, 0, "/quit [REASON]   leave (end of input does the same)"},
    {"away", CMD_AWAY, M_LAN, 1, 0, "/away [TEXT]     you are away: peers see TEXT, and get it as an answer"},
    {"back", CMD_BACK, M_LAN, 0, 0, "/back            you are back"},
    {"seal", CMD_SAY, M_LAN, 2, CHAT_PRIVATE | CHAT_SEALED, "/seal NICK TEXT  a sealed message: NICK must open it; you see when"},
    {"open", CMD_OPEN, M_LAN, 1, 0, "/open N          show sealed message N (its sender sees you read it)"},
    {"refresh", CMD_REFRESH, M_LAN, 0, 0, "/refresh         ask who is still there; the silent ones leave /who"},
    {NULL, 0, 0, 0, 0, NULL},
};

size_t frontend_command_names(frontend_mode mode, const char **out, size_t max)
{
    static const char *const words[] = {"/msg", "/all", "/me", "/nick", "/who", "/kick", "/say", "/shutdown", "/quit",
                                        "/away", "/back", "/seal", "/open", "/refresh"};
    _Static_assert(sizeof words / sizeof words[0] + 1 == sizeof specs / sizeof specs[0], "a word per command");
    size_t n = 0;
    for (size_t i = 0; specs[i].name; i++)
        if ((specs[i].modes & (1 << mode)) && n < max) out[n++] = words[i];
    if (mode == FE_LAN && n < max) out[n++] = "/to";
    if (mode != FE_SERVER && n + 1 < max) out[n++] = "/history", out[n++] = "/search";
    if (n < max) out[n++] = "/set";
    n += cmd_files_names(mode, out + n, max - n); /* /send /accept ... (cmd_files.c) */
    if (n < max) out[n++] = "/help";
    return n;
}

static void print_help(frontend *fe)
{
    frontend_info(fe, "commands (a line not starting with / is a message; // sends a leading /):");
    for (const cmd_spec *c = specs; c->name; c++)
        if (c->modes & (1 << fe->mode)) frontend_info(fe, c->help);
    if (fe->mode == FE_LAN) frontend_info(fe, "/to [NICK]       send plain lines to NICK (no NICK: to everyone)");
    if (fe->mode != FE_SERVER) {
        frontend_info(fe, "/history [N]     the last N messages of this conversation (20)");
        frontend_info(fe, "/search TEXT     find TEXT in every conversation of the history");
    }
    frontend_info(fe, "/set [KEY [VAL]] show the settings, or change one and save it");
    cmd_files_help(fe);
    frontend_info(fe, "/help            this list");
}

static core_command *new_cmd(core_cmd_type t, int flags, const char *to, size_t tolen, const char *text)
{
    core_command *c = xcalloc(1, sizeof *c);
    c->type = t;
    c->flags = flags;
    if (to) {
        c->to = xmalloc(tolen + 1);
        memcpy(c->to, to, tolen);
        c->to[tolen] = '\0';
    }
    c->text = str_dup(text);
    return c;
}

/* 1 if `nick` names one member we know of ("nick", or "nick@address" for one of several);
 * else an error says why (none, or which ones). Not checked before a roster came. */
static int known_nick(frontend *fe, const char *nick)
{
    size_t n = model_member_count(fe->model), exact = 0, prefixed = 0, len = strlen(nick);
    if (!n || strchr(nick, '@')) return 1; /* nick@address: the core knows the addresses */
    buf which = {0};
    for (size_t i = 0; i < n; i++) {
        const char *m = model_member_at(fe->model, i)->nick;
        if (nick_equal(m, nick)) exact++;
        else if (strncmp(m, nick, len) == 0 && m[len] == '@') prefixed++, buf_printf(&which, "%s%s", which.len ? ", " : "", m);
    }
    buf b = {0};
    if (!exact && prefixed > 1) buf_printf(&b, "%s is ambiguous: %s; use nick@address", nick, which.data);
    else if (!exact && !prefixed) buf_printf(&b, "no such nick: %s (/who lists who is here)", nick);
    if (b.len) frontend_error(fe, b.data);
    buf_free(&b);
    buf_free(&which);
    return exact || prefixed == 1;
}

static core_command *with_args(frontend *fe, const cmd_spec *c, const char *rest)
{
    while (*rest == ' ') rest++;
    if (c->args == 0) return new_cmd(c->type, c->flags, NULL, 0, "");
    if (c->args == 1) {
        int needs = c->type == CMD_SAY || c->type == CMD_NICK || c->type == CMD_NOTICE || c->type == CMD_OPEN;
        if (needs && !*rest) {
            buf b = {0};
            buf_printf(&b, "usage: %s", c->help);
            frontend_error(fe, b.data);
            buf_free(&b);
            return NULL;
        }
        return new_cmd(c->type, c->flags, NULL, 0, rest);
    }
    const char *sp = strchr(rest, ' ');
    size_t nlen = sp ? (size_t)(sp - rest) : strlen(rest);
    const char *text = sp ? sp + 1 : "";
    if (nlen && c->type == CMD_SAY) { /* /msg NICK: a nick we know of */
        char *nick = xmalloc(nlen + 1);
        memcpy(nick, rest, nlen);
        nick[nlen] = '\0';
        int ok = known_nick(fe, nick);
        free(nick);
        if (!ok) return NULL;
    }
    if (nlen == 0 || (c->type == CMD_SAY && !*text)) {
        buf b = {0};
        buf_printf(&b, "usage: %s", c->help);
        frontend_error(fe, b.data);
        buf_free(&b);
        return NULL;
    }
    return new_cmd(c->type, c->flags, rest, nlen, text);
}

/* 1 if nick is not here but we have a conversation with them (they left): it may be opened
 * and read; lines typed there fail until they are back. */
static int gone_with_conversation(const frontend *fe, const char *nick)
{
    for (size_t i = 0; i < model_member_count(fe->model); i++)
        if (nick_equal(model_member_at(fe->model, i)->nick, nick)) return 0;
    for (size_t i = 0; i < model_conv_count(fe->model); i++)
        if (*model_conv_at(fe->model, i)->name && nick_equal(model_conv_at(fe->model, i)->name, nick)) return 1;
    return 0;
}

static core_command *select_target(frontend *fe, const char *arg)
{
    while (*arg == ' ') arg++;
    int gone = *arg && gone_with_conversation(fe, arg);
    if (*arg && !gone && !known_nick(fe, arg)) return NULL;
    free(fe->target);
    fe->target = *arg ? str_dup(arg) : NULL;
    buf b = {0};
    buf_printf(&b, "lines now go to %s%s", *arg ? arg : "everyone",
               gone ? " (not here now: what you type fails until they are back)" : "");
    frontend_info(fe, b.data);
    buf_free(&b);
    frontend_prompt(fe);
    record_show_recent(fe, fe->target ? fe->target : "", 10);
    return NULL;
}

/* 1 if the command word name[0..n) is `want`, in any case (/MSG, /Msg and /msg alike). */
static int name_is(const char *name, size_t n, const char *want)
{
    if (strlen(want) != n) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (c != want[i]) return 0;
    }
    return 1;
}

core_command *frontend_parse(frontend *fe, const char *line)
{
    if (!*line) return NULL; /* an empty line is not a message */
    if (line[0] != '/' || line[1] == '/') {
        const char *text = line[0] == '/' ? line + 1 : line;
        if (fe->mode == FE_SERVER) return new_cmd(CMD_NOTICE, 0, NULL, 0, text);
        if (fe->mode == FE_LAN && fe->target)
            return new_cmd(CMD_SAY, CHAT_PRIVATE, fe->target, strlen(fe->target), text);
        return new_cmd(CMD_SAY, 0, NULL, 0, text);
    }
    const char *name = line + 1;
    size_t n = strcspn(name, " ");
    if (fe->mode == FE_LAN && name_is(name, n, "to")) return select_target(fe, name + 2);
    if (record_command(fe, name, n, name + n)) return NULL; /* /history, /search */
    if (name_is(name, n, "set")) return settings_command(fe, name + n);
    core_command *files;
    if (cmd_files_parse(fe, name, n, name + n, &files)) return files; /* LAN files (cmd_files.c) */
    if (name_is(name, n, "help")) {
        print_help(fe);
        return NULL;
    }
    for (const cmd_spec *c = specs; c->name; c++)
        if ((c->modes & (1 << fe->mode)) && name_is(name, n, c->name))
            return with_args(fe, c, name + n);
    buf b = {0};
    buf_printf(&b, "unknown command '/%.*s': /help lists the commands (start with // to send a /)",
               (int)(n > 40 ? 40 : n), name);
    frontend_error(fe, b.data);
    buf_free(&b);
    return NULL;
}
