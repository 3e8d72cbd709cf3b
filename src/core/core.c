/* core.c -- what the core interface owns: commands */
#include "udpchat/core.h"

#include <stdlib.h>

void core_command_free(core_command *c)
{
    if (!c) return;
    free(c->to);
    free(c->text);
    free(c);
}
