/* msg.h -- the chat messages carried reliably inside DATA fragments (one layout for all) */
#ifndef UDPCHAT_MSG_H
#define UDPCHAT_MSG_H
#include <stddef.h>
#include <stdint.h>
#include "udpchat/buf.h"

/* Layout: kind u8 | flags u8 | reason u8 | ref u32 | str8 a | str8 b | text (rest, UTF-8).
 * ref: a CHAT's sender-side message id (client -> relay), echoed by the RECEIPT.
 * What a and b mean depends on kind (see docs/PROTOCOL.md): CHAT a=from b=to;
 * WELCOME a=nick; JOINED a=nick; LEFT a=nick reason text; NICK a=old b=new;
 * NOTICE flags=NOTICE_* text; SHUTDOWN text; ROSTER text = nicks joined by '\n'. */
typedef struct chat_msg {
    uint8_t kind, flags, reason;
    uint32_t ref;
    const char *a, *b, *text;  /* point into the parsed bytes; not NUL-terminated */
    size_t alen, blen, text_len;
} chat_msg;

/* Returns 0, or -1 if malformed (unknown kind or short). */
int msg_parse(const void *data, size_t len, chat_msg *m);
void msg_write(buf *b, const chat_msg *m);
/* Builds and writes a message from NUL-terminated strings (NULL = empty). */
void msg_build(buf *b, uint8_t kind, uint8_t flags, uint8_t reason, const char *a,
               const char *bb, const char *text);
/* The same with a ref (msg_build writes ref 0). */
void msg_build_ref(buf *b, uint8_t kind, uint8_t flags, uint8_t reason, uint32_t ref,
                   const char *a, const char *bb, const char *text);
/* Copies a field as a NUL-terminated valid UTF-8 heap string (bad bytes -> U+FFFD). */
char *msg_field(const char *p, size_t len);

#endif
