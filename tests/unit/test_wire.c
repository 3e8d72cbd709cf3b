/* test_wire.c -- the datagram format: round trips and every malformed case the parsers refuse */
#include <string.h>

#include "testhelp.h"
#include "udpchat/msg.h"
#include "udpchat/wire.h"

static void test_header_roundtrip(void)
{
    buf b = {0};
    wire_write_header(&b, WIRE_PING, 0xA1B2C3D4, 0x01020304);
    CHECK_EQ_INT(b.len, WIRE_HEADER_LEN);
    wire_seal(b.data, b.len);
    static const uint8_t want[] = {0xFF, 'U', 'C', 'H', 1, WIRE_PING, 0, 0,
                                   0xA1, 0xB2, 0xC3, 0xD4, 1, 2, 3, 4};
    CHECK_MEM(b.data, 16, want, sizeof want);
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
    CHECK_EQ_INT(r.left, 0);
    buf_free(&b);
}

static void test_header_rejects(void)
{
    uint8_t d[WIRE_HEADER_LEN] = {0xFF, 'U', 'C', 'H', 1, 1, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0};
    wire_header h;
    wire_reader r;
    CHECK_EQ_INT(wire_parse_header(d, WIRE_HEADER_LEN, &h, &r), -1); /* checksum missing */
    wire_seal(d, sizeof d);
    CHECK_EQ_INT(wire_parse_header(d, WIRE_HEADER_LEN, &h, &r), 0);
    d[9] ^= 1; /* one flipped bit */
    CHECK_EQ_INT(wire_parse_header(d, WIRE_HEADER_LEN, &h, &r), -1);
    d[9] ^= 1;
    for (size_t n = 0; n < WIRE_HEADER_LEN; n++) CHECK_EQ_INT(wire_parse_header(d, n, &h, &r), -1);
    d[4] = 2; /* a future version */
    CHECK_EQ_INT(wire_parse_header(d, sizeof d, &h, &r), -2);
    CHECK_EQ_INT(h.version, 2);
    d[4] = 1;
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
    uint8_t big[16 + WIRE_MAX_FRAGMENT + 1] = {0};
    buf b = {0};
    wire_data d = {5, 0, 77, 1, 3, (const uint8_t *)"abc", 3}, out;
    wire_write_data(&b, &d);
    CHECK_EQ_INT(parse_data_bytes((uint8_t *)b.data, b.len, &out), 0);
    CHECK_EQ_INT(out.seq, 5);
    CHECK_EQ_INT(out.frag, 1);
    CHECK_EQ_INT(out.nfrags, 3);
    CHECK_MEM(out.payload, out.len, "abc", 3);
    for (size_t n = 0; n < 16; n++) CHECK_EQ_INT(parse_data_bytes((uint8_t *)b.data, n, &out), -1);
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
    wire_hello h = {WIRE_ROLE_CLIENT, 0, 5000, 30, "小明", strlen("小明")}, o;
    wire_write_hello(&b, &h);
    wire_reader r;
    wire_reader_init(&r, b.data, b.len);
    CHECK_EQ_INT(wire_parse_hello(&r, &o), 0);
    CHECK_MEM(o.nick, o.nick_len, "小明", strlen("小明"));
    CHECK_EQ_INT(o.heartbeat_ms, 5000);
    b.data[6] = 100; /* nick length (after role, caps, heartbeat, timeout) beyond the datagram */
    wire_reader_init(&r, b.data, b.len);
    CHECK_EQ_INT(wire_parse_hello(&r, &o), -1);
    b.data[0] = 9; /* unknown role */
    wire_reader_init(&r, b.data, b.len);
    CHECK_EQ_INT(wire_parse_hello(&r, &o), -1);
    buf_clear(&b);
    wire_ack a = {10, 1234, 0x8000000000000001ull}, ao;
    wire_write_ack(&b, &a);
    wire_reader_init(&r, b.data, b.len);
    CHECK_EQ_INT(wire_parse_ack(&r, &ao), 0);
    CHECK(ao.sack == a.sack && ao.next == 10 && ao.echo_ts == 1234);
    wire_reader_init(&r, b.data, b.len - 1);
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
    CHECK_EQ_INT(msg_parse(b.data, 4, &m), -1); /* a's length runs past the end */
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
    RUN(test_data_rejects);
    RUN(test_hello_and_ack);
    RUN(test_msg);
    return th_finish();
}
