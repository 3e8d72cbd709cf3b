/* gui_pages.c -- the window reads a conversation's past from the chat log as it scrolls */
#include "gui_pages.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "udpchat/mem.h"

#define TEXT_MAX 16384 /* bytes of a row's text the window keeps (a log is input too: a row of
                        * megabytes would be 1,000 times that in a run); the rest is cut */

typedef struct page {
    convs_hist *rows; /* owned until handed to the run */
    size_t n, cap;
} page;

void pages_text(buf *b, const history_rec *r, int where)
{
    time_t t = (time_t)r->time;
    struct tm *tm = localtime(&t);
    if (tm) buf_printf(b, "%04d-%02d-%02d %02d:%02d ", tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min);
    if (where) buf_printf(b, "[%s%s%s] ", r->place, *r->conv ? ", " : "", r->conv);
    int private_ = strcmp(r->kind, "private") == 0 || strcmp(r->kind, "file") == 0; /* offers are between two */
    const char *who = r->sender ? r->sender : "?", *text = r->text ? r->text : "";
    const char *nul = memchr(text, 0, TEXT_MAX + 1); /* not past TEXT_MAX + 1 bytes */
    size_t len = nul ? (size_t)(nul - text) : TEXT_MAX + 1, cut = len > TEXT_MAX ? TEXT_MAX : len;
    while (cut < len && cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80) cut--; /* between characters */
    if (strcmp(r->kind, "action") == 0) buf_printf(b, "* %s ", who);
    else if (private_ && r->own) buf_printf(b, "-> %s: ", r->recipient ? r->recipient : "?");
    else if (private_) buf_printf(b, "*%s* ", who);
    else buf_printf(b, "<%s> ", who);
    buf_append(b, text, cut);
    if (cut < len) buf_append_str(b, " [...]");
    if (r->own && strcmp(r->state, "undelivered") == 0) buf_append_str(b, " [failed]");
}

static int take_row(void *ctx, const history_rec *r)
{
    page *p = ctx;
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : CONVS_PAGE;
        p->rows = xreallocarray(p->rows, p->cap, sizeof *p->rows);
    }
    buf b = {0};
    pages_text(&b, r, 0);
    p->rows[p->n].id = r->id;
    p->rows[p->n++].text = buf_detach(&b);
    return 0;
}

static void page_free(page *p)
{
    for (size_t i = 0; i < p->n; i++) free(p->rows[i].text);
    free(p->rows);
    memset(p, 0, sizeof *p);
}

static int64_t msg_row(const void *ctx, uint64_t seq) { return record_id_of(ctx, seq); }
static int64_t offer_row(const void *ctx, unsigned number) { return record_offer_id(ctx, number); }

static int64_t edge_of(const gui_convs *C, const recorder *r)
{
    convs_rows rows = {msg_row, offer_row, r};
    return convs_log_edge(C, &rows);
}

/* Rows of the open conversation with before > id > after, into p: how many, -1 (p empty) if
 * the log could not be read. */
static long read_rows(gui_convs *C, recorder *r, int64_t before, int64_t after, size_t n, page *p)
{
    const model_conv *mc = model_conv_at(C->m, C->open);
    long got = record_page(r, mc ? mc->name : "", before, after, n, take_row, p);
    if (got < 0) page_free(p);
    return got;
}

/* Attached at the model's first row `edge`: every row before it is in the run or older. */
static void attach_at(convs_log *l, int64_t edge)
{
    l->edge = edge;
    l->last = edge ? edge - 1 : l->n ? l->line[l->n - 1].id : 0;
}

void pages_first(gui_convs *C, recorder *r)
{
    convs_log *l = convs_log_of(C, C->open);
    if (l->opened) return;
    int64_t edge = edge_of(C, r);
    page p = {0};
    long got = read_rows(C, r, edge, 0, CONVS_PAGE, &p);
    convs_log_older(l, p.rows, p.n, got < 0 ? 1 : CONVS_PAGE); /* unreadable: nothing older */
    free(p.rows);
    attach_at(l, edge);
}

int pages_older(gui_convs *C, recorder *r)
{
    convs_log *l = convs_log_of(C, C->open);
    if (!l->opened) return pages_first(C, r), 1;
    if (l->first) return 0;
    int64_t before = l->n ? l->line[0].id : edge_of(C, r);
    page p = {0};
    if (read_rows(C, r, before, 0, CONVS_PAGE, &p) < 0) return 0;
    convs_log_older(l, p.rows, p.n, CONVS_PAGE);
    free(p.rows);
    return 1;
}

int pages_newer(gui_convs *C, recorder *r)
{
    convs_log *l = convs_log_of(C, C->open);
    if (!l->detached || !l->n) return 0;
    int64_t edge = edge_of(C, r);
    page p = {0};
    if (read_rows(C, r, edge, l->line[l->n - 1].id, CONVS_PAGE, &p) < 0) return 0;
    convs_log_newer(l, p.rows, p.n, CONVS_PAGE);
    free(p.rows);
    if (!l->detached) attach_at(l, edge);
    return 1;
}

void pages_follow(gui_convs *C, recorder *r)
{
    convs_log *l = convs_log_of(C, C->open);
    if (!l->opened || l->detached) return;
    int64_t edge = edge_of(C, r);
    if (edge == l->edge) return;
    page p = {0};
    long got = read_rows(C, r, edge, l->last, CONVS_LOG_KEEP, &p);
    if (got < 0) {
        attach_at(l, edge);
        return;
    }
    if (l->last && (size_t)got >= CONVS_LOG_KEEP) { /* maybe more between: start from the newest */
        page_free(&p);
        convs_log_clear(l);
        pages_first(C, r);
        return;
    }
    convs_log_follow(l, p.rows, p.n, edge);
    free(p.rows);
}

void pages_live(gui_convs *C, recorder *r)
{
    convs_log *l = convs_log_of(C, C->open);
    if (!l->detached) return;
    convs_log_clear(l);
    pages_first(C, r);
}
