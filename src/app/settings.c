/* settings.c -- the settings file read into the chat commands' options, before the flags */
#include "udpchat/settings.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "udpchat/charset.h"
#include "udpchat/ini.h"
#include "udpchat/mem.h"
#include "udpchat/nick.h"
#include "settings_backend.h"
#include "settings_state.h"

#define SETTINGS_MAX_WARNINGS 20

settings_state settings_g;
#define S settings_g

static int is_chat(const char *cmd)
{
    static const char *const chats[] = {"lan", "peer", "join", "server"};
    for (size_t i = 0; cmd && i < sizeof chats / sizeof chats[0]; i++)
        if (strcmp(cmd, chats[i]) == 0) return 1;
    return 0;
}

int settings_personal(const char *key)
{
    static const char *const keys[] = {"nick", "group", "charset", "no-color", "no-bell", "no-history",
                                       "download-dir"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(key, keys[i]) == 0) return 1;
    return 0;
}

/* "udpchat: warning: FILE:LINE: ..." on stderr, at most SETTINGS_MAX_WARNINGS of them. */
static void warn_at(unsigned line, const char *fmt, ...)
{
    if (S.warnings++ >= SETTINGS_MAX_WARNINGS) {
        if (S.warnings == SETTINGS_MAX_WARNINGS + 1)
            fprintf(stderr, "udpchat: warning: %s: more problems not shown\n", S.path.data);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    if (line) fprintf(stderr, "udpchat: warning: %s:%u: ", S.path.data, line);
    else fprintf(stderr, "udpchat: warning: %s: ", S.path.data);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void on_ini_problem(void *ctx, unsigned line, const char *why)
{
    (void)ctx;
    warn_at(line, "%s", why);
}

/* $UDPCHAT_CONFIG, else the system's place (-1 and why when there is none). */
static int config_path(buf *out, char *err, size_t errlen)
{
    char *env = settings_sys_env("UDPCHAT_CONFIG");
    int rc = 0;
    if (env && *env) buf_append_str(out, env);
    else rc = settings_sys_default_path(out, err, errlen);
    free(env);
    return rc;
}

static void load_file(void)
{
    char err[256];
    if (config_path(&S.path, err, sizeof err) < 0) {
        fprintf(stderr, "udpchat: warning: no settings file: %s\n", err);
        return;
    }
    buf text = {0};
    int rc = settings_sys_read(S.path.data, &text, err, sizeof err);
    S.readable = rc >= 0;
    if (rc < 0) warn_at(0, "%s", err);
    if (rc == 0) ini_parse(text.data ? text.data : "", text.len, &S.file, on_ini_problem, NULL);
    buf_free(&text);
}

static void register_opts(const cli_opt *opts)
{
    size_t n = 0;
    while (opts[n].name) n++;
    S.list = xcalloc(n ? n : 1, sizeof *S.list);
    S.count = n;
    for (size_t i = 0; i < n; i++) {
        S.list[i].opt = opts[i];
        S.list[i].opt.out = NULL;
    }
}

setting *settings_find(const char *name, int *negated)
{
    *negated = 0;
    for (size_t i = 0; i < S.count; i++)
        if (strcmp(S.list[i].opt.name, name) == 0) return &S.list[i];
    for (size_t i = 0; i < S.count; i++) {
        const char *o = S.list[i].opt.name;
        int alias = (strncmp(o, "no-", 3) == 0 && strcmp(o + 3, name) == 0) ||
                    (strncmp(name, "no-", 3) == 0 && strcmp(name + 3, o) == 0);
        if (alias && S.list[i].opt.kind == CLI_FLAG) {
            *negated = 1;
            return &S.list[i];
        }
    }
    return NULL;
}

static int parse_truth(const char *v, int *truth)
{
    static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (str_ieq(v, yes[i])) return *truth = 1, 0;
        if (str_ieq(v, no[i])) return *truth = 0, 0;
    }
    return -1;
}

static const char *check_string(const setting *s, const char *v, char *why, size_t n)
{
    const char *name = s->opt.name, *nick_why;
    size_t len = strlen(name);
    charset_id cs;
    if (strcmp(name, "nick") == 0 && !nick_valid(v, &nick_why)) {
        snprintf(why, n, "not a nick: %s", nick_why);
        return why;
    }
    if (len >= 7 && strcmp(name + len - 7, "charset") == 0 && !str_ieq(v, "auto") && charset_from_name(v, &cs) < 0) {
        snprintf(why, n, "unknown charset (known: %s)", charset_known_list());
        return why;
    }
    return NULL;
}

const char *settings_check(const setting *s, const char *value, int *truth, char *why, size_t n)
{
    long num;
    if (s->opt.kind == CLI_FLAG && parse_truth(value, truth) < 0) {
        snprintf(why, n, "wants true or false");
        return why;
    }
    if (s->opt.kind == CLI_INT && cli_parse_int(&s->opt, value, &num) < 0) {
        snprintf(why, n, "wants a whole number from %ld to %ld", s->opt.min, s->opt.max);
        return why;
    }
    if (s->opt.kind == CLI_STRING) return check_string(s, value, why, n);
    return NULL;
}

/* Sets the option of opts named like s from one entry of the file. */
static void apply_entry(const ini_entry *e, const cli_opt *opts)
{
    int negated, truth = 0;
    char why[200];
    setting *s = settings_find(e->key, &negated);
    if (!s) {
        if (e->section[0]) warn_at(e->line, "unknown setting '%s' for %s: ignored", e->key, S.cmd);
        return;
    }
    if (s->opt.kind == CLI_STRING && !e->value[0]) return; /* "key =": not set */
    if (settings_check(s, e->value, &truth, why, sizeof why)) {
        warn_at(e->line, "%s = '%.60s': %s; ignored", e->key, e->value, why);
        return;
    }
    const cli_opt *o = &opts[s - S.list];
    if (o->kind == CLI_FLAG) *(int *)o->out = negated ? !truth : truth;
    else if (o->kind == CLI_INT) cli_parse_int(o, e->value, (long *)o->out);
    else *(const char **)o->out = e->value;
    s->origin = ORIGIN_FILE;
    s->line = e->line;
    free(s->section);
    s->section = str_dup(e->section);
}

void settings_apply(const char *cmd, const cli_opt *opts)
{
    if (!is_chat(cmd) || S.cmd) return;
    S.cmd = cmd;
    load_file();
    register_opts(opts);
    const char *odd = NULL; /* the last unknown section warned about */
    for (size_t i = 0; i < S.file.count; i++) { /* the top first, then the command's section */
        const ini_entry *e = &S.file.entries[i];
        int unknown = e->section[0] && !is_chat(e->section);
        if (unknown && (!odd || strcmp(odd, e->section) != 0))
            warn_at(e->line, "unknown section [%s] (want lan, peer, join or server): ignored", odd = e->section);
        if (!e->section[0]) apply_entry(e, opts);
    }
    for (size_t i = 0; i < S.file.count; i++)
        if (strcmp(S.file.entries[i].section, cmd) == 0) apply_entry(&S.file.entries[i], opts);
}

void settings_flag_seen(const char *cmd, const cli_opt *o)
{
    int negated;
    setting *s = cmd && S.cmd && strcmp(cmd, S.cmd) == 0 ? settings_find(o->name, &negated) : NULL;
    if (s) s->origin = ORIGIN_FLAG;
}

static char *value_text(const cli_opt *o)
{
    buf b = {0};
    if (o->kind == CLI_FLAG) return str_dup(*(int *)o->out ? "true" : "false");
    if (o->kind == CLI_STRING) return *(const char **)o->out ? str_dup(*(const char **)o->out) : NULL;
    buf_printf(&b, "%ld", *(long *)o->out);
    return buf_detach(&b);
}

void settings_usage_note(FILE *f, const char *cmd)
{
    if (!is_chat(cmd)) return;
    buf p = {0};
    char err[128];
    if (config_path(&p, err, sizeof err) < 0) buf_append_str(&p, "(none: no home folder)");
    fprintf(f, "\nEvery option is also a setting: 'KEY = VALUE' lines in %s\n"
               "(KEY is the option without '--'; a [%s] section for this command only; 'color = false'\n"
               "for --no-color). Flags win over the file; /set shows and changes settings in a chat.\n"
               "--X undoes a --no-X from the file, and --no-X a --X.\n", p.data, cmd);
    buf_free(&p);
}

int settings_save(const char *section, const char *key, const char *value, char *err, size_t n)
{
    if (!S.path.len) return snprintf(err, n, "there is no settings file (no home folder)"), -1;
    buf text = {0}, out = {0};
    int rc = settings_sys_read(S.path.data, &text, err, n);
    if (rc >= 0 && ini_update(text.data ? text.data : "", text.len, section, key, value, &out) < 0) {
        snprintf(err, n, "'%s' cannot be written to the file", value);
        rc = -1;
    }
    if (rc >= 0) rc = settings_sys_write(S.path.data, out.data ? out.data : "", out.len, err, n);
    buf_free(&text);
    buf_free(&out);
    return rc < 0 ? -1 : 0;
}

/* The first start on Windows: no nick yet, someone at the console. */
static void maybe_ask_nick(const cli_opt *opts)
{
    int negated;
    setting *nick = settings_find("nick", &negated), *json = settings_find("json", &negated);
    const char *hook = getenv("UDPCHAT_ASK_NICK");
    if (!nick || negated || nick->opt.kind != CLI_STRING || *(const char **)opts[nick - S.list].out) return;
    if (json && *(int *)opts[json - S.list].out) return; /* a program drives it */
    if (!(hook && strcmp(hook, "1") == 0) && !settings_sys_asks_nick()) return;
    char *answer = settings_ask_nick();
    if (!answer) return;
    S.asked_nick = answer; /* kept until exit */
    *(const char **)opts[nick - S.list].out = answer;
    nick->origin = ORIGIN_FILE;
}

void settings_done(const char *cmd, const cli_opt *opts)
{
    if (!S.cmd || strcmp(cmd, S.cmd) != 0) return;
    maybe_ask_nick(opts);
    for (size_t i = 0; i < S.count; i++) {
        free(S.list[i].value);
        S.list[i].value = value_text(&opts[i]);
    }
}

void settings_note_saved(setting *s, const char *section, const char *key, const char *value)
{
    buf text = {0};
    char err[256];
    ini in;
    s->origin = ORIGIN_FILE;
    s->line = 0;
    free(s->section);
    s->section = str_dup(section);
    free(s->value);
    s->value = str_dup(value);
    if (settings_sys_read(S.path.data, &text, err, sizeof err) != 0) return;
    ini_parse(text.data ? text.data : "", text.len, &in, NULL, NULL);
    const ini_entry *e = ini_find(&in, section, key);
    if (e) s->line = e->line;
    ini_free(&in);
    buf_free(&text);
}
