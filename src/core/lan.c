/* lan.c -- IP Messenger LAN mode: entries, absence, exit, messages with acknowledgement */
#include "udpchat/lan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udpchat/ipmsg.h"
#include "udpchat/ipmsg_file.h"
#include "udpchat/lan_file.h"
#include "udpchat/mem.h"
#include "udpchat/nick.h"
#include "udpchat/utf8.h"
#include "udpchat/wire.h"
#include "lan_extras.h" /* away, sealed messages, probes, IPMsg/FeiQ compatibility */

/*
** A lan core is one IP Messenger endpoint with no server: it announces itself to
** `targets` (broadcast addresses and --peer hosts), learns peers from what arrives, and
** sends each message to each peer as SENDMSG with SENDCHECKOPT until a RECVMSG answers.
**
** Peers. peers[0..npeers) has one entry per source address (host and port), at most
** cfg.max_peers; order means nothing (removal moves the last one in). A peer appears on
** its first entry (BR_ENTRY, ANSENTRY, BR_ABSENCE) or SENDMSG and goes only on BR_EXIT.
** Its nick is cleaned UTF-8: 1..WIRE_MAX_NICK characters, no controls, bidi controls nor
** spaces, never starting with '/'; group and host at most MAX_GROUP characters. Two
** peers may share a nick: then each is shown as nick@address and a bare nick names none
** (lan_say reports it ambiguous). seen[] remembers the packet numbers (+1, 0 = empty) of
** the last SEEN_RING SENDMSGs shown, so a resend is acknowledged but not shown twice.
**
** Packet numbers. `packet_no` only grows (it starts at cfg.first_packet_no): every new
** datagram we send takes the next one (one broadcast shares one over all targets; a
** RECVMSG takes one only if it is sent); a resend keeps its pending's number.
**
** Pending pieces. pend[0..npend) holds one entry per (piece, peer) not yet answered: a
** message is cut into pieces of at most CHUNK_BYTES once encoded, all with the id
** lan_say returned. An entry holds its whole datagram, sent tries <= cfg.retries + 1
** times, cfg.retry_ms apart. A RECVMSG from `to` with its packet number removes it, and
** DELIVERED is reported when no other piece of that id to that address is left; after
** the last try it is given up: one UNDELIVERED, and every other piece of that id to that
** peer goes with it.
**
** Limits (so no address can use us to flood or amplify): SENDMSGs shown per peer
** (MSG_INTERVAL/MSG_BURST; one not shown is not acknowledged); RECVMSGs per peer
** (ACK_INTERVAL/ACK_BURST) and ANSENTRY + RECVMSG to everyone ANSWERS_PER_SECOND; an
** ANSENTRY to one peer once a second at most; a RECVMSG is never longer than the SENDMSG
** it answers (rx_len); datagrams from our own addresses (`self`) are ignored.
*/

#define SEEN_RING 32
#define CHUNK_BYTES 7800 /* bytes of text per SENDMSG, in the charset sent */
#define MAX_GROUP 64     /* characters of a peer's group and host name we keep */
#define MSG_INTERVAL 20  /* ms: SENDMSGs shown from one address, 50 a second ... */
#define MSG_BURST 50     /* ... after a burst of 50 */
#define ACK_INTERVAL 20  /* ms: RECVMSGs to one address, 50 a second after a burst of 50 */
#define ACK_BURST 50
#define ANSWERS_PER_SECOND 200 /* ANSENTRY and RECVMSG together, to everyone */
#define LAN_CAPS (IPMSG_CAPUTF8OPT | IPMSG_FILEATTACHOPT) /* what our entries advertise */
#define MAX_RAW_NAME 128 /* bytes of a peer's raw user and host names kept (file requests) */

typedef struct lan_peer {
    net_addr addr;
    char *nick, *group, *host;
    char *raw_user, *raw_host; /* as sent, for checking its file requests */
    int utf8cap;
    charset_id cs;
    uint64_t seen[SEEN_RING];
    unsigned seen_pos;
    uint64_t answered;   /* when we last sent it an ANSENTRY (+1; 0 = never) */
    uint64_t msg_tat, ack_tat; /* GCRA: SENDMSGs shown, RECVMSGs sent (theoretical arrival) */
    char *status;        /* its away status ("nick[status]" / ABSENCEOPT), NULL when present */
    int silent;          /* nothing heard from it since the probe round's ASK */
    int autoreplied;     /* it got our away answer since we went away */
} lan_peer;

typedef struct pending {
    uint32_t id;
    uint64_t packet_no, next_tx;
    uint32_t tries;
    net_addr to;
    buf pkt;
    char *text;
} pending;

struct lan {
    lan_config cfg;
    char *nick, *group, *user, *host;
    core_emit_fn emit;
    int exited;             /* lan_exit was called */
    void *ctx;
    lan_peer *peers;
    size_t npeers, cappeers;
    pending *pend;
    size_t npend, cappend;
    net_addr *targets, *self;
    size_t ntargets, nself;
    uint64_t packet_no;
    uint32_t next_id;
    evq events;
    lan_stats st;
    uint64_t answer_window; /* ANSENTRY + RECVMSG budget: ANSWERS_PER_SECOND in all */
    size_t rx_len;          /* length of the datagram being handled (a RECVMSG is never longer) */
    uint32_t answers;
    char *away;             /* our away status (NULL: present) */
    char *quit_reason;      /* set by lan_exit_reason, for our BR_EXIT */
    lan_seals seals;        /* sealed messages received, and ours (lan_seal.c) */
    lan_probe probe;        /* who is still there (lan_probe.c) */
};

void lan_config_default(lan_config *c)
{
    memset(c, 0, sizeof *c);
    c->nick = "user";
    c->group = "";
    c->user = "user";
    c->host = "host";
    c->peer_charset = CHARSET_UNKNOWN;
    c->retry_ms = 1000;
    c->retries = 3;
    c->max_peers = 4096;
    c->refresh_ms = 180000;
    c->probe_wait_ms = 3000;
}

lan *lan_create(const lan_config *cfg, core_emit_fn emit, void *ctx)
{
    lan *l = xcalloc(1, sizeof *l);
    l->cfg = *cfg;
    l->nick = xstrdup(cfg->nick);
    l->group = xstrdup(cfg->group);
    l->user = xstrdup(cfg->user);
    l->host = xstrdup(cfg->host);
    lan_user_sanitize(l->user); /* never "-" + 16 hex digits: IPMsg would read a key fingerprint */
    l->emit = emit;
    l->ctx = ctx;
    l->packet_no = cfg->first_packet_no ? cfg->first_packet_no : 1;
    l->next_id = 1;
    evq_init(&l->events);
    return l;
}

static void peer_free(lan_peer *p)
{
    free(p->nick);
    free(p->group);
    free(p->host);
    free(p->status);
    free(p->raw_user);
    free(p->raw_host);
}

static void pending_free(pending *p)
{
    buf_free(&p->pkt);
    free(p->text);
}

void lan_destroy(lan *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->npeers; i++) peer_free(&l->peers[i]);
    for (size_t i = 0; i < l->npend; i++) pending_free(&l->pend[i]);
    free(l->peers);
    free(l->pend);
    free(l->targets);
    free(l->self);
    evq_free(&l->events);
    lan_seals_free(&l->seals);
    free(l->away);
    free(l->quit_reason);
    free(l->nick);
    free(l->group);
    free(l->user);
    free(l->host);
    free(l);
}

static net_addr *copy_addrs(const net_addr *a, size_t n)
{
    net_addr *c = xcalloc(n, sizeof *c);
    if (n) memcpy(c, a, n * sizeof *c);
    return c;
}

void lan_set_targets(lan *l, const net_addr *t, size_t n)
{
    free(l->targets);
    l->targets = copy_addrs(t, n);
    l->ntargets = n;
}

void lan_set_self(lan *l, const net_addr *s, size_t n)
{
    free(l->self);
    l->self = copy_addrs(s, n);
    l->nself = n;
}

int lan_poll_event(lan *l, chat_event *ev) { return evq_pop(&l->events, ev); }

lan_stats lan_get_stats(const lan *l)
{
    lan_stats st = l->st;
    st.queue_dropped = l->events.dropped;
    return st;
}

/* ---- charsets ---- */

static charset_id send_cs(const lan *l, const lan_peer *p)
{
    if (l->cfg.peer_charset != CHARSET_UNKNOWN) return l->cfg.peer_charset;
    return p && p->utf8cap ? CHARSET_UTF8 : CHARSET_GBK;
}

static charset_id recv_cs(const lan *l, lan_peer *p, uint32_t cmd, const char *s, size_t n)
{
    /* UTF8OPT is the sender's own word: it wins even over --ipmsg-charset (we advertise
     * CAPUTF8OPT, so UTF-8 capable peers send us UTF-8 whatever we send them) */
    if (cmd & IPMSG_UTF8OPT) return CHARSET_UTF8;
    if (l->cfg.peer_charset != CHARSET_UNKNOWN) return l->cfg.peer_charset;
    charset_id d = charset_detect(s, n);
    if (d != CHARSET_UNKNOWN && p) p->cs = d; /* remembered once it sent non-ASCII */
    if (d == CHARSET_UNKNOWN && p && p->cs != CHARSET_UNKNOWN) d = p->cs;
    return d == CHARSET_UNKNOWN ? CHARSET_UTF8 : d;
}

static char *decode(charset_id cs, const char *s, size_t n)
{
    buf b = {0};
    charset_decode(cs, s, n, 1, &b);
    return buf_detach(&b);
}

/* ---- sending ---- */

/* Builds a packet with our names and the extras in charset cs. */
static void build_packet(lan *l, buf *pkt, uint32_t cmd, charset_id cs, const char *extra,
                         const char *extra2, uint64_t packet_no)
{
    buf e1 = {0}, e2 = {0};
    charset_encode(cs, extra, strlen(extra), 1, &e1);
    if (extra2) charset_encode(cs, extra2, strlen(extra2), 1, &e2);
    if (cs == CHARSET_UTF8) cmd |= IPMSG_UTF8OPT;
    ipmsg_build(pkt, packet_no, l->user, l->host, cmd, e1.data ? e1.data : "", e1.len,
                extra2 ? (e2.data ? e2.data : "") : NULL, e2.len);
    if (IPMSG_MODE(cmd) == IPMSG_BR_EXIT && extra2 && l->quit_reason) { /* our extension */
        buf q = {0};
        lan_quit_section(l->quit_reason, &q);
        if (q.len) ipmsg_append_section(pkt, q.data, q.len);
        buf_free(&q);
    }
    buf_free(&e1);
    buf_free(&e2);
}

static void send_packet(lan *l, const net_addr *to, uint32_t cmd, charset_id cs, const char *extra,
                        const char *extra2, uint64_t packet_no)
{
    buf pkt = {0};
    build_packet(l, &pkt, cmd, cs, extra, extra2, packet_no);
    l->emit(l->ctx, to, pkt.data, pkt.len);
    buf_free(&pkt);
}

/* An entry packet (BR_ENTRY, ANSENTRY, BR_ABSENCE, BR_EXIT) with our names: while away,
 * "nick[status]" and ABSENCEOPT (IPMsg's and FeiQ's way), except in BR_EXIT. */
static void send_entry(lan *l, const net_addr *to, uint32_t cmd, charset_id cs, uint64_t no)
{
    buf nick = {0};
    int away = l->away && IPMSG_MODE(cmd) != IPMSG_BR_EXIT;
    lan_away_entry_nick(l->nick, away ? l->away : NULL, &nick);
    send_packet(l, to, cmd | LAN_CAPS | (away ? IPMSG_ABSENCEOPT : 0), cs, nick.data, l->group, no);
    buf_free(&nick);
}

static void broadcast(lan *l, uint32_t cmd, uint64_t now)
{
    (void)now;
    uint64_t no = l->packet_no++;
    for (size_t i = 0; i < l->ntargets; i++) send_entry(l, &l->targets[i], cmd, send_cs(l, NULL), no);
}

void lan_enter(lan *l, uint64_t now)
{
    if (!l->probe.wait) lan_probe_init(&l->probe, l->cfg.refresh_ms, l->cfg.probe_wait_ms, now);
    broadcast(l, IPMSG_BR_ENTRY, now);
}

int lan_set_nick(lan *l, const char *nick, uint64_t now)
{
    const char *why;
    if (!nick_valid(nick, &why)) {
        evq_emit(&l->events, EV_ERROR, 0, NULL, NULL, why, 0, 0);
        return -1;
    }
    evq_emit(&l->events, EV_NICK, 0, l->nick, nick, NULL, 0, 0);
    free(l->nick);
    l->nick = xstrdup(nick);
    lan_enter(l, now); /* IP Messenger learns a new name from an entry */
    return 0;
}

void lan_exit(lan *l, uint64_t now)
{
    l->exited = 1;
    broadcast(l, IPMSG_BR_EXIT, now);
    for (size_t i = 0; i < l->npeers; i++) /* those reached only by --peer or unicast */
        send_entry(l, &l->peers[i].addr, IPMSG_BR_EXIT, send_cs(l, &l->peers[i]), l->packet_no++);
}

void lan_exit_reason(lan *l, const char *reason, uint64_t now)
{
    free(l->quit_reason);
    l->quit_reason = reason && *reason ? xstrdup(reason) : NULL;
    lan_exit(l, now);
}

/* ---- peers' names ---- */

/* A character that must not reach a nick, group or host name: C0, DEL, C1, the bidi
 * controls, line/paragraph separators (and, in nicks, spaces). */
static int bad_char(uint32_t cp, int is_nick)
{
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) return 1;
    if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029)
        return 1;
    return is_nick && (cp == ' ' || cp == 0x3000);
}

/* Peer-supplied UTF-8 made displayable: at most max characters (cut at a character
 * boundary), bad characters become '_', a nick is never empty nor starts with '/'.
 * Takes s (heap) and returns a new heap string. (Not nick_sanitize: that one cuts to 24
 * characters to leave room for the relay's "-N" suffix; LAN mode keeps a peer's name
 * whole, up to 32, and tells equal names apart by address instead.) */
static char *clean_name(char *s, size_t max, int is_nick)
{
    buf b = {0};
    size_t len = strlen(s), chars = 0;
    for (size_t i = 0; i < len && chars < max; chars++) {
        uint32_t cp;
        size_t bad;
        int n = utf8_decode_one(s + i, len - i, &cp, &bad);
        if (n <= 0) n = (int)bad; /* already repaired by decode(); defensive */
        if (bad_char(cp, is_nick) || (is_nick && chars == 0 && cp == '/')) buf_append_byte(&b, '_');
        else buf_append(&b, s + i, (size_t)n);
        i += (size_t)n;
    }
    if (is_nick && b.len == 0) buf_append_byte(&b, '_');
    free(s);
    return buf_detach(&b);
}

static char *decode_name(charset_id cs, const char *s, size_t n, size_t max, int is_nick)
{
    if (n > max * 4 + 4) n = max * 4 + 4; /* never decode more than could be kept */
    buf b = {0};
    charset_decode(cs, s, n, 1, &b);
    return clean_name(buf_detach(&b), max, is_nick);
}

/* "10.0.0.2", or "10.0.0.2:2426" off the IPMsg port. */
static void addr_text(const net_addr *a, buf *b)
{
    buf_printf(b, "%u.%u.%u.%u", (unsigned)(a->host >> 24) & 255, (unsigned)(a->host >> 16) & 255,
               (unsigned)(a->host >> 8) & 255, (unsigned)a->host & 255);
    if (a->port != IPMSG_PORT) buf_printf(b, ":%u", a->port);
}

/* ---- peers ---- */

static lan_peer *peer_find(lan *l, const net_addr *a)
{
    for (size_t i = 0; i < l->npeers; i++)
        if (l->peers[i].addr.host == a->host && l->peers[i].addr.port == a->port) return &l->peers[i];
    return NULL;
}

static size_t peers_named(const lan *l, const char *nick)
{
    size_t n = 0;
    for (size_t i = 0; i < l->npeers; i++) n += nick_equal(l->peers[i].nick, nick);
    return n;
}

/* How p is shown: its nick, or nick@address when another peer (or we) has that nick, or
 * when the nick has an '@' (so no nick can pass for another's nick@address). */
static void label(const lan *l, const lan_peer *p, buf *b)
{
    buf_append_str(b, p->nick);
    if (strchr(p->nick, '@') || nick_equal(p->nick, l->nick) || peers_named(l, p->nick) > 1) {
        buf_append_byte(b, '@');
        addr_text(&p->addr, b);
    }
}

static void describe(const lan *l, const lan_peer *p, buf *b)
{
    label(l, p, b);
    buf_printf(b, "%s%s%s@%s (%u.%u.%u.%u:%u)", *p->group ? " [" : "", p->group, *p->group ? "]" : "",
               p->host, (unsigned)(p->addr.host >> 24) & 255, (unsigned)(p->addr.host >> 16) & 255,
               (unsigned)(p->addr.host >> 8) & 255, (unsigned)p->addr.host & 255, p->addr.port);
    if (p->status) buf_printf(b, " (away: %s)", p->status);
}

/* An event about peer p (from = its label, address = its address); text is copied. */
static chat_event peer_event(const lan *l, chat_event_type t, uint32_t id, const lan_peer *p,
                             const char *text)
{
    chat_event ev = {0};
    buf b = {0};
    ev.type = t;
    ev.id = id;
    ev.text = text ? xstrdup(text) : NULL;
    if (!p) return ev;
    label(l, p, &b);
    ev.from = buf_detach(&b);
    addr_text(&p->addr, &b);
    ev.address = buf_detach(&b);
    return ev;
}

static int emit_about(lan *l, chat_event_type t, uint32_t id, const lan_peer *p, const char *text)
{
    chat_event ev = peer_event(l, t, id, p, text);
    return evq_push(&l->events, &ev);
}

static void emit_peer_event(lan *l, chat_event_type t, const lan_peer *p, int reason)
{
    buf d = {0};
    describe(l, p, &d);
    chat_event ev = peer_event(l, t, 0, p, d.data);
    ev.reason = reason;
    if (t == EV_JOIN && *p->group) ev.group = xstrdup(p->group);
    evq_push(&l->events, &ev);
    buf_free(&d);
}

static lan_peer *peer_add(lan *l, const net_addr *a, const ipmsg_packet *pk)
{
    if (l->npeers >= l->cfg.max_peers) return NULL;
    if (l->npeers == l->cappeers) {
        l->cappeers = l->cappeers ? l->cappeers * 2 : 16;
        l->peers = xreallocarray(l->peers, l->cappeers, sizeof *l->peers);
    }
    lan_peer *p = &l->peers[l->npeers++];
    memset(p, 0, sizeof *p);
    p->addr = *a;
    p->cs = CHARSET_UNKNOWN;
    p->nick = decode_name(CHARSET_UTF8, pk->user, strlen(pk->user), WIRE_MAX_NICK, 1);
    p->group = xstrdup("");
    p->host = decode_name(CHARSET_UTF8, pk->host, strlen(pk->host), MAX_GROUP, 0);
    p->raw_user = xstrndup(pk->user, strlen(pk->user) < MAX_RAW_NAME ? strlen(pk->user) : MAX_RAW_NAME);
    p->raw_host = xstrndup(pk->host, strlen(pk->host) < MAX_RAW_NAME ? strlen(pk->host) : MAX_RAW_NAME);
    l->st.peers = l->npeers;
    return p;
}

static void peer_remove(lan *l, lan_peer *p)
{
    peer_free(p);
    *p = l->peers[--l->npeers];
    l->st.peers = l->npeers;
}

/* A peer's away status from an entry: "nick[status]" or ABSENCEOPT (then "away"). An
 * EV_AWAY when it changed (or when a new peer is away). Takes status (heap or NULL). */
static void set_status(lan *l, lan_peer *p, char *status, uint32_t cmd, int is_new)
{
    if (status) {
        char *clean = lan_one_line(status, strlen(status), LAN_AWAY_MAX);
        free(status);
        status = clean;
    }
    if (!status && (cmd & IPMSG_ABSENCEOPT)) status = xstrdup("away");
    int changed = (p->status == NULL) != (status == NULL) || (status && strcmp(status, p->status) != 0);
    free(p->status);
    p->status = status;
    if (!changed || (is_new && !status)) return;
    chat_event ev = peer_event(l, EV_AWAY, 0, p, status);
    evq_push(&l->events, &ev);
}

/* "alice is now in group 研发部": a known peer's entry with another group (not its first
 * group: a peer known from a SENDMSG had none). */
static void set_group(lan *l, lan_peer *p, char *group, int is_new)
{
    if (!is_new && *group && *p->group && strcmp(group, p->group) != 0) {
        buf t = {0};
        buf_append_str(&t, "is now in group ");
        buf_append_str(&t, group);
        chat_event ev = peer_event(l, EV_NOTICE, 0, p, t.data);
        evq_push(&l->events, &ev);
        buf_free(&t);
    }
    if (!*group && !is_new) { /* FeiQ's and IPMsg's BR_ABSENCE may leave the group out */
        free(group);
        return;
    }
    free(p->group);
    p->group = group;
}

/* An entry (BR_ENTRY, ANSENTRY, BR_ABSENCE): nick and group from the extra sections. */
static lan_peer *on_entry(lan *l, const net_addr *from, const ipmsg_packet *pk)
{
    lan_peer *p = peer_find(l, from);
    int is_new = !p;
    char *status = NULL;
    if (!p && !(p = peer_add(l, from, pk))) return NULL;
    p->utf8cap = (pk->command & IPMSG_CAPUTF8OPT) != 0;
    charset_id cs = recv_cs(l, p, pk->command, pk->extra, pk->extra_len);
    if (pk->extra_len) {
        char *nick = decode_name(cs, pk->extra, pk->extra_len, WIRE_MAX_NICK + LAN_AWAY_MAX + 2, 0);
        nick = lan_away_split(nick, &status);
        nick = clean_name(nick, WIRE_MAX_NICK, 1);
        if (!is_new && strcmp(nick, p->nick) != 0) { /* a known address, another name: say so */
            buf before = {0};
            label(l, p, &before);
            free(p->nick);
            p->nick = nick;
            chat_event ev = peer_event(l, EV_NICK, 0, p, NULL);
            free(ev.to);
            ev.to = ev.from; /* peer_event puts the label in from: the new name */
            ev.from = buf_detach(&before);
            evq_push(&l->events, &ev);
        } else {
            free(p->nick);
            p->nick = nick;
        }
    }
    cs = recv_cs(l, p, pk->command, pk->extra2, pk->extra2_len);
    set_group(l, p, decode_name(cs, pk->extra2, pk->extra2_len, MAX_GROUP, 0), is_new);
    if (is_new) emit_peer_event(l, EV_JOIN, p, 0);
    set_status(l, p, status, pk->command, is_new);
    return p;
}

/* ---- receiving ---- */

static int seen_before(const lan_peer *p, uint64_t no)
{
    no++; /* stored + 1: an empty slot (0) must not match packet number 0 (parse caps it at 2^63-1) */
    for (unsigned i = 0; i < SEEN_RING; i++)
        if (p->seen[i] == no) return 1;
    return 0;
}

static void remember_seen(lan_peer *p, uint64_t no) { p->seen[p->seen_pos++ % SEEN_RING] = no + 1; }

/* GCRA (as relay.c's rate_ok): one event per interval ms, bursts of `burst`. */
static int rate_ok(uint64_t *tat, uint64_t now, uint64_t interval, uint64_t burst)
{
    uint64_t t = *tat > now ? *tat : now;
    if (t - now > interval * (burst - 1)) return 0;
    *tat = t + interval;
    return 1;
}

/* The budget shared by every answer we send (ANSENTRY, RECVMSG). */
static int budget_ok(lan *l, uint64_t now)
{
    if (now - l->answer_window >= 1000) {
        l->answer_window = now;
        l->answers = 0;
    }
    if (l->answers >= ANSWERS_PER_SECOND) return 0;
    l->answers++;
    return 1;
}

static void send_answer(lan *l, lan_peer *p, uint32_t mode, uint64_t packet_no, uint64_t now);

static void send_recvmsg(lan *l, lan_peer *p, uint64_t packet_no, uint64_t now)
{
    send_answer(l, p, IPMSG_RECVMSG, packet_no, now);
}

/* RECVMSG or ANSREADMSG: packet_no in decimal, never longer than what it answers. */
static void send_answer(lan *l, lan_peer *p, uint32_t mode, uint64_t packet_no, uint64_t now)
{
    if (!rate_ok(&p->ack_tat, now, ACK_INTERVAL, ACK_BURST) || !budget_ok(l, now)) {
        l->st.answers_dropped++;
        return;
    }
    char no[24];
    buf pkt = {0};
    snprintf(no, sizeof no, "%llu", (unsigned long long)packet_no);
    /* Never more bytes than the SENDMSG had (a forged source must not make us an
     * amplifier): if our names make it longer, they are left out (RECVMSG is matched by
     * its packet number); if even that is longer, there is no answer (counted). */
    ipmsg_build(&pkt, l->packet_no, l->user, l->host, mode, no, strlen(no), NULL, 0);
    if (pkt.len > l->rx_len) {
        buf_clear(&pkt);
        ipmsg_build(&pkt, l->packet_no, "", "", mode, no, strlen(no), NULL, 0);
    }
    if (pkt.len <= l->rx_len) {
        l->emit(l->ctx, &p->addr, pkt.data, pkt.len);
        l->packet_no++;
    } else {
        l->st.answers_dropped++;
    }
    buf_free(&pkt);
}

/* Sealed (SECRETOPT): the text is kept for /open and the event has its number instead;
 * an automatic answer (AUTORETOPT) is marked as one. */
static void mark_message(lan *l, lan_peer *p, const ipmsg_packet *pk, chat_event *ev)
{
    if (pk->command & IPMSG_AUTORETOPT) ev->flags |= CHAT_AUTOREPLY;
    if (!(pk->command & IPMSG_SECRETOPT)) return;
    ev->flags |= CHAT_SEALED;
    ev->id = lan_seals_add(&l->seals, &p->addr, pk->packet_no, (pk->command & IPMSG_READCHECKOPT) != 0,
                           ev->text ? ev->text : "", &l->st.sealed_dropped);
    free(ev->text);
    ev->text = NULL;
}

/* Shows a new message unless its sender is over its rate or the queue is full; 1 if shown. */
static int show_message(lan *l, lan_peer *p, const ipmsg_packet *pk, uint64_t now)
{
    if (!rate_ok(&p->msg_tat, now, MSG_INTERVAL, MSG_BURST)) {
        l->st.flood_dropped++;
        chat_event ev = peer_event(l, EV_MESSAGE, 0, p, NULL);
        evq_drop(&l->events, &ev); /* counted, and in the "N messages dropped" report */
        return 0;
    }
    charset_id cs = recv_cs(l, p, pk->command, pk->extra, pk->extra_len);
    char *text = decode(cs, pk->extra, pk->extra_len);
    lan_newlines(text); /* CR LF (IPMsg for Windows, FeiQ) and LF alike: lines of one message */
    chat_event ev = peer_event(l, EV_MESSAGE, 0, p, text);
    if ((pk->command & IPMSG_FILEATTACHOPT) && pk->extra2_len) { /* files offered (lan_file.c) */
        ev.type = EV_FILE_OFFER;
        ev.files = lan_file_offer_list(pk->extra2, pk->extra2_len, pk->packet_no, cs);
    }
    if (!(pk->command & (IPMSG_BROADCASTOPT | IPMSG_MULTICASTOPT))) { /* to us alone */
        ev.flags = CHAT_PRIVATE;
        ev.to = xstrdup(l->nick);
    }
    free(text);
    mark_message(l, p, pk, &ev);
    uint32_t sealed = ev.flags & CHAT_SEALED ? ev.id : 0;
    if (evq_push(&l->events, &ev)) return 1;
    lan_sealed gone_unseen; /* not shown (queue full): not kept either, its sender resends it */
    if (sealed && lan_seals_take(&l->seals, sealed, &gone_unseen) == 0) free(gone_unseen.text);
    return 0;
}

/* While we are away: our status as an automatic answer (AUTORETOPT, not acknowledged),
 * once per peer, never to an automatic answer nor to a line to everyone (as IPMsg). */
static void auto_answer(lan *l, lan_peer *p, const ipmsg_packet *pk, uint64_t now)
{
    if (!l->away || p->autoreplied || (pk->command & (IPMSG_AUTORETOPT | IPMSG_BROADCASTOPT))) return;
    if (!budget_ok(l, now)) {
        l->st.answers_dropped++;
        return;
    }
    p->autoreplied = 1;
    send_packet(l, &p->addr, IPMSG_SENDMSG | IPMSG_AUTORETOPT, send_cs(l, p), l->away, NULL, l->packet_no++);
    buf t = {0};
    buf_printf(&t, "answered automatically (you are away): %s", l->away);
    chat_event ev = peer_event(l, EV_NOTICE, 0, p, t.data);
    evq_push(&l->events, &ev);
    buf_free(&t);
}

/* A SENDMSG: shown once (duplicates are not); acknowledged when asked, if it was shown
 * (or is a duplicate of one that was), within the RECVMSG limits. */
static void on_sendmsg(lan *l, const net_addr *from, const ipmsg_packet *pk, uint64_t now)
{
    lan_peer *p = peer_find(l, from);
    int shown = 0;
    if (!p && !(p = peer_add(l, from, pk))) return;
    if (seen_before(p, pk->packet_no)) {
        l->st.duplicates++;
    } else if (show_message(l, p, pk, now)) {
        remember_seen(p, pk->packet_no);
        shown = 1;
    } else {
        return; /* dropped: not acknowledged, so its sender sees it undelivered */
    }
    if (pk->command & IPMSG_SENDCHECKOPT) send_recvmsg(l, p, pk->packet_no, now);
    if (shown) auto_answer(l, p, pk, now);
}

static int pending_for(lan *l, uint32_t id, const net_addr *to)
{
    for (size_t i = 0; i < l->npend; i++)
        if (l->pend[i].id == id && l->pend[i].to.host == to->host && l->pend[i].to.port == to->port)
            return 1;
    return 0;
}

static void on_recvmsg(lan *l, const net_addr *from, const ipmsg_packet *pk)
{
    uint64_t no = strtoull(pk->extra, NULL, 10);
    for (size_t i = 0; i < l->npend; i++) {
        pending *q = &l->pend[i];
        if (q->packet_no != no || q->to.host != from->host || q->to.port != from->port) continue;
        uint32_t id = q->id;
        pending_free(q);
        l->pend[i] = l->pend[--l->npend];
        if (!pending_for(l, id, from)) emit_about(l, EV_DELIVERED, id, peer_find(l, from), NULL);
        return;
    }
}

/* BR_EXIT: the peer leaves, with the reason our extension section carries, if any. */
static void on_exit(lan *l, const net_addr *from, const ipmsg_packet *pk)
{
    lan_peer *p = peer_find(l, from);
    if (!p) return;
    char *why = lan_quit_reason(pk->extra3, pk->extra3_len);
    chat_event ev = peer_event(l, EV_LEAVE, 0, p, why);
    ev.reason = LEAVE_QUIT;
    evq_push(&l->events, &ev);
    free(why);
    peer_remove(l, p);
}

/* READMSG (a peer opened our sealed message: "read by"; answered with ANSREADMSG if it
 * asks) or ANSREADMSG (the answer to ours). */
static void on_readmsg(lan *l, const net_addr *from, const ipmsg_packet *pk, uint64_t now)
{
    lan_peer *p = peer_find(l, from);
    uint64_t no = strtoull(pk->extra, NULL, 10);
    uint32_t id = p ? lan_seals_opened(&l->seals, from, no) : 0;
    if (!id) {
        l->st.ignored++;
        return;
    }
    emit_about(l, EV_READ, id, p, NULL);
    if (IPMSG_MODE(pk->command) == IPMSG_READMSG && (pk->command & IPMSG_READCHECKOPT))
        send_answer(l, p, IPMSG_ANSREADMSG, no, now);
}

/* Answers BR_ENTRY at most once a second per peer, within the shared answer budget, so a
 * flood of entries (one address or many) is not echoed back at the same rate. */
static int may_answer(lan *l, lan_peer *p, uint64_t now)
{
    if (p->answered && now + 1 - p->answered < 1000) return 0;
    if (!budget_ok(l, now)) return 0;
    p->answered = now + 1;
    return 1;
}

/* The peer declined files we offered (its RECVMSG-style body: the packet number, decimal). */
static void on_releasefiles(lan *l, const net_addr *from, const ipmsg_packet *pk)
{
    lan_peer *p = peer_find(l, from);
    if (!p || pk->extra_len == 0 || pk->extra_len > 20 || strspn(pk->extra, "0123456789") != pk->extra_len) return;
    emit_about(l, EV_FILE_RELEASED, 0, p, pk->extra);
}

static int is_self(const lan *l, const net_addr *from)
{
    for (size_t i = 0; i < l->nself; i++)
        if (l->self[i].host == from->host && l->self[i].port == from->port) return 1;
    return 0;
}

void lan_on_datagram(lan *l, const net_addr *from, const void *data, size_t len, uint64_t now)
{
    ipmsg_packet pk;
    evq_set_now(&l->events, now);
    if (is_self(l, from)) return;
    l->rx_len = len;
    if (ipmsg_parse(data, len, &pk) < 0) {
        l->st.malformed++;
        return;
    }
    lan_peer *p;
    switch (IPMSG_MODE(pk.command)) {
    case IPMSG_BR_ENTRY:
        /* answered whatever its length (discovery needs our nick and group): an entry cannot
         * be verified, so the answers are bounded by rate instead (§13.6, §14) */
        if ((p = on_entry(l, from, &pk)) && may_answer(l, p, now))
            send_entry(l, from, IPMSG_ANSENTRY, send_cs(l, p), l->packet_no++);
        break;
    case IPMSG_ANSENTRY: case IPMSG_BR_ABSENCE: on_entry(l, from, &pk); break;
    case IPMSG_BR_EXIT: on_exit(l, from, &pk); break;
    case IPMSG_READMSG: case IPMSG_ANSREADMSG: on_readmsg(l, from, &pk, now); break;
    case IPMSG_SENDMSG: on_sendmsg(l, from, &pk, now); break;
    case IPMSG_RECVMSG: on_recvmsg(l, from, &pk); break;
    case IPMSG_RELEASEFILES: on_releasefiles(l, from, &pk); break;
    default: l->st.ignored++; break; /* FeiQ's 0x77, 0x79, 0x7a, 0xc0, 0xd1 too: never shown */
    }
    if ((p = peer_find(l, from))) p->silent = 0; /* alive (lan_probe.c) */
    ipmsg_free(&pk);
}

/* ---- messages ---- */

/* Queues (and sends) one SENDMSG of raw sections to p, resent until answered. */
static void queue_raw(lan *l, uint32_t id, lan_peer *p, uint32_t cmd, const buf *e1, const buf *e2,
                      const char *text, uint64_t now)
{
    if (l->npend == l->cappend) {
        l->cappend = l->cappend ? l->cappend * 2 : 16;
        l->pend = xreallocarray(l->pend, l->cappend, sizeof *l->pend);
    }
    pending *q = &l->pend[l->npend++];
    memset(q, 0, sizeof *q);
    q->id = id;
    q->to = p->addr;
    q->packet_no = l->packet_no++;
    q->text = xstrdup(text);
    ipmsg_build(&q->pkt, q->packet_no, l->user, l->host, cmd, e1->data ? e1->data : "", e1->len,
                e2 ? (e2->data ? e2->data : "") : NULL, e2 ? e2->len : 0);
    l->emit(l->ctx, &q->to, q->pkt.data, q->pkt.len);
    q->tries = 1;
    q->next_tx = now + l->cfg.retry_ms;
}

/* opts: BROADCASTOPT (a line to everyone), SECRETOPT | READCHECKOPT (sealed), or 0. */
static void queue_chunk(lan *l, uint32_t id, lan_peer *p, const char *chunk, uint32_t opts, uint64_t now)
{
    charset_id cs = send_cs(l, p);
    buf e = {0};
    charset_encode(cs, chunk, strlen(chunk), 1, &e);
    uint32_t cmd = IPMSG_SENDMSG | IPMSG_SENDCHECKOPT | (cs == CHARSET_UTF8 ? IPMSG_UTF8OPT : 0) |
                   opts; /* BROADCASTOPT: so each receiver can tell it from a private one */
    queue_raw(l, id, p, cmd, &e, NULL, chunk, now);
    buf_free(&e);
    const pending *q = &l->pend[l->npend - 1];
    if (opts & IPMSG_SECRETOPT) lan_seals_note_sent(&l->seals, &q->to, q->packet_no, id);
}

/* Length of the longest prefix of s (at most max bytes) that ends on a character boundary. */
static size_t chunk_len(const char *s, size_t len, size_t max)
{
    if (len <= max) return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    return n ? n : max;
}

/* Bytes s[0..n) take in charset cs. */
static size_t encoded_len(charset_id cs, const char *s, size_t n)
{
    buf e = {0};
    charset_encode(cs, s, n, 1, &e);
    size_t len = e.len;
    buf_free(&e);
    return len;
}

static void send_text(lan *l, uint32_t id, lan_peer *p, const char *text, uint32_t opts, uint64_t now)
{
    size_t len = strlen(text);
    charset_id cs = send_cs(l, p);
    for (size_t off = 0; off < len;) {
        /* at most CHUNK_BYTES once encoded: GBK is never longer than UTF-8, but GB18030
         * (--ipmsg-charset gb18030) takes 4 bytes for 2-byte UTF-8 characters */
        size_t max = CHUNK_BYTES, n;
        while ((n = chunk_len(text + off, len - off, max)) > 16 && encoded_len(cs, text + off, n) > CHUNK_BYTES)
            max /= 2;
        char *chunk = xstrndup(text + off, n);
        queue_chunk(l, id, p, chunk, opts, now);
        free(chunk);
        off += n;
    }
}

/* Parses "a.b.c.d" or "a.b.c.d:port" (the port defaults to the IPMsg port). */
static int parse_addr(const char *s, net_addr *a)
{
    unsigned x[4], port = IPMSG_PORT;
    int n = 0, m = 0;
    if (sscanf(s, "%3u.%3u.%3u.%3u%n", &x[0], &x[1], &x[2], &x[3], &n) != 4) return -1;
    s += n;
    if (*s == ':' && sscanf(s + 1, "%5u%n", &port, &m) == 1) s += 1 + m;
    if (*s || x[0] > 255 || x[1] > 255 || x[2] > 255 || x[3] > 255 || port == 0 || port > 65535) return -1;
    a->host = (uint32_t)x[0] << 24 | x[1] << 16 | x[2] << 8 | x[3];
    a->port = (uint16_t)port;
    return 0;
}

/* The peer "nick@address" names, if there is one with that nick at that address. */
static lan_peer *by_address(lan *l, const char *to)
{
    const char *at = strrchr(to, '@');
    net_addr a;
    if (!at || parse_addr(at + 1, &a) < 0) return NULL;
    lan_peer *p = peer_find(l, &a);
    if (!p) return NULL;
    char *nick = xstrdup(to);
    nick[at - to] = '\0';
    int same = nick_equal(p->nick, nick);
    free(nick);
    return same ? p : NULL;
}

/* "alice is ambiguous: alice@10.0.0.2, alice@10.0.0.3; use nick@address" (lowest address first). */
static void ambiguous(lan *l, const char *to)
{
    buf b = {0};
    buf_printf(&b, "%s is ambiguous: ", to);
    uint64_t last = 0; /* (host << 16 | port) + 1 of the one listed last */
    for (int first = 1;; first = 0) {
        lan_peer *next = NULL;
        uint64_t key = UINT64_MAX;
        for (size_t i = 0; i < l->npeers; i++) {
            lan_peer *p = &l->peers[i];
            uint64_t k = ((uint64_t)p->addr.host << 16 | p->addr.port) + 1;
            if (k > last && k < key && nick_equal(p->nick, to)) {
                key = k;
                next = p;
            }
        }
        if (!next) break;
        buf_printf(&b, "%s%s@", first ? "" : ", ", next->nick);
        addr_text(&next->addr, &b);
        last = key;
    }
    buf_append_str(&b, "; use nick@address");
    evq_emit(&l->events, EV_ERROR, 0, NULL, NULL, b.data, 0, 0);
    buf_free(&b);
}

/* The one peer `to` names ("nick@address", or a nick only one peer has); else NULL, and
 * an EV_ERROR if report. */
static lan_peer *pick(lan *l, const char *to, int report)
{
    lan_peer *p = by_address(l, to);
    if (p) return p;
    size_t n = peers_named(l, to);
    for (size_t i = 0; n == 1 && i < l->npeers; i++)
        if (nick_equal(l->peers[i].nick, to)) return &l->peers[i];
    if (report && n > 1) ambiguous(l, to);
    if (report && n == 0) {
        buf b = {0};
        buf_printf(&b, "no peer named %s: /who lists the peers seen", to);
        evq_emit(&l->events, EV_ERROR, 0, NULL, NULL, b.data, 0, 0);
        buf_free(&b);
    }
    return NULL;
}

int lan_has_peer(lan *l, const char *nick) { return pick(l, nick, 0) != NULL; }

/* "2 characters became '?' for 老王 (gbk lacks them)": one report per message, naming at
 * most 4 of the peers sent GBK (the only charset sent that lacks characters). */
static void report_lossy(lan *l, uint32_t id, const char *text, const lan_peer *target)
{
    size_t lost = 0, names = 0;
    buf who = {0};
    for (size_t i = 0; i < l->npeers; i++) {
        const lan_peer *p = &l->peers[i];
        if ((target && p != target) || send_cs(l, p) != CHARSET_GBK) continue;
        if (!names) {
            buf e = {0};
            charset_encode(CHARSET_GBK, text, strlen(text), 1, &e);
            lost = lan_lossy_count(text, e.data ? e.data : "", e.len);
            buf_free(&e);
            if (!lost) break;
        }
        if (names++ < 4) {
            if (names > 1) buf_append_str(&who, ", ");
            label(l, p, &who);
        }
    }
    if (lost) {
        buf t = {0};
        buf_printf(&t, "%lu character%s became '?' for %s", (unsigned long)lost, lost > 1 ? "s" : "", who.data);
        if (names > 4) buf_printf(&t, " and %lu others", (unsigned long)(names - 4));
        buf_printf(&t, " (gbk lacks %s)", lost > 1 ? "them" : "it");
        evq_emit(&l->events, EV_ERROR, id, NULL, NULL, t.data, 0, 0);
        buf_free(&t);
    }
    buf_free(&who);
}

static uint32_t say(lan *l, const char *to, const char *text, uint32_t opts, uint64_t now);

uint32_t lan_say(lan *l, const char *to, const char *text, uint64_t now) { return say(l, to, text, 0, now); }

uint32_t lan_seal(lan *l, const char *to, const char *text, uint64_t now)
{
    if (!to) return 0;
    return say(l, to, text, IPMSG_SECRETOPT | IPMSG_READCHECKOPT, now);
}

static uint32_t say(lan *l, const char *to, const char *text, uint32_t opts, uint64_t now)
{
    if (!*text) return 0;
    evq_set_now(&l->events, now);
    lan_peer *target = to ? pick(l, to, 1) : NULL;
    if (to && !target) return 0;
    if (!to && l->npeers == 0) {
        evq_emit(&l->events, EV_ERROR, 0, NULL, NULL, "nobody on the LAN yet: not sent", 0, 0);
        return 0;
    }
    uint32_t id = l->next_id++;
    for (size_t i = 0; i < l->npeers; i++)
        if (!target || &l->peers[i] == target)
            send_text(l, id, &l->peers[i], text, target ? opts : opts | IPMSG_BROADCASTOPT, now);
    report_lossy(l, id, text, target);
    return id;
}

/* CMD_SEND_FILES: offers files to one peer (a SENDMSG with FILEATTACHOPT, resent until
 * answered) and says so with EV_FILE_SHARED (id: the share; text: the names offered;
 * files: "packet_no\nuser\nhost\ncharset",
 * the peer's raw names its requests must carry, and the charset_id its names go in). Returns the message id, or 0 and an EV_ERROR. */
static uint32_t send_files(lan *l, const char *to, const char *spec, uint64_t now)
{
    lan_peer *p = to ? pick(l, to, 1) : NULL;
    if (!p) return 0;
    charset_id cs = send_cs(l, p);
    buf msg = {0}, list = {0}, info = {0}, names = {0};
    uint32_t share = lan_file_spec_encode(spec, cs, &msg, &list), id = 0;
    if (!share || msg.len + list.len + strlen(l->user) + strlen(l->host) + 64 > IPMSG_MAX_PACKET) {
        evq_emit(&l->events, EV_ERROR, 0, NULL, NULL,
                 share ? "too many files (or names too long) for one offer: send fewer at once"
                       : "nothing to offer", 0, 0);
    } else {
        id = l->next_id++;
        buf_printf(&info, "%llu\n%s\n%s\n%d", (unsigned long long)l->packet_no, p->raw_user, p->raw_host, (int)cs);
        uint32_t cmd = IPMSG_SENDMSG | IPMSG_SENDCHECKOPT | IPMSG_FILEATTACHOPT | (cs == CHARSET_UTF8 ? IPMSG_UTF8OPT : 0);
        queue_raw(l, id, p, cmd, &msg, &list, "(files offered)", now);
        chat_event ev = peer_event(l, EV_FILE_SHARED, share, p, NULL);
        lan_file_spec_names(spec, &names);
        ev.text = buf_detach(&names);
        ev.files = buf_detach(&info);
        evq_push(&l->events, &ev);
    }
    buf_free(&msg);
    buf_free(&list);
    buf_free(&info);
    return id;
}

/* CMD_RELEASE_FILES: tells the peer at `to` ("IP[:PORT]") we decline its offer `packet_no`. */
static void release_files(lan *l, const char *to, const char *packet_no, uint64_t now)
{
    net_addr a;
    (void)now;
    if (!to || !packet_no || parse_addr(to, &a) < 0 || strspn(packet_no, "0123456789") != strlen(packet_no)) return;
    send_packet(l, &a, IPMSG_RELEASEFILES, send_cs(l, peer_find(l, &a)), packet_no, NULL, l->packet_no++);
}

void lan_who(lan *l)
{
    buf b = {0};
    for (size_t i = 0; i < l->npeers; i++) {
        if (b.len) buf_append_byte(&b, '\n');
        describe(l, &l->peers[i], &b);
    }
    evq_emit(&l->events, EV_ROSTER, 0, NULL, NULL, b.len ? b.data : "(nobody yet)", 0, 0);
    buf_free(&b);
}

static void give_up(lan *l, size_t i)
{
    pending *q = &l->pend[i];
    uint32_t id = q->id;
    net_addr to = q->to;
    emit_about(l, EV_UNDELIVERED, id, peer_find(l, &q->to), q->text);
    for (size_t k = l->npend; k-- > 0;) /* the other pieces of that message to that peer */
        if (l->pend[k].id == id && l->pend[k].to.host == to.host && l->pend[k].to.port == to.port) {
            pending_free(&l->pend[k]);
            l->pend[k] = l->pend[--l->npend];
        }
}

/* A peer silent through a probe round: it leaves (SIGKILLed, unplugged, crashed). */
static void gone(lan *l, lan_peer *p)
{
    chat_event ev = peer_event(l, EV_LEAVE, 0, p, "no answer");
    ev.reason = LEAVE_TIMEOUT;
    evq_push(&l->events, &ev);
    l->st.gone++;
    peer_remove(l, p);
}

/* The who-is-still-there round (lan_probe.c): ASK, NUDGE the silent, EXPIRE them. */
static void probe(lan *l, uint64_t now)
{
    lan_probe_action a;
    while ((a = lan_probe_step(&l->probe, now)) != LAN_PROBE_NONE) {
        if (a == LAN_PROBE_ASK) broadcast(l, IPMSG_BR_ENTRY, now);
        for (size_t i = l->npeers; i-- > 0;) {
            lan_peer *p = &l->peers[i];
            if (a == LAN_PROBE_ASK) p->silent = 1;
            if (a == LAN_PROBE_ASK || !p->silent) continue;
            if (a == LAN_PROBE_NUDGE) send_entry(l, &p->addr, IPMSG_BR_ENTRY, send_cs(l, p), l->packet_no++);
            else gone(l, p);
        }
    }
}

void lan_refresh(lan *l, uint64_t now)
{
    if (!l->probe.wait) lan_probe_init(&l->probe, l->cfg.refresh_ms, l->cfg.probe_wait_ms, now);
    lan_probe_request(&l->probe, now);
    probe(l, now);
}

void lan_set_away(lan *l, const char *text, uint64_t now)
{
    if (!text && !l->away) {
        evq_emit(&l->events, EV_ERROR, 0, NULL, NULL, "you are not away", 0, 0);
        return;
    }
    free(l->away);
    l->away = text ? lan_away_text(text) : NULL;
    broadcast(l, IPMSG_BR_ABSENCE, now);
    for (size_t i = 0; i < l->npeers; i++) { /* those reached only by --peer or unicast */
        l->peers[i].autoreplied = 0;
        send_entry(l, &l->peers[i].addr, IPMSG_BR_ABSENCE, send_cs(l, &l->peers[i]), l->packet_no++);
    }
    evq_emit(&l->events, EV_AWAY, 0, NULL, NULL, l->away, 0, 0);
}

void lan_open(lan *l, uint32_t n, uint64_t now)
{
    lan_sealed s;
    if (lan_seals_take(&l->seals, n, &s) < 0) {
        buf t = {0};
        buf_printf(&t, "no sealed message %u: /open takes the number it was shown with", n);
        evq_emit(&l->events, EV_ERROR, 0, NULL, NULL, t.data, 0, 0);
        buf_free(&t);
        return;
    }
    lan_peer *p = peer_find(l, &s.from);
    chat_event ev = peer_event(l, EV_MESSAGE, n, p, s.text);
    if (!p) {
        buf a = {0};
        addr_text(&s.from, &a);
        ev.from = buf_detach(&a);
    }
    ev.flags = CHAT_PRIVATE | CHAT_SEALED;
    ev.to = xstrdup(l->nick);
    evq_push(&l->events, &ev);
    char no[24];
    snprintf(no, sizeof no, "%llu", (unsigned long long)s.packet_no);
    send_packet(l, &s.from, IPMSG_READMSG | (s.readcheck ? IPMSG_READCHECKOPT : 0), send_cs(l, p), no, NULL,
                l->packet_no++);
    free(s.text);
}

void lan_service(lan *l, uint64_t now)
{
    evq_set_now(&l->events, now);
    probe(l, now);
    for (size_t i = 0; i < l->npend;) {
        pending *q = &l->pend[i];
        if (now < q->next_tx) {
            i++;
        } else if (q->tries > l->cfg.retries) {
            give_up(l, i);
            i = 0;
        } else {
            l->emit(l->ctx, &q->to, q->pkt.data, q->pkt.len);
            q->tries++;
            q->next_tx = now + l->cfg.retry_ms;
            i++;
        }
    }
}

uint64_t lan_next_deadline(lan *l, uint64_t now)
{
    uint64_t t = UINT64_MAX;
    for (size_t i = 0; i < l->npend; i++)
        if (l->pend[i].next_tx < t) t = l->pend[i].next_tx;
    uint64_t round = lan_probe_deadline(&l->probe);
    if (round < t) t = round;
    uint64_t report = evq_report_due(&l->events); /* the "messages dropped" report */
    return report > now && report < t ? report : t;
}

int lan_done(const lan *l) { return l->exited; }

/* ---- LAN mode as a core (core.h) ---- */

static void ops_on_datagram(void *core, const net_addr *from, const void *data, size_t len, uint64_t now)
{
    lan_on_datagram(core, from, data, len, now);
}

static void ops_flush(void *core, uint64_t now) { (void)core, (void)now; }
static void ops_service(void *core, uint64_t now) { lan_service(core, now); }
static uint64_t ops_deadline(void *core, uint64_t now) { return lan_next_deadline(core, now); }
static int ops_poll(void *core, chat_event *ev) { return lan_poll_event(core, ev); }
static int ops_done(void *core) { return lan_done(core); }
static void ops_destroy(void *core) { lan_destroy(core); }

static uint32_t ops_command(void *core, const core_command *c, uint64_t now)
{
    lan *l = core;
    switch (c->type) {
    case CMD_SAY:
        if (c->flags & CHAT_ACTION) { /* IP Messenger has no actions: "* alice waves" as text */
            buf t = {0};
            buf_printf(&t, "* %s %s", l->nick, c->text);
            uint32_t id = lan_say(l, c->to, t.data, now);
            buf_free(&t);
            return id;
        }
        if (c->flags & CHAT_SEALED) return lan_seal(l, c->to, c->text, now);
        return lan_say(l, c->to, c->text, now);
    case CMD_NICK: lan_set_nick(l, c->text, now); break;
    case CMD_WHO: lan_who(l); break;
    case CMD_QUIT: lan_exit_reason(l, c->text, now); break;
    case CMD_AWAY: lan_set_away(l, c->text ? c->text : "", now); break;
    case CMD_BACK: lan_set_away(l, NULL, now); break;
    case CMD_OPEN: lan_open(l, (uint32_t)strtoul(c->text ? c->text : "0", NULL, 10), now); break;
    case CMD_REFRESH: lan_refresh(l, now); break;
    case CMD_SEND_FILES: return send_files(l, c->to, c->text, now);
    case CMD_RELEASE_FILES: release_files(l, c->to, c->text, now); break;
    default: break;
    }
    return 0;
}

const core_ops lan_ops = {ops_on_datagram, ops_flush, ops_service, ops_deadline, ops_poll,
                          ops_command, ops_done, ops_destroy};
