/* test_wire.c -- the datagram format: round trips and every malformed case the parsers refuse */
#include <string.h>

#include "testhelp.h"
#include "udpchat/msg.h"
#include "udpchat/token.h"
#include "udpchat/wire.h"

static void test_header_roundtrip(void)
{
    buf b = {0};
    wire_write_header(&b, WIRE_PING, 0xA1B2C3D4, 0x01020304, 0x1122334455667788ull);
    CHECK_EQ_INT(b.len, WIRE_HEADER_LEN);
    wire_seal(b.data, b.len);
    static const uint8_t want[] = {0xFF, 'U', 'C', 'H', 2, WIRE_PING, 0, 0,
                                   0xA1, 0xB2, 0xC3, 0xD4, 1, 2, 3, 4,
                                   0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    CHECK_MEM(b.data, 24, want, sizeof want);
    uint8_t zeroed[WIRE_HEADER_LEN];
    memcpy(zeroed, b.data, WIRE_HEADER_LEN);
    memset(zeroed + WIRE_CRC_OFFSET, 0, 4);
    uint32_t crc = wire_crc32(zeroed, sizeof zeroed);
    const uint8_t *c = (const uint8_t *)b.data + WIRE_CRC_OFFSET;
    CHECK_EQ_INT((uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3], crc);
    CHECK_EQ_INT(wire_crc32("123456789", 9), 0xCBF43926u); /* the standard check value */
    wire_header h;
    wire_reader r;
    CHECK_EQ_INT(wire_parse_header(b.data, b.len, &h, &r), 0);
    CHECK_EQ_INT(h.session, 0xA1B2C3D4);
    CHECK_EQ_INT(h.dest_session, 0x01020304);
    CHECK(h.token == 0x1122334455667788ull);
    CHECK_EQ_INT(r.left, 0);
    buf_free(&b);
}

/* What an older (version 1) udpchat gets back: its own 20-byte layout, its own CRC place. */
static void test_unsupported_v1(void)
{
    buf b = {0};
    wire_write_unsupported(&b, 1, 0xA1B2C3D4, 0x01020304);
    CHECK_EQ_INT(b.len, 20);
    static const uint8_t want[] = {0xFF, 'U', 'C', 'H', 1, WIRE_UNSUPPORTED, 0, 0,
                                   0xA1, 0xB2, 0xC3, 0xD4, 1, 2, 3, 4};
    CHECK_MEM(b.data, 16, want, sizeof want);
    uint8_t zeroed[20];
    memcpy(zeroed, b.data, 20);
    memset(zeroed + 16, 0, 4);
    const uint8_t *c = (const uint8_t *)b.data + 16;
    CHECK_EQ_INT((uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3], wire_crc32(zeroed, 20));
    wire_header h;
    wire_reader r;
    CHECK_EQ_INT(wire_parse_header(b.data, b.len, &h, &r), WIRE_OTHER_VERSION);
    CHECK_EQ_INT(h.version, 1);
    CHECK_EQ_INT(h.type, WIRE_UNSUPPORTED);
    buf_clear(&b);
    wire_write_unsupported(&b, 2, 1, 2);
    CHECK_EQ_INT(b.len, WIRE_HEADER_LEN);
    CHECK_EQ_INT(wire_parse_header(b.data, b.len, &h, &r), WIRE_OK);
    buf_free(&b);
}

/* SipHash-2-4 against the reference vectors of its paper (key 00..0f, message 00..n-1). */
static void test_siphash(void)
{
    token_key k = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
    uint8_t m[16];
    for (int i = 0; i < 16; i++) m[i] = (uint8_t)i;
    CHECK(token_siphash(&k, m, 0) == 0x726fdb47dd0e0e31ull);
    CHECK(token_siphash(&k, m, 15) == 0xa129ca6149be45e5ull);
    net_addr a = {0x7F000001u, 5000}, b2 = {0x7F000001u, 5001};
    uint64_t c = token_cookie(&k, &a, 7, 100);
    CHECK(c != 0 && c == token_cookie(&k, &a, 7, 100));
    CHECK(c != token_cookie(&k, &b2, 7, 100) && c != token_cookie(&k, &a, 8, 100));
    CHECK(c != token_cookie(&k, &a, 7, 101) && c != token_link(&k, &a, 7, 100));
    uint64_t ctr = 0, t1 = token_next(&k, &ctr), t2 = token_next(&k, &ctr);
    CHECK(t1 && t2 && t1 != t2 && ctr == 2);
}

static void test_header_rejects(void)
{
    uint8_t d[WIRE_HEADER_LEN] = {0xFF, 'U', 'C', 'H', 2, 1, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0};
    wire_header h;
    wire_reader r;
    CHECK_EQ_INT(wire_parse_header(d, WIRE_HEADER_LEN, &h, &r), -1); /* checksum missing */
    wire_seal(d, sizeof d);
    CHECK_EQ_INT(wire_parse_header(d, WIRE_HEADER_LEN, &h, &r), 0);
    d[9] ^= 1; /* one flipped bit */
    CHECK_EQ_INT(wire_parse_header(d, WIRE_HEADER_LEN, &h, &r), -1);
    d[9] ^= 1;
    for (size_t n = 0; n < WIRE_HEADER_LEN; n++) CHECK_EQ_INT(wire_parse_header(d, n, &h, &r), -1);
    d[4] = 3; /* a future version */
    CHECK_EQ_INT(wire_parse_header(d, sizeof d, &h, &r), -2);
    CHECK_EQ_INT(h.version, 3);
    d[4] = 1; /* version 1 (20-byte header): another version, whatever its length */
    CHECK_EQ_INT(wire_parse_header(d, 20, &h, &r), WIRE_OTHER_VERSION);
    d[4] = 2;
    d[11] = 0; /* session 0 is never valid */
    wire_seal(d, sizeof d);
    CHECK_EQ_INT(wire_parse_header(d, sizeof d, &h, &r), -1);
    d[11] = 7;
    d[0] = 'h'; /* text from a seed program */
    CHECK(!wire_is_ours(d, sizeof d));
    CHECK_EQ_INT(wire_parse_header(d, sizeof d, &h, &r), -1);
}

static int parse_data_bytes(const uint8_t *p, size_t n, wire_data *d)
{
    wire_reader r;
    wire_reader_init(&r, p, n);
    return wire_parse_data(&r, d);
}

static void test_data_rejects(void)
{
    uint8_t big[WIRE_DATA_BODY_LEN + WIRE_MAX_FRAGMENT + 1] = {0};
    buf b = {0};
    wire_data d = {5, 0, 77, 1, 3, (const uint8_t *)"abc", 3}, out;
    wire_write_data(&b, &d);
    CHECK_EQ_INT(b.len, WIRE_DATA_BODY_LEN + 3);
    CHECK_EQ_INT(parse_data_bytes((uint8_t *)b.data, b.len, &out), 0);
    CHECK_EQ_INT(out.seq, 5);
    CHECK_EQ_INT(out.frag, 1);
    CHECK_EQ_INT(out.nfrags, 3);
    CHECK_MEM(out.payload, out.len, "abc", 3);
    for (size_t n = 0; n < WIRE_DATA_BODY_LEN; n++) CHECK_EQ_INT(parse_data_bytes((uint8_t *)b.data, n, &out), -1);
    b.data[13] = 0;
    b.data[15] = 0; /* nfrags 0 */
    CHECK_EQ_INT(parse_data_bytes((uint8_t *)b.data, b.len, &out), -1);
    b.data[13] = 1;
    b.data[15] = 1; /* frag 1 of 1 */
    CHECK_EQ_INT(parse_data_bytes((uint8_t *)b.data, b.len, &out), -1);
    big[15] = 1; /* one fragment but a payload over the limit */
    CHECK_EQ_INT(parse_data_bytes(big, sizeof big, &out), -1);
    big[14] = 0xFF; /* absurd fragment count */
    CHECK_EQ_INT(parse_data_bytes(big, 16, &out), -1);
    buf_free(&b);
}

static void test_hello_and_ack(void)
{
    buf b = {0};
    wire_hello h = {WIRE_ROLE_CLIENT, 0, 5000, 30, 77, 0xABCDEF0123456789ull, "小明", strlen("小明")}, o;
    wire_write_hello(&b, &h);
    wire_reader r;
    wire_reader_init(&r, b.data, b.len);
    CHECK_EQ_INT(wire_parse_hello(&r, &o), 0);
    CHECK_MEM(o.nick, o.nick_len, "小明", strlen("小明"));
    CHECK_EQ_INT(o.heartbeat_ms, 5000);
    CHECK_EQ_INT(o.cookie_ts, 77);
    CHECK(o.reply_token == 0xABCDEF0123456789ull);
    CHECK_EQ_INT(b.len + WIRE_HEADER_LEN, WIRE_HELLO_MIN + strlen("小明"));
    b.data[18] = 100; /* nick length (after role, caps, heartbeat, timeout, cookie, token) too long */
    wire_reader_init(&r, b.data, b.len);
    CHECK_EQ_INT(wire_parse_hello(&r, &o), -1);
    b.data[0] = 9; /* unknown role */
    wire_reader_init(&r, b.data, b.len);
    CHECK_EQ_INT(wire_parse_hello(&r, &o), -1);
    b.data[0] = WIRE_ROLE_CLIENT;
    b.data[18] = (char)strlen("小明");
    memset(b.data + 10, 0, 8); /* reply token 0: nobody could answer it */
    wire_reader_init(&r, b.data, b.len);
    CHECK_EQ_INT(wire_parse_hello(&r, &o), -1);
    buf_clear(&b);
    wire_challenge ch = {5, 0x0102030405060708ull}, cho;
    wire_write_challenge(&b, &ch);
    CHECK_EQ_INT(b.len + WIRE_HEADER_LEN, WIRE_CHALLENGE_LEN);
    CHECK(WIRE_CHALLENGE_LEN <= WIRE_HELLO_MIN); /* a challenge never amplifies a hello */
    wire_reader_init(&r, b.data, b.len);
    CHECK_EQ_INT(wire_parse_challenge(&r, &cho), 0);
    CHECK(cho.cookie == ch.cookie && cho.cookie_ts == 5);
    wire_reader_init(&r, b.data, b.len - 1);
    CHECK_EQ_INT(wire_parse_challenge(&r, &cho), -1);
    buf_clear(&b);
    wire_ack a = {10, 1234, 0x8000000000000001ull, 4}, ao;
    wire_write_ack(&b, &a);
    CHECK_EQ_INT(b.len, WIRE_ACK_BODY_LEN); /* the size link.c's stack buffer is made for */
    wire_reader_init(&r, b.data, b.len);
    CHECK_EQ_INT(wire_parse_ack(&r, &ao), 0);
    CHECK(ao.sack == a.sack && ao.next == 10 && ao.echo_ts == 1234 && ao.skipped == 4);
    wire_reader_init(&r, b.data, b.len - 1);
    CHECK_EQ_INT(wire_parse_ack(&r, &ao), -1);
    buf_clear(&b);
    a.skipped = 11; /* skipped beyond next: no receiver says that */
    wire_write_ack(&b, &a);
    wire_reader_init(&r, b.data, b.len);
    CHECK_EQ_INT(wire_parse_ack(&r, &ao), -1);
    buf_free(&b);
}

static void test_msg(void)
{
    buf b = {0};
    chat_msg m;
    msg_build(&b, MSG_CHAT, CHAT_PRIVATE, 0, "alice", "bob", "你好");
    CHECK_EQ_INT(msg_parse(b.data, b.len, &m), 0);
    CHECK_MEM(m.a, m.alen, "alice", 5);
    CHECK_MEM(m.b, m.blen, "bob", 3);
    CHECK_MEM(m.text, m.text_len, "你好", strlen("你好"));
    CHECK_EQ_INT(m.ref, 0);
    CHECK_EQ_INT(msg_parse(b.data, 8, &m), -1); /* a's length runs past the end */
    buf_clear(&b);
    msg_build_ref(&b, MSG_RECEIPT, 0, 0, 0xDEADBEEFu, NULL, NULL, "2/3");
    CHECK_EQ_INT(msg_parse(b.data, b.len, &m), 0);
    CHECK_EQ_INT(m.kind, MSG_RECEIPT);
    CHECK_EQ_INT(m.ref, 0xDEADBEEFu);
    b.data[0] = 99;
    CHECK_EQ_INT(msg_parse(b.data, b.len, &m), -1); /* unknown kind */
    char *f = msg_field("a\xff" "b", 3);
    CHECK(strcmp(f, "a\xEF\xBF\xBD" "b") == 0); /* invalid UTF-8 repaired */
    free(f);
    buf_free(&b);
}

int main(void)
{
    RUN(test_header_roundtrip);
    RUN(test_header_rejects);
    RUN(test_unsupported_v1);
    RUN(test_siphash);
    RUN(test_data_rejects);
    RUN(test_hello_and_ack);
    RUN(test_msg);
    return th_finish();
}
