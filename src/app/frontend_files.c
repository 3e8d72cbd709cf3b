/* frontend_files.c -- file offers and transfers as console lines and JSON fields */
#include <stdlib.h>
#include <string.h>

#include "udpchat/frontend.h"
#include "udpchat/ipmsg_file.h"
#include "udpchat/utf8.h"

static void add_safe(buf *b, const char *s)
{
    if (s) utf8_sanitize(s, strlen(s), 0, b);
}

void frontend_human_size(buf *b, uint64_t n)
{
    static const char *const unit[] = {"B", "KB", "MB", "GB", "TB"};
    double v = (double)n;
    int u = 0;
    while (v >= 1024 && u < 4) v /= 1024, u++;
    if (u == 0) buf_printf(b, "%llu B", (unsigned long long)n);
    else buf_printf(b, "%.1f %s", v, unit[u]);
}

static void offer_line(frontend *fe, const chat_event *ev, buf *b)
{
    size_t k = model_offer_count(fe->model);
    const model_offer *o = k ? model_offer_at(fe->model, k - 1) : NULL;
    if (!o) return;
    buf_append_str(b, "** ");
    add_safe(b, ev->from);
    buf_printf(b, " offers file%s [%u]:", o->offer.n == 1 ? "" : "s", o->number);
    for (size_t i = 0; i < o->offer.n; i++) {
        const lan_file *f = &o->offer.files[i];
        int dir = (f->attr & 0xFF) == IPMSG_FILE_DIR;
        buf_append_str(b, i ? ", " : " ");
        add_safe(b, f->name);
        buf_append_str(b, dir ? "/ (folder, " : " (");
        frontend_human_size(b, f->size);
        if (f->refused) buf_printf(b, "; refused: %s", f->refused);
        buf_append_str(b, ")");
    }
    if (ev->text && *ev->text) buf_append_str(b, " -- "), add_safe(b, ev->text);
    buf_printf(b, "  (/accept %u [DIR] or /decline %u)", o->number, o->number);
}

static void progress_text(buf *b, const chat_event *ev)
{
    if (ev->size) buf_printf(b, "%u%% of ", (unsigned)(ev->bytes * 100 / ev->size));
    frontend_human_size(b, ev->size ? ev->size : ev->bytes);
    if (ev->rate) {
        buf_append_str(b, ", ");
        frontend_human_size(b, ev->rate);
        buf_append_str(b, "/s");
        if (ev->size > ev->bytes) {
            uint64_t eta = (ev->size - ev->bytes) / ev->rate;
            buf_printf(b, ", ETA %llu:%02u", (unsigned long long)(eta / 60), (unsigned)(eta % 60));
        }
    }
}

static void transfer_line(const chat_event *ev, buf *b)
{
    int out = (ev->flags & TRANSFER_SENDING) != 0;
    if (ev->reason == TRANSFER_REFUSED || ev->reason == TRANSFER_FAILED) buf_append_str(b, "!! ");
    else buf_append_str(b, "-- ");
    if (ev->id) buf_printf(b, "[T%u] ", ev->id);
    switch (ev->reason) {
    case TRANSFER_STARTED:
        buf_append_str(b, out ? "sending " : "receiving from ");
        add_safe(b, out ? ev->text : ev->from);
        buf_append_str(b, out ? " to " : " into ");
        add_safe(b, out ? ev->from : ev->text);
        buf_append_str(b, " (/cancel ");
        buf_printf(b, "%u to stop)", ev->id);
        break;
    case TRANSFER_PROGRESS: add_safe(b, ev->text); buf_append_str(b, ": "); progress_text(b, ev); break;
    case TRANSFER_FILE_DONE: buf_append_str(b, "received "); add_safe(b, ev->text); buf_append_str(b, " ("), frontend_human_size(b, ev->size), buf_append_str(b, ")"); break;
    case TRANSFER_DONE:
        buf_append_str(b, out ? "sent " : "done, in ");
        add_safe(b, ev->text);
        if (out) buf_append_str(b, " to "), add_safe(b, ev->from);
        break;
    case TRANSFER_CANCELLED: buf_append_str(b, "cancelled: "); add_safe(b, ev->text); break;
    case TRANSFER_REFUSED: add_safe(b, ev->address); buf_append_str(b, ": "); add_safe(b, ev->text); break;
    default: buf_append_str(b, "failed: "); add_safe(b, ev->text); break;
    }
}

/* Our offer went out: "-- files offered to carol: a.txt, photos/ (they can /accept them now)". */
static void shared_line(const chat_event *ev, buf *b)
{
    buf_append_str(b, "-- files offered to ");
    add_safe(b, ev->from);
    if (ev->text && *ev->text) buf_append_str(b, ": "), add_safe(b, ev->text);
    buf_append_str(b, " (they can /accept them now)");
}

int frontend_files_line(frontend *fe, const chat_event *ev, buf *b)
{
    switch (ev->type) {
    case EV_FILE_OFFER: offer_line(fe, ev, b); return 1;
    case EV_FILE_SHARED: shared_line(ev, b); return 1;
    case EV_FILE_RELEASED: buf_append_str(b, "-- "); add_safe(b, ev->from); buf_append_str(b, " declined your files"); return 1;
    case EV_TRANSFER: transfer_line(ev, b); return 1;
    default: return 0;
    }
}

static const char *reason_name(int r)
{
    static const char *const names[] = {"", "started", "progress", "file_done", "done", "failed", "cancelled", "refused"};
    return r >= 1 && r <= TRANSFER_REFUSED ? names[r] : "unknown";
}

static void offer_json(frontend *fe, buf *b)
{
    size_t k = model_offer_count(fe->model);
    const model_offer *o = k ? model_offer_at(fe->model, k - 1) : NULL;
    if (!o) return;
    buf_printf(b, ",\"offer\":%u,\"packet\":%llu,\"charset\":\"%s\",\"files\":[", o->number,
               (unsigned long long)o->offer.packet_no, charset_name(o->offer.cs));
    for (size_t i = 0; i < o->offer.n; i++) {
        const lan_file *f = &o->offer.files[i];
        buf_printf(b, "%s{\"id\":%lu,\"name\":", i ? "," : "", (unsigned long)f->id);
        json_append_string(b, f->name);
        buf_printf(b, ",\"size\":%llu,\"folder\":%s", (unsigned long long)f->size,
                   (f->attr & 0xFF) == IPMSG_FILE_DIR ? "true" : "false");
        if (f->refused) buf_append_str(b, ",\"refused\":"), json_append_string(b, f->refused);
        buf_append_str(b, "}");
    }
    buf_append_str(b, "]");
}

void frontend_files_json(frontend *fe, const chat_event *ev, buf *b)
{
    if (ev->type == EV_FILE_OFFER) offer_json(fe, b);
    if (ev->type == EV_FILE_SHARED && ev->files) buf_printf(b, ",\"packet\":%llu", strtoull(ev->files, NULL, 10));
    if (ev->type != EV_TRANSFER) return;
    buf_printf(b, ",\"state\":\"%s\",\"sending\":%s,\"bytes\":%llu,\"size\":%llu,\"rate\":%llu", reason_name(ev->reason),
               ev->flags & TRANSFER_SENDING ? "true" : "false", (unsigned long long)ev->bytes,
               (unsigned long long)ev->size, (unsigned long long)ev->rate);
    if (ev->rate && ev->size > ev->bytes) buf_printf(b, ",\"eta\":%llu", (unsigned long long)((ev->size - ev->bytes) / ev->rate));
}
