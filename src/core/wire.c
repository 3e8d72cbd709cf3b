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

/* The checksum of a datagram with its checksum field taken as zero. */
static uint32_t datagram_crc(const uint8_t *p, size_t len)
{
    static const uint8_t zero[4] = {0};
    uint32_t c = crc_update(0xFFFFFFFFu, p, WIRE_CRC_OFFSET);
    c = crc_update(c, zero, 4);
    return ~crc_update(c, p + WIRE_HEADER_LEN, len - WIRE_HEADER_LEN);
}

int wire_is_ours(const void *data, size_t len)
{
    return len >= 4 && memcmp(data, WIRE_MAGIC, 4) == 0;
}

int wire_parse_header(const void *data, size_t len, wire_header *h, wire_reader *body)
{
    if (!wire_is_ours(data, len) || len < WIRE_HEADER_LEN) return -1;
    wire_reader_init(body, data, len);
    take(body, 4);
    h->version = wire_read_u8(body);
    h->type = wire_read_u8(body);
    h->flags = wire_read_u8(body);
    (void)wire_read_u8(body); /* reserved */
    h->session = wire_read_u32(body);
    h->dest_session = wire_read_u32(body);
    uint32_t crc = wire_read_u32(body);
    if (h->version != WIRE_VERSION) return -2;
    if (h->session == 0 || crc != datagram_crc(data, len)) return -1;
    return 0;
}

void wire_write_header(buf *b, uint8_t type, uint32_t session, uint32_t dest_session)
{
    buf_append(b, WIRE_MAGIC, 4);
    wire_write_u8(b, WIRE_VERSION);
    wire_write_u8(b, type);
    wire_write_u8(b, 0);
    wire_write_u8(b, 0);
    wire_write_u32(b, session);
    wire_write_u32(b, dest_session);
    wire_write_u32(b, 0); /* checksum, filled in by wire_seal */
}

void wire_seal(void *datagram, size_t len)
{
    uint8_t *p = datagram;
    if (len < WIRE_HEADER_LEN) return;
    uint32_t crc = datagram_crc(p, len);
    p[WIRE_CRC_OFFSET] = (uint8_t)(crc >> 24);
    p[WIRE_CRC_OFFSET + 1] = (uint8_t)(crc >> 16);
    p[WIRE_CRC_OFFSET + 2] = (uint8_t)(crc >> 8);
    p[WIRE_CRC_OFFSET + 3] = (uint8_t)crc;
}

int wire_parse_data(wire_reader *r, wire_data *d)
{
    d->seq = wire_read_u32(r);
    d->base = wire_read_u32(r);
    d->ts = wire_read_u32(r);
    d->frag = wire_read_u16(r);
    d->nfrags = wire_read_u16(r);
    d->payload = wire_read_rest(r, &d->len);
    if (!r->ok || d->nfrags == 0 || d->frag >= d->nfrags) return -1;
    if (d->nfrags > WIRE_MAX_MESSAGE / WIRE_MAX_FRAGMENT + 1 || d->len > WIRE_MAX_FRAGMENT) return -1;
    return 0;
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

int wire_parse_ack(wire_reader *r, wire_ack *a)
{
    a->next = wire_read_u32(r);
    a->echo_ts = wire_read_u32(r);
    uint32_t hi = wire_read_u32(r), lo = wire_read_u32(r);
    a->sack = ((uint64_t)hi << 32) | lo;
    return r->ok ? 0 : -1;
}

void wire_write_ack(buf *b, const wire_ack *a)
{
    wire_write_u32(b, a->next);
    wire_write_u32(b, a->echo_ts);
    wire_write_u32(b, (uint32_t)(a->sack >> 32));
    wire_write_u32(b, (uint32_t)a->sack);
}

int wire_parse_hello(wire_reader *r, wire_hello *h)
{
    h->role = wire_read_u8(r);
    h->caps = wire_read_u8(r);
    h->heartbeat_ms = wire_read_u16(r);
    h->timeout_s = wire_read_u16(r);
    h->nick = wire_read_str8(r, &h->nick_len);
    if (!r->ok || h->role > WIRE_ROLE_SERVER) return -1;
    return 0;
}

void wire_write_hello(buf *b, const wire_hello *h)
{
    wire_write_u8(b, h->role);
    wire_write_u8(b, h->caps);
    wire_write_u16(b, h->heartbeat_ms);
    wire_write_u16(b, h->timeout_s);
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
