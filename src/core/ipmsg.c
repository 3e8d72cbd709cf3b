/* ipmsg.c -- parse and build IP Messenger packets (fields split on ':', sections on NUL) */
#include "udpchat/ipmsg.h"

#include <stdlib.h>
#include <string.h>

#include "udpchat/mem.h"

static size_t bounded_len(const char *s, size_t max)
{
    const char *nul = memchr(s, '\0', max);
    return nul ? (size_t)(nul - s) : max;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (!*s) return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        if (v > (max - (uint64_t)(*s - '0')) / 10) return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

/* Cuts the next ':'-terminated field from *p (within end); NULL if there is none. */
static char *next_field(char **p, char *end)
{
    char *start = *p, *c = memchr(start, ':', (size_t)(end - start));
    if (!c) return NULL;
    *c = '\0';
    *p = c + 1;
    return start;
}

int ipmsg_parse(const void *data, size_t len, ipmsg_packet *p)
{
    memset(p, 0, sizeof *p);
    if (len == 0 || len > 65536) return -1;
    p->store = xmalloc(len + 2);
    memcpy(p->store, data, len);
    p->store[len] = p->store[len + 1] = '\0';
    char *cur = p->store, *end = p->store + bounded_len(p->store, len); /* header ends at a NUL */
    char *fields[5];
    for (int i = 0; i < 5; i++)
        if (!(fields[i] = next_field(&cur, end))) return ipmsg_free(p), -1;
    uint64_t cmd;
    if (parse_u64(fields[1], UINT64_MAX / 2, &p->packet_no) < 0 ||
        parse_u64(fields[4], 0xFFFFFFFFu, &cmd) < 0)
        return ipmsg_free(p), -1;
    p->version = fields[0];
    p->user = fields[2];
    p->host = fields[3];
    p->command = (uint32_t)cmd;
    p->extra = cur;
    p->extra_len = strlen(cur);
    size_t used = (size_t)(cur - p->store) + p->extra_len + 1;
    p->extra2 = used <= len ? p->store + used : "";
    p->extra2_len = used <= len ? bounded_len(p->extra2, len - used) : 0;
    used += p->extra2_len + 1;
    p->extra3 = used <= len ? p->store + used : "";
    p->extra3_len = used <= len ? bounded_len(p->extra3, len - used) : 0;
    return 0;
}

void ipmsg_free(ipmsg_packet *p)
{
    free(p->store);
    p->store = NULL;
}

static void append_field(buf *out, const char *s)
{
    for (; *s; s++) buf_append_byte(out, (uint8_t)(*s == ':' ? ';' : *s));
    buf_append_byte(out, ':');
}

void ipmsg_build(buf *out, uint64_t packet_no, const char *user, const char *host, uint32_t command,
                 const char *extra, size_t extra_len, const char *extra2, size_t extra2_len)
{
    buf_printf(out, "%s:%llu:", IPMSG_VERSION, (unsigned long long)packet_no);
    append_field(out, user);
    append_field(out, host);
    buf_printf(out, "%lu:", (unsigned long)command);
    buf_append(out, extra, extra_len);
    if (extra2) {
        buf_append_byte(out, 0);
        buf_append(out, extra2, extra2_len);
    }
    buf_append_byte(out, 0);
}

void ipmsg_append_section(buf *out, const char *s, size_t len)
{
    buf_append(out, s, len);
    buf_append_byte(out, 0);
}
