/* msg.c -- encoding and decoding of reliable chat messages */
#include "udpchat/msg.h"

#include <string.h>

#include "udpchat/utf8.h"
#include "udpchat/wire.h"

int msg_parse(const void *data, size_t len, chat_msg *m)
{
    wire_reader r;
    wire_reader_init(&r, data, len);
    m->kind = wire_read_u8(&r);
    m->flags = wire_read_u8(&r);
    m->reason = wire_read_u8(&r);
    m->ref = wire_read_u32(&r);
    m->a = wire_read_str8(&r, &m->alen);
    m->b = wire_read_str8(&r, &m->blen);
    m->text = (const char *)wire_read_rest(&r, &m->text_len);
    if (!r.ok || m->kind < MSG_CHAT || m->kind > MSG_RECEIPT) return -1;
    return 0;
}

void msg_write(buf *b, const chat_msg *m)
{
    wire_write_u8(b, m->kind);
    wire_write_u8(b, m->flags);
    wire_write_u8(b, m->reason);
    wire_write_u32(b, m->ref);
    wire_write_str8(b, m->a, m->alen);
    wire_write_str8(b, m->b, m->blen);
    buf_append(b, m->text, m->text_len);
}

void msg_build(buf *b, uint8_t kind, uint8_t flags, uint8_t reason, const char *a,
               const char *bb, const char *text)
{
    msg_build_ref(b, kind, flags, reason, 0, a, bb, text);
}

void msg_build_ref(buf *b, uint8_t kind, uint8_t flags, uint8_t reason, uint32_t ref,
                   const char *a, const char *bb, const char *text)
{
    chat_msg m = {kind, flags, reason, ref, a ? a : "", bb ? bb : "", text ? text : "", 0, 0, 0};
    m.alen = strlen(m.a);
    m.blen = strlen(m.b);
    m.text_len = strlen(m.text);
    msg_write(b, &m);
}

char *msg_field(const char *p, size_t len)
{
    buf out = {0};
    utf8_repair(p, len, &out);
    return buf_detach(&out);
}
