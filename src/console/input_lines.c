/* input_lines.c -- reads stdin in a thread, one UTF-8 line at a time, for line mode */
#include "udpchat/input.h"
#include "udpchat/mem.h"

#include <SDL.h>
#include <stdio.h>
#include <stdlib.h>

#include "console_backend.h"
#include "udpchat/buf.h"

#define MAX_LINE (256 * 1024)

typedef struct input_ctx {
    console_line_fn on_line;
    void *ctx;
    charset_id cs;
} input_ctx;

static void post_line(input_ctx *in, buf *raw)
{
    if (raw->len && raw->data[raw->len - 1] == '\r') raw->len--;
    buf text = {0};
    charset_decode(in->cs == CHARSET_UNKNOWN ? CHARSET_UTF8 : in->cs, raw->data ? raw->data : "",
                   raw->len, 1, &text);
    in->on_line(in->ctx, buf_detach(&text));
    buf_clear(raw);
}

static int input_main(void *arg)
{
    input_ctx *in = arg;
    buf raw = {0};
    int c;
    while ((c = getchar()) != EOF) {
        if (c == '\n' || raw.len >= MAX_LINE) post_line(in, &raw);
        if (c != '\n') buf_append_byte(&raw, (uint8_t)c);
    }
    if (raw.len) post_line(in, &raw);
    if (!console_sys_stdin_is_null()) /* < /dev/null (a daemon): run until a signal instead */
        in->on_line(in->ctx, NULL);
    buf_free(&raw);
    free(in);
    return 0;
}

void input_start(charset_id cs, console_line_fn on_line, void *ctx)
{
    input_ctx *in = xmalloc(sizeof *in);
    in->on_line = on_line;
    in->ctx = ctx;
    in->cs = cs;
    SDL_Thread *t = SDL_CreateThread(input_main, "udpchat-input", in);
    if (!t) mem_fail_what("a thread");
    SDL_DetachThread(t);
}
