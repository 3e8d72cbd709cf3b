/* gui_files.c -- file offers (with Accept / Decline) and transfers (with a bar) as lines of the window */
#include "gui_files.h"

#include "udpchat/frontend.h"
#include "udpchat/ipmsg_file.h"

/* "** bob offers files [3]: a.pdf (1.5 KB), photos/ (folder, 2.0 MB) -- text (accepted)" */
static void offer_text(buf *b, const model_offer *o)
{
    static const char *const state[] = {"", " (accepted)", " (declined)"};
    buf_printf(b, "** %s offers file%s [%u]:", o->from ? o->from : "?", o->offer.n == 1 ? "" : "s", o->number);
    for (size_t i = 0; i < o->offer.n; i++) {
        const lan_file *f = &o->offer.files[i];
        buf_printf(b, "%s%s%s", i ? ", " : " ", f->name, (f->attr & 0xFF) == IPMSG_FILE_DIR ? "/ (folder, " : " (");
        frontend_human_size(b, f->size);
        buf_append_str(b, ")");
    }
    if (o->text && *o->text) buf_printf(b, " -- %s", o->text);
    buf_append_str(b, state[o->state]);
}

static int running(int reason)
{
    return reason == TRANSFER_STARTED || reason == TRANSFER_PROGRESS || reason == TRANSFER_FILE_DONE;
}

/* "-- [T2] receiving a.pdf from bob: 1.5 MB of 3.0 MB", "-- [T2] sent a.pdf to bob", ... */
static void transfer_text(buf *b, const model_transfer *t)
{
    static const char *const ended[] = {"", "", "", "", "done", "failed", "cancelled", "refused"};
    int bad = t->reason == TRANSFER_FAILED || t->reason == TRANSFER_CANCELLED || t->reason == TRANSFER_REFUSED;
    int named = t->name && *t->name;
    buf_printf(b, "%s [T%u] %s%s%s%s%s", bad ? "!!" : "--", t->id, t->sending ? "sending" : "receiving",
               named ? " " : "", named ? t->name : "", t->sending ? " to " : " from ", t->peer ? t->peer : "?");
    if (!running(t->reason)) {
        buf_printf(b, ": %s", t->reason >= 0 && t->reason <= TRANSFER_REFUSED ? ended[t->reason] : "?");
        return;
    }
    buf_append_str(b, ": ");
    frontend_human_size(b, t->bytes);
    if (t->size) buf_append_str(b, " of "), frontend_human_size(b, t->size);
}

void gui_files_line(gui *g, const model *m, const convs_file *f)
{
    buf b = {0};
    if (f->is_offer) {
        const model_offer *o = model_offer_find(m, f->key);
        if (!o) return; /* gone from the model (it keeps the last MODEL_KEEP_FILES) */
        offer_text(&b, o);
        if (o->state == OFFER_OPEN) gui_line_offer(g, GUI_NOTICE, b.data, (int)o->number);
        else gui_line_add(g, GUI_NOTICE, b.data, NULL);
    } else {
        const model_transfer *t = model_transfer_find(m, f->key);
        if (!t) return;
        transfer_text(&b, t);
        int bad = t->reason == TRANSFER_FAILED || t->reason == TRANSFER_CANCELLED || t->reason == TRANSFER_REFUSED;
        int permille = t->size ? (int)(t->bytes * 1000 / t->size) : 0;
        if (running(t->reason)) gui_line_progress(g, GUI_SYSTEM, b.data, permille);
        else gui_line_add(g, bad ? GUI_ERROR : GUI_SYSTEM, b.data, NULL);
    }
    buf_free(&b);
}
