/* buf.h -- growable byte buffer used for all text and datagram assembly */
#ifndef UDPCHAT_BUF_H
#define UDPCHAT_BUF_H
#include <stddef.h>
#include <stdint.h>

/* A buf owns `data` (heap, always NUL-terminated when cap > 0). Zero-init is a valid
 * empty buf. Free with buf_free. Allocation failure aborts the process: a chat
 * client that cannot allocate a few KiB cannot do anything useful. */
typedef struct buf {
    char *data;
    size_t len;
    size_t cap;
    int fixed; /* data is the caller's memory (buf_fixed): never reallocated nor freed */
} buf;

/* A buf writing into the caller's array mem[0..cap) (a stack buffer for one datagram).
 * It never grows: appending past cap - 1 bytes (the NUL needs one) is a bug and aborts,
 * instead of handing a stack pointer to realloc. Do not buf_free or buf_detach it. */
buf buf_fixed(void *mem, size_t cap);

void buf_init(buf *b);
void buf_free(buf *b);                 /* accepts a zeroed buf; leaves it empty */
void buf_clear(buf *b);                /* len = 0, keeps capacity */
void buf_reserve(buf *b, size_t extra);
void buf_append(buf *b, const void *p, size_t n);
void buf_append_str(buf *b, const char *s);
void buf_append_byte(buf *b, uint8_t c);
void buf_printf(buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Removes the first n bytes (n <= len). */
void buf_consume(buf *b, size_t n);
/* Returns the data and gives ownership to the caller (free with free()); b becomes empty. */
char *buf_detach(buf *b);

/* The older name of xstrdup (mem.h), kept for its callers in src/app. */
char *str_dup(const char *s);
/* 1 if a and b are equal but for the case of ASCII letters ("AUTO" and "auto"). */
int str_ieq(const char *a, const char *b);

#endif
