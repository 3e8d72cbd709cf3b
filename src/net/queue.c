/* queue.c -- thread-safe FIFO on SDL_mutex / SDL_cond: where the threads meet */
#include "udpchat/queue.h"

#include <SDL.h>
#include <stdlib.h>

#include "udpchat/mem.h"

typedef struct qnode {
    struct qnode *next;
    void *item;
    size_t bytes; /* what the pusher said the item holds */
} qnode;

struct queue {
    SDL_mutex *lock;
    SDL_cond *nonempty;
    qnode *head, *tail;
    size_t len, bytes; /* items and their declared bytes */
    void (*notify)(void *ctx); /* called after each push, outside the lock (queue_set_notify) */
    void *notify_ctx;
};

queue *queue_create(void)
{
    queue *q = xcalloc(1, sizeof *q);
    q->lock = SDL_CreateMutex();
    q->nonempty = SDL_CreateCond();
    if (!q->lock || !q->nonempty) mem_fail_what("an SDL mutex or condition variable");
    return q;
}

void queue_destroy(queue *q, void (*free_item)(void *))
{
    if (!q) return;
    for (qnode *n = q->head, *next; n; n = next) {
        next = n->next;
        if (free_item) free_item(n->item);
        free(n);
    }
    SDL_DestroyCond(q->nonempty);
    SDL_DestroyMutex(q->lock);
    free(q);
}

void queue_push_many_sized(queue *q, void **items, const size_t *sizes, size_t count)
{
    if (count == 0) return;
    qnode *first = NULL, *last = NULL;
    size_t bytes = 0;
    for (size_t i = 0; i < count; i++) { /* allocate outside the lock */
        qnode *n = xmalloc(sizeof *n);
        n->item = items[i];
        n->bytes = sizes ? sizes[i] : 0;
        bytes += n->bytes;
        n->next = NULL;
        if (last) last->next = n;
        else first = n;
        last = n;
    }
    SDL_LockMutex(q->lock);
    if (q->tail) q->tail->next = first;
    else q->head = first;
    q->tail = last;
    q->len += count;
    q->bytes += bytes;
    SDL_CondSignal(q->nonempty);
    void (*notify)(void *) = q->notify;
    void *ctx = q->notify_ctx;
    SDL_UnlockMutex(q->lock);
    if (notify) notify(ctx);
}

void queue_set_notify(queue *q, void (*fn)(void *ctx), void *ctx)
{
    SDL_LockMutex(q->lock);
    q->notify = fn;
    q->notify_ctx = ctx;
    SDL_UnlockMutex(q->lock);
}

void queue_push_many(queue *q, void **items, size_t count) { queue_push_many_sized(q, items, NULL, count); }
void queue_push_sized(queue *q, void *item, size_t bytes) { queue_push_many_sized(q, &item, &bytes, 1); }
void queue_push(queue *q, void *item) { queue_push_many(q, &item, 1); }

static void *take_locked(queue *q)
{
    qnode *n = q->head;
    if (!n) return NULL;
    q->head = n->next;
    if (!q->head) q->tail = NULL;
    q->len--;
    q->bytes -= n->bytes;
    void *item = n->item;
    free(n);
    return item;
}

void *queue_pop(queue *q, uint32_t timeout_ms)
{
    SDL_LockMutex(q->lock);
    if (!q->head && timeout_ms) {
        if (timeout_ms == UINT32_MAX) {
            while (!q->head) SDL_CondWait(q->nonempty, q->lock);
        } else {
            SDL_CondWaitTimeout(q->nonempty, q->lock, timeout_ms);
        }
    }
    void *item = take_locked(q);
    SDL_UnlockMutex(q->lock);
    return item;
}

void *queue_try_pop(queue *q) { return queue_pop(q, 0); }

size_t queue_length(queue *q)
{
    SDL_LockMutex(q->lock);
    size_t n = q->len;
    SDL_UnlockMutex(q->lock);
    return n;
}

size_t queue_bytes(queue *q)
{
    SDL_LockMutex(q->lock);
    size_t n = q->bytes;
    SDL_UnlockMutex(q->lock);
    return n;
}
