/* record.c -- the front end's history: model messages to the chat log, and back to the views */
#include "udpchat/record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "udpchat/frontend.h"
#include "udpchat/history.h"
#include "udpchat/ipmsg_file.h"
#include "udpchat/mem.h"
#include "udpchat/net.h"
#include "udpchat/paths.h"

struct recorder {
    history *h;               /* NULL: not open (warning given) */
    char *place;
    uint64_t last_seq;        /* the newest model message recorded */
    struct { uint64_t seq; int64_t id; } ids[MODEL_KEEP]; /* model seq -> row, for state changes */
    struct { unsigned number; int64_t id; } offers[MODEL_KEEP_FILES]; /* offer number -> row */
    int dirty;                /* noted since the last commit */
    uint64_t batch;           /* messages added since the last commit */
    uint64_t paused_until;    /* after a failed write: nothing is tried before this */
    uint64_t lost;            /* messages not saved in this failing streak */
    int add_failed;           /* an add failed since the last commit */
    int failing;              /* the last write failed (and was told) */
    char *warning;            /* to show once */
};

static const char *const kind_names[] = {"public", "private", "action", "notice", "system"};
static const char *const state_names[] = {"", "sending", "relayed", "delivered", "partial", "undelivered", "late"};

static void warn(recorder *r, const char *what, const char *why)
{
    free(r->warning);
    buf b = {0};
    buf_printf(&b, "history: %s (%s); the chat goes on", what, why);
    r->warning = buf_detach(&b);
}

recorder *record_open(const char *place, const char *path)
{
    recorder *r = xcalloc(1, sizeof *r);
    r->place = xstrdup(place);
    char why[300];
    char *dir = path ? NULL : paths_dir(PATHS_DATA, why, sizeof why);
    char *file = path ? xstrdup(path) : dir ? paths_join(dir, "history.db") : NULL;
    if (file) r->h = history_open(file, why, sizeof why);
    if (!r->h) warn(r, "cannot open the chat log", why);
    free(dir);
    free(file);
    return r;
}

void record_close(recorder *r)
{
    if (!r) return;
    history_close(r->h);
    free(r->place);
    free(r->warning);
    free(r);
}

char *record_warning(recorder *r)
{
    char *w = r ? r->warning : NULL;
    if (r) r->warning = NULL;
    return w;
}

/* One row into the open batch: its id, or 0 (the batch was rolled back with it: all lost). */
static int64_t put(recorder *r, const history_rec *hr)
{
    int64_t id = history_add(r->h, hr);
    if (!id) {
        r->lost += r->batch + 1;
        r->batch = 0;
        r->add_failed = 1;
        return 0;
    }
    r->batch++;
    return id;
}

/* "[files: a.txt, photos/]" after the offer's text, if any. */
static void files_text(buf *t, const char *text, const char *names)
{
    if (text && *text) buf_printf(t, "%s ", text);
    buf_printf(t, "[files: %s]", names ? names : "");
}

static void add(recorder *r, const model *m, const model_msg *g)
{
    const model_conv *c = model_conv_at(m, g->conv);
    history_rec hr = {0, g->time, r->place, c ? c->name : "", g->from, g->to, g->address,
                      kind_names[g->kind], state_names[g->state], g->text, g->own};
    buf t = {0};
    if (g->event == EV_FILE_SHARED) { /* our offer: a row of kind "file" in the peer's conversation */
        files_text(&t, NULL, g->text);
        hr.sender = model_nick(m), hr.recipient = g->from, hr.kind = "file", hr.state = "", hr.text = t.data, hr.own = 1;
    }
    int64_t id = put(r, &hr);
    buf_free(&t);
    if (!id) return;
    r->ids[g->seq % MODEL_KEEP].seq = g->seq;
    r->ids[g->seq % MODEL_KEEP].id = id;
}

/* Chat lines are kept; of the system lines, only our file offers. */
static int kept(const model_msg *g) { return g->kind != MSG_KIND_SYSTEM || g->event == EV_FILE_SHARED; }

void record_note(recorder *r, const model *m, const model_msg *g)
{
    if (!r || !r->h || !kept(g)) return;
    if (r->paused_until && net_now_ms() >= r->paused_until) r->paused_until = 0; /* try again */
    if (r->paused_until) {
        r->lost += g->seq > r->last_seq;
        r->last_seq = g->seq > r->last_seq ? g->seq : r->last_seq;
        return;
    }
    if (g->seq > r->last_seq) {
        r->last_seq = g->seq;
        add(r, m, g);
    } else if (g->own && r->ids[g->seq % MODEL_KEEP].seq == g->seq) {
        history_set_state(r->h, r->ids[g->seq % MODEL_KEEP].id, state_names[g->state]);
    }
    r->dirty = 1;
}

/* A failing streak is told once when it starts and once when saving works again. */
/* A peer's file offer (EV_FILE_OFFER, already in the model): one row of kind "file" in the
 * peer's conversation, its text and the names offered ("report.pdf, photos/"). */
void record_offer(recorder *r, const model *m, const chat_event *ev)
{
    size_t n = model_offer_count(m);
    if (!r || !r->h || r->paused_until || ev->type != EV_FILE_OFFER || !n) return;
    const model_offer *o = model_offer_at(m, n - 1);
    buf names = {0}, t = {0};
    for (size_t i = 0; i < o->offer.n; i++)
        buf_printf(&names, "%s%s%s", i ? ", " : "", o->offer.files[i].name, (o->offer.files[i].attr & 0xFF) == IPMSG_FILE_DIR ? "/" : "");
    buf_append_byte(&names, '\0');
    files_text(&t, o->text, names.data);
    history_rec hr = {0, (int64_t)time(NULL), r->place, o->from ? o->from : "", o->from, model_nick(m), o->address, "file", "", t.data, 0};
    int64_t id = put(r, &hr);
    r->dirty = 1;
    r->offers[o->number % MODEL_KEEP_FILES].number = id ? o->number : 0;
    r->offers[o->number % MODEL_KEEP_FILES].id = id;
    buf_free(&names);
    buf_free(&t);
}

int64_t record_offer_id(const recorder *r, unsigned number)
{
    return r && number && r->offers[number % MODEL_KEEP_FILES].number == number ? r->offers[number % MODEL_KEEP_FILES].id : 0;
}

int record_pending(const recorder *r)
{
    return r && r->h && !r->paused_until && r->dirty; /* a paused log saves nothing to wait for */
}

int record_commit(recorder *r, uint64_t now)
{
    if (!r || !r->h || (r->paused_until && now < r->paused_until)) return 0;
    r->paused_until = 0;
    if (!r->dirty) return 0;
    r->dirty = 0;
    int ok = history_commit(r->h) == 0 && !r->add_failed;
    if (!ok) r->lost += r->batch;
    r->batch = 0;
    r->add_failed = 0;
    char what[128];
    if (ok && r->failing) {
        r->failing = 0;
        snprintf(what, sizeof what, "history: saving again (%llu message%s could not be saved)",
                 (unsigned long long)r->lost, r->lost == 1 ? "" : "s");
        free(r->warning);
        r->warning = xstrdup(what);
        r->lost = 0;
    } else if (!ok) {
        if (!r->failing) warn(r, "messages are not being saved", history_error(r->h));
        r->failing = 1;
        r->paused_until = now + RECORD_RETRY_MS;
    }
    return ok ? 0 : -1;
}

/* ---- reading back ---- */

static int show_row(void *ctx, const history_rec *hr)
{
    frontend_history(ctx, hr, 0);
    return 0;
}

static int show_row_where(void *ctx, const history_rec *hr)
{
    frontend_history(ctx, hr, 1);
    return 0;
}

static void find(frontend *fe, const history_query *q, const char *none)
{
    recorder *r = fe->rec;
    if (!r || !r->h) {
        frontend_error(fe, r ? "history: the chat log is not open" : "history is off (--no-history)");
        return;
    }
    record_commit(r, 0); /* what is on screen is in the answer */
    long n = history_find(r->h, q, q->search ? show_row_where : show_row, fe);
    if (n < 0) {
        buf b = {0};
        buf_printf(&b, "history: %s", history_error(r->h));
        frontend_error(fe, b.data);
        buf_free(&b);
    } else if (n == 0 && none) {
        frontend_info(fe, none);
    }
}

void record_show_recent(frontend *fe, const char *conv, size_t n)
{
    if (!fe->rec || !fe->rec->h) return;
    history_query q = {.place = fe->rec->place, .conv = conv, .limit = n};
    find(fe, &q, NULL);
}

static void search(frontend *fe, const char *text)
{
    if (!*text) {
        frontend_error(fe, "usage: /search TEXT   find TEXT in the history (every conversation)");
        return;
    }
    history_query q = {.search = text, .limit = 50};
    find(fe, &q, "history: nothing found");
}

static void recent(frontend *fe, const char *arg)
{
    char *end;
    long n = *arg ? strtol(arg, &end, 10) : 20;
    if (*arg && (*end || n < 1 || n > 10000)) {
        frontend_error(fe, "usage: /history [N]   the last N messages of this conversation (1 to 10000; 20)");
        return;
    }
    history_query q = {.place = fe->rec ? fe->rec->place : NULL, .conv = fe->target ? fe->target : "", .limit = (size_t)n};
    find(fe, &q, "history: no messages yet");
}

int64_t record_id_of(const recorder *r, uint64_t seq)
{
    return r && seq && r->ids[seq % MODEL_KEEP].seq == seq ? r->ids[seq % MODEL_KEEP].id : 0;
}

long record_page(recorder *r, const char *conv, int64_t before, int64_t after, size_t n, history_fn fn, void *ctx)
{
    if (!r || !r->h) return -1; /* the connection reads its own open batch: no commit needed */
    history_query q = {.place = r->place, .conv = conv, .limit = n, .before = before, .after = after,
                       .text_max = RECORD_PAGE_TEXT};
    return history_find(r->h, &q, fn, ctx);
}

static int word_is(const char *name, size_t n, const char *want)
{
    if (strlen(want) != n) return 0;
    for (size_t i = 0; i < n; i++)
        if ((name[i] | 0x20) != want[i]) return 0;
    return 1;
}

int record_command(frontend *fe, const char *name, size_t n, const char *args)
{
    int hist = word_is(name, n, "history"), srch = word_is(name, n, "search");
    if ((!hist && !srch) || fe->mode == FE_SERVER) return 0;
    while (*args == ' ') args++;
    if (hist) recent(fe, args);
    else search(fe, args);
    return 1;
}
