/* gui_input.c -- the window's event wait: typing and the input method, keys, mouse, zoom */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "gui_internal.h"

static void zoom(gui *g, int step)
{
    int z = step ? g->zoom + step : 100;
    if (z < 50 || z > 300) return;
    int old = g->zoom;
    g->zoom = z;
    if (gui_fonts_resize(&g->fonts, GUI_BASE_PX * z / 100) < 0) g->zoom = old;
    g->dirty = 1;
}

static void scroll(gui *g, int rows)
{
    g->scroll += rows;
    if (g->scroll < 0) g->scroll = 0;
    g->dirty = 1;
}

static int roster_key(gui *g, SDL_Keycode k, gui_event *ev)
{
    int n = (int)g->nroster;
    if (k == SDLK_UP && g->cursor > 0) g->cursor--;
    else if (k == SDLK_DOWN && g->cursor + 1 < n) g->cursor++;
    else if ((k == SDLK_RETURN || k == SDLK_KP_ENTER) && g->cursor < n) {
        ev->type = GUI_EV_PICK, ev->index = g->cursor;
        g->focus = GUI_FOCUS_INPUT; /* chosen: back to typing */
    } else return 0;
    g->dirty = 1;
    return ev->type != GUI_EV_NONE;
}

static int input_key(gui *g, const SDL_KeyboardEvent *key, gui_event *ev)
{
    SDL_Keycode k = key->keysym.sym;
    if (k == SDLK_RETURN || k == SDLK_KP_ENTER) {
        if (g->edit.compose[0]) return 0; /* the input method's own Enter */
        if (key->keysym.mod & KMOD_SHIFT) gui_edit_insert(&g->edit, "\n", 1);
        else ev->type = GUI_EV_LINE, ev->line = gui_edit_take(&g->edit), g->scroll = 0;
    } else if (k == SDLK_v && (key->keysym.mod & KMOD_CTRL) && SDL_HasClipboardText()) {
        char *clip = SDL_GetClipboardText();
        if (clip) gui_edit_insert(&g->edit, clip, strlen(clip));
        SDL_free(clip);
    } else if (!gui_edit_key(&g->edit, k)) {
        return 0;
    }
    g->dirty = 1;
    return ev->type != GUI_EV_NONE;
}

/* Keys of the whole window first (zoom, Tab, pages), then those of the focused part. */
static int on_key(gui *g, const SDL_KeyboardEvent *key, gui_event *ev)
{
    SDL_Keycode k = key->keysym.sym;
    int ctrl = (key->keysym.mod & KMOD_CTRL) != 0;
    g->swallow = ctrl; /* X11 may follow Ctrl-+ with the text "+": not typed text */
    if (ctrl && (k == SDLK_PLUS || k == SDLK_EQUALS || k == SDLK_KP_PLUS)) zoom(g, 10);
    else if (ctrl && (k == SDLK_MINUS || k == SDLK_KP_MINUS)) zoom(g, -10);
    else if (ctrl && k == SDLK_0) zoom(g, 0);
    else if (k == SDLK_TAB) g->focus = g->focus == GUI_FOCUS_INPUT ? GUI_FOCUS_ROSTER : GUI_FOCUS_INPUT, g->dirty = 1;
    else if (k == SDLK_PAGEUP) scroll(g, gui_page_rows(g));
    else if (k == SDLK_PAGEDOWN) scroll(g, -gui_page_rows(g));
    else if (g->focus == GUI_FOCUS_ROSTER) return roster_key(g, k, ev);
    else return input_key(g, key, ev);
    return 0;
}

static int on_click(gui *g, const SDL_MouseButtonEvent *b, gui_event *ev)
{
    float sx = 1, sy = 1; /* window points to output pixels (high DPI) */
    int ww, wh;
    SDL_GetWindowSize(g->win, &ww, &wh);
    if (ww > 0 && wh > 0) sx = (float)g->w / (float)ww, sy = (float)g->h / (float)wh;
    int i = gui_roster_hit(g, (int)((float)b->x * sx), (int)((float)b->y * sy));
    g->dirty = 1;
    if (i < 0) {
        g->focus = GUI_FOCUS_INPUT;
        return 0;
    }
    g->cursor = i;
    ev->type = GUI_EV_PICK, ev->index = i;
    return 1;
}

static void on_text(gui *g, const char *text, int committed)
{
    if (committed && g->swallow) {
        g->swallow = 0;
        return;
    }
    if (committed) {
        gui_edit_insert(&g->edit, text, strlen(text));
        g->edit.compose[0] = '\0';
    } else {
        size_t n = strlen(text); /* kept whole up to the box's size, else cut between characters */
        if (n >= sizeof g->edit.compose) n = sizeof g->edit.compose - 1;
        while (n > 0 && (text[n] & 0xC0) == 0x80) n--;
        memcpy(g->edit.compose, text, n);
        g->edit.compose[n] = '\0';
    }
    g->focus = GUI_FOCUS_INPUT;
    g->dirty = 1;
}

/* One SDL event; 1 when gui_wait should return (ev says what, or nothing: a wake). */
static int handle(gui *g, const SDL_Event *e, gui_event *ev)
{
    switch (e->type) {
    case SDL_QUIT: ev->type = GUI_EV_CLOSE; return 1;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_CLOSE) return ev->type = GUI_EV_CLOSE, 1;
        g->dirty = 1;
        if (e->window.event != SDL_WINDOWEVENT_FOCUS_GAINED && e->window.event != SDL_WINDOWEVENT_FOCUS_LOST) return 0;
        g->unfocused = e->window.event == SDL_WINDOWEVENT_FOCUS_LOST;
        return 1; /* the app counts unseen lines in the title while unfocused */
    case SDL_TEXTINPUT: on_text(g, e->text.text, 1); return 0;
    case SDL_TEXTEDITING: on_text(g, e->edit.text, 0); return 0;
    case SDL_TEXTEDITING_EXT: /* a composition over 32 bytes (SDL_HINT_IME_SUPPORT_EXTENDED_TEXT) */
        on_text(g, e->editExt.text ? e->editExt.text : "", 0);
        SDL_free(e->editExt.text);
        return 0;
    case SDL_KEYDOWN: return on_key(g, &e->key, ev);
    case SDL_MOUSEWHEEL: scroll(g, 3 * e->wheel.y); return 0;
    case SDL_MOUSEBUTTONDOWN: return e->button.button == SDL_BUTTON_LEFT && on_click(g, &e->button, ev);
    default: return gui_is_wake(e);
    }
}

gui_event gui_wait(gui *g, uint32_t timeout_ms)
{
    gui_event ev = {GUI_EV_NONE, NULL, -1};
    for (int i = 0; g->dirty && i < 2; i++) { /* twice at most: drawing may clamp the scroll */
        g->dirty = 0;
        gui_stats_draw(g); /* gui_draw, timed under UDPCHAT_GUI_FRAMES */
    }
    SDL_Event e;
    if (!SDL_WaitEventTimeout(&e, timeout_ms > INT_MAX ? INT_MAX : (int)timeout_ms)) return ev;
    do {
        if (handle(g, &e, &ev)) break;
    } while (SDL_PollEvent(&e));
    return ev;
}
