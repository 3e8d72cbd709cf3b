/* mem.h -- the one allocator: every heap allocation goes through here, and running out aborts */
#ifndef UDPCHAT_MEM_H
#define UDPCHAT_MEM_H
#include <stddef.h>

/* Like malloc / calloc / realloc / strdup, but they never return NULL: when the system
 * cannot give the memory they print one line to stderr ("udpchat: out of memory
 * (N bytes)") and abort. A chat program that cannot get a few KiB cannot do anything
 * useful, and one place deciding this keeps `if (!p)` out of every caller.
 * Sizes of 0 are allocated as 1 byte, so the result is always a pointer to free(). */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size); /* aborts too if count * size overflows */
void *xrealloc(void *p, size_t n);
/* xrealloc for an array of count elements of size bytes (overflow checked). */
void *xreallocarray(void *p, size_t count, size_t size);
/* A heap copy of s; NULL gives "". Free with free(). */
char *xstrdup(const char *s);
/* A heap copy of s[0..n) with a NUL after it. */
char *xstrndup(const char *s, size_t n);
/* Reports an allocation of n bytes that failed and aborts (for allocators that are not
 * these, such as SDL's). */
void mem_fail(size_t n);
/* The same for a resource that has no size: "udpchat: out of memory (what)", abort. */
void mem_fail_what(const char *what);

#endif
