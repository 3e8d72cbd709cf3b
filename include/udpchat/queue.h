/* queue.h -- a small thread-safe FIFO of heap items, built on SDL_mutex and SDL_cond */
#ifndef UDPCHAT_QUEUE_H
#define UDPCHAT_QUEUE_H
#include <stddef.h>
#include <stdint.h>

typedef struct queue queue;

/* Items are opaque pointers; the queue never frees them (queue_destroy hands leftovers
 * to `free_item` if it is not NULL). */
queue *queue_create(void);
void queue_destroy(queue *q, void (*free_item)(void *));
void queue_push(queue *q, void *item);
/* Pushes n items at once (one lock, one wake-up). */
void queue_push_many(queue *q, void **items, size_t n);
/* The same with the bytes each item holds (sizes NULL: 0 each), summed by queue_bytes. */
void queue_push_many_sized(queue *q, void **items, const size_t *sizes, size_t n);
void queue_push_sized(queue *q, void *item, size_t bytes);
/* Bytes declared by the items waiting now (plain pushes count 0). */
size_t queue_bytes(queue *q);
/* Waits up to timeout_ms (0: don't wait, UINT32_MAX: forever) for an item. Returns it,
 * or NULL on timeout. */
void *queue_pop(queue *q, uint32_t timeout_ms);
/* Items waiting now. */
size_t queue_length(queue *q);
/* Takes an item without waiting (NULL if empty). */
void *queue_try_pop(queue *q);
/* Sets (fn) or removes (NULL) a function called after every push, on the pushing thread,
 * outside the lock: a window that sleeps in its own event wait is woken by it. */
void queue_set_notify(queue *q, void (*fn)(void *ctx), void *ctx);

#endif
