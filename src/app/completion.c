/* completion.c -- Tab completion for the console: the nicks seen lately, and the commands */
#include "udpchat/app.h"
#include "udpchat/mem.h"

#include <SDL.h>
#include <stdlib.h>
#include <string.h>

#include "udpchat/console.h"
#include "udpchat/lineedit.h"

/* The main thread notes nicks from events; the console's input thread reads them when Tab
 * is pressed (under `lock`, never held while calling the console). Most recent first, as
 * irssi offers them; at most MAX_NAMES. */
#define MAX_NAMES 512

static struct {
    SDL_mutex *lock;
    char *nick[MAX_NAMES];
    size_t n;
    frontend_mode mode;
    const char *me;
} names;

static void drop_locked(const char *nick)
{
    for (size_t i = 0; i < names.n; i++)
        if (strcmp(names.nick[i], nick) == 0) {
            free(names.nick[i]);
            memmove(&names.nick[i], &names.nick[i + 1], (--names.n - i) * sizeof names.nick[0]);
            return;
        }
}

static void front_locked(const char *nick)
{
    drop_locked(nick);
    if (names.n == MAX_NAMES) free(names.nick[--names.n]);
    memmove(&names.nick[1], &names.nick[0], names.n * sizeof names.nick[0]);
    names.nick[0] = str_dup(nick);
    names.n++;
}

static void roster_locked(const char *text)
{
    for (const char *p = text; p && *p;) {
        size_t n = strcspn(p, "\n");
        char *nick = xmalloc(n + 1);
        memcpy(nick, p, n);
        nick[n] = '\0';
        drop_locked(nick);
        if (names.n < MAX_NAMES) names.nick[names.n++] = nick; /* behind the ones who spoke */
        else free(nick);
        p += n + (p[n] == '\n');
    }
}

void completion_note(const chat_event *ev, const char *my_nick)
{
    if (!names.lock) return;
    SDL_LockMutex(names.lock);
    if (ev->type == EV_ROSTER) roster_locked(ev->text);
    else if ((ev->type == EV_JOIN || ev->type == EV_MESSAGE) && ev->from && strcmp(ev->from, my_nick) != 0)
        front_locked(ev->from);
    else if (ev->type == EV_LEAVE && ev->from) drop_locked(ev->from);
    else if (ev->type == EV_NICK && ev->from && ev->to) drop_locked(ev->from), front_locked(ev->to);
    SDL_UnlockMutex(names.lock);
}

static void complete(void *ctx, const char *word, size_t len, int at_line_start, le_completion *c)
{
    (void)ctx;
    if (at_line_start && len && word[0] == '/') {
        const char *cmds[32];
        size_t n = frontend_command_names(names.mode, cmds, 32);
        for (size_t i = 0; i < n; i++) lineedit_offer(c, cmds[i], " ");
        return;
    }
    SDL_LockMutex(names.lock);
    for (size_t i = 0; i < names.n; i++) lineedit_offer(c, names.nick[i], at_line_start ? ": " : " ");
    SDL_UnlockMutex(names.lock);
}

void completion_start(frontend_mode mode)
{
    names.lock = SDL_CreateMutex();
    if (!names.lock) mem_fail_what("a mutex");
    names.mode = mode;
    console_set_completer(complete, NULL);
}

void completion_stop(void)
{
    console_set_completer(NULL, NULL);
    for (size_t i = 0; i < names.n; i++) free(names.nick[i]);
    names.n = 0;
    SDL_DestroyMutex(names.lock);
    names.lock = NULL;
}
