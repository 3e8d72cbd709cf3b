/* relay_table.c -- the relay's member table: add, find, rename, remove; fanout books; limits */
#include "relay_table.h"

#include <stdlib.h>
#include <string.h>

#include "udpchat/mem.h"
#include "udpchat/nick.h"
#include "udpchat/wire.h"

/* Invariants: a member is in the address hash and the join-order list exactly once, from
 * member_add to member_remove, and in `dirty` at most once (its `dirty` flag); every
 * message queued with a fanout tag on a member's link settles exactly once (delivered,
 * undelivered, or abandoned when the member is removed), so each fanout's `pending`
 * reaches 0, and it becomes one receipt record. Nothing here calls the room. */

#define CONTROL_BODY_MAX 256 /* body bytes of a control datagram (a REFUSE's text is cut here) */
_Static_assert(WIRE_HEADER_LEN + CONTROL_BODY_MAX <= WIRE_MAX_DATAGRAM, "a control datagram fits");
_Static_assert(WIRE_HELLO_BODY_MIN <= CONTROL_BODY_MAX && WIRE_CHALLENGE_BODY_LEN <= CONTROL_BODY_MAX,
               "the relay's HELLO (no nick) and CHALLENGE bodies are never cut");
#define STRANGER_REPLIES 200 /* answers a second to all non-members together */

static size_t hash_addr(const relay *r, const net_addr *a)
{
    uint32_t h = a->host * 2654435761u ^ (uint32_t)a->port * 40503u;
    return (h ^ (h >> 15)) & (r->tsize - 1);
}

void relay_log(relay *r, chat_event_type t, const char *nick, const net_addr *a, const char *what, int reason)
{
    char where[32];
    chat_event ev = {0};
    ev.type = t;
    ev.reason = reason;
    ev.from = nick ? xstrdup(nick) : NULL;
    ev.text = what ? xstrdup(what) : NULL;
    if (a) {
        addr_format(a, where, sizeof where);
        ev.address = xstrdup(where);
    }
    evq_push(&r->events, &ev);
}

member *member_find(relay *r, const net_addr *a)
{
    for (member *m = r->table[hash_addr(r, a)]; m; m = m->hnext)
        if (m->addr.host == a->host && m->addr.port == a->port) return m;
    return NULL;
}

/* The look-alike key of a nick (heap). */
static char *nick_key(const char *nick)
{
    buf k = {0};
    nick_skeleton(nick, &k);
    return k.data ? buf_detach(&k) : xstrdup("");
}

/* One key for the query, then string compares: a join costs O(members), not O(members)
 * skeletons (10,000 plain-text joins took minutes that way). */
member *member_by_nick(relay *r, const char *nick)
{
    char *key = nick_key(nick);
    member *found = NULL;
    for (member *m = r->head; m && !found; m = m->next)
        if (!m->leaving && strcmp(m->key, key) == 0) found = m;
    free(key);
    return found;
}

void member_rename(member *m, const char *nick)
{
    free(m->nick);
    free(m->key);
    m->nick = xstrdup(nick);
    m->key = nick_key(nick);
}

static void count_members(relay *r)
{
    r->st.members = r->count;
    r->st.legacy_members = r->nlegacy;
}

member *member_add(relay *r, const net_addr *a, const char *nick, uint32_t session, uint64_t now)
{
    member *m = xcalloc(1, sizeof *m);
    m->r = r;
    m->addr = *a;
    m->session = session;
    m->legacy = session == 0;
    m->nick = xstrdup(nick);
    m->key = nick_key(nick);
    m->last_rx = now;
    m->cs = CHARSET_UNKNOWN;
    size_t h = hash_addr(r, a);
    m->hnext = r->table[h];
    r->table[h] = m;
    m->prev = r->tail;
    if (r->tail) r->tail->next = m;
    else r->head = m;
    r->tail = m;
    r->count++;
    r->nlegacy += m->legacy;
    count_members(r);
    return m;
}

/* Every message still on the member's link settles (undelivered) in its fanout. */
static void abandon_link(relay *r, member *m)
{
    link_event le;
    if (!m->lk) return;
    link_abandon_all(m->lk);
    while (link_poll(m->lk, &le)) {
        if (le.tag && (le.type == LINK_EV_DELIVERED || le.type == LINK_EV_UNDELIVERED))
            fanout_settle(r, le.tag, le.type == LINK_EV_DELIVERED);
        link_event_free(&le);
    }
}

static void member_free(member *m)
{
    link_destroy(m->lk);
    free(m->nick);
    free(m->key);
    free(m);
}

static void unhook(relay *r, member *m)
{
    member **pp = &r->table[hash_addr(r, &m->addr)];
    while (*pp != m) pp = &(*pp)->hnext;
    *pp = m->hnext;
    if (m->prev) m->prev->next = m->next;
    else r->head = m->next;
    if (m->next) m->next->prev = m->prev;
    else r->tail = m->prev;
    for (size_t i = 0; i < r->ndirty; i++)
        if (r->dirty[i] == m) r->dirty[i] = r->dirty[--r->ndirty];
}

void member_remove(relay *r, member *m)
{
    unhook(r, m);
    r->nlegacy -= m->legacy;
    r->nbehind -= m->behind;
    r->count--;
    count_members(r);
    abandon_link(r, m);
    member_free(m);
}

void member_mark_dirty(member *m)
{
    relay *r = m->r;
    if (m->dirty || !m->lk) return;
    if (r->ndirty == r->capdirty) {
        r->capdirty = r->capdirty ? r->capdirty * 2 : 64;
        r->dirty = xreallocarray(r->dirty, r->capdirty, sizeof *r->dirty);
    }
    r->dirty[r->ndirty++] = m;
    m->dirty = 1;
}

void relay_table_free(relay *r)
{
    r->destroying = 1; /* fanouts settle without receipts from here on */
    for (member *m = r->head; m; m = m->next) abandon_link(r, m); /* frees waiting fanouts */
    while (r->head) {
        member *m = r->head;
        r->head = m->next;
        member_free(m);
    }
    free(r->table);
    free(r->dirty);
    free(r->receipts);
}

void fanout_settle(relay *r, fanout *f, int acked)
{
    f->acked += acked != 0;
    if (--f->pending) return;
    if (!r->destroying) {
        if (r->nreceipts == r->capreceipts) {
            r->capreceipts = r->capreceipts ? r->capreceipts * 2 : 16;
            r->receipts = xreallocarray(r->receipts, r->capreceipts, sizeof *r->receipts);
        }
        r->receipts[r->nreceipts++] = (receipt){f->sender, f->session, f->ref, f->total, f->acked};
    }
    free(f);
}

void relay_send_control(relay *r, const net_addr *to, uint8_t type, uint32_t dest, uint64_t token,
                        const void *body, size_t n)
{
    uint8_t pkt[WIRE_HEADER_LEN + CONTROL_BODY_MAX + 1]; /* + its NUL */
    buf b = buf_fixed(pkt, sizeof pkt);
    if (n > CONTROL_BODY_MAX) n = CONTROL_BODY_MAX;
    wire_write_header(&b, type, r->me, dest, token);
    buf_append(&b, body, n);
    wire_seal(b.data, b.len);
    r->emit(r->ctx, to, b.data, b.len);
}

int relay_stranger_budget(relay *r, uint64_t now)
{
    if (now - r->stranger_window >= 1000) {
        r->stranger_window = now;
        r->stranger_replies = 0;
    }
    if (r->stranger_replies < STRANGER_REPLIES) {
        r->stranger_replies++;
        return 1;
    }
    r->st.dropped_stranger++;
    return 0;
}

int relay_rate_ok(uint64_t *tat_us, uint32_t rate, uint32_t burst, uint64_t now)
{
    if (!rate) return 1;
    uint64_t now_us = now * 1000, step = 1000000 / rate;
    uint64_t tat = *tat_us > now_us ? *tat_us : now_us;
    if (tat - now_us > step * burst) return 0;
    *tat_us = tat + step;
    return 1;
}
