/* console.c -- the interactive console: an input thread edits the bottom row, chat lines scroll above */
#include "udpchat/console.h"
#include "udpchat/mem.h"

#include <SDL.h>
#include <stdlib.h>
#include <string.h>

#include "attention.h"
#include "console_backend.h"
#include "histfile.h"
#include "udpchat/input.h"
#include "udpchat/lineedit.h"
#include "udpchat/utf8.h"

#define POLL_MS 50 /* input wait: how soon a lone ESC, a resize or console_stop is noticed */
#define KEEP_LINES 256 /* printed lines kept for Ctrl-L's repaint (more than a screen holds) */
#define PASTE_ON "\x1b[?2004h" /* bracketed paste: a paste comes as ESC[200~ ... ESC[201~ */
#define PASTE_OFF "\x1b[?2004l"

/* One console per process. `lock` guards everything below it and every terminal write. */
static struct {
    SDL_Thread *thread;
    SDL_atomic_t stop;
    console_line_fn on_line;
    void *ctx;
    SDL_mutex *lock;
    lineedit le;
    int active;   /* raw mode on and the input thread running */
    int editing;  /* the input row is on screen (0 once the user quit) */
    int width;    /* columns the input row was last drawn for */
    console_complete_fn complete; /* Tab's completer (kept across console_start) */
    void *complete_ctx;
    char *kept[KEEP_LINES]; /* the last lines printed, oldest first, for Ctrl-L */
    uint64_t tags[KEEP_LINES]; /* each kept line's tag (0: none), for console_replace */
    size_t nkept;
    histfile hist; /* the input history file (path NULL: none) */
} con;

static void write_buf(buf *out);

static void restore_at_exit(void)
{
    buf out = {0};
    attention_stop(&out); /* the title and focus reports, if console_stop never ran */
    write_buf(&out);
    if (con.active) console_sys_write(PASTE_OFF, strlen(PASTE_OFF));
    console_sys_restore();
}

static void write_buf(buf *out)
{
    if (out->len) console_sys_write(out->data, out->len);
    buf_free(out);
}

static void render_locked(buf *out)
{
    con.width = console_sys_width();
    lineedit_render(&con.le, con.width, out);
}

static void prompt_for(const char *nick, buf *out)
{
    if (!nick) {
        buf_append_str(out, "> ");
        return;
    }
    buf_append_byte(out, '[');
    utf8_sanitize(nick, strlen(nick), 0, out);
    buf_append_str(out, "] > ");
}

/* Ctrl-L: clear the screen, print the kept lines that fit, then the input row. */
static void repaint_locked(buf *out)
{
    con.width = console_sys_width();
    lineedit_render_screen(&con.le, (const char *const *)con.kept, con.nkept, con.width, console_sys_height(), out);
}

/* Keeps a copy of a printed line for Ctrl-L, dropping the oldest beyond KEEP_LINES. */
static char *line_copy(const char *line, size_t len)
{
    buf copy = {0};
    buf_append(&copy, line, len);
    buf_append(&copy, "", 0); /* allocated even when empty */
    return buf_detach(&copy);
}

static void keep_line_locked(uint64_t tag, const char *line, size_t len)
{
    if (con.nkept == KEEP_LINES) {
        free(con.kept[0]);
        memmove(con.kept, con.kept + 1, (KEEP_LINES - 1) * sizeof con.kept[0]);
        memmove(con.tags, con.tags + 1, (KEEP_LINES - 1) * sizeof con.tags[0]);
        con.nkept--;
    }
    con.tags[con.nkept] = tag;
    con.kept[con.nkept++] = line_copy(line, len);
}

/* Raw mode: a line feed alone would not return. */
static void append_raw(buf *out, const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (line[i] == '\n') buf_append_byte(out, '\r');
        buf_append_byte(out, (uint8_t)line[i]);
    }
}

/* Applies one key; appends the echo of an entered line to out. */
static le_result apply_key_locked(const le_event *ev, buf *out)
{
    char *line;
    le_result r = lineedit_key(&con.le, ev, &line);
    if (r == LE_LINE) { /* no echo: whoever reads the line prints what it became */
        lineedit_clear_row(out);
        histfile_add(&con.hist, line);
        con.on_line(con.ctx, line);
    }
    return r;
}

/* Applies the complete keys in `pending`. Returns 1 if the user quit. */
static int handle_keys_locked(buf *pending, int final)
{
    buf out = {0};
    size_t off = 0;
    int dirty = 0, quit = 0, repaint = 0;
    while (!quit && off < pending->len) {
        le_event ev;
        size_t n = lineedit_parse_key(pending->data + off, pending->len - off, final, &ev);
        if (!n) break;
        off += n;
        if (ev.key == LE_KEY_FOCUS_IN || ev.key == LE_KEY_FOCUS_OUT) {
            attention_focus(ev.key == LE_KEY_FOCUS_IN, &out);
            continue;
        }
        if (ev.key != LE_KEY_NONE) attention_typed(&out);
        le_result r = apply_key_locked(&ev, &out);
        dirty |= r == LE_LINE || r == LE_CHANGED;
        repaint |= r == LE_REDRAW;
        quit = r == LE_QUIT;
    }
    buf_consume(pending, off);
    if (quit) {
        lineedit_clear_row(&out);
        con.editing = 0;
    } else if (repaint) {
        repaint_locked(&out);
    } else if (dirty || console_sys_width() != con.width) {
        render_locked(&out);
    }
    write_buf(&out);
    return quit;
}

static int input_main(void *arg)
{
    (void)arg;
    buf pending = {0};
    int quit = 0;
    while (!quit && !SDL_AtomicGet(&con.stop)) {
        int r = console_sys_read(&pending, POLL_MS);
        if (r < 0) {
            quit = 1;
            break;
        }
        SDL_LockMutex(con.lock);
        quit = handle_keys_locked(&pending, r == 0);
        SDL_UnlockMutex(con.lock);
    }
    if (quit) con.on_line(con.ctx, NULL); /* end of input: whoever started us quits */
    buf_free(&pending);
    return 0;
}

static int color_allowed(int no_color)
{
    const char *env = getenv("NO_COLOR");
    return !no_color && !(env && *env);
}

static int no_shows(FILE *f)
{
    (void)f;
    return 0;
}
static void no_print(const char *line, size_t len) { (void)line, (void)len; }
static void no_prompt(const char *nick) { (void)nick; }

static void no_print_tagged(uint64_t tag, const char *line, size_t len) { (void)tag, (void)line, (void)len; }
static int no_replace(uint64_t tag, const char *line, size_t len) { return (void)tag, (void)line, (void)len, 0; }

static void no_alert(int ring) { (void)ring; }

static const console_sink line_sink = {0, 0, no_shows, no_print, no_print_tagged, no_replace, no_prompt, no_alert};
static console_sink term_sink = {1, 0, console_shows, console_print, console_print_tagged, console_replace,
                                 console_set_nick, console_alert};

/* Loads the input history; a warning becomes one line above the input row. */
static void history_start(const char *name)
{
    buf warning = {0};
    if (name && histfile_open(&con.hist, name, &con.le, &warning) < 0 && warning.len) {
        buf line = {0};
        buf_append_str(&line, "!! ");
        utf8_sanitize(warning.data, warning.len, 0, &line); /* a file name may hold anything */
        console_print(line.data, line.len);
        buf_free(&line);
    }
    buf_free(&warning);
}

const console_sink *console_start(const console_options *o, console_line_fn on_line, void *ctx)
{
    static int registered;
    if (con.active || o->line_mode || console_sys_open(o->cs) < 0) {
        input_start(o->cs, on_line, ctx);
        return &line_sink;
    }
    if (!registered && atexit(restore_at_exit) == 0) registered = 1;
    con.lock = SDL_CreateMutex();
    if (!con.lock) mem_fail_what("a mutex");
    buf prompt = {0};
    prompt_for(o->prompt_nick, &prompt);
    lineedit_init(&con.le, prompt.data);
    lineedit_set_completer(&con.le, con.complete, con.complete_ctx);
    buf_free(&prompt);
    con.on_line = on_line;
    con.ctx = ctx;
    con.editing = 1;
    con.active = 1;
    SDL_AtomicSet(&con.stop, 0);
    term_sink.color = color_allowed(o->no_color);
    buf out = {0};
    buf_append_str(&out, PASTE_ON); /* a paste of several lines is one message (lineedit.h) */
    if (o->title) attention_start(o->title, &out);
    render_locked(&out);
    write_buf(&out);
    history_start(o->history);
    con.thread = SDL_CreateThread(input_main, "udpchat-console", NULL);
    if (!con.thread) mem_fail_what("a thread");
    return &term_sink;
}

void console_stop(void)
{
    if (!con.active) return;
    SDL_AtomicSet(&con.stop, 1);
    SDL_WaitThread(con.thread, NULL);
    con.thread = NULL;
    SDL_LockMutex(con.lock);
    buf out = {0};
    if (con.editing) lineedit_clear_row(&out);
    buf_append_str(&out, PASTE_OFF);
    attention_stop(&out);
    write_buf(&out);
    console_sys_restore();
    histfile_close(&con.hist);
    lineedit_free(&con.le);
    for (size_t i = 0; i < con.nkept; i++) free(con.kept[i]);
    con.nkept = 0;
    con.editing = 0;
    con.active = 0;
    SDL_UnlockMutex(con.lock);
    SDL_DestroyMutex(con.lock);
    con.lock = NULL;
}

int console_active(void) { return con.active; }

int console_shows(FILE *f)
{
    return con.active && (f == stdout || (f == stderr && console_sys_stderr_is_terminal()));
}

void console_print_tagged(uint64_t tag, const char *line, size_t len)
{
    if (!con.active) return;
    if (len && line[len - 1] == '\n') len--;
    buf out = {0};
    SDL_LockMutex(con.lock);
    lineedit_clear_row(&out);
    append_raw(&out, line, len);
    buf_append_str(&out, "\r\n");
    keep_line_locked(tag, line, len);
    if (con.editing) render_locked(&out);
    write_buf(&out);
    SDL_UnlockMutex(con.lock);
}

void console_print(const char *line, size_t len) { console_print_tagged(0, line, len); }

/* Rows between the top of kept line i and the input row, if all of them are on screen
 * (0 if not): the lines printed after it may have pushed it off. */
static size_t rows_up_locked(size_t i, int width)
{
    size_t rows = 0, room = (size_t)(console_sys_height() < 2 ? 24 : console_sys_height()) - 1;
    for (size_t j = i; j < con.nkept && rows <= room; j++)
        rows += lineedit_rows(con.kept[j], strlen(con.kept[j]), width);
    return rows <= room ? rows : 0;
}

/* Rewrites kept line i in place: up to its first row (the cursor saved on the input
 * row), each of its rows cleared, the new text written over them, back to the input row. */
static void rewrite_locked(size_t i, size_t up, size_t rows, const char *line, size_t len, buf *out)
{
    lineedit_clear_row(out);
    buf_printf(out, "\x1b" "7\x1b[%uA", (unsigned)up);
    for (size_t r = 0; r < rows; r++) buf_append_str(out, r ? "\x1b[1B\x1b[2K" : "\x1b[2K");
    if (rows > 1) buf_printf(out, "\x1b[%uA", (unsigned)(rows - 1));
    buf_append_byte(out, '\r');
    append_raw(out, line, len);
    buf_append_str(out, "\x1b" "8");
    free(con.kept[i]);
    con.kept[i] = line_copy(line, len);
}

int console_replace(uint64_t tag, const char *line, size_t len)
{
    if (!con.active || !tag) return 0;
    if (len && line[len - 1] == '\n') len--;
    int shown = 0;
    buf out = {0};
    SDL_LockMutex(con.lock);
    size_t i = con.nkept;
    while (i > 0 && con.tags[i - 1] != tag) i--;
    if (i-- > 0) {
        int width = console_sys_width();
        size_t rows = lineedit_rows(con.kept[i], strlen(con.kept[i]), width), up = rows_up_locked(i, width);
        shown = up && con.editing && lineedit_rows(line, len, width) == rows;
        if (shown) {
            rewrite_locked(i, up, rows, line, len, &out);
            render_locked(&out);
        } else {
            free(con.kept[i]); /* off screen: Ctrl-L shows it as it is now */
            con.kept[i] = line_copy(line, len);
        }
    }
    write_buf(&out);
    SDL_UnlockMutex(con.lock);
    return shown;
}

void console_alert(int ring)
{
    if (!con.active) return;
    buf out = {0};
    SDL_LockMutex(con.lock);
    attention_alert(ring, &out);
    write_buf(&out);
    SDL_UnlockMutex(con.lock);
}

void console_set_nick(const char *nick)
{
    if (!con.active) return;
    buf prompt = {0}, out = {0};
    prompt_for(nick, &prompt);
    SDL_LockMutex(con.lock);
    lineedit_set_prompt(&con.le, prompt.data);
    if (con.editing) render_locked(&out);
    write_buf(&out);
    SDL_UnlockMutex(con.lock);
    buf_free(&prompt);
}

void console_set_completer(console_complete_fn fn, void *ctx)
{
    if (con.active) SDL_LockMutex(con.lock);
    con.complete = fn;
    con.complete_ctx = ctx;
    if (con.active) {
        lineedit_set_completer(&con.le, fn, ctx);
        SDL_UnlockMutex(con.lock);
    }
}

void console_hold_on_error(int exit_code)
{
    if (exit_code == 0 || !console_sys_window_is_ours()) return;
    fputs("\nPress Enter to close this window.\n", stderr);
    fflush(stderr);
    int c;
    while ((c = getchar()) != EOF && c != '\n') {
    }
}
