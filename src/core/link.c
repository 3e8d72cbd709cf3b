/* link.c -- reliable ordered delivery: sequencing, acks, RTT-based retransmission, reassembly */
#include "udpchat/link.h"

/*
** A link carries whole messages one way and their acknowledgements the other, between
** our session (my_session) and one session of the remote (their_session); `token` is the
** remote's secret, written into every datagram. A message of n bytes is cut into
** ceil(n / WIRE_MAX_FRAGMENT) fragments with consecutive sequence numbers.
**
** Sending side. `next_seq` is the seq the next queued fragment gets; the queue head..tail
** holds the messages not yet acknowledged nor given up, oldest first, each with
** first_seq..first_seq+nfrags-1 (consecutive from one message to the next), `nqueued` of
** them (<= cfg.max_queued). A fragment is in flight once sent (tx > 0) and until acked;
** at most cfg.window are in flight. `base` only grows: every seq below it was
** acknowledged or given up, so DATA carries it and the receiver may skip below it;
** base <= the head's first_seq <= next_seq. A message not acknowledged
** deliver_timeout_ms after it was queued is given up (UNDELIVERED), `base` moves past
** it, and it joins `late` (at most LATE_SLOTS, oldest dropped) until an ACK shows it
** arrived whole after all (DELIVERED_LATE) or skipped past its end (dropped silently).
** srtt/rttvar/rto follow RFC 6298, rto within [rto_min_ms, rto_max_ms].
**
** Receiving side. Every seq below `next_expected` was consumed or skipped; `skipped` is
** the highest base applied that skipped a fragment never received (<= next_expected),
** echoed in every ACK. `ooo` holds fragments after next_expected, sorted by seq, no
** duplicates, each within RECV_WINDOW of next_expected (so the SACK's WIRE_SACK_BITS
** always fit); their bytes are `parked` (<= PARKED_MAX) and also counted in the shared
** cfg.parked budget, if any; past either limit a fragment is dropped unacknowledged.
** `reasm` holds the fragments of one message consumed so far in order (reasm_active), the
** next one expected being reasm_next_frag at reasm_next_seq; any hole drops it.
** ack_pending says an ACK is owed (sent by link_flush_ack, echoing ack_echo_ts).
**
** Events wait in evs[ev_head .. ev_head+ev_len) until link_poll hands them out; a
** MESSAGE event owns its bytes.
*/
#include "udpchat/mem.h"

#include <stdlib.h>
#include <string.h>

#define RECV_WINDOW 128u   /* fragments ahead of the next expected one we hold (154 KB) */
#define PARKED_MAX (RECV_WINDOW * WIRE_MAX_FRAGMENT) /* out-of-order bytes one link holds */
_Static_assert(RECV_WINDOW >= WIRE_SACK_BITS, "every fragment a SACK can name is within the window");
#define MAX_SKIP (1u << 24) /* more than a sender can ever have abandoned at once */
#define LATE_SLOTS 32u      /* given-up messages remembered for a late acknowledgement */

typedef struct frag_state {
    uint64_t next_tx; /* when to (re)send; valid once tx > 0 */
    uint16_t tx;      /* transmissions so far */
    uint8_t acked;
} frag_state;

typedef struct out_msg {
    struct out_msg *next;
    uint32_t id, first_seq;
    uint16_t nfrags, nacked;
    uint64_t created;
    link_blob *blob;
    void *tag;
    frag_state frags[];
} out_msg;

typedef struct ooo_frag {
    struct ooo_frag *next;
    uint32_t seq, len;
    uint16_t frag, nfrags;
    uint8_t data[];
} ooo_frag;

/* A message given up on: if an ACK later shows all of it arrived (cumulatively, with
 * nothing skipped at or above `first`), it is reported delivered late. */
typedef struct late_msg {
    uint32_t id, first, end;
} late_msg;

struct link {
    link_config cfg;
    uint32_t my_session, their_session;
    uint64_t token;
    /* sending */
    out_msg *head, *tail;
    size_t nqueued;
    uint32_t next_seq, next_id, base;
    uint32_t srtt, rttvar, rto;
    int have_rtt;
    late_msg late[LATE_SLOTS];
    size_t nlate;
    /* receiving */
    uint32_t next_expected, skipped;
    ooo_frag *ooo;
    size_t parked;
    buf reasm;
    uint32_t reasm_next_seq;
    uint16_t reasm_next_frag, reasm_nfrags;
    int reasm_active, ack_pending;
    uint32_t ack_echo_ts;
    /* events */
    link_event *evs;
    size_t ev_head, ev_len, ev_cap;
    link_stats stats;
};

void link_config_default(link_config *c)
{
    c->deliver_timeout_ms = 10000;
    c->rto_min_ms = 40;
    c->rto_max_ms = 2000;
    c->rto_initial_ms = 200;
    c->window = WIRE_SACK_BITS; /* = the selective-ack bitmap, so no fragment held is ever resent */
    c->max_queued = 4096;
}

link_blob *link_blob_create(const void *data, size_t len)
{
    link_blob *b = xmalloc(sizeof *b + len);
    b->refs = 1;
    b->len = (uint32_t)len;
    if (len) memcpy(b->data, data, len);
    return b;
}

void link_blob_unref(link_blob *b)
{
    if (b && --b->refs == 0) free(b);
}

void link_event_free(link_event *ev)
{
    free(ev->data);
    ev->data = NULL;
    ev->len = 0;
}

link *link_create(const link_config *cfg, uint32_t my_session, uint32_t their_session,
                  uint64_t token)
{
    link *l = xcalloc(1, sizeof *l);
    if (cfg) l->cfg = *cfg;
    else link_config_default(&l->cfg);
    l->my_session = my_session;
    l->their_session = their_session;
    l->token = token;
    l->next_id = 1;
    l->rto = l->cfg.rto_initial_ms;
    return l;
}

static void push_event_tag(link *l, link_event_type type, uint32_t id, uint8_t *data, size_t len,
                           void *tag)
{
    if (l->ev_head + l->ev_len == l->ev_cap) {
        if (l->ev_head > 0) {
            memmove(l->evs, l->evs + l->ev_head, l->ev_len * sizeof *l->evs);
            l->ev_head = 0;
        } else {
            l->ev_cap = l->ev_cap ? l->ev_cap * 2 : 8;
            l->evs = xreallocarray(l->evs, l->ev_cap, sizeof *l->evs);
        }
    }
    link_event *ev = &l->evs[l->ev_head + l->ev_len++];
    ev->type = type;
    ev->id = id;
    ev->data = data;
    ev->len = len;
    ev->tag = tag;
}

static void push_event(link *l, link_event_type type, uint32_t id, uint8_t *data, size_t len)
{
    push_event_tag(l, type, id, data, len, NULL);
}

int link_poll(link *l, link_event *ev)
{
    if (l->ev_len == 0) return 0;
    *ev = l->evs[l->ev_head++];
    if (--l->ev_len == 0) l->ev_head = 0;
    return 1;
}

static void unpark(link *l, ooo_frag *f)
{
    l->parked -= f->len;
    if (l->cfg.parked) l->cfg.parked->used -= f->len;
    free(f);
}

static void free_msg(out_msg *m)
{
    link_blob_unref(m->blob);
    free(m);
}

void link_destroy(link *l)
{
    if (!l) return;
    for (out_msg *m = l->head, *n; m; m = n) {
        n = m->next;
        free_msg(m);
    }
    while (l->ooo) {
        ooo_frag *f = l->ooo;
        l->ooo = f->next;
        unpark(l, f);
    }
    for (size_t i = 0; i < l->ev_len; i++) free(l->evs[l->ev_head + i].data);
    free(l->evs);
    buf_free(&l->reasm);
    free(l);
}

/* ---- sending ---- */

static uint32_t enqueue(link *l, link_blob *blob, uint32_t id, void *tag, uint64_t now)
{
    uint16_t nfrags = (uint16_t)((blob->len + WIRE_MAX_FRAGMENT - 1) / WIRE_MAX_FRAGMENT);
    out_msg *m = xcalloc(1, sizeof *m + nfrags * sizeof(frag_state));
    blob->refs++;
    m->blob = blob;
    m->tag = tag;
    m->id = id;
    m->nfrags = nfrags;
    m->first_seq = l->next_seq;
    m->created = now;
    l->next_seq += nfrags;
    if (l->tail) l->tail->next = m;
    else l->head = m;
    l->tail = m;
    l->nqueued++;
    return id;
}

uint32_t link_send_tagged(link *l, link_blob *blob, void *tag, uint64_t now)
{
    if (blob->len == 0 || blob->len > WIRE_MAX_MESSAGE || l->nqueued >= l->cfg.max_queued) return 0;
    return enqueue(l, blob, l->next_id++, tag, now);
}

uint32_t link_send_blob(link *l, link_blob *blob, uint64_t now)
{
    return link_send_tagged(l, blob, NULL, now);
}

uint32_t link_send(link *l, const void *data, size_t len, uint64_t now)
{
    if (len == 0 || len > WIRE_MAX_MESSAGE) return 0;
    link_blob *b = link_blob_create(data, len);
    uint32_t id = link_send_blob(l, b, now);
    link_blob_unref(b);
    return id;
}

static void unlink_msg(link *l, out_msg *prev, out_msg *m)
{
    if (prev) prev->next = m->next;
    else l->head = m->next;
    if (l->tail == m) l->tail = prev;
    l->nqueued--;
    free_msg(m);
}

static void send_frag(link *l, out_msg *m, uint16_t i, uint64_t now, link_emit_fn emit, void *ctx)
{
    uint8_t pkt[WIRE_DATA_MAX + 1]; /* + its NUL */
    buf b = buf_fixed(pkt, sizeof pkt);
    size_t off = (size_t)i * WIRE_MAX_FRAGMENT;
    size_t n = m->blob->len - off < WIRE_MAX_FRAGMENT ? m->blob->len - off : WIRE_MAX_FRAGMENT;
    wire_data d = {m->first_seq + i, l->base, (uint32_t)now, i, m->nfrags, m->blob->data + off, n};
    wire_write_header(&b, WIRE_DATA, l->my_session, l->their_session, l->token);
    wire_write_data(&b, &d);
    wire_seal(b.data, b.len);
    emit(ctx, b.data, b.len);
    frag_state *f = &m->frags[i];
    uint64_t backoff = (uint64_t)l->rto << (f->tx < 16 ? f->tx : 16);
    if (backoff > l->cfg.rto_max_ms) backoff = l->cfg.rto_max_ms;
    if (f->tx) l->stats.retransmitted++;
    f->tx++;
    f->next_tx = now + backoff;
    l->stats.sent++;
}

/* Reports the head message undelivered, remembers it for a late acknowledgement and
 * raises base past it. */
static void give_up_head(link *l)
{
    out_msg *m = l->head;
    push_event_tag(l, LINK_EV_UNDELIVERED, m->id, NULL, 0, m->tag);
    late_msg lm = {m->id, m->first_seq, m->first_seq + m->nfrags};
    if (l->nlate == LATE_SLOTS) memmove(l->late, l->late + 1, --l->nlate * sizeof *l->late);
    l->late[l->nlate++] = lm;
    if (lm.end > l->base) l->base = lm.end;
    unlink_msg(l, NULL, m);
}

static void abandon_expired(link *l, uint64_t now)
{
    while (l->head && now - l->head->created >= l->cfg.deliver_timeout_ms) give_up_head(l);
}

/* An ACK that covers a given-up message whole, with nothing skipped from its start on,
 * proves it arrived after all. */
static void check_late(link *l, const wire_ack *a)
{
    size_t keep = 0;
    for (size_t i = 0; i < l->nlate; i++) {
        late_msg *lm = &l->late[i];
        if (a->next >= lm->end && a->skipped <= lm->first) push_event(l, LINK_EV_DELIVERED_LATE, lm->id, NULL, 0);
        else if (a->skipped < lm->end) l->late[keep++] = *lm; /* else skipped: lost for good */
    }
    l->nlate = keep;
}

static uint32_t count_inflight(const link *l)
{
    uint32_t n = 0;
    for (const out_msg *m = l->head; m; m = m->next)
        for (uint16_t i = 0; i < m->nfrags; i++) n += m->frags[i].tx && !m->frags[i].acked;
    return n;
}

void link_expire(link *l, uint64_t now) { abandon_expired(l, now); }

void link_service(link *l, uint64_t now, link_emit_fn emit, void *ctx)
{
    abandon_expired(l, now);
    uint32_t inflight = count_inflight(l);
    for (out_msg *m = l->head; m; m = m->next) {
        for (uint16_t i = 0; i < m->nfrags; i++) {
            frag_state *f = &m->frags[i];
            if (f->acked) continue;
            if (f->tx == 0) {
                if (inflight >= l->cfg.window) goto done;
                send_frag(l, m, i, now, emit, ctx);
                inflight++;
            } else if (now >= f->next_tx) {
                send_frag(l, m, i, now, emit, ctx);
            }
        }
    }
done:
    link_flush_ack(l, emit, ctx);
}

uint64_t link_next_deadline(const link *l, uint64_t now)
{
    uint64_t t = UINT64_MAX;
    if (l->ack_pending) return now;
    if (l->head) t = l->head->created + l->cfg.deliver_timeout_ms;
    uint32_t inflight = count_inflight(l);
    for (const out_msg *m = l->head; m; m = m->next)
        for (uint16_t i = 0; i < m->nfrags; i++) {
            const frag_state *f = &m->frags[i];
            if (f->acked) continue;
            if (f->tx == 0) {
                if (inflight < l->cfg.window) return now;
            } else if (f->next_tx < t) {
                t = f->next_tx;
            }
        }
    return t;
}

static void rtt_sample(link *l, uint32_t r)
{
    if (!l->have_rtt) {
        l->srtt = r;
        l->rttvar = r / 2;
        l->have_rtt = 1;
    } else {
        uint32_t d = l->srtt > r ? l->srtt - r : r - l->srtt;
        l->rttvar = (3 * l->rttvar + d) / 4;
        l->srtt = (7 * l->srtt + r) / 8;
    }
    uint32_t rto = l->srtt + 4 * l->rttvar;
    if (rto < l->cfg.rto_min_ms) rto = l->cfg.rto_min_ms;
    if (rto > l->cfg.rto_max_ms) rto = l->cfg.rto_max_ms;
    l->rto = rto;
    l->stats.srtt_ms = l->srtt;
    l->stats.rttvar_ms = l->rttvar;
    l->stats.rto_ms = rto;
}

static int is_acked(const wire_ack *a, uint32_t seq)
{
    if (seq < a->next) return 1;
    uint32_t d = seq - a->next;
    return d >= 1 && d <= WIRE_SACK_BITS && ((a->sack >> (d - 1)) & 1);
}

void link_on_ack(link *l, const wire_ack *a, uint64_t now)
{
    if (a->next > l->next_seq) return; /* acknowledges what we never sent: bogus */
    uint32_t r = (uint32_t)now - a->echo_ts;
    if (r < 60000) rtt_sample(l, r);
    if (l->nlate) check_late(l, a);
    for (out_msg *m = l->head, *prev = NULL, *next; m; m = next) {
        next = m->next;
        for (uint16_t i = 0; i < m->nfrags; i++)
            if (!m->frags[i].acked && m->frags[i].tx && is_acked(a, m->first_seq + i)) {
                m->frags[i].acked = 1;
                m->nacked++;
            }
        if (m->nacked == m->nfrags) {
            push_event_tag(l, LINK_EV_DELIVERED, m->id, NULL, 0, m->tag);
            unlink_msg(l, prev, m);
        } else {
            prev = m;
        }
    }
}

/* ---- receiving ---- */

static void consume(link *l, uint32_t seq, uint16_t frag, uint16_t nfrags, const uint8_t *p, size_t n)
{
    if (frag == 0) {
        buf_clear(&l->reasm);
        l->reasm_active = 1;
        l->reasm_nfrags = nfrags;
        l->reasm_next_frag = 0;
        l->reasm_next_seq = seq;
    }
    if (!l->reasm_active || frag != l->reasm_next_frag || nfrags != l->reasm_nfrags ||
        seq != l->reasm_next_seq) {
        l->reasm_active = 0; /* a hole or an inconsistent sender: drop the partial message */
        return;
    }
    buf_append(&l->reasm, p, n);
    l->reasm_next_frag++;
    l->reasm_next_seq = seq + 1;
    if (l->reasm_next_frag == nfrags) {
        size_t len = l->reasm.len;
        push_event(l, LINK_EV_MESSAGE, 0, (uint8_t *)buf_detach(&l->reasm), len);
        l->reasm_active = 0;
    }
}

static void consume_ooo_head(link *l)
{
    ooo_frag *f = l->ooo;
    l->ooo = f->next;
    consume(l, f->seq, f->frag, f->nfrags, f->data, f->len);
    unpark(l, f);
}

static void drain(link *l)
{
    while (l->ooo && l->ooo->seq == l->next_expected) {
        consume_ooo_head(l);
        l->next_expected++;
    }
}

/* The sender gave up on everything below base: deliver what is whole, skip the rest.
 * Fragments never received are reported (LINK_EV_GAP) and acknowledged as skipped. */
static void skip_to(link *l, uint32_t base)
{
    uint32_t held = 0;
    for (const ooo_frag *f = l->ooo; f && f->seq < base; f = f->next) held++;
    uint32_t missing = base - l->next_expected - held;
    while (l->ooo && l->ooo->seq < base) consume_ooo_head(l);
    l->reasm_active = 0;
    l->next_expected = base;
    if (missing) {
        l->skipped = base;
        push_event(l, LINK_EV_GAP, missing, NULL, 0);
    }
    drain(l);
}

static void store_ooo(link *l, const wire_data *d)
{
    ooo_frag **pp = &l->ooo;
    while (*pp && (*pp)->seq < d->seq) pp = &(*pp)->next;
    if (*pp && (*pp)->seq == d->seq) {
        l->stats.duplicates++;
        return;
    }
    link_budget *bud = l->cfg.parked;
    if (l->parked + d->len > PARKED_MAX || (bud && bud->used + d->len > bud->limit)) {
        if (bud) bud->refused++;
        l->stats.out_of_window++; /* not acknowledged: the sender resends it later */
        return;
    }
    ooo_frag *f = xmalloc(sizeof *f + d->len);
    l->parked += d->len;
    if (bud) bud->used += d->len;
    f->seq = d->seq;
    f->frag = d->frag;
    f->nfrags = d->nfrags;
    f->len = (uint32_t)d->len;
    memcpy(f->data, d->payload, d->len);
    f->next = *pp;
    *pp = f;
}

void link_on_data(link *l, const wire_data *d, uint64_t now)
{
    (void)now;
    l->stats.received++;
    if (d->seq < d->base || (d->base > l->next_expected && d->base - l->next_expected > MAX_SKIP)) {
        l->stats.malformed++; /* a sender never sends below its own base, nor skips that far */
        return;
    }
    l->ack_pending = 1;
    l->ack_echo_ts = d->ts;
    if (d->base > l->next_expected) skip_to(l, d->base);
    if (d->seq < l->next_expected) {
        l->stats.duplicates++;
        return;
    }
    if (d->seq - l->next_expected >= RECV_WINDOW) {
        l->stats.out_of_window++;
        return;
    }
    if (d->seq != l->next_expected) {
        store_ooo(l, d);
        return;
    }
    consume(l, d->seq, d->frag, d->nfrags, d->payload, d->len);
    l->next_expected++;
    drain(l);
}

void link_flush_ack(link *l, link_emit_fn emit, void *ctx)
{
    if (!l->ack_pending) return;
    wire_ack a = {l->next_expected, l->ack_echo_ts, 0, l->skipped};
    for (const ooo_frag *f = l->ooo; f; f = f->next) {
        uint32_t d = f->seq - l->next_expected;
        if (d >= 1 && d <= WIRE_SACK_BITS) a.sack |= (uint64_t)1 << (d - 1);
        if (d > WIRE_SACK_BITS) break;
    }
    uint8_t pkt[WIRE_ACK_LEN + 1]; /* + its NUL */
    buf b = buf_fixed(pkt, sizeof pkt);
    wire_write_header(&b, WIRE_ACK, l->my_session, l->their_session, l->token);
    wire_write_ack(&b, &a);
    wire_seal(b.data, b.len);
    emit(ctx, b.data, b.len);
    l->ack_pending = 0;
    l->stats.acks_sent++;
}

/* ---- whole-link operations ---- */

void link_abandon_all(link *l)
{
    while (l->head) give_up_head(l);
}

void link_move_pending(link *from, link *to, uint64_t now)
{
    for (out_msg *m = from->head; m; m = m->next) {
        enqueue(to, m->blob, m->id, m->tag, now);
        to->tail->created = m->created;
    }
    if (from->next_id > to->next_id) to->next_id = from->next_id;
    while (from->head) unlink_msg(from, NULL, from->head);
}

uint64_t link_expire_deadline(const link *l)
{
    return l->head ? l->head->created + l->cfg.deliver_timeout_ms : UINT64_MAX;
}

void link_drain_pending(link *l, link_pending_fn fn, void *ctx)
{
    while (l->head) {
        out_msg *m = l->head;
        fn(ctx, m->id, m->blob->data, m->blob->len);
        if (m->first_seq + m->nfrags > l->base) l->base = m->first_seq + m->nfrags;
        unlink_msg(l, NULL, m);
    }
}

uint32_t link_next_id(const link *l) { return l->next_id; }
int link_idle(const link *l) { return l->head == NULL; }
size_t link_pending(const link *l) { return l->nqueued; }
uint32_t link_their_session(const link *l) { return l->their_session; }
const link_stats *link_get_stats(const link *l) { return &l->stats; }
