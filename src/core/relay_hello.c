/* relay_hello.c -- the relay's protocol datagrams: cookies, joins, members' traffic, strangers */
#include <stdlib.h>
#include <string.h>

#include "relay_input.h"
#include "udpchat/msg.h"
#include "udpchat/nick.h"
#include "udpchat/wire.h"

/* Before an address is verified the relay keeps no state for it and answers it only
 * with datagrams no larger than the one it sent (CHALLENGE 40 bytes to a HELLO of 47 or
 * more; RESET and UNSUPPORTED header-only), all within one budget of STRANGER_REPLIES a
 * second (relay.c). A HELLO is verified when its header token is a cookie this relay
 * made for that address and session less than WIRE_COOKIE_TTL_S ago, or the member's own
 * token. Only then can it join, be refused with text, or replace a member at that
 * address (a restart proven by the cookie): a bare HELLO never evicts anyone. */

enum { HELLO_ANSWER = 1 }; /* as in session.c */

static uint16_t clamp16(uint32_t v) { return (uint16_t)(v > 65535 ? 65535 : v); }

static void send_hello(relay *r, const member *m)
{
    buf body = {0};
    wire_hello h = {WIRE_ROLE_SERVER, HELLO_ANSWER, clamp16(r->cfg.heartbeat_ms),
                    clamp16(r->cfg.timeout_ms / 1000), 0, m->rx, "", 0};
    wire_write_hello(&body, &h);
    relay_send_control(r, &m->addr, WIRE_HELLO, m->session, m->tx, body.data, body.len);
    buf_free(&body);
}

static void refuse(relay *r, const net_addr *to, const wire_header *hd, uint64_t token,
                   const char *why, const char *nick, uint64_t now)
{
    buf body = {0};
    r->st.refused++;
    relay_log(r, EV_REFUSED, nick, to, why, 0);
    if (!relay_stranger_budget(r, now)) return;
    wire_write_u8(&body, 0);
    buf_append_str(&body, why);
    relay_send_control(r, to, WIRE_REFUSE, hd->session, token, body.data, body.len);
    buf_free(&body);
}

/* A CHALLENGE in answer to a calling card is a calling card too (plain ASCII for plain
 * ASCII); never longer than the card it answers (137 bytes against 147 at least). */
static void send_card(relay *r, const net_addr *to, const wire_header *hd, const void *body, size_t n)
{
    buf pkt = {0}, card = {0};
    wire_write_header(&pkt, WIRE_CHALLENGE, r->me, hd->session, hd->token);
    buf_append(&pkt, body, n);
    wire_seal(pkt.data, pkt.len);
    wire_card_write(&card, pkt.data, pkt.len);
    r->emit(r->ctx, to, card.data, card.len);
    buf_free(&pkt);
    buf_free(&card);
}

static void challenge(relay *r, const net_addr *from, const wire_header *hd, size_t len, uint64_t now)
{
    buf body = {0};
    member *m = member_find(r, from);
    if (m && m->legacy) return; /* a plain-text member speaks no udpchat: nothing binary to it */
    if (len < WIRE_CHALLENGE_LEN || !relay_stranger_budget(r, now)) return;
    wire_challenge c = {(uint32_t)(now / 1000) + 1, 0};
    c.cookie = token_cookie(&r->cfg.key, from, hd->session, c.cookie_ts);
    wire_write_challenge(&body, &c);
    if (r->in_card) send_card(r, from, hd, body.data, body.len);
    else relay_send_control(r, from, WIRE_CHALLENGE, hd->session, hd->token, body.data, body.len);
    buf_free(&body);
    r->st.challenged++;
}

static int cookie_ok(relay *r, const net_addr *from, const wire_header *hd, const wire_hello *h,
                     uint64_t now)
{
    uint32_t now_s = (uint32_t)(now / 1000) + 1;
    return hd->token && h->cookie_ts && now_s - h->cookie_ts <= WIRE_COOKIE_TTL_S &&
           hd->token == token_cookie(&r->cfg.key, from, hd->session, h->cookie_ts);
}

/* A member's HELLO again: our answer was lost, or it reset its link (a new reply token). */
static void hello_again(relay *r, member *m, const wire_hello *h, uint64_t now)
{
    if (h->reply_token != m->tx) {
        link *nl = link_create(&r->cfg.link, r->me, m->session, h->reply_token);
        link_move_pending(m->lk, nl, now);
        link_destroy(m->lk);
        m->lk = nl;
        m->tx = h->reply_token;
    }
    m->last_rx = now;
    send_hello(r, m);
}

static const char *join_refusal(relay *r, const char *nick)
{
    const char *why;
    if (r->shutting) return "the server is shutting down";
    if (!nick_valid(nick, &why)) return why;
    if (member_by_nick(r, nick)) return "that nick is taken (or looks like one that is): pick another with --nick";
    if (r->count - r->nlegacy >= r->cfg.max_clients) return "the room is full";
    return NULL;
}

static void admit(relay *r, const net_addr *from, const wire_header *hd, const wire_hello *h, uint64_t now)
{
    char *nick = msg_field(h->nick, h->nick_len);
    const char *why = join_refusal(r, nick);
    if (why) {
        refuse(r, from, hd, h->reply_token, why, nick, now);
    } else {
        member *m = member_add(r, from, nick, hd->session, now);
        m->rx = token_next(&r->cfg.key, &r->token_ctr);
        m->tx = h->reply_token;
        m->lk = link_create(&r->cfg.link, r->me, hd->session, m->tx);
        send_hello(r, m);
        room_send_welcome(r, m, now);
        room_announce_join(r, m, now);
        relay_log(r, EV_JOIN, nick, from, NULL, 0);
    }
    free(nick);
}

static void on_hello(relay *r, const net_addr *from, const wire_header *hd, wire_reader *body,
                     size_t len, uint64_t now)
{
    wire_hello h;
    if (wire_parse_hello(body, &h) != WIRE_OK) {
        r->st.dropped_malformed++;
        return;
    }
    member *m = member_find(r, from);
    if (m && !m->leaving && m->session == hd->session && hd->token == m->rx) {
        hello_again(r, m, &h, now);
        return;
    }
    if (!cookie_ok(r, from, hd, &h, now)) {
        challenge(r, from, hd, len, now);
        return;
    }
    if (h.role != WIRE_ROLE_CLIENT) {
        refuse(r, from, hd, h.reply_token, "this is a relay server, not a peer: use 'udpchat join'", NULL, now);
        return;
    }
    if (m && m->session == hd->session) { /* a cookie echoed again: our answer was lost */
        if (!m->leaving) hello_again(r, m, &h, now);
        return;
    }
    if (m) { /* the client at this address restarted (the cookie proves the address) */
        room_leave(r, m, LEAVE_QUIT, "restarted", now);
        member_remove(r, m);
    }
    admit(r, from, hd, &h, now);
}

static void on_bye(relay *r, member *m, wire_reader *body, uint64_t now)
{
    uint8_t reason = wire_read_u8(body);
    size_t n;
    const uint8_t *t = wire_read_rest(body, &n);
    char *text = msg_field((const char *)t, n);
    (void)reason;
    relay_send_control(r, &m->addr, WIRE_BYE_ACK, m->session, m->tx, NULL, 0);
    room_leave(r, m, LEAVE_QUIT, text, now);
    free(text);
}

static void on_member_datagram(relay *r, member *m, const wire_header *h, wire_reader *body,
                               uint64_t now)
{
    wire_data d;
    wire_ack a;
    m->last_rx = now;
    switch (h->type) {
    case WIRE_DATA:
        if (wire_parse_data(body, &d) == WIRE_OK) link_on_data(m->lk, &d, now), member_mark_dirty(m);
        else r->st.dropped_malformed++;
        break;
    case WIRE_ACK:
        if (wire_parse_ack(body, &a) == WIRE_OK) link_on_ack(m->lk, &a, now), member_mark_dirty(m);
        else r->st.dropped_malformed++;
        break;
    case WIRE_PING: relay_send_control(r, &m->addr, WIRE_PONG, m->session, m->tx, NULL, 0); break;
    case WIRE_BYE: on_bye(r, m, body, now); break;
    case WIRE_PONG: case WIRE_BYE_ACK: break;
    default: r->st.dropped_malformed++; break;
    }
    room_drain(r, m, now);
}

static void other_version(relay *r, const net_addr *from, const wire_header *h, size_t len, uint64_t now)
{
    buf b = {0};
    r->st.dropped_version++;
    member *m = member_find(r, from);
    if (h->type == WIRE_UNSUPPORTED || (m && m->legacy)) return; /* never an answer to an answer,
                                                                    nor binary to plain text */
    wire_write_unsupported(&b, h->version, r->me, h->session);
    if (b.len <= len && relay_stranger_budget(r, now)) r->emit(r->ctx, from, b.data, b.len);
    buf_free(&b);
}

/* A datagram we cannot place: a client we removed gets RESET (echoing its token, so it
 * can tell the RESET is ours); forged ones cost a header-sized answer at most. */
static void stranger(relay *r, const net_addr *from, const wire_header *h, uint64_t now)
{
    r->st.dropped_session++;
    if (r->shutting || h->type == WIRE_RESET || h->type == WIRE_BYE_ACK || h->type == WIRE_REFUSE ||
        h->type == WIRE_CHALLENGE || h->type == WIRE_UNSUPPORTED || !h->token || h->dest_session != r->me)
        return;
    if (relay_stranger_budget(r, now)) relay_send_control(r, from, WIRE_RESET, h->session, h->token, NULL, 0);
}

void relay_on_protocol(relay *r, const net_addr *from, const void *data, size_t len, uint64_t now)
{
    wire_header h;
    wire_reader body;
    wire_result rc = wire_parse_header(data, len, &h, &body);
    if (rc == WIRE_OTHER_VERSION) {
        other_version(r, from, &h, len, now);
        return;
    }
    if (rc != WIRE_OK) {
        r->st.dropped_malformed++;
        return;
    }
    member *m = member_find(r, from);
    int genuine = m && !m->legacy && m->session == h.session && h.dest_session == r->me && h.token == m->rx;
    if (genuine && !relay_rate_ok(&m->tat_us, r->cfg.rate, r->cfg.burst, now)) {
        m->dropped++;
        r->st.dropped_rate++;
        return;
    }
    if (h.type == WIRE_HELLO) on_hello(r, from, &h, &body, len, now);
    else if (genuine) on_member_datagram(r, m, &h, &body, now);
    else if (m) r->st.dropped_session++; /* forged or stale, from a member's address: silence */
    else stranger(r, from, &h, now);
}
