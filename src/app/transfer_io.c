/* transfer_io.c -- a transfer's reads (one fixed buffer, a timeout, cancel) and progress */
#include "transfer_internal.h"

#include <string.h>

#include "udpchat/net.h"

#define WAIT_STEP_MS 250 /* how often a waiting read looks at the cancel flag */

const char *reader_fill(reader *r, size_t want)
{
    if (r->start > 0 && r->start == r->end) r->start = r->end = 0;
    if (r->end - r->start >= want) return NULL;
    if (r->start > 0) { /* keep the unread bytes at the front */
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    uint64_t waited = 0;
    while (r->end - r->start < want) {
        if (SDL_AtomicGet(&r->x->cancel)) return "cancelled";
        int n = tcp_recv(r->c, r->buf + r->end, BLOCK - r->end, WAIT_STEP_MS);
        if (n == TCP_TIMEOUT) {
            waited += WAIT_STEP_MS;
            if (waited >= r->te->cfg.timeout_ms) return "the other side stopped sending (timed out)";
            continue;
        }
        if (n == TCP_CLOSED) return "the other side closed the connection early";
        if (n < 0) return "the connection broke";
        r->end += (size_t)n;
        waited = 0;
    }
    return NULL;
}

uint64_t progress_rate(const progress *p)
{
    uint64_t ms = net_now_ms() - p->started;
    return ms ? p->session_bytes * 1000 / ms : 0;
}

void progress_add(progress *p, uint64_t n)
{
    p->bytes += n;
    p->session_bytes += n;
    uint64_t now = net_now_ms();
    if (now - p->last < 1000) return;
    p->last = now;
    post_transfer(p->te, p->id, TRANSFER_PROGRESS, p->flags, p->from, p->address, p->name, p->bytes, p->size,
                  progress_rate(p));
}

void pace(transfer_engine *te, uint64_t started, uint64_t sent)
{
    uint64_t limit = te->cfg.rate_limit;
    if (!limit) return;
    uint64_t due = started + sent * 1000 / limit, now = net_now_ms();
    if (due > now) SDL_Delay((uint32_t)(due - now > 1000 ? 1000 : due - now));
}
