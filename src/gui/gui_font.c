/* gui_font.c -- the window's faces (Latin, CJK, then any that has a character); text drawn per character */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gui_internal.h"
#include "udpchat/mem.h"
#include "udpchat/utf8.h"

#define GUI_FONT_MAX_BYTES (64 << 20) /* a larger font file is read from disk per glyph */

/* Face i's file in memory (shared with an earlier face of the same file). SDL_ttf keeps 256
 * glyphs per face; for Chinese text it misses all the time, and FreeType then seeks and
 * reads the file again for each miss: two system calls per glyph from disk, none from here. */
static void load_data(gui_fonts *f, int i)
{
    if (f->data[i] || !f->path[i]) return;
    for (int j = 0; j < GUI_FACES; j++)
        if (j != i && f->data[j] && f->path[j] && strcmp(f->path[j], f->path[i]) == 0) {
            f->data[i] = f->data[j], f->size[i] = f->size[j], f->owns[i] = 0;
            return;
        }
    SDL_RWops *rw = SDL_RWFromFile(f->path[i], "rb");
    Sint64 n = rw ? SDL_RWsize(rw) : -1;
    if (rw && n > 0 && n <= GUI_FONT_MAX_BYTES) {
        size_t got = 0;
        f->data[i] = SDL_LoadFile_RW(rw, &got, 0);
        f->size[i] = got, f->owns[i] = f->data[i] != NULL;
    }
    if (rw) SDL_RWclose(rw);
}

/* Face i at px: from memory when its file could be read, else from the file. */
static TTF_Font *open_face(gui_fonts *f, int i, int px)
{
    load_data(f, i);
    if (f->data[i]) return TTF_OpenFontIndexRW(SDL_RWFromConstMem(f->data[i], (int)f->size[i]), 1, px, f->index[i]);
    return TTF_OpenFontIndex(f->path[i], px, f->index[i]);
}

static void free_data(gui_fonts *f, int i)
{
    if (f->owns[i]) SDL_free(f->data[i]);
    f->data[i] = NULL, f->size[i] = 0, f->owns[i] = 0;
}

/* A face for cp that none of the open ones has (emoji, Thai, ...): the system's (gui_font_fc.c,
 * gui_font_win32.c); its index, or -1. */
static int find_face(gui_fonts *f, uint32_t cp)
{
    if (f->nfaces >= GUI_FACES) return -1;
    long index = 0;
    char *path = gui_face_find_char(cp, &index);
    for (int i = 0; path && i < f->nfaces; i++)
        if (f->path[i] && strcmp(f->path[i], path) == 0 && f->index[i] == index) free(path), path = NULL;
    if (!path) return -1;
    int i = f->nfaces;
    f->path[i] = path, f->index[i] = index;
    TTF_Font *face = open_face(f, i, f->px);
    if (!face || !TTF_GlyphIsProvided32(face, cp)) {
        if (face) TTF_CloseFont(face);
        free_data(f, i);
        free(path);
        f->path[i] = NULL;
        return -1;
    }
    f->face[i] = face;
    return f->nfaces++;
}

static int open_faces(gui_fonts *f, int px)
{
    for (int i = 0; i < f->nfaces; i++) {
        f->face[i] = NULL;
        if (f->path[i] && !(f->face[i] = open_face(f, i, px))) {
            if (i == 0) return -1;
        }
    }
    f->px = px;
    int h0 = TTF_FontLineSkip(f->face[0]), h1 = f->face[1] ? TTF_FontLineSkip(f->face[1]) : 0;
    f->line_h = h0 > h1 ? h0 : h1;
    int a0 = TTF_FontAscent(f->face[0]), a1 = f->face[1] ? TTF_FontAscent(f->face[1]) : 0;
    f->ascent = a0 > a1 ? a0 : a1; /* the faces share one baseline */
    return 0;
}

int gui_fonts_open(gui_fonts *f, const char *file, int px, int *no_cjk, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    f->nfaces = 2;
    gui_face_find_start();
    f->path[1] = gui_face_find(GUI_FACE_CJK, &f->index[1]);
    f->path[0] = file ? str_dup(file) : gui_face_find(GUI_FACE_LATIN, &f->index[0]);
    if (!f->path[0] && f->path[1]) f->path[0] = str_dup(f->path[1]), f->index[0] = f->index[1];
    *no_cjk = !f->path[1];
    if (!f->path[0]) {
        snprintf(err, errlen, "no font found%s, or pass --font FILE", gui_face_hint(GUI_FACE_LATIN));
        return -1;
    }
    if (open_faces(f, px) < 0) {
        snprintf(err, errlen, "cannot open the font %.200s: %.100s (%s)", f->path[0], TTF_GetError(),
                 file ? "--font wants a TrueType or OpenType file; without it, the system's fonts are used" : "pass --font FILE");
        gui_fonts_close(f);
        return -1;
    }
    return 0;
}

int gui_fonts_resize(gui_fonts *f, int px)
{
    TTF_Font *old[GUI_FACES];
    memcpy(old, f->face, sizeof old);
    if (open_faces(f, px) < 0) { /* the first face failed: nothing else was opened */
        memcpy(f->face, old, sizeof old);
        return -1;
    }
    for (int i = 0; i < GUI_FACES; i++)
        if (old[i]) TTF_CloseFont(old[i]);
    return 0;
}

void gui_fonts_close(gui_fonts *f)
{
    for (int i = 0; i < GUI_FACES; i++)
        if (f->face[i]) TTF_CloseFont(f->face[i]);
    for (int i = 0; i < GUI_FACES; i++) { /* the files after every face that reads them */
        free_data(f, i);
        free(f->path[i]);
        f->face[i] = NULL, f->path[i] = NULL;
    }
    gui_face_find_end();
}

/* The face that draws cp: the first that has it, else one the system finds (once per code
 * point: the answer is kept), else the first, which shows its box. */
static int face_for(gui_fonts *f, uint32_t cp)
{
    for (int i = 0; i < f->nfaces; i++)
        if (f->face[i] && TTF_GlyphIsProvided32(f->face[i], cp)) return i;
    for (int k = 0; k < GUI_MISSES; k++)
        if (f->miss[k].cp == cp) return f->miss[k].face;
    int fi = cp < 0x80 ? -1 : find_face(f, cp);
    f->miss[f->next_miss].cp = cp;
    f->miss[f->next_miss].face = fi < 0 ? 0 : fi;
    f->next_miss = (f->next_miss + 1) % GUI_MISSES;
    return fi < 0 ? 0 : fi;
}

/* The next character of s[*i..len): its code point (U+FFFD for a bad byte), i moved on;
 * 0 for a character that takes no room (a control). */
static uint32_t next_cp(const char *s, size_t len, size_t *i)
{
    uint32_t cp;
    size_t bad = 0;
    int n = utf8_decode_one(s + *i, len - *i, &cp, &bad);
    *i += n > 0 ? (size_t)n : (bad ? bad : 1);
    if (n <= 0) return 0xFFFD;
    return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) ? 0 : cp;
}

static int advance(gui_fonts *f, uint32_t cp)
{
    int adv = 0;
    if (!cp || TTF_GlyphMetrics32(f->face[face_for(f, cp)], cp, NULL, NULL, NULL, NULL, &adv) < 0) return 0;
    return adv;
}

int gui_text_width(gui_fonts *f, const char *s, size_t len)
{
    int w = 0;
    for (size_t i = 0; i < len;) w += advance(f, next_cp(s, len, &i));
    return w;
}

size_t gui_text_fit(gui_fonts *f, const char *s, size_t len, int width)
{
    int w = 0;
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        w += advance(f, next_cp(s, len, &j));
        if (w > width) break;
        i = j;
    }
    return i;
}

/* Draws one run (all of one face) at x, y; returns its width (the sum of its advances, as
 * gui_text_width measures it, so that the caret and the wrapping agree with what is drawn). */
static int draw_run(SDL_Renderer *r, gui_fonts *f, int face, const buf *run, int x, int y, SDL_Color c)
{
    TTF_Font *font = f->face[face];
    if (!run->len) return 0;
    char *z = xstrndup(run->data, run->len);
    SDL_Surface *s = TTF_RenderUTF8_Blended(font, z, c);
    free(z);
    if (!s) return 0;
    SDL_Texture *t = SDL_CreateTextureFromSurface(r, s);
    SDL_Rect dst = {x, y + f->ascent - TTF_FontAscent(font), s->w, s->h};
    if (t) SDL_RenderCopy(r, t, NULL, &dst);
    SDL_DestroyTexture(t);
    SDL_FreeSurface(s);
    return gui_text_width(f, run->data, run->len);
}

int gui_text_draw(SDL_Renderer *r, gui_fonts *f, const char *s, size_t len, int x, int y, SDL_Color c)
{
    buf run = {0};
    int face = -1, x0 = x;
    for (size_t i = 0; i < len;) {
        uint32_t cp = next_cp(s, len, &i);
        if (!cp) continue;
        int fi = face_for(f, cp);
        if (fi != face && run.len) x += draw_run(r, f, face, &run, x, y, c), buf_clear(&run);
        face = fi;
        utf8_encode_one(cp, &run);
    }
    if (run.len) x += draw_run(r, f, face, &run, x, y, c);
    buf_free(&run);
    return x - x0;
}
