/* mem.c -- the one allocator: what running out of memory means, decided once */
#include "udpchat/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mem_fail(size_t n)
{
    fprintf(stderr, "udpchat: out of memory (%zu bytes)\n", n);
    abort();
}

void mem_fail_what(const char *what)
{
    fprintf(stderr, "udpchat: out of memory (%s)\n", what);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) mem_fail(n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size) mem_fail(SIZE_MAX);
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) mem_fail(count * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) mem_fail(n);
    return q;
}

void *xreallocarray(void *p, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size) mem_fail(SIZE_MAX);
    return xrealloc(p, count * size);
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    if (n) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xstrdup(const char *s) { return s ? xstrndup(s, strlen(s)) : xstrndup("", 0); }
