/* cmd_files.c -- the file commands of LAN mode: /send, /accept, /decline, /transfers, /cancel */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udpchat/frontend.h"
#include "udpchat/ipmsg_file.h"
#include "udpchat/mem.h"
#include "udpchat/transfer.h"

#define MAX_PATHS 64

static const char *const helps[] = {
    "/send NICK PATH... offer files and folders to NICK (\"quote\" paths with spaces)",
    "/accept N [DIR]  download offer N (into DIR; default: --download-dir)",
    "/decline N       decline offer N",
    "/transfers       list offers and transfers",
    "/cancel N        stop transfer N",
    NULL,
};

void cmd_files_help(frontend *fe)
{
    if (fe->mode != FE_LAN) return;
    for (size_t i = 0; helps[i]; i++) frontend_info(fe, helps[i]);
}

size_t cmd_files_names(frontend_mode mode, const char **out, size_t max)
{
    static const char *const words[] = {"/send", "/accept", "/decline", "/transfers", "/cancel"};
    size_t n = 0;
    for (size_t i = 0; mode == FE_LAN && i < 5 && n < max; i++) out[n++] = words[i];
    return n;
}

/* Splits rest into words; "..." quotes a word with spaces. Returns how many (<= max). */
static size_t split(char *rest, char **w, size_t max)
{
    size_t n = 0;
    for (char *p = rest; *p && n < max;) {
        while (*p == ' ') p++;
        if (!*p) break;
        char *end;
        if (*p == '"' && (end = strchr(p + 1, '"')) != NULL) {
            w[n++] = p + 1;
            *end = '\0';
            p = end + 1;
            continue;
        }
        w[n++] = p;
        p += strcspn(p, " ");
        if (*p) *p++ = '\0';
    }
    return n;
}

static core_command *make_cmd(core_cmd_type t, const char *to, char *text)
{
    core_command *c = xcalloc(1, sizeof *c);
    c->type = t;
    c->to = to ? str_dup(to) : NULL;
    c->text = text;
    return c;
}

static int no_engine(frontend *fe)
{
    if (fe->files) return 0;
    frontend_error(fe, "file transfers are off: the TCP port could not be opened (see the start-up message)");
    return 1;
}

static core_command *do_send(frontend *fe, char **w, size_t n)
{
    char err[512];
    buf spec = {0};
    if (n < 2) {
        frontend_error(fe, "usage: /send NICK PATH... (files and folders)");
        return NULL;
    }
    if (no_engine(fe)) return NULL;
    if (!transfer_share(fe->files, (const char *const *)(w + 1), n - 1, &spec, err, sizeof err)) {
        frontend_error(fe, err);
        buf_free(&spec);
        return NULL;
    }
    return make_cmd(CMD_SEND_FILES, w[0], buf_detach(&spec));
}

static const model_offer *offer_arg(frontend *fe, char **w, size_t n, const char *usage)
{
    char *end = NULL;
    unsigned long k = n ? strtoul(w[0], &end, 10) : 0;
    const model_offer *o = n && end && !*end ? model_offer_find(fe->model, (unsigned)k) : NULL;
    if (!n || !end || *end) frontend_error(fe, usage);
    else if (!o) frontend_error(fe, "no such offer: /transfers lists them");
    return o;
}

static core_command *do_accept(frontend *fe, char **w, size_t n)
{
    const model_offer *o = offer_arg(fe, w, n, "usage: /accept N [DIR]");
    char err[256];
    if (!o || no_engine(fe)) return NULL;
    if (o->state == OFFER_DECLINED) {
        frontend_error(fe, "that offer was declined");
        return NULL;
    }
    const char *dir = n > 1 ? w[1] : fe->download_dir;
    if (!transfer_download(fe->files, o->from, o->address, &o->offer, dir, err, sizeof err)) frontend_error(fe, err);
    else model_offer_set_state(fe->model, o->number, OFFER_ACCEPTED);
    return NULL;
}

static core_command *do_decline(frontend *fe, char **w, size_t n)
{
    const model_offer *o = offer_arg(fe, w, n, "usage: /decline N");
    if (!o) return NULL;
    buf no = {0};
    buf_printf(&no, "%llu", (unsigned long long)o->offer.packet_no);
    model_offer_set_state(fe->model, o->number, OFFER_DECLINED);
    frontend_info(fe, "offer declined");
    return make_cmd(CMD_RELEASE_FILES, o->address, buf_detach(&no));
}

static void list_all(frontend *fe)
{
    static const char *const st[] = {"open", "accepted", "declined"};
    static const char *const tr[] = {"", "starting", "running", "running", "done", "failed", "cancelled", "refused"};
    size_t no = model_offer_count(fe->model), nt = model_transfer_count(fe->model);
    if (!no && !nt) frontend_info(fe, "no offers and no transfers yet");
    for (size_t i = 0; i < no; i++) {
        const model_offer *o = model_offer_at(fe->model, i);
        buf b = {0};
        buf_printf(&b, "offer %u from %s: %lu item%s, %s", o->number, o->from ? o->from : "?", (unsigned long)o->offer.n,
                   o->offer.n == 1 ? "" : "s", st[o->state]);
        frontend_info(fe, b.data);
        buf_free(&b);
    }
    for (size_t i = 0; i < nt; i++) {
        const model_transfer *t = model_transfer_at(fe->model, i);
        buf b = {0};
        buf_printf(&b, "transfer %u %s %s: %s, %s %llu of %llu bytes", t->id, t->sending ? "to" : "from",
                   t->peer ? t->peer : "?", tr[t->reason >= 0 && t->reason <= 7 ? t->reason : 0],
                   t->name ? t->name : "", (unsigned long long)t->bytes, (unsigned long long)t->size);
        frontend_info(fe, b.data);
        buf_free(&b);
    }
}

static core_command *do_cancel(frontend *fe, char **w, size_t n)
{
    char *end = NULL;
    unsigned long id = n ? strtoul(w[0], &end, 10) : 0;
    if (!n || !end || *end) frontend_error(fe, "usage: /cancel N");
    else if (no_engine(fe)) return NULL;
    else if (transfer_cancel(fe->files, (uint32_t)id) < 0) frontend_error(fe, "no such transfer running: /transfers lists them");
    return NULL;
}

static int is(const char *name, size_t n, const char *want)
{
    if (strlen(want) != n) return 0;
    for (size_t i = 0; i < n; i++)
        if ((name[i] | 0x20) != want[i]) return 0;
    return 1;
}

int cmd_files_parse(frontend *fe, const char *name, size_t n, const char *rest, core_command **out)
{
    static const char *const cmds[] = {"send", "accept", "decline", "transfers", "cancel"};
    size_t which = 0;
    while (which < 5 && !is(name, n, cmds[which])) which++;
    if (fe->mode != FE_LAN || which == 5) return 0;
    char *copy = str_dup(rest), *w[MAX_PATHS + 2];
    size_t nw = split(copy, w, MAX_PATHS + 2);
    *out = NULL;
    switch (which) {
    case 0: *out = do_send(fe, w, nw); break;
    case 1: *out = do_accept(fe, w, nw); break;
    case 2: *out = do_decline(fe, w, nw); break;
    case 3: list_all(fe); break;
    default: *out = do_cancel(fe, w, nw); break;
    }
    free(copy);
    return 1;
}
