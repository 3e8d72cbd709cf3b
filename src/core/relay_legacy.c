/* relay_legacy.c -- plain-text (seed-style) relay clients: admission, nicks, limits, their lines */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay_input.h"
#include "udpchat/nick.h"
#include "udpchat/utf8.h"
#include "udpchat/wire.h"

/* Plain text has no handshake, so the relay cannot tell a seed client from a forged
 * source address. What it does instead (docs/PROTOCOL.md §10, Security):
 * - plain-text members have their own limit (max_legacy), so they never fill the room;
 *   --no-legacy and --legacy-allow CIDR restrict who may be one;
 * - a non-member gets a plain-text answer ("the room is full") at most once per
 *   REFUSE_AGAIN_MS per address, never longer than what it sent, within the budget;
 * - each plain-text member receives at most legacy_out_rate datagrams a second, and
 *   join/leave lines reach all of them together, once a second (relay_plain.c);
 * - its heartbeats count against a limit of their own, not against its chat. */

#define REFUSE_AGAIN_MS 10000

/* ---- plain-text members that come back ---- */

#define GONE_KEEP_MS (7u * 24 * 3600 * 1000) /* an address is remembered this long */

void legacy_remember(relay *r, const member *m, uint64_t now)
{
    size_t i = r->ngone++ % (sizeof r->gone / sizeof r->gone[0]);
    r->gone[i].a = m->addr;
    snprintf(r->gone[i].nick, sizeof r->gone[i].nick, "%s", m->nick);
    r->gone[i].cs = m->cs;
    r->gone[i].at = now;
}

/* The remembered nick of an address that timed out (NULL if none); forgotten once used. */
static int recall(relay *r, const net_addr *from, uint64_t now, char *nick, size_t n, charset_id *cs)
{
    for (size_t i = 0; i < sizeof r->gone / sizeof r->gone[0]; i++) {
        if (!r->gone[i].at || r->gone[i].a.host != from->host || r->gone[i].a.port != from->port) continue;
        int fresh = now - r->gone[i].at < GONE_KEEP_MS;
        if (fresh) snprintf(nick, n, "%s", r->gone[i].nick), *cs = r->gone[i].cs;
        r->gone[i].at = 0;
        return fresh;
    }
    return 0;
}

/* ---- admission ---- */

static int allowed(const relay *r, const net_addr *from)
{
    if (r->cfg.no_legacy) return 0;
    if (!r->cfg.nallow) return 1;
    for (size_t i = 0; i < r->cfg.nallow; i++)
        if ((from->host & r->cfg.legacy_allow[i].mask) == r->cfg.legacy_allow[i].net) return 1;
    return 0;
}

/* A plain-text refusal, once per address per REFUSE_AGAIN_MS, never longer than what came. */
static void refuse_text(relay *r, const net_addr *to, size_t got, const char *why, uint64_t now)
{
    size_t slot = (to->host * 2654435761u ^ to->port) % 64;
    char line[80];
    int n = snprintf(line, sizeof line, "*** room full"); /* short: never more than it sent */
    r->st.refused++;
    relay_log(r, EV_REFUSED, NULL, to, why, 0);
    if (r->refused_recent[slot].at && now - r->refused_recent[slot].at < REFUSE_AGAIN_MS &&
        r->refused_recent[slot].a.host == to->host && r->refused_recent[slot].a.port == to->port)
        return;
    r->refused_recent[slot].a = *to;
    r->refused_recent[slot].at = now;
    if ((size_t)n <= got && relay_stranger_budget(r, now)) r->emit(r->ctx, to, line, (size_t)n);
}

/* Makes a nick out of a plain-text client's first datagram (nick_sanitize), unique with a
 * numeric suffix if needed. */
static void legacy_nick(relay *r, const char *text, buf *out)
{
    buf clean = {0};
    nick_sanitize(text, &clean);
    buf_append_str(out, clean.data);
    /* at most r->count nicks are taken, so some suffix up to count + 2 is free */
    for (size_t k = 2; member_by_nick(r, out->data) && k <= r->count + 2; k++) {
        buf_clear(out);
        buf_printf(out, "%s-%lu", clean.data, (unsigned long)k);
    }
    buf_free(&clean);
}

static member *join(relay *r, const net_addr *from, const char *t, charset_id cs, size_t got, uint64_t now)
{
    if (!allowed(r, from)) {
        r->st.dropped_legacy++;
        return NULL;
    }
    if (r->nlegacy >= r->cfg.max_legacy) {
        refuse_text(r, from, got, "the room has no room for more plain-text clients", now);
        return NULL;
    }
    buf nick = {0};
    legacy_nick(r, t, &nick);
    member *m = member_add(r, from, nick.data, 0, now);
    m->cs = cs;
    room_announce_join(r, m, now);
    relay_log(r, EV_JOIN, nick.data, from, "plain-text client", 0);
    buf_free(&nick);
    return m;
}

/* ---- text from a plain-text client ---- */

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ')) s[--n] = '\0';
}

static int member_rate_ok(relay *r, member *m, int hb, uint64_t now)
{
    int ok = hb ? relay_rate_ok(&m->hb_tat_us, r->cfg.heartbeat_rate, 2 * r->cfg.heartbeat_rate + 4, now)
                : relay_rate_ok(&m->tat_us, r->cfg.rate, r->cfg.burst, now);
    if (!ok) {
        m->dropped++;
        r->st.dropped_rate++;
    }
    return ok;
}

void legacy_on_text(relay *r, member *m, const net_addr *from, const char *data, size_t len,
                    uint64_t now)
{
    if (r->shutting) return;
    if (m && !m->legacy) { /* plain text from a protocol member's address: forged or stray */
        r->st.dropped_malformed++;
        return;
    }
    charset_id cs = m ? m->cs : CHARSET_UNKNOWN;
    if (cs == CHARSET_UNKNOWN) cs = charset_detect(data, len);
    if (m && m->cs == CHARSET_UNKNOWN) m->cs = cs; /* remembered once it sent non-ASCII */
    buf text = {0};
    charset_decode(cs == CHARSET_UNKNOWN ? CHARSET_UTF8 : cs, data, len, 1, &text);
    char *t = buf_detach(&text);
    trim(t);
    int hb = strcmp(t, "^hb^") == 0, quit = strcmp(t, "quit") == 0;
    char old[WIRE_NICK_BYTES + 1];
    charset_id old_cs = cs;
    if (!m && !quit && *t && recall(r, from, now, old, sizeof old, &old_cs)) {
        m = join(r, from, old, old_cs, len, now); /* it came back: its nick, and its line is a line */
        if (m && !hb && member_rate_ok(r, m, 0, now)) room_chat(r, m, 0, NULL, t, 0, now);
    } else if (!m) {
        if (!hb && !quit && *t) join(r, from, t, cs, len, now);
    } else if (member_rate_ok(r, m, hb, now)) {
        m->last_rx = now;
        if (quit) room_leave(r, m, LEAVE_QUIT, NULL, now);
        else if (!hb && *t && !m->leaving) room_chat(r, m, 0, NULL, t, 0, now);
    }
    free(t);
}
