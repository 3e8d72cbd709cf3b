/* lineedit_search.h -- Ctrl-R for lineedit.c: reverse-i-search over the history (private to the console) */
#ifndef UDPCHAT_LINEEDIT_SEARCH_H
#define UDPCHAT_LINEEDIT_SEARCH_H
#include "udpchat/lineedit.h"

/* Called by lineedit_key before anything else. Returns 1 if the key was the search's
 * (its result in *r); 0 if lineedit_key must apply the key as usual -- which it also does
 * after a search ends by accepting the line shown (Enter, arrows, editing keys). */
int lineedit_search_key(lineedit *le, const le_event *ev, le_result *r);
/* The label shown instead of the prompt while searching ("(reverse-i-search)'text': "),
 * the start of a long text cut off so that it takes at most 3/4 of `width` columns.
 * Owned by the editor; valid until the next call. */
const char *lineedit_search_label(lineedit *le, int width);
/* Frees the search's buffers (lineedit_free). */
void lineedit_search_free(lineedit *le);

#endif
