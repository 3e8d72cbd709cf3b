/* gui_font_win32.c -- where the window's faces are on Windows: the Fonts folder, else the font next to the exe */
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <shlobj.h>

#include "gui_internal.h"
#include "udpchat/buf.h"
#include "udpchat/utf16.h"

/* The faces tried, best first; "@" stands for the exe's own folder (the installer and the zip
 * put WenQuanYi Micro Hei there, for a Windows without Chinese fonts). */
static const char *const latin_files[] = {"segoeui.ttf", "arial.ttf", "tahoma.ttf", "verdana.ttf", NULL};
static const char *const cjk_files[] = {"msyh.ttc", "msyh.ttf", "simsun.ttc", "msjh.ttc", "simhei.ttf",
                                        "@wqy-microhei.ttc", NULL};
/* For characters neither has: symbols, other scripts (not the colour emoji face: its
 * bitmaps do not scale). */
static const char *const other_files[] = {"seguisym.ttf", "segoeui.ttf", "malgun.ttf", "meiryo.ttc",
                                          "msgothic.ttc", "nirmala.ttf", "ebrima.ttf", "leelawui.ttf",
                                          "tahoma.ttf", "arialuni.ttf", "mingliub.ttc", "simsunb.ttf",
                                          "@wqy-microhei.ttc", NULL};

static char *fonts_dir; /* UTF-8, no trailing separator; NULL: unknown */
static char *exe_dir;

/* A folder's name in UTF-8 (heap), NULL if it does not convert. */
static char *utf8_of(const wchar_t *w)
{
    buf b = {0};
    if (utf8_from_utf16(&b, w, wcslen(w)) == 0) return buf_detach(&b);
    buf_free(&b);
    return NULL;
}

static char *find_fonts_dir(void)
{
    PWSTR known = NULL;
    char *dir = NULL;
    if (SHGetKnownFolderPath(&FOLDERID_Fonts, 0, NULL, &known) == S_OK) dir = utf8_of(known);
    CoTaskMemFree(known);
    if (dir) return dir;
    wchar_t win[MAX_PATH];
    UINT n = GetWindowsDirectoryW(win, MAX_PATH);
    if (n == 0 || n >= MAX_PATH - 7) return NULL;
    wcscat(win, L"\\Fonts");
    return utf8_of(win);
}

static char *find_exe_dir(void)
{
    wchar_t exe[MAX_PATH + 1];
    DWORD n = GetModuleFileNameW(NULL, exe, MAX_PATH + 1);
    if (n == 0 || n > MAX_PATH) return NULL;
    wchar_t *slash = wcsrchr(exe, L'\\');
    if (!slash) return NULL;
    *slash = 0;
    return utf8_of(exe);
}

void gui_face_find_start(void)
{
    if (!fonts_dir) fonts_dir = find_fonts_dir();
    if (!exe_dir) exe_dir = find_exe_dir();
}

void gui_face_find_end(void)
{
    free(fonts_dir), free(exe_dir);
    fonts_dir = exe_dir = NULL;
}

/* The path of font file name ("@name": in the exe's folder) if it exists (heap), else NULL. */
static char *existing(const char *name)
{
    const char *dir = name[0] == '@' ? exe_dir : fonts_dir;
    if (!dir) return NULL;
    buf b = {0};
    buf_append_str(&b, dir);
    buf_append_byte(&b, '\\');
    buf_append_str(&b, name + (name[0] == '@'));
    buf_append_byte(&b, 0);
    wchar_t *w = utf16_from_utf8(b.data);
    DWORD attr = w ? GetFileAttributesW(w) : INVALID_FILE_ATTRIBUTES;
    free(w);
    if (attr == INVALID_FILE_ATTRIBUTES || (attr & FILE_ATTRIBUTE_DIRECTORY)) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

/* The first of files that exists and has cp (0: any); its face index is 0 (the regular face
 * of a collection comes first). */
static char *first_with(const char *const *files, uint32_t cp, long *index)
{
    for (const char *const *name = files; *name; name++) {
        char *path = existing(*name);
        if (!path) continue;
        TTF_Font *face = TTF_OpenFontIndex(path, 12, 0);
        int has = face && (!cp || TTF_GlyphIsProvided32(face, cp));
        if (face) TTF_CloseFont(face);
        if (has) {
            *index = 0;
            return path;
        }
        free(path);
    }
    return NULL;
}

char *gui_face_find(gui_face_kind kind, long *index)
{
    return kind == GUI_FACE_CJK ? first_with(cjk_files, 0x4E2D, index) /* 中 */
                                : first_with(latin_files, 'A', index);
}

char *gui_face_find_char(uint32_t cp, long *index)
{
    return first_with(other_files, cp, index);
}

const char *gui_face_hint(gui_face_kind kind)
{
    (void)kind;
    return " (no Microsoft YaHei or SimSun in the Fonts folder, no wqy-microhei.ttc next to udpchat.exe): "
           "reinstall udpchat";
}
