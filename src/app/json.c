/* json.c -- JSON string escaping for the --json event stream */
#include <stdio.h>

#include "udpchat/frontend.h"

void json_append_string(buf *b, const char *s)
{
    buf_append_byte(b, '"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '"': buf_append_str(b, "\\\""); break;
        case '\\': buf_append_str(b, "\\\\"); break;
        case '\n': buf_append_str(b, "\\n"); break;
        case '\r': buf_append_str(b, "\\r"); break;
        case '\t': buf_append_str(b, "\\t"); break;
        default:
            if (*p < 0x20 || *p == 0x7F) buf_printf(b, "\\u%04x", *p);
            else buf_append_byte(b, *p);
        }
    }
    buf_append_byte(b, '"');
}
