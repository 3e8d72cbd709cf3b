/* set_command.c -- "/set [KEY [VALUE]]" in a chat: show the settings, change one and save it */
#include <stdlib.h>
#include <string.h>

#include "udpchat/mem.h"
#include "udpchat/settings.h"
#include "settings_state.h"

#define S settings_g

static const char *origin_text(const setting *s, char *tmp, size_t n)
{
    if (s->origin == ORIGIN_FLAG) return "flag";
    if (s->origin == ORIGIN_DEFAULT) return "default";
    if (s->section && s->section[0]) snprintf(tmp, n, "file, line %u, [%s]", s->line, s->section);
    else snprintf(tmp, n, "file, line %u", s->line);
    return tmp;
}

static void show_one(frontend *fe, const setting *s)
{
    char tmp[96];
    buf b = {0};
    int unset = !s->value || (s->origin == ORIGIN_DEFAULT && s->opt.kind != CLI_FLAG);
    buf_printf(&b, "%-16s = %-14s (%s)", s->opt.name, unset ? "-" : s->value, origin_text(s, tmp, sizeof tmp));
    if (unset && s->opt.help) buf_printf(&b, "  %s", s->opt.help);
    frontend_info(fe, b.data);
    buf_free(&b);
}

static void list_all(frontend *fe)
{
    buf b = {0};
    buf_printf(&b, "settings of '%s', from %s (/set KEY VALUE changes one and saves it):", S.cmd,
               S.path.len ? S.path.data : "no file");
    frontend_info(fe, b.data);
    for (size_t i = 0; i < S.count; i++) show_one(fe, &S.list[i]);
    buf_free(&b);
}

static void refuse_unknown(frontend *fe, const char *key)
{
    buf b = {0};
    buf_printf(&b, "unknown setting '%.40s'; the settings of '%s' are:", key, S.cmd);
    for (size_t i = 0; i < S.count; i++) buf_printf(&b, " %s", S.list[i].opt.name);
    frontend_error(fe, b.data);
    buf_free(&b);
}

/* Which of the setting's two names to write, and where: the one the file already uses in
 * the section where it is set, else the option's own name, at the top for personal keys. */
static void choose_place(const setting *s, char *section, size_t sn, char *key, size_t n)
{
    const char *name = s->opt.name;
    snprintf(section, sn, "%s", s->origin == ORIGIN_FILE && s->section ? s->section :
                                settings_personal(name) ? "" : S.cmd);
    snprintf(key, n, "%s", name);
    if (s->opt.kind != CLI_FLAG) return;
    char alias[INI_MAX_NAME + 4];
    snprintf(alias, sizeof alias, "%s%s", strncmp(name, "no-", 3) == 0 ? "" : "no-",
             strncmp(name, "no-", 3) == 0 ? name + 3 : name);
    const ini_entry *own = ini_find(&S.file, section, name), *other = ini_find(&S.file, section, alias);
    if (other && (!own || other->line > own->line)) snprintf(key, n, "%s", alias);
}

/* What changes now: a nick where the mode has /nick, colours off (or back on). */
static core_command *apply_now(frontend *fe, const setting *s, int was_flag, buf *msg)
{
    const char *name = s->opt.name;
    if (was_flag) {
        buf_printf(msg, "; this run keeps --%s from the command line", name);
        return NULL;
    }
    if (strcmp(name, "nick") == 0 && (fe->mode == FE_JOIN || fe->mode == FE_LAN)) {
        buf_append_str(msg, "; changing your nick now");
        core_command *c = xcalloc(1, sizeof *c);
        c->type = CMD_NICK;
        c->text = str_dup(s->value);
        return c;
    }
    int can_color = fe->sink && fe->sink->color && fe->sink->shows(fe->out);
    if (strcmp(name, "no-color") == 0 && (strcmp(s->value, "true") == 0 || can_color)) {
        fe->color = strcmp(s->value, "true") != 0;
        buf_printf(msg, "; colours are %s now", fe->color ? "on" : "off");
        return NULL;
    }
    buf_append_str(msg, "; it takes effect at the next start");
    return NULL;
}

static core_command *change(frontend *fe, setting *s, int negated, const char *value)
{
    char why[200], key[INI_MAX_NAME + 4], err[256], section[INI_MAX_NAME + 1];
    int truth = 0;
    if (settings_check(s, value, &truth, why, sizeof why)) {
        buf b = {0};
        buf_printf(&b, "%s: '%.60s' %s", s->opt.name, value, why);
        frontend_error(fe, b.data);
        buf_free(&b);
        return NULL;
    }
    choose_place(s, section, sizeof section, key, sizeof key);
    int own = s->opt.kind == CLI_FLAG ? (negated ? !truth : truth) : 0; /* the option's own truth */
    int key_is_alias = strcmp(key, s->opt.name) != 0;
    const char *text = s->opt.kind != CLI_FLAG ? value : (own != key_is_alias) ? "true" : "false";
    if (settings_save(section, key, text, err, sizeof err) < 0) {
        buf b = {0};
        buf_printf(&b, "not saved: %s", err);
        frontend_error(fe, b.data);
        buf_free(&b);
        return NULL;
    }
    int was_flag = s->origin == ORIGIN_FLAG;
    settings_note_saved(s, section, key, s->opt.kind == CLI_FLAG ? (own ? "true" : "false") : value);
    buf msg = {0};
    buf_printf(&msg, "saved %s = %s in %s%s%s", key, text, S.path.data, section[0] ? " under " : "",
               section[0] ? section : "");
    core_command *c = apply_now(fe, s, was_flag, &msg);
    frontend_info(fe, msg.data);
    buf_free(&msg);
    return c;
}

core_command *settings_command(frontend *fe, const char *args)
{
    while (*args == ' ') args++;
    if (!S.cmd) {
        frontend_error(fe, "no settings in this mode");
        return NULL;
    }
    if (!*args) {
        list_all(fe);
        return NULL;
    }
    size_t klen = strcspn(args, " ");
    char *key = xstrndup(args, klen);
    const char *rest = args + klen;
    while (*rest == ' ') rest++;
    size_t vlen = strlen(rest);
    while (vlen && rest[vlen - 1] == ' ') vlen--;
    char *value = xstrndup(rest, vlen);
    int negated;
    setting *s = settings_find(key, &negated);
    core_command *c = NULL;
    if (!s) refuse_unknown(fe, key);
    else if (!*value) show_one(fe, s);
    else c = change(fe, s, negated, value);
    free(key);
    free(value);
    return c;
}
