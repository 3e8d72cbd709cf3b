/* gui_input.c -- the window's event wait: typing and the input method, keys, mouse, zoom */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "gui_internal.h"
#include "udpchat/mem.h"

static void zoom(gui *g, int step)
{
    int z = step ? g->zoom + step : 100;
    if (z < 50 || z > 300) return;
    int old = g->zoom;
    g->zoom = z;
    if (gui_fonts_resize(&g->fonts, gui_text_px(g, z)) < 0) g->zoom = old;
    g->dirty = 1;
}

static void scroll(gui *g, int rows)
{
    g->scroll += rows;
    if (g->scroll < 0) g->scroll = 0;
    g->want_edge = rows > 0 ? 1 : -1;
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

/* Left/Right/Up/Down move among the buttons drawn, Enter or Space presses one. */
static int buttons_key(gui *g, SDL_Keycode k, gui_event *ev)
{
    int n = (int)g->nbtn;
    if ((k == SDLK_LEFT || k == SDLK_DOWN) && g->btn_cursor > 0) g->btn_cursor--;
    else if ((k == SDLK_RIGHT || k == SDLK_UP) && g->btn_cursor + 1 < n) g->btn_cursor++;
    else if ((k == SDLK_RETURN || k == SDLK_KP_ENTER || k == SDLK_SPACE) && g->btn_cursor < n) {
        const gui_button *b = &g->btn[g->btn_cursor];
        ev->type = b->accept ? GUI_EV_ACCEPT : GUI_EV_DECLINE, ev->index = b->offer;
        g->focus = GUI_FOCUS_INPUT;
    } else return 0;
    g->dirty = 1;
    return ev->type != GUI_EV_NONE;
}

static const char *line_text(const void *ctx, size_t i) { return ((const gui *)ctx)->lines[i].text; }

/* Ctrl+C: the selected text to the clipboard (nothing selected: nothing happens). */
static void copy_selection(gui *g)
{
    if (gui_sel_empty(&g->sel)) return;
    buf b = {0};
    gui_sel_text(&g->sel, line_text, g, g->nlines, &b);
    buf_append_byte(&b, 0);
    SDL_SetClipboardText(b.data);
    buf_free(&b);
}

/* Ctrl+Tab (dir 1) and Ctrl+Shift+Tab (-1): the roster's next / previous entry is picked. */
static int cycle(gui *g, int dir, gui_event *ev)
{
    int i = gui_cycle(g->selected, (int)g->nroster, dir);
    if (i < 0) return 0;
    g->cursor = i;
    ev->type = GUI_EV_PICK, ev->index = i;
    return 1;
}

/* Tab: the input box, the roster, the conversation's buttons (when there are some). */
static void next_focus(gui *g)
{
    if (g->focus == GUI_FOCUS_INPUT) g->focus = GUI_FOCUS_ROSTER;
    else if (g->focus == GUI_FOCUS_ROSTER && g->nbtn) g->focus = GUI_FOCUS_BUTTONS, g->btn_cursor = 0;
    else g->focus = GUI_FOCUS_INPUT;
    g->dirty = 1;
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
    int zoom_key = k == SDLK_PLUS || k == SDLK_EQUALS || k == SDLK_KP_PLUS || k == SDLK_MINUS || k == SDLK_KP_MINUS || k == SDLK_0;
    g->swallow = ctrl && zoom_key; /* X11 may follow Ctrl-+ with the text "+": not typed text (Ctrl+Tab has none) */
    if (ctrl && (k == SDLK_PLUS || k == SDLK_EQUALS || k == SDLK_KP_PLUS)) zoom(g, 10);
    else if (ctrl && (k == SDLK_MINUS || k == SDLK_KP_MINUS)) zoom(g, -10);
    else if (ctrl && k == SDLK_0) zoom(g, 0);
    else if (ctrl && k == SDLK_TAB) return cycle(g, key->keysym.mod & KMOD_SHIFT ? -1 : 1, ev);
    else if (ctrl && k == SDLK_c) copy_selection(g);
    else if (k == SDLK_TAB) next_focus(g);
    else if (k == SDLK_PAGEUP) scroll(g, gui_page_rows(g));
    else if (k == SDLK_PAGEDOWN) scroll(g, -gui_page_rows(g));
    else if (g->focus == GUI_FOCUS_ROSTER) return roster_key(g, k, ev);
    else if (g->focus == GUI_FOCUS_BUTTONS) return buttons_key(g, k, ev);
    else return input_key(g, key, ev);
    return 0;
}

/* Window points to output pixels (high DPI). */
static void to_pixels(gui *g, int x, int y, int *px, int *py)
{
    float sx = 1, sy = 1;
    int ww, wh;
    SDL_GetWindowSize(g->win, &ww, &wh);
    if (ww > 0 && wh > 0) sx = (float)g->w / (float)ww, sy = (float)g->h / (float)wh;
    *px = (int)((float)x * sx), *py = (int)((float)y * sy);
}

static int in_box(SDL_Rect b, int x, int y) { return x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h; }

/* A press in the conversation starts a selection there (and clears the old one). */
static void start_selection(gui *g, int x, int y)
{
    gui_pos at;
    memset(&g->sel, 0, sizeof g->sel);
    if (!gui_conv_hit(g, x, y, &at)) return;
    g->sel.anchor = g->sel.head = at;
    g->selecting = 1;
}

static int on_click(gui *g, const SDL_MouseButtonEvent *b, gui_event *ev)
{
    int x, y;
    to_pixels(g, b->x, b->y, &x, &y);
    g->dirty = 1;
    int k = gui_button_hit(g, x, y);
    if (k >= 0) {
        ev->type = g->btn[k].accept ? GUI_EV_ACCEPT : GUI_EV_DECLINE, ev->index = g->btn[k].offer;
        return 1;
    }
    int i = gui_roster_hit(g, x, y);
    if (i < 0) {
        if (in_box(g->conv_box, x, y)) start_selection(g, x, y);
        g->focus = GUI_FOCUS_INPUT;
        return 0;
    }
    g->cursor = i;
    ev->type = GUI_EV_PICK, ev->index = i;
    return 1;
}

static void on_motion(gui *g, const SDL_MouseMotionEvent *m)
{
    int x, y;
    gui_pos at;
    if (!g->selecting) return;
    to_pixels(g, m->x, m->y, &x, &y);
    if (gui_conv_hit(g, x, y, &at) && gui_pos_cmp(at, g->sel.head) != 0) g->sel.head = at, g->dirty = 1;
}

/* A file dropped on the window: its path for the app (SDL's copy freed). */
static int on_drop(char *file, gui_event *ev)
{
    if (!file) return 0;
    ev->type = GUI_EV_DROP, ev->line = xstrdup(file);
    SDL_free(file);
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
        if (e->window.event == SDL_WINDOWEVENT_SIZE_CHANGED || e->window.event == SDL_WINDOWEVENT_DISPLAY_CHANGED)
            gui_rescale(g); /* moved to a screen of another scale */
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
    case SDL_MOUSEBUTTONUP: g->selecting = 0; return 0;
    case SDL_MOUSEMOTION: on_motion(g, &e->motion); return 0;
    case SDL_DROPFILE: return on_drop(e->drop.file, ev);
    case SDL_DROPTEXT: SDL_free(e->drop.file); return 0; /* dragged text: not a file */
    default: return gui_is_wake(e);
    }
}

/* After a scroll: GUI_EV_TOP or GUI_EV_BOTTOM when the lines drawn (vis[], bottom first) are
 * near that end (nothing drawn: both ends are near), once. */
static gui_event_type near_edge(gui *g)
{
    int dir = g->want_edge;
    g->want_edge = 0;
    if (dir > 0 && (!g->nvis || g->vis[g->nvis - 1].line < GUI_NEAR_LINES)) return GUI_EV_TOP;
    if (dir < 0 && (!g->nvis || g->vis[0].line + GUI_NEAR_LINES >= g->nlines)) return GUI_EV_BOTTOM;
    return GUI_EV_NONE;
}

gui_event gui_wait(gui *g, uint32_t timeout_ms)
{
    gui_event ev = {GUI_EV_NONE, NULL, -1};
    for (int i = 0; g->dirty && i < 2; i++) { /* twice at most: drawing may clamp the scroll */
        g->dirty = 0;
        gui_stats_draw(g); /* gui_draw, timed under UDPCHAT_GUI_FRAMES */
    }
    if ((ev.type = near_edge(g)) != GUI_EV_NONE) return ev;
    SDL_Event e;
    if (!SDL_WaitEventTimeout(&e, timeout_ms > INT_MAX ? INT_MAX : (int)timeout_ms)) return ev;
    do {
        if (handle(g, &e, &ev)) break;
    } while (SDL_PollEvent(&e));
    return ev;
}
