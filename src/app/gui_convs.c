/* gui_convs.c -- the window's conversations: roster entries, unread counts, where each line belongs */
#include "gui_convs.h"

#include <stdlib.h>
#include <string.h>

#include "udpchat/buf.h"
#include "udpchat/mem.h"
#include "udpchat/nick.h"

void convs_init(gui_convs *c, model *m, int single, const char *all_label)
{
    memset(c, 0, sizeof *c);
    c->m = m;
    c->single = single;
    c->all_label = single || !all_label ? NULL : str_dup(all_label);
}

static void list_free(gui_convs *c)
{
    for (size_t i = 0; i < c->nlist; i++) free(c->list[i].label);
    free(c->list);
    c->list = NULL, c->nlist = 0;
}

void convs_free(gui_convs *c)
{
    list_free(c);
    for (size_t i = 0; i < c->nextra; i++) free(c->extra[i].text);
    for (size_t i = 0; i < c->nlogs; i++) convs_log_clear(&c->logs[i]);
    free(c->extra), free(c->logs), free(c->all_label);
    memset(c, 0, sizeof *c);
}

void convs_open(gui_convs *c, const char *name) { c->open = c->single ? 0 : model_conv_find(c->m, name ? name : ""); }

static int is_presence(int ev) { return ev == EV_JOIN || ev == EV_LEAVE || ev == EV_NICK || ev == EV_AWAY; }
/* Our offer went out, or was declined: its line is in the peer's conversation (model.c). */
static int is_share(int ev) { return ev == EV_FILE_SHARED || ev == EV_FILE_RELEASED; }

static void place_file(gui_convs *c, int is_offer, unsigned key, const char *peer)
{
    if (c->nfiles == CONVS_FILES) memmove(c->files, c->files + 1, --c->nfiles * sizeof *c->files);
    size_t n = model_msg_count(c->m);
    convs_file *f = &c->files[c->nfiles++];
    f->is_offer = is_offer, f->key = key;
    f->conv = c->single ? 0 : model_conv_find(c->m, peer ? peer : "");
    f->after = n ? model_msg_at(c->m, n - 1)->seq : 0;
    f->seen = !is_offer;
}

static int file_placed(const gui_convs *c, int is_offer, unsigned key)
{
    for (size_t i = 0; i < c->nfiles; i++)
        if (c->files[i].is_offer == is_offer && c->files[i].key == key) return 1;
    return 0;
}

void convs_note(gui_convs *c)
{
    for (size_t i = 0; i < model_msg_count(c->m); i++) {
        const model_msg *g = model_msg_at(c->m, i);
        if (g->seq <= c->tagged) continue;
        c->tag[g->seq % MODEL_KEEP].seq = g->seq, c->tag[g->seq % MODEL_KEEP].conv = c->open;
        c->tagged = g->seq;
    }
    for (size_t i = 0; i < model_offer_count(c->m); i++) {
        const model_offer *o = model_offer_at(c->m, i);
        if (o->number > c->last_offer) place_file(c, 1, o->number, o->from), c->last_offer = o->number;
    }
    for (size_t i = 0; i < model_transfer_count(c->m); i++) {
        const model_transfer *t = model_transfer_at(c->m, i);
        if (!file_placed(c, 0, t->id)) place_file(c, 0, t->id, t->peer);
    }
}

int convs_shows(const gui_convs *c, const model_msg *m)
{
    if (c->single) return 1;
    if ((m->kind != MSG_KIND_SYSTEM && m->kind != MSG_KIND_NOTICE) || is_share(m->event)) return m->conv == c->open;
    if (is_presence(m->event)) {
        const model_conv *open = model_conv_at(c->m, c->open);
        return c->open == 0 || (open && m->from && nick_equal(open->name, m->from));
    }
    const convs_tag *t = &c->tag[m->seq % MODEL_KEEP];
    return t->seq == m->seq ? t->conv == c->open : c->open == 0;
}

void convs_read(gui_convs *c)
{
    for (size_t i = 0; i < model_conv_count(c->m); i++) /* single: every conversation is the open one */
        if (i == c->open || c->single) model_mark_read(c->m, i);
    for (size_t i = 0; i < c->nfiles; i++)
        if (c->files[i].conv == c->open || c->single) c->files[i].seen = 1;
}

static void extra_drop_oldest(gui_convs *c, size_t conv)
{
    size_t k = 0, first = c->nextra;
    for (size_t i = 0; i < c->nextra; i++)
        if (c->extra[i].conv == conv && k++ == 0) first = i;
    if (k < CONVS_EXTRA_KEEP) return;
    free(c->extra[first].text);
    memmove(c->extra + first, c->extra + first + 1, (--c->nextra - first) * sizeof *c->extra);
}

void convs_extra_add(gui_convs *c, char *text)
{
    extra_drop_oldest(c, c->open);
    if (c->nextra == c->capextra) {
        c->capextra = c->capextra ? 2 * c->capextra : 64;
        c->extra = xreallocarray(c->extra, c->capextra, sizeof *c->extra);
    }
    size_t n = model_msg_count(c->m);
    c->extra[c->nextra].after = n ? model_msg_at(c->m, n - 1)->seq : 0;
    c->extra[c->nextra].conv = c->open;
    c->extra[c->nextra++].text = text;
}

static size_t unread_of(const gui_convs *c, size_t conv)
{
    const model_conv *mc = model_conv_at(c->m, conv);
    size_t n = mc ? mc->unread : 0;
    for (size_t i = 0; i < c->nfiles; i++) n += c->files[i].conv == conv && !c->files[i].seen;
    return n;
}

static void entry_add(gui_convs *c, size_t conv, char *label)
{
    c->list = xreallocarray(c->list, c->nlist + 1, sizeof *c->list);
    c->list[c->nlist].conv = conv;
    c->list[c->nlist].label = label;
    c->list[c->nlist++].unread = unread_of(c, conv);
}

static void member_entry(gui_convs *c, const model_member *mm)
{
    buf b = {0};
    buf_printf(&b, "%s%s%s%s%s%s%s", mm->nick, mm->group ? " [" : "", mm->group ? mm->group : "",
               mm->group ? "]" : "", mm->status ? " (away: " : "", mm->status ? mm->status : "",
               mm->status ? ")" : "");
    entry_add(c, c->single ? 0 : model_conv_find(c->m, mm->nick), buf_detach(&b));
}

static int is_member(const model *m, const char *nick)
{
    for (size_t i = 0; i < model_member_count(m); i++)
        if (nick_equal(model_member_at(m, i)->nick, nick)) return 1;
    return 0;
}

/* Private conversations of nicks no longer here, when they have something to show. */
static void gone_entries(gui_convs *c)
{
    size_t nconv = model_conv_count(c->m);
    unsigned char *has = xcalloc(nconv ? nconv : 1, 1);
    for (size_t i = 0; i < model_msg_count(c->m); i++) has[model_msg_at(c->m, i)->conv] = 1;
    for (size_t i = 0; i < c->nextra; i++) has[c->extra[i].conv] = 1;
    for (size_t i = 0; i < c->nlogs && i < nconv; i++) has[i] |= c->logs[i].n > 0;
    for (size_t i = 1; i < nconv; i++) {
        const model_conv *mc = model_conv_at(c->m, i);
        if ((!has[i] && i != c->open) || is_member(c->m, mc->name) || nick_equal(mc->name, model_nick(c->m))) continue;
        buf b = {0};
        buf_printf(&b, "%s (left)", mc->name);
        entry_add(c, i, buf_detach(&b));
    }
    free(has);
}

void convs_list(gui_convs *c)
{
    list_free(c);
    if (c->all_label) entry_add(c, 0, str_dup(c->all_label));
    for (size_t i = 0; i < model_member_count(c->m); i++) {
        const model_member *mm = model_member_at(c->m, i);
        if (c->single || !nick_equal(mm->nick, model_nick(c->m))) member_entry(c, mm); /* not ourselves */
    }
    if (!c->single) gone_entries(c);
}

int convs_entry_of(const gui_convs *c, size_t conv)
{
    for (size_t i = 0; i < c->nlist; i++)
        if (c->list[i].conv == conv) return (int)i;
    return -1;
}

size_t convs_unread_total(const gui_convs *c)
{
    size_t n = 0;
    for (size_t i = 0; i < model_conv_count(c->m); i++) n += unread_of(c, i);
    return n;
}
