/* lan_probe.c -- who is still on the LAN: BR_ENTRY again, and the silent peers are gone */
#include "lan_extras.h"

/*
** A round: ASK (BR_ENTRY to every target; every peer answers with ANSENTRY), NUDGE at
** wait / 2 (BR_ENTRY unicast to the peers still silent, in case the broadcast or the
** answer was lost), EXPIRE at wait (the peers still silent since the ASK are gone).
** phase: 0 idle, 1 after ASK, 2 after NUDGE. Rounds start every `interval` ms (0: never
** by themselves) and on request (/refresh; a request during a round changes nothing).
*/

void lan_probe_init(lan_probe *p, uint64_t interval, uint64_t wait, uint64_t now)
{
    p->interval = interval;
    p->wait = wait < 2 ? 2 : wait;
    p->next = interval ? now + interval : 0;
    p->asked = 0;
    p->phase = 0;
}

void lan_probe_request(lan_probe *p, uint64_t now)
{
    if (p->phase == 0) p->next = now;
}

lan_probe_action lan_probe_step(lan_probe *p, uint64_t now)
{
    if (p->phase == 0 && p->next && now >= p->next) {
        p->phase = 1;
        p->asked = now;
        p->next = 0;
        return LAN_PROBE_ASK;
    }
    if (p->phase == 1 && now >= p->asked + p->wait / 2) {
        p->phase = 2;
        return LAN_PROBE_NUDGE;
    }
    if (p->phase == 2 && now >= p->asked + p->wait) {
        p->phase = 0;
        if (p->interval) p->next = now + p->interval;
        return LAN_PROBE_EXPIRE;
    }
    return LAN_PROBE_NONE;
}

uint64_t lan_probe_deadline(const lan_probe *p)
{
    if (p->phase == 1) return p->asked + p->wait / 2;
    if (p->phase == 2) return p->asked + p->wait;
    return p->next ? p->next : UINT64_MAX;
}
