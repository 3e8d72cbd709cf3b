/* model_files.c -- the chat model's file offers (numbered for /accept) and transfers */
#include "model_files.h"

#include <stdlib.h>
#include <string.h>

#include "udpchat/mem.h"

/* Invariants: offers[] and transfers[] hold at most MODEL_KEEP_FILES each, oldest first (the
 * oldest goes when a new one comes); offer numbers only grow, so a number never names two
 * offers; a transfer appears on its first EV_TRANSFER and keeps its last state. */

struct model_files {
    model_offer offers[MODEL_KEEP_FILES];
    size_t noffers;
    unsigned next_number;
    model_transfer transfers[MODEL_KEEP_FILES];
    size_t ntransfers;
};

model_files *model_files_create(void) { return xcalloc(1, sizeof(model_files)); }

static void offer_free(model_offer *o)
{
    free(o->from), free(o->address), free(o->text);
    lan_offer_free(&o->offer);
}

static void transfer_free(model_transfer *t) { free(t->peer), free(t->name); }

void model_files_destroy(model_files *f)
{
    if (!f) return;
    for (size_t i = 0; i < f->noffers; i++) offer_free(&f->offers[i]);
    for (size_t i = 0; i < f->ntransfers; i++) transfer_free(&f->transfers[i]);
    free(f);
}

static char *dup_or_null(const char *s) { return s ? str_dup(s) : NULL; }

static void add_offer(model_files *f, const chat_event *ev)
{
    lan_offer o;
    if (!ev->files || lan_offer_parse(ev->files, &o) < 0) return;
    if (f->noffers == MODEL_KEEP_FILES) {
        offer_free(&f->offers[0]);
        memmove(f->offers, f->offers + 1, (MODEL_KEEP_FILES - 1) * sizeof *f->offers);
        f->noffers--;
    }
    model_offer *m = &f->offers[f->noffers++];
    memset(m, 0, sizeof *m);
    m->number = ++f->next_number;
    m->from = dup_or_null(ev->from);
    m->address = dup_or_null(ev->address);
    m->text = dup_or_null(ev->text);
    m->offer = o;
}

static model_transfer *transfer_slot(model_files *f, uint32_t id)
{
    for (size_t i = 0; i < f->ntransfers; i++)
        if (f->transfers[i].id == id) return &f->transfers[i];
    if (f->ntransfers == MODEL_KEEP_FILES) {
        transfer_free(&f->transfers[0]);
        memmove(f->transfers, f->transfers + 1, (MODEL_KEEP_FILES - 1) * sizeof *f->transfers);
        f->ntransfers--;
    }
    model_transfer *t = &f->transfers[f->ntransfers++];
    memset(t, 0, sizeof *t);
    t->id = id;
    return t;
}

static void on_transfer(model_files *f, const chat_event *ev)
{
    if (!ev->id) return; /* a refused request: not a transfer */
    model_transfer *t = transfer_slot(f, ev->id);
    t->sending = (ev->flags & TRANSFER_SENDING) != 0;
    t->reason = ev->reason;
    if (ev->from && !t->peer) t->peer = str_dup(ev->from);
    if (ev->reason == TRANSFER_PROGRESS || ev->reason == TRANSFER_FILE_DONE || (ev->reason == TRANSFER_STARTED && t->sending)) {
        free(t->name);
        t->name = dup_or_null(ev->text);
    }
    if (ev->reason != TRANSFER_STARTED || t->sending) t->bytes = ev->bytes, t->size = ev->size, t->rate = ev->rate;
}

void model_files_apply(model_files *f, const chat_event *ev)
{
    if (ev->type == EV_FILE_OFFER) add_offer(f, ev);
    else if (ev->type == EV_TRANSFER) on_transfer(f, ev);
}

size_t model_offer_count(const model *m) { return model_files_of(m)->noffers; }
size_t model_transfer_count(const model *m) { return model_files_of(m)->ntransfers; }

const model_offer *model_offer_at(const model *m, size_t i)
{
    model_files *f = model_files_of(m);
    return i < f->noffers ? &f->offers[i] : NULL;
}

const model_offer *model_offer_find(const model *m, unsigned number)
{
    model_files *f = model_files_of(m);
    for (size_t i = 0; i < f->noffers; i++)
        if (f->offers[i].number == number) return &f->offers[i];
    return NULL;
}

void model_offer_set_state(model *m, unsigned number, offer_state st)
{
    model_offer *o = (model_offer *)model_offer_find(m, number);
    if (o) o->state = st;
}

const model_transfer *model_transfer_at(const model *m, size_t i)
{
    model_files *f = model_files_of(m);
    return i < f->ntransfers ? &f->transfers[i] : NULL;
}

const model_transfer *model_transfer_find(const model *m, uint32_t id)
{
    model_files *f = model_files_of(m);
    for (size_t i = 0; i < f->ntransfers; i++)
        if (f->transfers[i].id == id) return &f->transfers[i];
    return NULL;
}
