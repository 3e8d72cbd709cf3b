/* wire.c -- bounds-checked encoding and decoding of udpchat datagrams */
#include "udpchat/wire.h"

#include <string.h>

void wire_reader_init(wire_reader *r, const void *data, size_t len)
{
    r->p = data;
    r->left = len;
    r->ok = 1;
}

static const uint8_t *take(wire_reader *r, size_t n)
{
    if (!r->ok || r->left < n) {
        r->ok = 0;
        r->left = 0;
        return NULL;
    }
    const uint8_t *p = r->p;
    r->p += n;
    r->left -= n;
    return p;
}

uint8_t wire_read_u8(wire_reader *r)
{
    const uint8_t *p = take(r, 1);
    return p ? p[0] : 0;
}

uint16_t wire_read_u16(wire_reader *r)
{
    const uint8_t *p = take(r, 2);
    return p ? (uint16_t)((p[0] << 8) | p[1]) : 0;
}

uint32_t wire_read_u32(wire_reader *r)
{
    const uint8_t *p = take(r, 4);
    return p ? ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3] : 0;
}

uint64_t wire_read_u64(wire_reader *r)
{
    uint64_t hi = wire_read_u32(r);
    return (hi << 32) | wire_read_u32(r);
}

const char *wire_read_str8(wire_reader *r, size_t *len)
{
    size_t n = wire_read_u8(r);
    const uint8_t *p = take(r, n);
    *len = p ? n : 0;
    return p ? (const char *)p : "";
}

const uint8_t *wire_read_rest(wire_reader *r, size_t *len)
{
    *len = r->ok ? r->left : 0;
    const uint8_t *p = r->p;
    r->p += *len;
    r->left = 0;
    return p;
}

void wire_write_u8(buf *b, uint8_t v) { buf_append_byte(b, v); }

void wire_write_u16(buf *b, uint16_t v)
{
    uint8_t p[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    buf_append(b, p, 2);
}

void wire_write_u32(buf *b, uint32_t v)
{
    uint8_t p[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    buf_append(b, p, 4);
}

void wire_write_u64(buf *b, uint64_t v)
{
    wire_write_u32(b, (uint32_t)(v >> 32));
    wire_write_u32(b, (uint32_t)v);
}

void wire_write_str8(buf *b, const char *s, size_t len)
{
    if (len > 255) len = 255;
    wire_write_u8(b, (uint8_t)len);
    buf_append(b, s, len);
}

/* CRC-32 (reflected polynomial 0xEDB88320) four bits at a time: a constant table, so
 * there is nothing to initialise and nothing shared between threads. */
static const uint32_t crc_nibble[16] = {
    0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4, 0x4DB26158, 0x5005713C,
    0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C, 0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C};

static uint32_t crc_update(uint32_t c, const uint8_t *p, size_t n)
{
    while (n--) {
        c = crc_nibble[(c ^ *p) & 0xF] ^ (c >> 4);
        c = crc_nibble[(c ^ (*p++ >> 4)) & 0xF] ^ (c >> 4);
    }
    return c;
}

uint32_t wire_crc32(const void *data, size_t len) { return ~crc_update(0xFFFFFFFFu, data, len); }

/* The checksum of a datagram with its checksum field (4 bytes at crc_at) taken as zero. */
static uint32_t datagram_crc(const uint8_t *p, size_t len, size_t crc_at)
{
    static const uint8_t zero[4] = {0};
    uint32_t c = crc_update(0xFFFFFFFFu, p, crc_at);
    c = crc_update(c, zero, 4);
    return ~crc_update(c, p + crc_at + 4, len - crc_at - 4);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

int wire_is_ours(const void *data, size_t len)
{
    return len >= 4 && memcmp(data, WIRE_MAGIC, 4) == 0;
}

wire_result wire_parse_header(const void *data, size_t len, wire_header *h, wire_reader *body)
{
    if (!wire_is_ours(data, len) || len < 16) return WIRE_MALFORMED;
    wire_reader_init(body, data, len);
    take(body, 4);
    h->version = wire_read_u8(body);
    h->type = wire_read_u8(body);
    h->flags = wire_read_u8(body);
    (void)wire_read_u8(body); /* reserved */
    h->session = wire_read_u32(body);
    h->dest_session = wire_read_u32(body);
    h->token = 0;
    if (h->version != WIRE_VERSION) return WIRE_OTHER_VERSION;
    h->token = wire_read_u64(body);
    uint32_t crc = wire_read_u32(body);
    if (!body->ok || h->session == 0 || crc != datagram_crc(data, len, WIRE_CRC_OFFSET))
        return WIRE_MALFORMED;
    return WIRE_OK;
}

void wire_write_header(buf *b, uint8_t type, uint32_t session, uint32_t dest_session,
                       uint64_t token)
{
    buf_append(b, WIRE_MAGIC, 4);
    wire_write_u8(b, WIRE_VERSION);
    wire_write_u8(b, type);
    wire_write_u8(b, 0);
    wire_write_u8(b, 0);
    wire_write_u32(b, session);
    wire_write_u32(b, dest_session);
    wire_write_u64(b, token);
    wire_write_u32(b, 0); /* checksum, filled in by wire_seal */
}

void wire_write_unsupported(buf *b, uint8_t version, uint32_t session, uint32_t dest_session)
{
    size_t at = b->len;
    buf_append(b, WIRE_MAGIC, 4);
    wire_write_u8(b, version);
    wire_write_u8(b, WIRE_UNSUPPORTED);
    wire_write_u16(b, 0);
    wire_write_u32(b, session);
    wire_write_u32(b, dest_session);
    if (version == 1) { /* version 1's header: the CRC right after dest_session */
        wire_write_u32(b, 0);
        put_u32((uint8_t *)b->data + at + 16, datagram_crc((uint8_t *)b->data + at, 20, 16));
    } else {
        wire_write_u64(b, 0);
        wire_write_u32(b, 0);
        wire_seal(b->data + at, WIRE_HEADER_LEN);
    }
}

void wire_seal(void *datagram, size_t len)
{
    uint8_t *p = datagram;
    if (len < WIRE_HEADER_LEN) return;
    put_u32(p + WIRE_CRC_OFFSET, datagram_crc(p, len, WIRE_CRC_OFFSET));
}

_Static_assert(WIRE_CHALLENGE_LEN <= WIRE_HELLO_MIN, "a CHALLENGE must never outgrow the HELLO it answers");
_Static_assert(WIRE_DATA_MAX <= WIRE_MAX_DATAGRAM, "a full DATA fragment must fit a datagram");
_Static_assert(WIRE_HELLO_MAX <= WIRE_MAX_DATAGRAM, "the largest HELLO must fit a datagram");
_Static_assert(WIRE_CARD_MAX < WIRE_CARD_LIMIT, "a calling card must fit a plain-text reader's 1024 bytes");
_Static_assert(WIRE_HELLO_MAX <= WIRE_CARD_DATAGRAM_MAX, "a card's buffer must hold the largest HELLO");
_Static_assert(WIRE_SACK_BITS == 8 * sizeof(((wire_ack *)0)->sack), "WIRE_SACK_BITS is the sack field's width");
_Static_assert(WIRE_MAX_MESSAGE / WIRE_MAX_FRAGMENT + 1 <= UINT16_MAX, "nfrags fits its u16");
_Static_assert(WIRE_NICK_BYTES <= 255, "a nick fits the one-byte length of a HELLO's str8");

wire_result wire_parse_data(wire_reader *r, wire_data *d)
{
    d->seq = wire_read_u32(r);
    d->base = wire_read_u32(r);
    d->ts = wire_read_u32(r);
    d->frag = wire_read_u16(r);
    d->nfrags = wire_read_u16(r);
    d->payload = wire_read_rest(r, &d->len);
    if (!r->ok || d->nfrags == 0 || d->frag >= d->nfrags) return WIRE_MALFORMED;
    if (d->nfrags > WIRE_MAX_MESSAGE / WIRE_MAX_FRAGMENT + 1 || d->len > WIRE_MAX_FRAGMENT) return WIRE_MALFORMED;
    return WIRE_OK;
}

void wire_write_data(buf *b, const wire_data *d)
{
    wire_write_u32(b, d->seq);
    wire_write_u32(b, d->base);
    wire_write_u32(b, d->ts);
    wire_write_u16(b, d->frag);
    wire_write_u16(b, d->nfrags);
    buf_append(b, d->payload, d->len);
}

wire_result wire_parse_ack(wire_reader *r, wire_ack *a)
{
    a->next = wire_read_u32(r);
    a->echo_ts = wire_read_u32(r);
    a->sack = wire_read_u64(r);
    a->skipped = wire_read_u32(r);
    return r->ok && a->skipped <= a->next ? WIRE_OK : WIRE_MALFORMED;
}

void wire_write_ack(buf *b, const wire_ack *a)
{
    wire_write_u32(b, a->next);
    wire_write_u32(b, a->echo_ts);
    wire_write_u64(b, a->sack);
    wire_write_u32(b, a->skipped);
}

wire_result wire_parse_hello(wire_reader *r, wire_hello *h)
{
    h->role = wire_read_u8(r);
    h->caps = wire_read_u8(r);
    h->heartbeat_ms = wire_read_u16(r);
    h->timeout_s = wire_read_u16(r);
    h->cookie_ts = wire_read_u32(r);
    h->reply_token = wire_read_u64(r);
    h->nick = wire_read_str8(r, &h->nick_len);
    if (!r->ok || h->role > WIRE_ROLE_SERVER || h->reply_token == 0) return WIRE_MALFORMED;
    return WIRE_OK;
}

wire_result wire_parse_challenge(wire_reader *r, wire_challenge *c)
{
    c->cookie_ts = wire_read_u32(r);
    c->cookie = wire_read_u64(r);
    return r->ok && c->cookie ? WIRE_OK : WIRE_MALFORMED;
}

void wire_write_challenge(buf *b, const wire_challenge *c)
{
    wire_write_u32(b, c->cookie_ts);
    wire_write_u64(b, c->cookie);
}

void wire_write_hello(buf *b, const wire_hello *h)
{
    wire_write_u8(b, h->role);
    wire_write_u8(b, h->caps);
    wire_write_u16(b, h->heartbeat_ms);
    wire_write_u16(b, h->timeout_s);
    wire_write_u32(b, h->cookie_ts);
    wire_write_u64(b, h->reply_token);
    wire_write_str8(b, h->nick, h->nick_len);
}

const char *wire_leave_reason_name(int reason)
{
    switch (reason) {
    case LEAVE_QUIT: return "quit";
    case LEAVE_TIMEOUT: return "timeout";
    case LEAVE_KICKED: return "kicked";
    case LEAVE_SHUTDOWN: return "shutdown";
    case LEAVE_NICK: return "nick";
    default: return "unknown";
    }
}
