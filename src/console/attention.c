/* attention.c -- the bell, focus reports and the unread count in the terminal title */
#include "attention.h"

#include <stdlib.h>
#include <string.h>

#include "console_backend.h"
#include "udpchat/mem.h"
#include "udpchat/utf8.h"

/* Invariant: titled == 1 exactly while the title shows a count we set (unread > 0 and
 * not focused); the title is only ever our own text: the program name, sanitised, with
 * a number in front. Nothing from the network reaches it. */
static struct {
    int on;          /* between attention_start and attention_stop */
    int focused;     /* 1 until the terminal reports focus out */
    int titled;      /* the title is ours (the terminal's own was kept by the backend) */
    unsigned unread; /* lines shown since the focus went */
    char *title;     /* "udpchat" (sanitised) */
} at;

void attention_start(const char *title, buf *out)
{
    buf safe = {0};
    utf8_sanitize(title ? title : "", strlen(title ? title : ""), 0, &safe);
    buf_append(&safe, "", 0);
    free(at.title);
    at.title = buf_detach(&safe);
    at.on = 1;
    at.focused = 1;
    at.titled = 0;
    at.unread = 0;
    buf_append_str(out, "\x1b[?1004h");
}

static void untitle(buf *out)
{
    if (!at.titled) return;
    console_sys_title(at.title, out); /* where the terminal keeps no title stack: at least ours */
    console_sys_title(NULL, out);     /* where it does: the title it had */
    at.titled = 0;
}

void attention_focus(int in, buf *out)
{
    if (!at.on) return;
    at.focused = in;
    if (!in) return;
    at.unread = 0;
    untitle(out);
}

void attention_typed(buf *out)
{
    if (at.on && !at.focused) attention_focus(1, out);
}

void attention_alert(int ring, buf *out)
{
    if (!at.on) return;
    if (ring) buf_append_byte(out, '\a');
    if (at.focused || !*at.title) return;
    at.unread++;
    buf t = {0};
    buf_printf(&t, "(%u) %s", at.unread, at.title);
    console_sys_title(t.data, out);
    buf_free(&t);
    at.titled = 1;
}

void attention_stop(buf *out)
{
    if (!at.on) return;
    untitle(out);
    buf_append_str(out, "\x1b[?1004l");
    at.on = 0;
    free(at.title);
    at.title = NULL;
}
