/* settings_nick.c -- the first start on Windows: "Your nick [user]: ", saved in the settings file */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udpchat/charset.h"
#include "udpchat/mem.h"
#include "udpchat/nick.h"
#include "udpchat/settings.h"
#include "settings_backend.h"
#include "settings_state.h"

/* Text for the console, in its charset (like the chat's own plain lines). */
static void say(FILE *f, const char *utf8)
{
    charset_id cs = charset_locale();
    if (cs == CHARSET_UNKNOWN || cs == CHARSET_UTF8) {
        fputs(utf8, f);
    } else {
        buf enc = {0};
        charset_encode(cs, utf8, strlen(utf8), 1, &enc);
        fwrite(enc.data, 1, enc.len, f);
        buf_free(&enc);
    }
    fflush(f);
}

/* The Windows user name when it is a valid nick, else what nick_default picks. */
static char *default_nick(void)
{
    buf b = {0};
    const char *why;
    settings_sys_user_name(&b);
    if (b.len && nick_valid(b.data, &why)) return buf_detach(&b);
    buf_free(&b);
    char fallback[128];
    nick_default(fallback, sizeof fallback);
    return str_dup(fallback);
}

void settings_default_nick(char *out, size_t n)
{
    char *nick = default_nick();
    if (strlen(nick) >= n) nick_default(out, n);
    else memcpy(out, nick, strlen(nick) + 1);
    free(nick);
}

static void trim(buf *b)
{
    size_t start = 0;
    while (start < b->len && (b->data[start] == ' ' || b->data[start] == '\t')) start++;
    buf_consume(b, start);
    while (b->len && (b->data[b->len - 1] == ' ' || b->data[b->len - 1] == '\t')) b->data[--b->len] = '\0';
}

/* One question; the answer (heap), or NULL at end of input. */
static char *ask_once(const char *dflt)
{
    buf q = {0}, answer = {0};
    buf_printf(&q, "Your nick [%s]: ", dflt);
    say(stdout, q.data);
    buf_free(&q);
    if (settings_sys_read_line(&answer) < 0) {
        say(stdout, "\n");
        buf_free(&answer);
        return NULL;
    }
    trim(&answer);
    if (!answer.len) {
        buf_free(&answer);
        return str_dup(dflt);
    }
    return buf_detach(&answer);
}

static void save_nick(const char *nick)
{
    char err[256];
    int negated;
    buf b = {0};
    if (settings_save("", "nick", nick, err, sizeof err) < 0) {
        buf_printf(&b, "udpchat: warning: your nick is not saved: %s\n", err);
        say(stderr, b.data);
    } else {
        buf_printf(&b, "udpchat: your nick is saved in %s ('/set nick NAME' changes it)\n", settings_g.path.data);
        say(stdout, b.data);
        setting *s = settings_find("nick", &negated);
        if (s) settings_note_saved(s, "", "nick", nick);
    }
    buf_free(&b);
}

char *settings_ask_nick(void)
{
    char *dflt = default_nick(), *nick = NULL;
    const char *why;
    for (int tries = 0; tries < 5 && !nick; tries++) {
        char *answer = ask_once(dflt);
        if (!answer) break;
        if (nick_valid(answer, &why)) {
            nick = answer;
            break;
        }
        buf b = {0};
        buf_printf(&b, "udpchat: that nick cannot be used: %s\n", why);
        say(stderr, b.data);
        buf_free(&b);
        free(answer);
    }
    free(dflt);
    if (nick) save_nick(nick);
    return nick;
}
