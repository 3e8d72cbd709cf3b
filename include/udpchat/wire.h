/* wire.h -- the udpchat datagram format: bounds-checked readers/writers, headers, types */
#ifndef UDPCHAT_WIRE_H
#define UDPCHAT_WIRE_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/buf.h"

/* Every udpchat datagram starts with this magic. 0xFF is invalid in UTF-8, GBK and
 * GB18030, so no text datagram from a seed-style peer can be mistaken for it. */
#define WIRE_MAGIC0 0xFF
#define WIRE_MAGIC "\xFFUCH"
#define WIRE_VERSION 2
#define WIRE_HEADER_LEN 28         /* ... session, dest_session, token, crc32 */
#define WIRE_TOKEN_OFFSET 16
#define WIRE_CRC_OFFSET 24
#define WIRE_COOKIE_TTL_S 30        /* a CHALLENGE cookie is good for this long */
#define WIRE_MAX_DATAGRAM 1400      /* never send more than this */
#define WIRE_MAX_FRAGMENT 1200      /* payload bytes per DATA datagram */
#define WIRE_MAX_TEXT 65536         /* largest chat text in bytes of UTF-8 */
#define WIRE_MAX_MESSAGE (WIRE_MAX_TEXT + 1024) /* largest reliable message payload */
#define WIRE_MAX_NICK 32            /* characters (scalar values) */
#define WIRE_NICK_BYTES (4 * WIRE_MAX_NICK) /* its UTF-8 bytes at most */
#define WIRE_SACK_BITS 64           /* width of wire_ack.sack: fragments after `next` it names */

/* Body sizes (the fixed part of each body, as the writers below lay it out) and the
 * datagram sizes built from them. wire.c checks the relations with _Static_assert. */
#define WIRE_DATA_BODY_LEN 16      /* seq, base, ts, frag, nfrags; then the payload */
#define WIRE_ACK_BODY_LEN 20       /* next, echo_ts, sack, skipped */
#define WIRE_HELLO_BODY_MIN 19     /* role ... reply_token, and the nick's length byte */
#define WIRE_CHALLENGE_BODY_LEN 12 /* cookie_ts, cookie */
#define WIRE_HELLO_MIN (WIRE_HEADER_LEN + WIRE_HELLO_BODY_MIN)        /* empty nick */
#define WIRE_HELLO_MAX (WIRE_HELLO_MIN + 255)                         /* str8 nick */
#define WIRE_CHALLENGE_LEN (WIRE_HEADER_LEN + WIRE_CHALLENGE_BODY_LEN) /* <= a HELLO: no amplifier */
#define WIRE_ACK_LEN (WIRE_HEADER_LEN + WIRE_ACK_BODY_LEN)
#define WIRE_DATA_MAX (WIRE_HEADER_LEN + WIRE_DATA_BODY_LEN + WIRE_MAX_FRAGMENT)

typedef enum wire_type {
    WIRE_DATA = 1,        /* reliable fragment */
    WIRE_ACK = 2,         /* cumulative + selective acknowledgement */
    WIRE_PING = 3,        /* keepalive; answered by PONG */
    WIRE_PONG = 4,
    WIRE_HELLO = 5,       /* session opening (and its answer) */
    WIRE_BYE = 6,         /* leaving; answered by BYE_ACK */
    WIRE_BYE_ACK = 7,
    WIRE_REFUSE = 8,      /* HELLO refused (nick taken, room full...) */
    WIRE_RESET = 9,       /* "I do not know your session": say HELLO again */
    WIRE_CHALLENGE = 10,  /* answer to an unverified HELLO: echo this cookie */
    WIRE_UNSUPPORTED = 127 /* answer to a datagram of an unknown version */
} wire_type;

typedef struct wire_header {
    uint8_t version;
    uint8_t type;
    uint8_t flags;
    uint32_t session;      /* the sender's session id (never 0) */
    uint32_t dest_session; /* the receiver's session as the sender knows it, or 0 */
    uint64_t token;        /* the receiver's secret for this link (0: none yet), see PROTOCOL.md */
} wire_header;

/* What wire_parse_header found. */
typedef enum wire_result {
    WIRE_OK = 0,
    WIRE_MALFORMED = -1,    /* short, bad magic, bad checksum, session 0: drop and count */
    WIRE_OTHER_VERSION = -2 /* h->version, type and session are set; the rest is unread */
} wire_result;

/* A read cursor over untrusted bytes. Every read checks the remaining length; after
 * the first failed read `ok` is 0 and all later reads return zeros. */
typedef struct wire_reader {
    const uint8_t *p;
    size_t left;
    int ok;
} wire_reader;

void wire_reader_init(wire_reader *r, const void *data, size_t len);
uint8_t wire_read_u8(wire_reader *r);
uint16_t wire_read_u16(wire_reader *r);
uint32_t wire_read_u32(wire_reader *r);
uint64_t wire_read_u64(wire_reader *r);
/* A string with a one-byte length prefix; *len gets its length. Points into the data. */
const char *wire_read_str8(wire_reader *r, size_t *len);
/* The rest of the data. */
const uint8_t *wire_read_rest(wire_reader *r, size_t *len);

void wire_write_u8(buf *b, uint8_t v);
void wire_write_u16(buf *b, uint16_t v);
void wire_write_u32(buf *b, uint32_t v);
void wire_write_u64(buf *b, uint64_t v);
/* Writes min(len, 255) bytes with a one-byte length prefix. */
void wire_write_str8(buf *b, const char *s, size_t len);

/* 1 if the datagram begins with the udpchat magic (it is ours, whatever its version). */
int wire_is_ours(const void *data, size_t len);
/* Parses the header (see wire_result). The version is checked before the length and the
 * checksum, since another version may lay out its header differently (bytes 0-15 keep
 * their meaning in every version). On WIRE_OK the reader is positioned at the body. */
wire_result wire_parse_header(const void *data, size_t len, wire_header *h, wire_reader *body);
/* Appends a header (with a zero checksum: call wire_seal once the datagram is whole). */
void wire_write_header(buf *b, uint8_t type, uint32_t session, uint32_t dest_session,
                       uint64_t token);
/* Appends a whole header-only datagram of another protocol version: bytes 0-15 as in
 * every version, then that version's checksum layout (version 1: CRC at 16; 20 bytes). */
void wire_write_unsupported(buf *b, uint8_t version, uint32_t session, uint32_t dest_session);
/* Writes the CRC-32 (IEEE 802.3, as zlib's crc32) of the whole datagram, computed with
 * the checksum field zeroed, into the checksum field. */
void wire_seal(void *datagram, size_t len);
/* CRC-32 of data (zlib's crc32(0, data, len)). */
uint32_t wire_crc32(const void *data, size_t len);

/* --- the calling card (card.c) --- */
/* What a person running a plain-text program sees, then the tag the HELLO follows. */
#define WIRE_CARD_TEXT "udpchat 0.2: a udpchat user is calling. Type a line to chat in plain text. "
#define WIRE_CARD_TAG "[UCH2 "
/* The longest card (one carrying the largest HELLO: text, tag, base64 without padding,
 * "]\n"), and what it must stay under: a plain-text program reads with recvfrom(1024). */
#define WIRE_CARD_MAX \
    (sizeof WIRE_CARD_TEXT - 1 + sizeof WIRE_CARD_TAG - 1 + (WIRE_HELLO_MAX * 4 + 2) / 3 + 2)
#define WIRE_CARD_LIMIT 1024
/* Room for the datagram a card carries (the largest HELLO, with slack). */
#define WIRE_CARD_DATAGRAM_MAX (WIRE_HEADER_LEN + 256 + 32)
/* Appends a calling card carrying `datagram` (a HELLO): one line of printable ASCII ending
 * in "\n", at most WIRE_CARD_MAX bytes for any HELLO. */
void wire_card_write(buf *out, const void *datagram, size_t len);
/* If text holds a calling card, decodes its datagram into out (at most cap bytes) and
 * returns the datagram's length (it starts with the magic); else 0. */
size_t wire_card_read(const void *text, size_t len, uint8_t *out, size_t cap);

/* --- bodies --- */
typedef struct wire_data {
    uint32_t seq;       /* fragment sequence number on this link */
    uint32_t base;      /* sender will never (re)send anything below this */
    uint32_t ts;        /* sender's clock (ms) at this transmission */
    uint16_t frag;      /* index of this fragment in its message */
    uint16_t nfrags;    /* fragments in the message (1..WIRE_MAX_MESSAGE/WIRE_MAX_FRAGMENT+1) */
    const uint8_t *payload;
    size_t len;
} wire_data;

typedef struct wire_ack {
    uint32_t next;      /* every seq below this has been received or skipped */
    uint32_t echo_ts;   /* ts of the DATA that prompted this ack */
    uint64_t sack;      /* bit i: seq next+1+i has been received */
    uint32_t skipped;   /* below this the receiver skipped (the sender's base it applied) */
} wire_ack;

typedef struct wire_hello {
    uint8_t role;           /* WIRE_ROLE_* */
    uint8_t caps;           /* reserved, 0 */
    uint16_t heartbeat_ms;  /* how often the sender wants to hear from us */
    uint16_t timeout_s;     /* silence after which the sender drops us */
    uint32_t cookie_ts;     /* the CHALLENGE's time the header token echoes (0: none) */
    uint64_t reply_token;   /* the token the sender wants on everything sent back (!= 0) */
    const char *nick;
    size_t nick_len;
} wire_hello;

enum { WIRE_ROLE_PEER = 0, WIRE_ROLE_CLIENT = 1, WIRE_ROLE_SERVER = 2 };

typedef struct wire_challenge {
    uint32_t cookie_ts; /* the challenger's clock (s) when it made the cookie */
    uint64_t cookie;    /* echo it as the header token of the next HELLO */
} wire_challenge;

/* Body parsers: WIRE_OK, or WIRE_MALFORMED when the body is malformed (then drop it). */
wire_result wire_parse_data(wire_reader *r, wire_data *d);
wire_result wire_parse_ack(wire_reader *r, wire_ack *a);
wire_result wire_parse_hello(wire_reader *r, wire_hello *h);
wire_result wire_parse_challenge(wire_reader *r, wire_challenge *c);
void wire_write_challenge(buf *b, const wire_challenge *c);
void wire_write_data(buf *b, const wire_data *d);
void wire_write_ack(buf *b, const wire_ack *a);
void wire_write_hello(buf *b, const wire_hello *h);

/* --- reliable message payloads (what DATA fragments carry, reassembled) --- */
typedef enum wire_msg_kind {
    MSG_CHAT = 1,     /* text to the room or to one member */
    MSG_WELCOME = 2,  /* server -> client after HELLO: your nick, roster follows */
    MSG_ROSTER = 3,   /* list of nicks */
    MSG_JOINED = 4,   /* server -> clients: a member joined */
    MSG_LEFT = 5,     /* server -> clients: a member left (reason) */
    MSG_NICK = 6,     /* client -> server: change nick; server -> clients: renamed */
    MSG_WHO = 7,      /* client -> server: send me the roster */
    MSG_NOTICE = 8,   /* server -> client: a notice or an error text */
    MSG_SHUTDOWN = 9, /* server -> clients: the server is going away */
    MSG_RECEIPT = 10  /* server -> sender: how many members acknowledged its message */
} wire_msg_kind;

enum { CHAT_ACTION = 1, CHAT_PRIVATE = 2 };
enum { NOTICE_INFO = 0, NOTICE_ERROR = 1, NOTICE_ADMIN = 2 };
enum { LEAVE_QUIT = 0, LEAVE_TIMEOUT = 1, LEAVE_KICKED = 2, LEAVE_SHUTDOWN = 3, LEAVE_NICK = 4 };

const char *wire_leave_reason_name(int reason);

#endif
