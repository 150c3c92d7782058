/* scan.c — hand-written scanners for tiktoken's built-in pre-tokenizer patterns.
 *
 * The patterns (tiktoken 0.14; \s is White_Space, the classes are Unicode
 * 16.0 general categories, `$` is the end of the subject):
 *
 *   r50k:   '(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$
 *           |\s+(?!\S)|\s
 *   cl100k: '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+
 *           | ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s
 *   o200k:  [^\r\n\p{L}\p{N}]?[UP]*[LO]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 *           |[^\r\n\p{L}\p{N}]?[UP]+[LO]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
 *           |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
 *           with UP = [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}], LO = [\p{Ll}\p{Lm}\p{Lo}\p{M}]
 *
 * A backtracking engine tries the alternatives left to right and takes the
 * first that matches at the current position (leftmost-first, not longest).
 * Each scanner below decides, from a few characters of lookahead and one pass
 * over the run the piece consists of, which alternative that is and where
 * the engine's (greedy, possibly backtracked) match of it ends. The comments
 * at each branch give the reasoning.
 *
 * Notation for classes: L letter, N number, WS White_Space, P the
 * "punctuation" class [^\s\p{L}\p{N}] (note: it includes the marks \p{M}),
 * Q the prefix class [^\r\n\p{L}\p{N}] (P plus all White_Space but CR, LF).
 *
 * Linear time: each call reads the piece it returns, a bounded lookahead
 * (two characters, or eight bytes for the SWAR letter test), and at most the
 * rest of the run the piece was cut from: a whitespace run after its last
 * line break or before its last character, or in o200k the uppercase tail
 * of an UP run after its last LO character or after a leading mark. The
 * next call or two consume that rest, so each byte is read a bounded number
 * of times (1 MiB of spaces, of newlines, of letters, or "a" + 1 MiB of
 * spaces + "b", are each one or two passes).
 */
#include "scan.h"

#include "load.h"

#include "unicode_data.h"
#include "utf8.h"

#include <string.h>

/* Per-character class bits: tkm_uc_flags() plus two of our own. */
#define F_L TKM_UC_L
#define F_N TKM_UC_N
#define F_WS TKM_UC_WS
#define F_UP TKM_UC_UP
#define F_LO TKM_UC_LO
#define F_M TKM_UC_M
#define F_NL 0x40u /* \r or \n (ASCII only) */
#define F_P 0x80u  /* [^\s\p{L}\p{N}]: none of L, N, WS */

#if (TKM_UC_L | TKM_UC_N | TKM_UC_WS | TKM_UC_UP | TKM_UC_LO | TKM_UC_M) & 0xC0
#error "scan.c needs bits 0x40 and 0x80 free in the tkm_uc_flags() values"
#endif

/* The same bits for ASCII, so the common case is a single table load. */
#define P_ F_P
#define S_ F_WS
#define R_ (F_WS | F_NL)
#define D_ F_N
#define U_ (F_L | F_UP)
#define l_ (F_L | F_LO)
static const uint8_t ascii_flags[128] = {
    P_, P_, P_, P_, P_, P_, P_, P_, P_, S_, R_, S_, S_, R_, P_, P_, /* 00 */
    P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, /* 10: not \s */
    S_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, P_, /* 20 */
    D_, D_, D_, D_, D_, D_, D_, D_, D_, D_, P_, P_, P_, P_, P_, P_, /* 30 */
    P_, U_, U_, U_, U_, U_, U_, U_, U_, U_, U_, U_, U_, U_, U_, U_, /* 40 */
    U_, U_, U_, U_, U_, U_, U_, U_, U_, U_, U_, P_, P_, P_, P_, P_, /* 50 */
    P_, l_, l_, l_, l_, l_, l_, l_, l_, l_, l_, l_, l_, l_, l_, l_, /* 60 */
    l_, l_, l_, l_, l_, l_, l_, l_, l_, l_, l_, P_, P_, P_, P_, P_, /* 70 */
};
#undef P_
#undef S_
#undef R_
#undef D_
#undef U_
#undef l_

#define NONE ((size_t)-1)

#if defined(__GNUC__)
#define HOT_INLINE inline __attribute__((always_inline))
#define COLD __attribute__((noinline))
#else
#define HOT_INLINE inline
#define COLD
#endif

/* The flags of the non-ASCII character at p (valid UTF-8), its length in
 * *len. A 2-byte sequence (U+0080..U+07FF: Latin-1 and Latin Extended,
 * Greek, Cyrillic, Armenian, Hebrew, Arabic, ...) is below
 * TKM_UC_DIRECT_LIMIT, so its flags take one table load instead of the
 * general decoder's length dispatch and two dependent loads (tkm_ab,
 * o200k encode: Russian text +12 %, the multilingual corpus +4 %). The
 * 2-byte case decodes by itself rather than through tkm_utf8_decode and a
 * test of cp against the limit: that form measured 0.87 on Russian text. */
_Static_assert(TKM_UC_DIRECT_LIMIT >= 0x800u, "every 2-byte sequence is a direct look-up");
static HOT_INLINE unsigned flags_nonascii(const uint8_t *p, size_t *len)
{
    unsigned f;
    if (p[0] < 0xE0) {
        *len = 2;
        f = tkm_uc_flags_direct((uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F));
    } else {
        f = tkm_uc_flags(tkm_utf8_decode(p, len));
    }
    return (f & (F_L | F_N | F_WS)) ? f : f | F_P;
}

/* Class bits of the multi-byte character at p, with its length in bits 8+.
 * Kept out of line for the single-character look-ups (first character,
 * lookahead): inlining the decoder at each of them would make the scanners
 * too big to inline themselves. The loops over runs use flags_at_inline. */
static COLD unsigned flags_multibyte(const uint8_t *p)
{
    size_t len;
    unsigned f = flags_nonascii(p, &len);
    return f | (unsigned)len << 8;
}

/* flags_at() for loops over long runs of non-ASCII characters: the same,
 * with the decoder inlined. */
static HOT_INLINE unsigned flags_at_inline(const uint8_t *s, size_t i, size_t *len)
{
    uint8_t b = s[i];
    if (TKM_LIKELY(b < 0x80)) {
        *len = 1;
        return ascii_flags[b];
    }
    return flags_nonascii(s + i, len);
}

/* Class bits of the character at s[i] (i < n, valid UTF-8); its length in *len. */
static HOT_INLINE unsigned flags_at(const uint8_t *s, size_t i, size_t *len)
{
    uint8_t b = s[i];
    if (TKM_LIKELY(b < 0x80)) {
        *len = 1;
        return ascii_flags[b];
    }
    unsigned v = flags_multibyte(s + i);
    *len = v >> 8;
    return v & 0xFFu;
}

/* End of the maximal run from i of characters with a bit of `want`. This is
 * what a greedy or possessive X+ / X* over one class consumes. */
static HOT_INLINE size_t run(const uint8_t *s, size_t n, size_t i, unsigned want)
{
    while (i < n) {
        uint8_t b = s[i];
        if (TKM_LIKELY(b < 0x80)) {
            if (!(ascii_flags[b] & want))
                break;
            i++;
        } else {
            /* Decoded inline: long runs of non-ASCII letters (CJK,
             * Cyrillic, ...) stay in this loop. */
            size_t len;
            if (!(flags_at_inline(s, i, &len) & want))
                break;
            i += len;
        }
    }
    return i;
}

/*
 * Letter runs are most of the bytes of ordinary text. Where 64-bit loads are
 * cheap and the byte order is known, test eight bytes at a time (SWAR): the
 * run's end within a word is then found without a branch per byte, and
 * without the mispredicted loop exit that a byte loop pays on every word.
 * The byte loop (run) takes over at the first byte that is not an ASCII
 * letter of the class, so non-ASCII letters and the subject's tail are
 * handled there.
 */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ &&  \
    (defined(__x86_64__) || defined(__aarch64__))
#define SWAR_LETTERS 1
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* The high bit of each byte of x set iff the byte is in (lo, hi), for
 * 0 <= lo < hi <= 128 (bytes >= 0x80 never). Exact per byte: no step carries
 * or borrows across bytes (Bit Twiddling Hacks, "hasbetween"). */
static HOT_INLINE uint64_t bytes_between(uint64_t x, unsigned lo, unsigned hi)
{
    uint64_t low7 = x & (ONES * 127);
    return (ONES * (127 + hi) - low7) & ~x & (low7 + ONES * (127 - lo)) & HIGHS;
}
#endif

/* run(s, n, i, F_L) or, with lower_only, run(s, n, i, F_LO). */
static HOT_INLINE size_t run_letters(const uint8_t *s, size_t n, size_t i, int lower_only)
{
#ifdef SWAR_LETTERS
    while (i + 8 <= n) {
        uint64_t x = tkm_load64(s + i);
        /* ASCII letters of the class: a-z, or with the case bit forced a-z. */
        uint64_t in = bytes_between(lower_only ? x : x | ONES * 0x20, 0x60, 0x7B);
        uint64_t out = ~in & HIGHS;
        if (out) {
            i += (size_t)__builtin_ctzll(out) >> 3;
            break;
        }
        i += 8;
    }
#endif
    return run(s, n, i, lower_only ? F_LO : F_L);
}

/* The maximal whitespace run from pos (s[pos] is White_Space): its end, the
 * start of its last character, and the position of its last \r or \n. */
typedef struct ws_run {
    size_t end;
    size_t last;
    size_t nl; /* NONE if the run holds no line break */
} ws_run;

static HOT_INLINE ws_run scan_ws(const uint8_t *s, size_t n, size_t pos)
{
    ws_run r = {pos, pos, NONE};
    size_t i = pos;
    while (i < n) {
        size_t len;
        unsigned f = flags_at(s, i, &len);
        if (!(f & F_WS))
            break;
        if (f & F_NL)
            r.nl = i;
        r.last = i;
        i += len;
    }
    r.end = i;
    return r;
}

/* Up to three characters of class N from i (the caller knows s[i] is one):
 * \p{N}{1,3}, greedy or possessive alike since nothing follows it. */
/* ` ?[^\s\p{L}\p{N}]...`: a space at pos followed by punctuation starts the
 * punctuation run at pos + 1 (the space is its prefix). Returns where the
 * run's first character is, updating *f and *len to that character. */
static HOT_INLINE size_t space_then_punct(const uint8_t *s, size_t n, size_t pos, unsigned *f,
                                          size_t *len)
{
    if (s[pos] == ' ' && pos + 1 < n) {
        size_t len2;
        unsigned g = flags_at(s, pos + 1, &len2);
        if (g & F_P) {
            *f = g;
            *len = len2;
            return pos + 1;
        }
    }
    return pos;
}

static HOT_INLINE size_t digits3(const uint8_t *s, size_t n, size_t i)
{
    for (int k = 0; k < 3 && i < n; k++) {
        size_t len;
        if (!(flags_at(s, i, &len) & F_N))
            break;
        i += len;
    }
    return i;
}

static HOT_INLINE int lower_is(uint8_t c, char want)
{
    /* c | 0x20 maps exactly the two ASCII cases of a letter to its lowercase. */
    return (c | 0x20) == (uint8_t)want;
}

/* ------------------------------------------------------------------------ */
/* r50k                                                                     */
/* ------------------------------------------------------------------------ */

static HOT_INLINE size_t scan_r50k(const uint8_t *s, size_t n, size_t pos)
{
    uint8_t b = s[pos];
    /* '(?:[sdmt]|ll|ve|re): case-sensitive here (no (?i)), ASCII only. The
     * four alternatives start with different letters, so at most one can
     * match. When none does, the apostrophe falls through to ` ?P++` below. */
    if (b == '\'' && pos + 1 < n) {
        uint8_t c = s[pos + 1];
        if (c == 's' || c == 'd' || c == 'm' || c == 't')
            return pos + 2;
        if (pos + 2 < n) {
            uint8_t d = s[pos + 2];
            if ((c == 'l' && d == 'l') || (c == 'v' && d == 'e') || (c == 'r' && d == 'e'))
                return pos + 3;
        }
    }
    size_t len;
    unsigned f = flags_at(s, pos, &len);
    size_t i = pos;
    /* ` ?\p{L}++`, ` ?\p{N}++`, ` ?[^\s\p{L}\p{N}]++`: the optional space is
     * taken first, and the three classes are disjoint, so a space followed by
     * a character of one of them joins that character's run. (Without the
     * space, a space is in none of the three classes.) */
    if (b == ' ' && pos + 1 < n) {
        size_t len2;
        unsigned g = flags_at(s, pos + 1, &len2);
        if (g & (F_L | F_N | F_P)) {
            f = g;
            i = pos + 1;
            len = len2;
        }
    }
    if (f & F_L)
        return run_letters(s, n, i + len, 0);
    if (f & F_N)
        return run(s, n, i + len, F_N);
    if (f & F_P)
        return run(s, n, i + len, F_P);
    /* Whitespace. \s++$ takes a run that reaches the end of the subject.
     * Otherwise the run [pos, end) is followed by \S, so \s+(?!\S) fails at
     * end and, backtracking one character, succeeds before the run's last
     * character (which is \s), provided that leaves at least one character.
     * A run of one character is the final \s alternative. */
    ws_run w = scan_ws(s, n, pos);
    if (w.end == n)
        return n;
    return w.last > pos ? w.last : w.end;
}

/* ------------------------------------------------------------------------ */
/* cl100k                                                                   */
/* ------------------------------------------------------------------------ */

static HOT_INLINE size_t scan_cl100k(const uint8_t *s, size_t n, size_t pos)
{
    uint8_t b = s[pos];
    /* '(?i:[sdmt]|ll|ve|re): under simple case folding s also matches U+017F
     * (LATIN SMALL LETTER LONG S, C5 BF); no other non-ASCII character folds
     * to any of these letters. When none matches, the apostrophe is a Q
     * prefix or P below ("'x" is a letter piece, "'!" punctuation). */
    if (b == '\'' && pos + 1 < n) {
        uint8_t c = s[pos + 1];
        if (lower_is(c, 's') || lower_is(c, 'd') || lower_is(c, 'm') || lower_is(c, 't'))
            return pos + 2;
        if (pos + 2 < n) {
            uint8_t d = s[pos + 2];
            if (c == 0xC5 && d == 0xBF)
                return pos + 3;
            if ((lower_is(c, 'l') && lower_is(d, 'l')) || (lower_is(c, 'v') && lower_is(d, 'e')) ||
                (lower_is(c, 'r') && lower_is(d, 'e')))
                return pos + 3;
        }
    }
    size_t len;
    unsigned f = flags_at(s, pos, &len);
    if (!(f & (F_L | F_N | F_NL))) {
        /* [^\r\n\p{L}\p{N}]?+\p{L}++: the possessive ?+ takes this character
         * (any punctuation, mark or non-newline space, e.g. " word", "\tword",
         * "(word", "'word") and never gives it back; the piece exists iff a
         * letter follows. Retrying without the prefix could not help anyway:
         * this character is no letter. */
        if (pos + len < n) {
            size_t len2;
            if (flags_at(s, pos + len, &len2) & F_L)
                return run_letters(s, n, pos + len + len2, 0);
        }
    } else if (f & F_L) {
        return run_letters(s, n, pos + len, 0); /* the prefix is empty */
    }
    if (f & F_N)
        return digits3(s, n, pos); /* \p{N}{1,3}+ */
    /* ` ?[^\s\p{L}\p{N}]++[\r\n]*+`: a space joins a following punctuation
     * run; the run then swallows any \r\n right after it. */
    size_t i = space_then_punct(s, n, pos, &f, &len);
    if (f & F_P)
        return run(s, n, run(s, n, i + len, F_P), F_NL);
    /* Whitespace [pos, end). \s++$: a run reaching the end is one piece.
     * \s*[\r\n]: the greedy \s* backs off until [\r\n] matches, i.e. the
     * piece ends just after the run's last line break. Otherwise \s+(?!\S)
     * gives back the run's last character (see r50k), and a single character
     * is the final \s. */
    ws_run w = scan_ws(s, n, pos);
    if (w.end == n)
        return n;
    if (w.nl != NONE)
        return w.nl + 1;
    return w.last > pos ? w.last : w.end;
}

/* ------------------------------------------------------------------------ */
/* o200k                                                                    */
/* ------------------------------------------------------------------------ */

/* (?i:'s|'t|'re|'ve|'m|'ll|'d)? at i: the end of the contraction, or i.
 * Case-insensitive with simple folding, so 's also matches 'S and 'ſ. The
 * alternatives start with different letters, so at most one matches; when
 * 'r or 'v lacks its e (or 'l its second l) the group matches empty. */
static HOT_INLINE size_t contraction(const uint8_t *s, size_t n, size_t i)
{
    if (TKM_LIKELY(i + 1 >= n || s[i] != '\''))
        return i;
    uint8_t c = s[i + 1];
    if (lower_is(c, 's') || lower_is(c, 't') || lower_is(c, 'm') || lower_is(c, 'd'))
        return i + 2;
    if (i + 2 >= n)
        return i;
    uint8_t d = s[i + 2];
    if (c == 0xC5 && d == 0xBF) /* U+017F */
        return i + 3;
    if ((lower_is(c, 'r') && lower_is(d, 'e')) || (lower_is(c, 'v') && lower_is(d, 'e')) ||
        (lower_is(c, 'l') && lower_is(d, 'l')))
        return i + 3;
    return i;
}

/* The ends of the two letter alternatives (0: no match) from one position. */
typedef struct letters {
    size_t a1, a2;
} letters;

/* The letter alternatives after the prefix (if any), starting at p < n:
 *   A1 = [UP]*[LO]+C?   and   A2 = [UP]+[LO]*C?   (C the contraction group).
 * Returns A1's end, or 0 if A1 fails, and A2's end, or 0 if A2 fails (only
 * computed when A1 fails).
 *
 * A1: [UP]* first takes the whole UP run [p, u); [LO]+ then needs a LO
 * character where [UP]* stopped, so backtracking gives back UP characters
 * until it stands on the last position j in [p, u] whose character is LO.
 * At j = u that is an Ll character (LO but not UP) and [LO]+ takes
 * the whole LO run from u. At j < u the character is in UP and LO (Lm, Lo,
 * marks: e.g. CJK), and [LO]+ takes it alone: the characters after it in
 * [j, u) are not LO (j is the last such), nor is s[u]. The optional C? can
 * always match empty, so the first j that works is the answer. Example:
 * "中AB1" gives "中", then "AB" by A2.
 * A2 (reached only when A1 failed, so [p, u] holds no LO character):
 * [UP]+ takes [p, u) if non-empty and [LO]* matches empty at u. */
static HOT_INLINE letters letters_o200k(const uint8_t *s, size_t n, size_t p)
{
    letters r = {0, 0};
    size_t i = p, both_end = 0, len = 0;
    unsigned g = 0;
    while (i < n) {
        g = flags_at_inline(s, i, &len);
        if (!(g & F_UP))
            break;
        if (g & F_LO)
            both_end = i + len;
        i += len;
    }
    if (TKM_LIKELY(i < n && (g & F_LO))) {
        r.a1 = contraction(s, n, run_letters(s, n, i + len, 1));
        return r;
    }
    if (both_end)
        r.a1 = contraction(s, n, both_end);
    else if (i > p)
        r.a2 = contraction(s, n, i);
    return r;
}

static HOT_INLINE size_t scan_o200k(const uint8_t *s, size_t n, size_t pos)
{
    size_t len;
    unsigned f = flags_at(s, pos, &len);
    if (!(f & (F_L | F_N | F_NL))) {
        /* [^\r\n\p{L}\p{N}]? is greedy but NOT possessive. Order of attempts:
         * A1 with this character as prefix, A1 without it, A2 with it, A2
         * without it. Without the prefix, the letter alternatives can only
         * start here if this character is in UP or LO: among Q characters
         * those are exactly the marks. */
        size_t p = pos + len;
        letters r = {0, 0};
        if (p < n && (r = letters_o200k(s, n, p)).a1 != 0)
            return r.a1;
        if (f & F_M) {
            /* A1 without prefix: the mark is LO, and [p, u] holds no LO
             * character (A1 with prefix failed), so [UP]* backs off to
             * nothing and [LO]+ is the mark alone; then C?. This comes
             * before A2: "\u0300AB" gives "\u0300", "AB". */
            return contraction(s, n, p);
        }
        if (r.a2)
            return r.a2;
        /* Not a letter piece: whitespace or punctuation, below. */
    } else if (f & F_L) {
        /* No prefix (a letter is not in Q). A letter is in UP or LO, so A1
         * or A2 matches. */
        letters r = letters_o200k(s, n, pos);
        return r.a1 ? r.a1 : r.a2;
    }
    if (f & F_N)
        return digits3(s, n, pos); /* \p{N}{1,3} */
    /* ` ?[^\s\p{L}\p{N}]+[\r\n/]*`: as in cl100k, but also taking '/'s after
     * the run (P+ itself already took any '/' inside it). Greedy with
     * nothing after it, so no backtracking. A mark right after the space
     * was already taken by A1 above (" \u0301" is a letter piece). */
    size_t i = space_then_punct(s, n, pos, &f, &len);
    if (f & F_P) {
        i = run(s, n, i + len, F_P);
        while (i < n && (s[i] == '\r' || s[i] == '\n' || s[i] == '/'))
            i++;
        return i;
    }
    /* Whitespace [pos, end). There is no \s++$ here, so \s*[\r\n]+ comes
     * first: \s* backs off to the run's last line break and [\r\n]+ takes
     * it (the next character, if any, is no line break, else it would be
     * the last one). So "\n  " at the end gives "\n", "  ". Otherwise
     * \s+(?!\S) takes the whole run if it reaches the end of the subject,
     * else gives back its last character; a single character before \S is
     * the final \s+. */
    ws_run w = scan_ws(s, n, pos);
    if (w.nl != NONE)
        return w.nl + 1;
    if (w.end == n)
        return n;
    return w.last > pos ? w.last : w.end;
}

/* ------------------------------------------------------------------------ */
/* Spans of ASCII                                                           */
/* ------------------------------------------------------------------------ */

/*
 * Base64 and hex blobs, long identifiers and minified code are spans of
 * printable ASCII without whitespace, where pieces are short (base64 gives
 * one every 2.2 bytes with o200k) and where they end is a coin toss for the
 * branch predictor: the character-at-a-time scanners above lose several
 * mispredicted branches a piece there. Within such a span the patterns
 * reduce to rules on a character and the two before it, so the piece starts
 * of 64 bytes are computed at once as bit masks (as simdjson classifies
 * structure), with no branch per character. The spans also take ASCII
 * whitespace (block_pieces, ws_starts), so that English prose, source code
 * and mail are mostly split this way: the character-at-a-time scanner was
 * about 60 instructions a byte of source code, over 40 % of its time.
 *
 * The alphabet is 0x21-0x7E: letters L, digits N, and punctuation P, and
 * the whitespace \t \n \v \f \r and space. Without whitespace and
 * apostrophes (contractions: find_contractions), in a span that starts at a
 * piece start, with no character of it before:
 *   - a P starts a piece iff the character before is not P: ` ?P+` (no space
 *     here) takes the whole run, and [\r\n/]* after it adds nothing, since
 *     '/' is P and the run ends at an L or N.
 *   - an N starts a piece iff the character before is not N (r50k: N+), or,
 *     in cl100k and o200k, at every third digit of a run (\p{N}{1,3}).
 *   - a letter after an N, or after a run of two or more P (taken whole by
 *     the punctuation alternative, whose first attempt as a one-character
 *     prefix saw P, not a letter), starts a piece.
 *     After a lone P (its piece started at it), cl100k's and o200k's
 *     optional prefix [^\r\n\p{L}\p{N}]? takes that P and the letters join
 *     it: "+ab" is one piece (r50k's prefix is only a space: "+", "ab").
 *     After a letter: r50k and cl100k take whole letter runs (\p{L}++), so
 *     no start; o200k's [UP]*[LO]+ and [UP]+[LO]* (ASCII: uppercase and
 *     lowercase letters) end a piece exactly where an uppercase letter
 *     follows a lowercase one ("ABc" is one piece, "aBc" is "a", "Bc").
 * A piece that ends at the span's end may go on past it (letters into
 * non-ASCII letters or a contraction, punctuation into line breaks), so the
 * last piece started in the window is left to the scanners above.
 * Whitespace adds rules, at block_pieces and ws_starts.
 */
#define BLOCK 64
#define BLOCK_MIN_SPAN 16 /* shorter spans are left to the scanners above (block_head_in) */
#define BLOCK_BACKOFF 4       /* pieces scanned one by one after a span was too short, */
#define BLOCK_BACKOFF_MAX 256 /* doubling after each further one */

typedef struct block_classes {
    uint64_t in, letter, upper, digit; /* bit i: s[i] is in the alphabet, a letter, ... */
    uint64_t ws, nl, sp; /* White_Space (\t \n \v \f \r, space), \r or \n, the space */
    uint64_t slash, apos;
} block_classes;

static inline int block_byte_in(uint8_t b)
{
    return (b > 0x20 && b < 0x7F) || b == ' ' || (b >= 0x09 && b <= 0x0D);
}

#if defined(__SSE2__) && defined(__GNUC__) && !defined(TKM_SCAN_PORTABLE)
#include <emmintrin.h>
static HOT_INLINE __m128i block_in16(__m128i v)
{
    /* Signed bytes: 0x80-0xFF are negative, so > 0x20 is 0x21-0x7F. */
    return _mm_andnot_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F)),
                            _mm_cmpgt_epi8(v, _mm_set1_epi8(0x20)));
}

/* \t \n \v \f \r and the space: White_Space in ASCII. */
static HOT_INLINE __m128i block_ws16(__m128i v)
{
    __m128i ctl = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - 0x09))),
                                 _mm_set1_epi8(-128 + 5));
    return _mm_or_si128(ctl, _mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));
}

/* Whether s[0..16) are all in the alphabet: attempts in text of other
 * scripts end here. */
static HOT_INLINE int block_head_in(const uint8_t *s)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    return _mm_movemask_epi8(_mm_or_si128(block_in16(v), block_ws16(v))) == 0xFFFF;
}

static HOT_INLINE block_classes classify_block(tkm_scan_kind kind, const uint8_t *s)
{
    block_classes c = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    for (unsigned k = 0; k < BLOCK / 16; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + 16 * k));
        __m128i in = block_in16(v);
        /* x in [lo, lo + w) iff x + (0x80 - lo) is below -128 + w as a signed
         * byte (a range check without unsigned compares). */
        __m128i folded = _mm_add_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)),
                                      _mm_set1_epi8((char)(0x80 - 'a')));
        __m128i letter = _mm_cmplt_epi8(folded, _mm_set1_epi8(-128 + 26));
        __m128i upper = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - 'A'))),
                                       _mm_set1_epi8(-128 + 26));
        __m128i digit = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - '0'))),
                                       _mm_set1_epi8(-128 + 10));
        unsigned sh = 16 * k;
        c.in |= (uint64_t)(unsigned)_mm_movemask_epi8(in) << sh;
        c.letter |= (uint64_t)(unsigned)_mm_movemask_epi8(letter) << sh;
        c.upper |= (uint64_t)(unsigned)_mm_movemask_epi8(upper) << sh;
        c.digit |= (uint64_t)(unsigned)_mm_movemask_epi8(digit) << sh;
        c.ws |= (uint64_t)(unsigned)_mm_movemask_epi8(block_ws16(v)) << sh;
        c.apos |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('\'')))
                  << sh;
        c.sp |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')))
                << sh;
        if (kind != TKM_SCAN_R50K) {
            __m128i nl = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')),
                                      _mm_cmpeq_epi8(v, _mm_set1_epi8('\r')));
            c.nl |= (uint64_t)(unsigned)_mm_movemask_epi8(nl) << sh;
        }
        if (kind == TKM_SCAN_O200K)
            c.slash |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('/')))
                       << sh;
    }
    return c;
}
#else
static HOT_INLINE int block_head_in(const uint8_t *s)
{
    for (unsigned i = 0; i < 16; i++)
        if (!block_byte_in(s[i]))
            return 0;
    return 1;
}

static HOT_INLINE block_classes classify_block(tkm_scan_kind kind, const uint8_t *s)
{
    block_classes c = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    for (unsigned i = 0; i < BLOCK; i++) {
        uint8_t b = s[i];
        uint64_t bit = (uint64_t)1 << i;
        if (b > 0x20 && b < 0x7F)
            c.in |= bit;
        if (b == '\'')
            c.apos |= bit;
        if (b == ' ' || (b >= 0x09 && b <= 0x0D))
            c.ws |= bit;
        if (b == '\n' || b == '\r')
            c.nl |= bit;
        if (b == ' ')
            c.sp |= bit;
        if (kind == TKM_SCAN_O200K && b == '/')
            c.slash |= bit;
        if ((uint8_t)((b | 0x20) - 'a') < 26)
            c.letter |= bit;
        if ((uint8_t)(b - 'A') < 26)
            c.upper |= bit;
        if ((uint8_t)(b - '0') < 10)
            c.digit |= bit;
    }
    return c;
}
#endif


/* Starts of \p{N}{1,3} pieces in the digit mask d: each run's first digit,
 * then every third. */
static HOT_INLINE uint64_t digit_starts(uint64_t d)
{
    uint64_t starts = d & ~(d << 1);
    uint64_t fourth = d & (d << 1) & (d << 2) & (d << 3); /* a digit with 3 before it */
    while (fourth) {
        unsigned i = tkm_ctz64(fourth); /* the run's 4th digit: a piece starts here */
        uint64_t rest = ~d >> i;    /* i < 64; rest != 0 unless the run fills the block */
        unsigned end = rest ? i + tkm_ctz64(rest) : BLOCK;
        for (unsigned j = i; j < end; j += 3)
            starts |= (uint64_t)1 << j;
        fourth = end < BLOCK ? fourth & ~(((uint64_t)1 << end) - 1) : 0;
    }
    return starts;
}

/* Index of the highest set bit of x, x != 0. */
static HOT_INLINE unsigned highest_bit(uint64_t x)
{
#if defined(__GNUC__)
    return 63u - (unsigned)__builtin_clzll(x);
#else
    unsigned i = 0;
    while (x >>= 1)
        i++;
    return i;
#endif
}

/* Piece starts in the whitespace of a span (cl100k and o200k), given ws, nl,
 * sq (whitespace other than \r \n: the prefix class Q's whitespace) and
 * taken (characters that the punctuation before them takes, see
 * block_pieces). From a start, the patterns split a whitespace run [a, e)
 * as follows (with ASCII only; the letter and punctuation alternatives come
 * first but take whitespace only as a one-character prefix, see
 * block_pieces):
 *   - `\s*[\r\n]+` (cl100k `\s*[\r\n]`): if the run holds a line break, the
 *     greedy \s* backs off to the last one, so the piece is [a, last + 1);
 *   - `\s+(?!\S)`: otherwise [a, e - 1), the lookahead failing at e and
 *     succeeding one character back; a run of one character is `\s+` (`\s`).
 * So the starts in a run are its first character (or the first after what
 * the punctuation before took), the character after its last line break,
 * and its last character if that is no line break (these may coincide). A
 * run that reaches the end of the subject is one piece (`\s++$`, or
 * `\s+(?!\S)` at the end); runs that reach the end of the span are cut off
 * by the caller, so that never arises here. */
static HOT_INLINE uint64_t ws_starts(uint64_t ws, uint64_t nl, uint64_t sq, uint64_t taken)
{
    /* later[i]: a line break at i or after it in i's run (a doubling scan:
     * after the step by d, later covers [i, i + 2d) of runs of whitespace
     * that reach that far; join[i] holds while [i, i + d] is whitespace). */
    uint64_t later = nl, join = ws & (ws >> 1);
    for (unsigned d = 1; d < 64; d *= 2) {
        later |= (later >> d) & join;
        join &= join >> d;
    }
    uint64_t first = ws & ~(ws << 1) & ~taken;
    uint64_t after_taken = sq & (taken << 1);
    uint64_t after_last_break = sq & (nl << 1) & ~later;
    uint64_t last = sq & ~(ws >> 1);
    return first | after_taken | after_last_break | last;
}

/* The contractions of a span: apostrophes followed by s t m d, or re ve ll
 * (cl100k and o200k: either case; r50k: lower case only). */
typedef struct contractions {
    uint64_t at;      /* the apostrophes that begin one */
    uint64_t letters; /* their letters */
    uint64_t after;   /* the position after each */
    uint64_t keep;    /* the positions before the first apostrophe whose
                       * contraction the span cannot tell (too close to its end) */
} contractions;

/* The contractions at the apostrophes ap of the span [0, m) of s, those
 * whose apostrophe is in may_begin; o200k's also need a letter before the
 * apostrophe that is no letter of the contraction before (in "x's's" the
 * second "'s" is a prefix and a letter, as in "'sa": see block_pieces).
 * Apostrophes are rare, so one at a time. */
static HOT_INLINE contractions find_contractions(tkm_scan_kind kind, const uint8_t *s,
                                                 uint64_t ap, uint64_t may_begin, unsigned m)
{
    contractions r = {0, 0, 0, ~(uint64_t)0};
    for (; ap; ap &= ap - 1) {
        unsigned j = tkm_ctz64(ap);
        if (j + 2 >= m) { /* its letters may lie past the span */
            r.keep = ((uint64_t)1 << j) - 1;
            break;
        }
        if (!(may_begin >> j & 1) || (kind == TKM_SCAN_O200K && (r.letters >> (j - 1) & 1)))
            continue;
        uint8_t c = s[j + 1], d = s[j + 2];
        if (kind != TKM_SCAN_R50K) { /* ASCII case folding: exact for letters */
            c |= 0x20;
            d |= 0x20;
        }
        unsigned len = 0;
        if (c == 's' || c == 't' || c == 'm' || c == 'd')
            len = 2;
        else if ((c == 'r' && d == 'e') || (c == 'v' && d == 'e') || (c == 'l' && d == 'l'))
            len = 3;
        if (!len)
            continue;
        r.at |= (uint64_t)1 << j;
        r.letters |= (((uint64_t)1 << len) - 2) << j;
        if (j + len < m) /* else the contraction's piece is the span's last */
            r.after |= (uint64_t)1 << (j + len);
    }
    return r;
}

/* Pieces from pos (a piece start, pos + BLOCK <= n) while the text is a span
 * of kind's alphabet: writes the ends of all but the last piece started in
 * the window to ends[0..k), k <= room, and returns k (0: the span is too
 * short, or holds one piece). The alphabet holds ASCII whitespace too; for
 * r50k that adds the rules given at its branch, and for cl100k and o200k
 * those of ws_starts and these:
 *   - the punctuation alternative ends in `[\r\n]*+` (o200k `[\r\n/]*`), so
 *     the line breaks right after punctuation, and in o200k the slashes and
 *     line breaks after those, belong to its piece ("taken"); what follows
 *     them starts a piece;
 *   - punctuation after a space does not start a piece (` ?` takes the
 *     space, which starts it: the last character of a whitespace run
 *     always does);
 *   - a letter whose piece would start it (above) does not when the
 *     character before it is a prefix in Q that starts a piece: whitespace
 *     other than \r \n (a run's last character), or punctuation that starts
 *     a piece;
 *   - a digit after whitespace starts a piece (the run's last character is
 *     a piece of its own: no alternative takes it with a digit). */
static HOT_INLINE size_t block_pieces(tkm_scan_kind kind, const uint8_t *s, size_t pos,
                                      size_t *ends, size_t room)
{
    if (!block_head_in(s + pos))
        return 0;
    block_classes c = classify_block(kind, s + pos);
    uint64_t out = ~(c.in | c.ws);
    unsigned m = out ? tkm_ctz64(out) : BLOCK;
    if (m < BLOCK_MIN_SPAN)
        return 0;
    uint64_t span = m == BLOCK ? ~(uint64_t)0 : ((uint64_t)1 << m) - 1;
    uint64_t ws = c.ws & span;
    uint64_t l = c.letter & span, d = c.digit & span, p = span & ~l & ~d & ~ws;
    uint64_t sp = c.sp & span, ap = c.apos & span, starts;
    contractions ct = {0, 0, 0, ~(uint64_t)0};
    if (kind == TKM_SCAN_R50K) {
        /* r50k: whole runs of L, N or P, each taking a space before it
         * (` ?\p{L}++`, ...), and no rule for line breaks: a whitespace run
         * [a, e) is [a, e - 1) and then its last character, alone or as
         * that prefix. A contraction is the first alternative, so one
         * begins at an apostrophe that starts a piece. */
        uint64_t pstart = p & ~(p << 1) & ~(sp << 1);
        if (ap) {
            ct = find_contractions(kind, s + pos, ap, pstart, m);
            l &= ~ct.letters;
        }
        starts = pstart | (((l & ~(l << 1)) | (d & ~(d << 1))) & ~(sp << 1));
        starts |= (ws & ~(ws << 1)) | (ws & ~(ws >> 1));
    } else {
        if (kind == TKM_SCAN_O200K && ap) {
            /* o200k's contractions end a letter piece (C? after the
             * letters): the apostrophe and its letters continue the piece,
             * whatever follows starts one, and any other apostrophe is
             * punctuation. */
            ct = find_contractions(kind, s + pos, ap, l << 1, m);
            l &= ~ct.letters;
            p &= ~ct.at;
        }
        uint64_t nl = c.nl & span, sq = ws & ~nl;
        uint64_t after_letter = l << 1;
        if (kind == TKM_SCAN_O200K) {
            uint64_t lower = l & ~c.upper;
            after_letter &= ~(c.upper & (lower << 1)); /* uppercase after lowercase starts */
        }
        /* Taken: from a line break right after punctuation (a seed), the
         * rest of its run of line breaks (o200k: and slashes). The carry of
         * the addition runs from a run's first seed to the run's end,
         * clearing the bits it passes except at further seeds (a slash
         * before a line break is punctuation too). */
        uint64_t breaks = kind == TKM_SCAN_O200K ? nl | (c.slash & span) : nl;
        uint64_t seed = nl & (p << 1);
        uint64_t taken = (((breaks + seed) ^ breaks) | seed) & breaks;
        uint64_t pp = p & ~taken;
        uint64_t pstart = pp & ~(pp << 1) & ~(sp << 1);
        if (kind == TKM_SCAN_CL100K && ap) {
            /* cl100k: a contraction is the first alternative, so one begins
             * at an apostrophe that starts a piece (as punctuation would:
             * after neither punctuation nor a space), and is a piece. */
            ct = find_contractions(kind, s + pos, ap, pstart, m);
            l &= ~ct.letters;
        }
        uint64_t prefix = (sq | pstart) << 1;
        starts = (l & ~after_letter & ~prefix) | pstart | digit_starts(d) |
                 ws_starts(ws, nl, sq, taken);
    }
    starts = (starts | ct.after) & ct.keep;
    /* A whitespace run that reaches the span's end may go on past it (a
     * non-ASCII space, the next block): nothing from its start on is known. */
    if (ws >> (m - 1) & 1) {
        uint64_t other = span & ~ws;
        if (!other)
            return 0;
        starts &= ((uint64_t)1 << (highest_bit(other) + 1)) - 1;
    }
    uint64_t e = starts & ~(uint64_t)1; /* where pieces after the first start: their ends */
    size_t k = 0;
    while (e && k < room) {
        ends[k++] = pos + tkm_ctz64(e);
        e &= e - 1;
    }
    return k;
}

/* ------------------------------------------------------------------------ */

size_t tkm_scan_next(tkm_scan_kind kind, const uint8_t *s, size_t n, size_t pos)
{
    switch (kind) {
    case TKM_SCAN_R50K:
        return scan_r50k(s, n, pos);
    case TKM_SCAN_CL100K:
        return scan_cl100k(s, n, pos);
    case TKM_SCAN_O200K:
        return scan_o200k(s, n, pos);
    case TKM_SCAN_NONE:
        break;
    }
    return pos;
}

/* block_pieces at pos, if pos is in its alphabet with a whole block of text
 * left. Out of line: inlined into the loops below, its registers slowed the
 * character-at-a-time scanners there by 7 % on source code. */
static COLD size_t try_block(tkm_scan_kind kind, const uint8_t *s, size_t n, size_t pos,
                             size_t *ends, size_t room)
{
    if (pos + BLOCK > n || !block_byte_in(s[pos]))
        return 0;
    switch (kind) { /* one copy per kind, its tests resolved */
    case TKM_SCAN_R50K:
        return block_pieces(TKM_SCAN_R50K, s, pos, ends, room);
    case TKM_SCAN_CL100K:
        return block_pieces(TKM_SCAN_CL100K, s, pos, ends, room);
    case TKM_SCAN_O200K:
        return block_pieces(TKM_SCAN_O200K, s, pos, ends, room);
    case TKM_SCAN_NONE:
        break;
    }
    return 0;
}

/* One loop per pattern, so each scanner is inlined into its own loop. The
 * blocks are tried between runs of the character-at-a-time loop: after a
 * failure (a span too short), the next run is longer, and after a success
 * the block is tried again at once (base64 is spans, and so is most ASCII
 * text now that the spans take whitespace and apostrophes; before, prose
 * and most code rarely had a span of 16). */
#define SCAN_LOOP(fn, kind)                                                                       \
    do {                                                                                          \
        size_t skip = 0, backoff = BLOCK_BACKOFF;                                                 \
        for (;;) {                                                                                \
            size_t stop = max - k > skip ? k + skip : max;                                       \
            while (k < stop && pos < n) {                                                         \
                pos = fn(s, n, pos);                                                              \
                ends[k++] = pos;                                                                  \
            }                                                                                     \
            if (k >= max || pos >= n)                                                             \
                break;                                                                            \
            size_t got = try_block(kind, s, n, pos, ends + k, max - k);                          \
            if (got) {                                                                            \
                k += got;                                                                         \
                pos = ends[k - 1];                                                                \
                skip = 0;                                                                         \
                backoff = BLOCK_BACKOFF;                                                          \
            } else {                                                                              \
                skip = backoff;                                                                   \
                backoff = backoff < BLOCK_BACKOFF_MAX ? 2 * backoff : backoff;                    \
            }                                                                                     \
        }                                                                                         \
    } while (0)

size_t tkm_scan_pieces(tkm_scan_kind kind, const uint8_t *s, size_t n, size_t pos, size_t *ends,
                       size_t max)
{
    size_t k = 0;
    switch (kind) {
    case TKM_SCAN_R50K:
        SCAN_LOOP(scan_r50k, TKM_SCAN_R50K);
        break;
    case TKM_SCAN_CL100K:
        SCAN_LOOP(scan_cl100k, TKM_SCAN_CL100K);
        break;
    case TKM_SCAN_O200K:
        SCAN_LOOP(scan_o200k, TKM_SCAN_O200K);
        break;
    case TKM_SCAN_NONE:
        break;
    }
    return k;
}
