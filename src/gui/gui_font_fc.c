/* gui_font_fc.c -- where the window's faces are on Linux: fontconfig's Latin sans, CJK sans, and a face per missing character */
#include <fontconfig/fontconfig.h>
#include <stdlib.h>

#include "gui_internal.h"
#include "udpchat/mem.h"

/* The file fontconfig picks for pattern p (heap; p is destroyed), and its index; NULL if
 * none, or if `must_have` (when not 0) is not one of its characters. */
static char *fc_match(FcPattern *p, FcChar32 must_have, long *index)
{
    if (!p) return NULL;
    FcConfigSubstitute(NULL, p, FcMatchPattern);
    FcDefaultSubstitute(p);
    FcResult res;
    FcPattern *m = FcFontMatch(NULL, p, &res);
    FcPatternDestroy(p);
    if (!m) return NULL;
    FcChar8 *file = NULL;
    FcCharSet *cs = NULL;
    int idx = 0;
    char *out = NULL;
    int has = !must_have || (FcPatternGetCharSet(m, FC_CHARSET, 0, &cs) == FcResultMatch && FcCharSetHasChar(cs, must_have));
    if (has && FcPatternGetString(m, FC_FILE, 0, &file) == FcResultMatch) {
        out = str_dup((const char *)file);
        if (FcPatternGetInteger(m, FC_INDEX, 0, &idx) != FcResultMatch) idx = 0;
        *index = idx;
    }
    FcPatternDestroy(m);
    return out;
}

static char *fc_find(const char *pattern, FcChar32 must_have, long *index)
{
    return fc_match(FcNameParse((const FcChar8 *)pattern), must_have, index);
}

void gui_face_find_start(void)
{
    FcInit(); /* if it fails, nothing is found: the error says to pass --font FILE */
}

void gui_face_find_end(void)
{
    FcFini(); /* fontconfig's caches (FcInit again on the next open) */
}

char *gui_face_find(gui_face_kind kind, long *index)
{
    if (kind == GUI_FACE_CJK) return fc_find("sans-serif:lang=zh-cn", 0x4E2D, index); /* 中 */
    return fc_find("sans-serif:lang=en", 'A', index);
}

char *gui_face_find_char(uint32_t cp, long *index)
{
    FcPattern *p = FcPatternCreate();
    FcCharSet *cs = FcCharSetCreate();
    FcCharSetAddChar(cs, cp);
    FcPatternAddCharSet(p, FC_CHARSET, cs);
    FcCharSetDestroy(cs);
    FcPatternAddBool(p, FC_COLOR, FcFalse);
    return fc_match(p, cp, index);
}

const char *gui_face_hint(gui_face_kind kind)
{
    return kind == GUI_FACE_CJK ? ": install fonts-wqy-microhei"
                                : " (fontconfig has none): install fonts-wqy-microhei or fonts-dejavu";
}
