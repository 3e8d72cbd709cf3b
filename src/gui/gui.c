/* gui.c -- the chat window: opening and closing it, the view the app hands it, message windows, the wake-up */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gui_internal.h"
#include "udpchat/mem.h"
#include "udpchat/utf8.h"



static Uint32 wake_type;       /* our SDL user event (0 before gui_open) */
static SDL_atomic_t wake_sent; /* 1: a wake event is in SDL's queue */

int gui_text_px(const gui *g, int zoom)
{
    return GUI_BASE_PX * zoom / 100 * (g->dpi ? g->dpi : 100) / 100;
}

/* The screen's scale in percent: 100 on most screens, 200 on a HiDPI one. Wayland and macOS
 * give the window points and the renderer pixels (SDL_WINDOW_ALLOW_HIGHDPI): their ratio.
 * Windows gives pixels for both (SDL_HINT_WINDOWS_DPI_SCALING stays off: SDL 2.26 would then
 * size the software renderer's window surface in points, a quarter of a 200% window), so
 * there it is the display's DPI over 96. */
static int clamp_pct(int pct) { return pct < 100 ? 100 : pct > 400 ? 400 : pct; }

static int display_pct(int display)
{
#ifdef _WIN32
    float ddpi = 0;
    if (SDL_GetDisplayDPI(display < 0 ? 0 : display, &ddpi, NULL, NULL) == 0 && ddpi > 0)
        return clamp_pct((int)(ddpi * 100 / 96 + 0.5f));
#else
    (void)display;
#endif
    return 100;
}

static int dpi_of(gui *g)
{
#ifdef _WIN32
    return display_pct(SDL_GetWindowDisplayIndex(g->win));
#else
    int ww = 0, wh = 0, ow = 0, oh = 0;
    SDL_GetWindowSize(g->win, &ww, &wh);
    if (SDL_GetRendererOutputSize(g->ren, &ow, &oh) < 0 || ww <= 0 || ow <= 0) return 100;
    return clamp_pct((int)((long)ow * 100 / ww));
#endif
}

void gui_rescale(gui *g)
{
    int dpi = dpi_of(g);
    if (dpi == g->dpi) return;
    int old = g->dpi;
    g->dpi = dpi;
    if (gui_fonts_resize(&g->fonts, gui_text_px(g, g->zoom)) < 0) g->dpi = old;
    g->dirty = 1;
}

/* The renderer: SDL's software one drawing into the window's own surface (X11 shared memory,
 * GDI) unless the user chose another (SDL_RENDER_DRIVER, SDL_FRAMEBUFFER_ACCELERATION: the
 * environment wins over these defaults). Text is all it draws; an OpenGL renderer or SDL's
 * OpenGL "texture framebuffer" would load the GL driver (Mesa's software one: 60 MiB of LLVM
 * and half a second before the first frame) for nothing. Where the window has no surface of
 * its own (Wayland), SDL's own choice. */
static SDL_Renderer *make_renderer(SDL_Window *win)
{
    SDL_SetHintWithPriority(SDL_HINT_RENDER_DRIVER, "software", SDL_HINT_DEFAULT);
    SDL_SetHintWithPriority(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0", SDL_HINT_DEFAULT);
    SDL_Renderer *r = SDL_CreateRenderer(win, -1, 0);
    if (r) return r;
    SDL_ResetHint(SDL_HINT_RENDER_DRIVER);
    SDL_ResetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION);
    r = SDL_CreateRenderer(win, -1, SDL_RENDERER_PRESENTVSYNC);
    return r ? r : SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE);
}

static int make_window(gui *g, const gui_options *o, char *err, size_t errlen)
{
    int pct = display_pct(0); /* Windows: the size in pixels for the screen's scale (else 100) */
    g->win = SDL_CreateWindow(o->title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, 900 * pct / 100,
                              600 * pct / 100, SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (g->win) g->ren = make_renderer(g->win);
    if (!g->ren) snprintf(err, errlen, "cannot open a window: %s", SDL_GetError());
    return g->ren ? 0 : -1;
}

gui *gui_open(const gui_options *o, char *err, size_t errlen)
{
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1"); /* Ctrl-C and SIGTERM stay the app's */
    SDL_SetHint(SDL_HINT_IME_SHOW_UI, "1");
    SDL_SetHint(SDL_HINT_IME_SUPPORT_EXTENDED_TEXT, "1"); /* long compositions whole */
    /* HiDPI on Windows: sharp text at the screen's own scale (per monitor: Windows resizes the
     * window when it moves to another screen, gui_rescale follows); sizes in pixels (dpi_of) */
    SDL_SetHint(SDL_HINT_WINDOWS_DPI_AWARENESS, "permonitorv2");
    SDL_SetHint(SDL_HINT_WINDOWS_DPI_SCALING, "0");
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) < 0) {
        snprintf(err, errlen, "no display: %s (%s without 'gui', udpchat chats in the terminal)", SDL_GetError(),
#ifdef _WIN32
                 "a window needs the desktop, not a service or a remote shell;"
#else
                 "is DISPLAY or WAYLAND_DISPLAY set?"
#endif
        );
        return NULL;
    }
    gui *g = xcalloc(1, sizeof *g);
    g->zoom = o->zoom ? o->zoom : 100;
    g->dpi = 100;
    g->selected = -1;
    int no_cjk = 0;
    if (TTF_Init() < 0) snprintf(err, errlen, "SDL_ttf did not start: %s", TTF_GetError());
    else if (gui_fonts_open(&g->fonts, o->font, gui_text_px(g, g->zoom), &no_cjk, err, errlen) == 0 &&
             make_window(g, o, err, errlen) == 0) {
        gui_rescale(g);
        wake_type = SDL_RegisterEvents(1);
        SDL_StartTextInput();
        if (no_cjk) {
            char msg[256];
            snprintf(msg, sizeof msg, "no Chinese font found%s, or pass --font FILE", gui_face_hint(GUI_FACE_CJK));
            gui_set_status(g, msg, 1);
        }
        g->dirty = 1;
        return g;
    }
    gui_close(g);
    return NULL;
}

static void lines_free(gui_line *l, size_t n)
{
    for (size_t i = 0; i < n; i++) free(l[i].text), free(l[i].mark);
    free(l);
}

void gui_close(gui *g)
{
    if (!g) return;
    wake_type = 0;
    SDL_StopTextInput();
    lines_free(g->lines, g->nlines);
    lines_free(g->next, g->nnext);
    for (size_t i = 0; i < g->nroster; i++) free(g->roster[i]);
    free(g->roster), free(g->heading), free(g->unread), free(g->status);
    gui_edit_free(&g->edit);
    buf_free(&g->shown);
    gui_fonts_close(&g->fonts);
    if (g->ren) SDL_DestroyRenderer(g->ren);
    if (g->win) SDL_DestroyWindow(g->win);
    free(g);
    if (TTF_WasInit()) TTF_Quit();
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
}

/* SDL's own message box (zenity or X11), for when our window cannot open (no font). */
static void sdl_box(const char *title, const char *text)
{
    int own = !SDL_WasInit(SDL_INIT_VIDEO);
    if (own && SDL_InitSubSystem(SDL_INIT_VIDEO) < 0) return; /* no display: stderr said it */
    if (SDL_ShowSimpleMessageBox(SDL_MESSAGEBOX_ERROR, title, text, NULL) < 0)
        fprintf(stderr, "%s: (no message box: %s)\n", title, SDL_GetError());
    if (own) SDL_QuitSubSystem(SDL_INIT_VIDEO);
}

void gui_message_box(const char *title, const char *text)
{
    char err[256];
    gui_options o = {title, NULL, 0};
    gui *w = gui_open(&o, err, sizeof err);
    if (!w) {
        sdl_box(title, text);
        return;
    }
    buf b = {0};
    buf_append_str(&b, text);
    buf_append_byte(&b, 0);
    gui_lines_begin(w);
    for (char *line = strtok(b.data, "\n"); line; line = strtok(NULL, "\n")) gui_line_add(w, GUI_ERROR, line, NULL);
    gui_line_add(w, GUI_SYSTEM, "Enter, or closing this window, ends udpchat.", NULL);
    gui_lines_end(w);
    gui_set_status(w, title, 1);
    for (;;) {
        gui_event e = gui_wait(w, 1000);
        free(e.line);
        if (e.type == GUI_EV_CLOSE || e.type == GUI_EV_LINE) break;
    }
    buf_free(&b);
    gui_close(w);
}

void gui_wake(void *unused)
{
    (void)unused;
    if (!wake_type || !SDL_AtomicCAS(&wake_sent, 0, 1)) return;
    SDL_Event e;
    SDL_zero(e);
    e.type = wake_type;
    if (SDL_PushEvent(&e) != 1) SDL_AtomicSet(&wake_sent, 0);
}

int gui_is_wake(const SDL_Event *e)
{
    if (!wake_type || e->type != wake_type) return 0;
    SDL_AtomicSet(&wake_sent, 0); /* the next push wakes us again */
    return 1;
}

/* Text from the network made safe to draw: valid UTF-8, no control characters but '\n'. */
static char *safe_copy(const char *s)
{
    buf b = {0};
    utf8_sanitize(s ? s : "", s ? strlen(s) : 0, 1, &b);
    buf_append_byte(&b, 0);
    return buf_detach(&b);
}

void gui_lines_begin(gui *g)
{
    lines_free(g->next, g->nnext);
    g->next = NULL, g->nnext = g->capnext = 0;
    g->next_view = g->view; /* the same conversation unless gui_lines_view says otherwise */
}

static gui_line *line_new(gui *g, gui_style style, const char *text)
{
    if (g->nnext == g->capnext) {
        g->capnext = g->capnext ? 2 * g->capnext : 256;
        g->next = xreallocarray(g->next, g->capnext, sizeof *g->next);
    }
    gui_line *l = &g->next[g->nnext++];
    memset(l, 0, sizeof *l);
    l->style = style;
    l->text = safe_copy(text);
    l->progress = -1;
    return l;
}

void gui_line_add(gui *g, gui_style style, const char *text, const char *mark)
{
    gui_line *l = line_new(g, style, text);
    l->mark = mark ? safe_copy(mark) : NULL;
}

void gui_line_offer(gui *g, gui_style style, const char *text, int offer)
{
    line_new(g, style, text)->offer = offer > 0 ? offer : 0;
}

void gui_line_progress(gui *g, gui_style style, const char *text, int permille)
{
    line_new(g, style, text)->progress = permille < 0 ? 0 : permille > 1000 ? 1000 : permille;
}

void gui_lines_view(gui *g, long view) { g->next_view = view; }

void gui_lines_hold(gui *g) { g->hold = 1; }

void gui_line_key(gui *g, uint64_t key)
{
    if (g->nnext) g->next[g->nnext - 1].key = key;
}

/* Rows of lines[from..n). */
static int rows_from(gui *g, gui_line *lines, size_t from, size_t n)
{
    int rows = 0;
    for (size_t i = from; i < n; i++) rows += gui_rows_of(g, &lines[i]);
    return rows;
}

/* Scrolled back in the same view: the named line at the bottom of the view (vis[0]) is found
 * among the new lines, and the view keeps it where it was; the selection moves with the
 * lines. 0 when there is no such line (the caller's rule applies). */
static int keep_anchor(gui *g)
{
    if (!g->nvis || g->vis[0].line >= g->nlines) return 0;
    size_t old = g->vis[0].line, now = g->nnext;
    uint64_t key = g->lines[old].key;
    if (!key) return 0;
    while (now-- > 0 && g->next[now].key != key) {}
    if (now == (size_t)-1) return 0;
    int within = g->scroll - rows_from(g, g->lines, old + 1, g->nlines); /* rows of it scrolled past */
    g->scroll = rows_from(g, g->next, now + 1, g->nnext) + (within > 0 ? within : 0);
    long shift = (long)now - (long)old;
    for (size_t i = 0; i < g->nvis; i++) { /* the rows drawn follow their lines until the next drawing */
        long at = (long)g->vis[i].line + shift;
        if (at < 0 || at >= (long)g->nnext) g->nvis = 0;
        else g->vis[i].line = (size_t)at;
    }
    long a = (long)g->sel.anchor.line + shift, h = (long)g->sel.head.line + shift;
    if (a < 0 || h < 0 || a >= (long)g->nnext || h >= (long)g->nnext) memset(&g->sel, 0, sizeof g->sel), g->selecting = 0;
    else g->sel.anchor.line = (size_t)a, g->sel.head.line = (size_t)h;
    return 1;
}

/* Another conversation comes: the old one's scroll is kept, the new one's comes back, moved
 * by the lines that came below while it was away (*from: the first of them). */
static int switch_view(gui *g, size_t *from)
{
    if (g->next_view == g->view) return 0;
    gui_views_put(&g->views, g->view, g->scroll, g->nlines);
    g->view = g->next_view;
    g->scroll = gui_views_get(&g->views, g->view, from);
    g->nvis = 0; /* rows drawn of the other view */
    memset(&g->sel, 0, sizeof g->sel);
    g->selecting = 0;
    return 1;
}

void gui_lines_end(gui *g)
{
    size_t from = g->nlines;
    int switched = switch_view(g, &from);
    int held = g->hold && !switched && !g->scroll && keep_anchor(g); /* a page below: the view stays */
    g->hold = 0;
    if (!held && g->scroll > 0 && (switched || !keep_anchor(g))) /* scrolled back: new lines below do not move the view */
        for (size_t i = from; i < g->nnext; i++) g->scroll += gui_rows_of(g, &g->next[i]);
    lines_free(g->lines, g->nlines);
    g->lines = g->next, g->nlines = g->nnext;
    g->next = NULL, g->nnext = g->capnext = 0;
    g->dirty = 1;
}

void gui_set_roster(gui *g, const char *heading, const char *const *names, const size_t *unread, size_t n,
                    int selected)
{
    for (size_t i = 0; i < g->nroster; i++) free(g->roster[i]);
    free(g->roster), free(g->heading), free(g->unread);
    g->roster = n ? xcalloc(n, sizeof *g->roster) : NULL;
    g->unread = unread && n ? xcalloc(n, sizeof *g->unread) : NULL;
    if (g->unread) memcpy(g->unread, unread, n * sizeof *unread);
    for (size_t i = 0; i < n; i++) g->roster[i] = safe_copy(names[i]);
    g->nroster = n;
    g->heading = safe_copy(heading);
    g->selected = selected < (int)n ? selected : -1;
    if (g->cursor >= (int)n) g->cursor = n ? (int)n - 1 : 0;
    g->dirty = 1;
}

void gui_set_status(gui *g, const char *text, int is_error)
{
    free(g->status);
    g->status = safe_copy(text);
    g->status_error = is_error;
    g->dirty = 1;
}

int gui_focused(const gui *g) { return !g->unfocused; }

void gui_alert(gui *g) { SDL_FlashWindow(g->win, SDL_FLASH_UNTIL_FOCUSED); }

void gui_set_title(gui *g, const char *title)
{
    char *t = safe_copy(title);
    SDL_SetWindowTitle(g->win, t);
    free(t);
}
