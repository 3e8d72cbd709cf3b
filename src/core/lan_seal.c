/* lan_seal.c -- sealed messages (IPMsg SECRETOPT): kept until opened; "read by" for ours */
#include "lan_extras.h"

#include <stdlib.h>
#include <string.h>

#include "udpchat/mem.h"

/*
** items[0..len) are the sealed messages not opened yet, oldest first, numbered by `next`
** (1, 2, ...; a number is never given twice in a run). At most LAN_SEALS_MAX of them and
** LAN_SEALS_BYTES of text: a new one pushes the oldest out. sent[] is a ring of our last
** LAN_SEALS_SENT sealed SENDMSGs; a READMSG matches one (same address, same packet
** number) once, then its id is cleared.
*/

static void drop_oldest(lan_seals *s)
{
    s->bytes -= strlen(s->items[0].text);
    free(s->items[0].text);
    memmove(s->items, s->items + 1, (s->len - 1) * sizeof s->items[0]);
    s->len--;
}

uint32_t lan_seals_add(lan_seals *s, const net_addr *from, uint64_t packet_no, int readcheck,
                       const char *text, uint64_t *dropped)
{
    size_t n = strlen(text);
    while (s->len && (s->len == LAN_SEALS_MAX || s->bytes + n > LAN_SEALS_BYTES)) {
        drop_oldest(s);
        (*dropped)++;
    }
    lan_sealed *e = &s->items[s->len++];
    e->n = ++s->next;
    e->from = *from;
    e->packet_no = packet_no;
    e->readcheck = readcheck;
    e->text = xstrdup(text);
    s->bytes += n;
    return e->n;
}

int lan_seals_take(lan_seals *s, uint32_t n, lan_sealed *out)
{
    for (size_t i = 0; i < s->len; i++) {
        if (s->items[i].n != n) continue;
        *out = s->items[i];
        s->bytes -= strlen(out->text);
        memmove(s->items + i, s->items + i + 1, (s->len - i - 1) * sizeof s->items[0]);
        s->len--;
        return 0;
    }
    return -1;
}

void lan_seals_note_sent(lan_seals *s, const net_addr *to, uint64_t packet_no, uint32_t id)
{
    lan_seal_sent *e = &s->sent[s->sent_pos++ % LAN_SEALS_SENT];
    e->to = *to;
    e->packet_no = packet_no;
    e->id = id;
}

uint32_t lan_seals_opened(lan_seals *s, const net_addr *from, uint64_t packet_no)
{
    for (unsigned i = 0; i < LAN_SEALS_SENT; i++) {
        lan_seal_sent *e = &s->sent[i];
        if (!e->id || e->packet_no != packet_no || !addr_equal(&e->to, from)) continue;
        uint32_t id = e->id;
        for (unsigned k = 0; k < LAN_SEALS_SENT; k++) /* the other pieces of that message too */
            if (s->sent[k].id == id && addr_equal(&s->sent[k].to, from)) s->sent[k].id = 0;
        return id;
    }
    return 0;
}

void lan_seals_free(lan_seals *s)
{
    for (size_t i = 0; i < s->len; i++) free(s->items[i].text);
    memset(s, 0, sizeof *s);
}
