/*
 * pcre2_probe.c — report which code points a PCRE2 fragment matches.
 *
 * Used by tools/gen_unicode.py. PCRE2 carries its own (older) Unicode tables,
 * so the only reliable way to learn what `\p{L}` etc. mean to the PCRE2 we
 * link against is to ask it: this program compiles every fragment read from
 * stdin (one per line) with the options the core uses plus PCRE2_ANCHORED,
 * and matches it against the UTF-8 encoding of every scalar value
 * 0..0x10FFFF (surrogates cannot be encoded and are skipped). A code point
 * counts as matched when the match consumes exactly that code point.
 *
 * Output: a first line "# pcre2 <version> unicode <unicode version>", then
 * one line per fragment listing the matched ranges as "LO-HI" in hex,
 * separated by spaces (an empty line when nothing matched). Exit status is
 * non-zero when a fragment fails to compile.
 *
 * With the argument --size, each line is instead a whole pattern: it is
 * compiled with exactly the core's options (PCRE2_UTF | PCRE2_DOLLAR_ENDONLY)
 * and JIT, and the output line is its compiled size in bytes
 * (PCRE2_INFO_SIZE; the LINK_SIZE=2 limit is 64 KB).
 *
 * Build: cc -std=c11 -O2 tools/pcre2_probe.c -lpcre2-8 -o pcre2_probe
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t utf8_encode(unsigned long cp, unsigned char *out)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

static int probe(const char *frag, size_t lineno)
{
    int err = 0;
    PCRE2_SIZE erroff = 0;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)frag, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ANCHORED, &err,
                                   &erroff, NULL);
    if (re == NULL) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        fprintf(stderr, "pcre2_probe: line %zu: compile error at %zu: %s\n", lineno,
                (size_t)erroff, (const char *)msg);
        return -1;
    }
    /* JIT only for speed; the interpreter gives the same answers. */
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    if (md == NULL) {
        pcre2_code_free(re);
        return -1;
    }

    long start = -1;
    int first = 1;
    for (unsigned long cp = 0; cp <= 0x110000; cp++) {
        int hit = 0;
        if (cp < 0x110000 && !(cp >= 0xD800 && cp <= 0xDFFF)) {
            unsigned char buf[4];
            size_t n = utf8_encode(cp, buf);
            int rc = pcre2_match(re, buf, n, 0, PCRE2_NO_UTF_CHECK, md, NULL);
            if (rc > 0) {
                PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
                hit = ov[0] == 0 && ov[1] == n;
            } else if (rc != PCRE2_ERROR_NOMATCH) {
                fprintf(stderr, "pcre2_probe: line %zu: match error %d at U+%04lX\n", lineno,
                        rc, cp);
                pcre2_match_data_free(md);
                pcre2_code_free(re);
                return -1;
            }
        }
        if (hit && start < 0) {
            start = (long)cp;
        } else if (!hit && start >= 0) {
            printf(first ? "%lX-%lX" : " %lX-%lX", (unsigned long)start, cp - 1);
            first = 0;
            start = -1;
        }
    }
    putchar('\n');
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return 0;
}

static int size_of(const char *pat, size_t lineno)
{
    int err = 0;
    PCRE2_SIZE erroff = 0;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &err, &erroff, NULL);
    if (re == NULL) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        fprintf(stderr, "pcre2_probe: line %zu: compile error at %zu: %s\n", lineno,
                (size_t)erroff, (const char *)msg);
        return -1;
    }
    int jrc = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    size_t size = 0;
    pcre2_pattern_info(re, PCRE2_INFO_SIZE, &size);
    printf("%zu%s\n", size, jrc == 0 ? "" : " nojit");
    pcre2_code_free(re);
    return 0;
}

int main(int argc, char **argv)
{
    int size_mode = argc > 1 && strcmp(argv[1], "--size") == 0;
    char version[64] = "", uversion[64] = "";
    pcre2_config(PCRE2_CONFIG_VERSION, version);
    pcre2_config(PCRE2_CONFIG_UNICODE_VERSION, uversion);
    printf("# pcre2 %s unicode %s\n", version, uversion);

    /* Fragments are short; the generator keeps them on one line each. */
    static char line[1 << 20];
    size_t lineno = 0;
    while (fgets(line, sizeof line, stdin) != NULL) {
        lineno++;
        size_t len = strlen(line);
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if ((size_mode ? size_of(line, lineno) : probe(line, lineno)) != 0)
            return 1;
    }
    return ferror(stdin) ? 1 : 0;
}
