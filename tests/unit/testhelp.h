/* testhelp.h -- a tiny assert-and-count test harness for the C unit tests */
#ifndef UDPCHAT_TESTHELP_H
#define UDPCHAT_TESTHELP_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int th_failed, th_checks;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        th_checks++;                                                                  \
        if (!(cond)) {                                                                \
            th_failed++;                                                              \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                             \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                              \
    do {                                                                                \
        long long th_a = (long long)(a), th_b = (long long)(b);                         \
        th_checks++;                                                                    \
        if (th_a != th_b) {                                                             \
            th_failed++;                                                                \
            fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__,       \
                    __LINE__, #a, th_a, #b, th_b);                                      \
        }                                                                               \
    } while (0)

#define CHECK_MEM(p, n, q, m)                                                           \
    do {                                                                                \
        th_checks++;                                                                    \
        if ((size_t)(n) != (size_t)(m) || memcmp((p), (q), (size_t)(n)) != 0) {         \
            th_failed++;                                                                \
            fprintf(stderr, "%s:%d: bytes of %s differ from %s\n", __FILE__, __LINE__,  \
                    #p, #q);                                                            \
        }                                                                               \
    } while (0)

/* Runs a test function and reports its name. */
#define RUN(fn)                                    \
    do {                                           \
        int th_before = th_failed;                 \
        fn();                                      \
        fprintf(stderr, "%s %s\n", th_failed == th_before ? "ok  " : "FAIL", #fn); \
    } while (0)

static inline int th_finish(void)
{
    fprintf(stderr, "%d checks, %d failed\n", th_checks, th_failed);
    return th_failed ? 1 : 0;
}

#endif
