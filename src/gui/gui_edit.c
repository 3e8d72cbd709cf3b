/* gui_edit.c -- the input box: UTF-8 text, a caret on character boundaries, Enter-free editing */
#include <stdlib.h>
#include <string.h>

#include "gui_internal.h"
#include "udpchat/mem.h"

#define EDIT_MAX (256 * 1024) /* a line longer than the console's limit is not kept */

static int is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

static size_t prev_char(const gui_edit *e, size_t i)
{
    while (i > 0 && is_cont((unsigned char)e->text.data[--i])) {}
    return i;
}

static size_t next_char(const gui_edit *e, size_t i)
{
    if (i < e->text.len) i++;
    while (i < e->text.len && is_cont((unsigned char)e->text.data[i])) i++;
    return i;
}

void gui_edit_insert(gui_edit *e, const char *s, size_t len)
{
    if (e->text.len + len > EDIT_MAX) return;
    buf_reserve(&e->text, len);
    memmove(e->text.data + e->caret + len, e->text.data + e->caret, e->text.len - e->caret);
    memcpy(e->text.data + e->caret, s, len);
    e->text.len += len;
    e->caret += len;
}

static void erase(gui_edit *e, size_t from, size_t to)
{
    memmove(e->text.data + from, e->text.data + to, e->text.len - to);
    e->text.len -= to - from;
    e->caret = from;
}

int gui_edit_key(gui_edit *e, SDL_Keycode k)
{
    switch (k) {
    case SDLK_LEFT: e->caret = prev_char(e, e->caret); return 1;
    case SDLK_RIGHT: e->caret = next_char(e, e->caret); return 1;
    case SDLK_HOME: e->caret = 0; return 1;
    case SDLK_END: e->caret = e->text.len; return 1;
    case SDLK_BACKSPACE:
        if (e->caret > 0) erase(e, prev_char(e, e->caret), e->caret);
        return 1;
    case SDLK_DELETE:
        if (e->caret < e->text.len) erase(e, e->caret, next_char(e, e->caret));
        return 1;
    default: return 0;
    }
}

char *gui_edit_take(gui_edit *e)
{
    char *s = xstrndup(e->text.data ? e->text.data : "", e->text.len);
    buf_clear(&e->text);
    e->caret = 0;
    return s;
}

void gui_edit_free(gui_edit *e) { buf_free(&e->text); }
