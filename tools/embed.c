/* embed.c — build-time tool that turns data files into C sources.
 *
 *   tkm_embed ranks FILE.tiktoken NAME OUT.c
 *       Parses FILE with the library's own rank parser (src/ranks.c) and
 *       writes the tokens in rank order as two arrays, so loading a built-in
 *       encoding at run time decodes no base64 and parses no text:
 *         const uint32_t tkm_embedded_NAME_n_ranks;
 *         const uint32_t tkm_embedded_NAME_off[n_ranks + 1];
 *         const unsigned char tkm_embedded_NAME_bytes[];
 *       Duplicate ranks or tokens fail the build.
 *   tkm_embed ranks FILE.tiktoken NAME OUT.c --tables
 *       Also the lookup tables vocab.c would build at load (the hash slots,
 *       their tags and the 2-byte pair table) and those backtrack.c would
 *       build on first use, written next to OUT.c as OUT.c.slots, OUT.c.tags,
 *       OUT.c.pairs and OUT.c.bt_* in the host's byte order and pulled in with the
 *       assembler's .incbin (GNU toolchains, ELF; the tool runs on the
 *       machine the library is built for: no cross-compiling), so a
 *       built-in encoding loads without hashing a single token and never
 *       builds tables:
 *         tkm_embedded_NAME_slots[], tkm_embedded_NAME_tags[],
 *         tkm_embedded_NAME_pairs[65536],
 *         const size_t tkm_embedded_NAME_n_slots,
 *         const tkm_bt_tables tkm_embedded_NAME_bt (and its arrays).
 *   tkm_embed raw FILE NAME OUT.c
 *       const unsigned char tkm_embedded_NAME[] (file bytes plus a NUL) and
 *       const size_t tkm_embedded_NAME_size (without the NUL).
 */
#include "backtrack.h"
#include "ranks.h"
#include "vocab.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "tkm_embed: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf)
            break;
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    if (!buf || ferror(f)) {
        fprintf(stderr, "tkm_embed: %s: read error\n", path);
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

static void write_bytes(FILE *o, const unsigned char *p, size_t n, int add_nul)
{
    size_t total = n + (add_nul ? 1 : 0);
    for (size_t i = 0; i < total; i++) {
        unsigned v = i < n ? p[i] : 0;
        fprintf(o, "%u,%s", v, (i % 24 == 23) ? "\n" : "");
    }
    if (total == 0)
        fputs("0", o);
}

static int write_bin(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "tkm_embed: %s: %s\n", path, strerror(errno));
        return 1;
    }
    int rc = fwrite(p, 1, n, f) == n ? 0 : 1;
    if (fclose(f) != 0)
        rc = 1;
    return rc;
}

typedef struct blob {
    const char *what; /* symbol suffix and file suffix */
    const char *type; /* element type of a backtracking table (what = "bt_" field), or NULL */
    const void *p;
    size_t n;
} blob;

/* Binary blobs written next to OUT.c as OUT.c.WHAT and pulled in as
 * read-only, hidden, 64-byte aligned symbols tkm_embedded_NAME_WHAT. */
static int embed_blobs(const blob *b, size_t n_blobs, const char *name, const char *out, FILE *o)
{
    size_t n = strlen(out) + 32;
    char *file = malloc(n);
    if (!file)
        return 1;
    for (size_t k = 0; k < n_blobs; k++) {
        snprintf(file, n, "%s.%s", out, b[k].what);
        if (write_bin(file, b[k].p, b[k].n)) {
            free(file);
            return 1;
        }
    }
    fputs("__asm__(\".section .rodata\\n\"\n", o);
    for (size_t k = 0; k < n_blobs; k++) {
        snprintf(file, n, "%s.%s", out, b[k].what);
        fprintf(o, "        \".balign 64\\n\"\n");
        fprintf(o, "        \".globl tkm_embedded_%s_%s\\n\"\n", name, b[k].what);
        fprintf(o, "        \".hidden tkm_embedded_%s_%s\\n\"\n", name, b[k].what);
        fprintf(o, "        \"tkm_embedded_%s_%s:\\n\"\n", name, b[k].what);
        fprintf(o, "        \".incbin \\\"%s\\\"\\n\"\n", file);
    }
    fputs("        \".previous\\n\");\n", o);
    free(file);
    return 0;
}

/* The slots, pair table and 3-byte filter, and the backtracking tables (built by
 * backtrack.c on this vocabulary, loaded from the file: so they are checked
 * against the reference merge token by token, as a custom vocabulary's are)
 * as a const tkm_bt_tables pointing at its arrays. */
static int embed_tables(tkm_vocab *v, const char *name, const char *out, FILE *o)
{
    const tkm_bt_tables *t = tkm_bt_get(v, v->alloc, true);
    if (!t) {
        fprintf(stderr, "tkm_embed: %s: no backtracking tables (out of memory, or merges this "
                        "encoder does not handle)\n", name);
        return 1;
    }
    blob b[] = {
        {"slots", NULL, v->slots, (v->mask + 1) * sizeof *v->slots},
        {"tags", NULL, v->tags, v->mask + 1 + TKM_VOCAB_GROUP},
        {"pairs", NULL, v->pair_rank, 65536 * sizeof *v->pair_rank},
        {"tri", NULL, v->tri, TKM_VOCAB_TRI_WORDS * sizeof *v->tri},
        {"bt_node", "tkm_bt_node", t->node, ((size_t)t->n_nodes + 1) * sizeof *t->node},
        {"bt_label", "uint8_t", t->label, ((size_t)t->n_nodes + 1) * sizeof *t->label},
        {"bt_root2", "uint32_t", t->root2, 65536 * sizeof *t->root2},
        {"bt_next_prefix", "uint32_t", t->next_prefix,
         (size_t)t->n_ranks * sizeof *t->next_prefix},
        {"bt_split", "tkm_bt_split", t->split, (size_t)t->n_ranks * sizeof *t->split},
        {"bt_pairs", "uint64_t", t->pairs, ((size_t)1 << t->pair_bits) * sizeof *t->pairs},
        {"bt_filter", "uint64_t", t->filter, ((size_t)1 << t->filter_bits) / 8},
        {"bt_junction", "uint64_t", t->junction, ((size_t)1 << t->junction_bits) / 8},
        {"bt_junction_types", "uint16_t", t->junction_types,
         4096 * sizeof *t->junction_types},
        {"bt_chars", "uint64_t", t->chars, TKM_BT_CHARS * sizeof *t->chars},
    };
    enum { N_BLOBS = sizeof b / sizeof b[0] };
    fprintf(o, "const size_t tkm_embedded_%s_n_slots = %zuu;\n", name, v->mask + 1);
    if (embed_blobs(b, N_BLOBS, name, out, o))
        return 1;
    for (int k = 0; k < N_BLOBS; k++)
        if (b[k].type)
            fprintf(o, "extern const %s tkm_embedded_%s_%s[];\n", b[k].type, name, b[k].what);
    fprintf(o, "extern const tkm_bt_tables tkm_embedded_%s_bt;\n", name);
    fprintf(o, "const tkm_bt_tables tkm_embedded_%s_bt = {\n", name);
    fprintf(o, "    .n_ranks = %uu, .n_nodes = %uu, .n_unreachable = %uu, .embedded = 1,\n",
            t->n_ranks, t->n_nodes, t->n_unreachable);
    fprintf(o, "    .pair_bits = %uu, .filter_bits = %uu, .junction_bits = %uu,\n    .root = {",
            t->pair_bits, t->filter_bits, t->junction_bits);
    for (int c = 0; c < 256; c++)
        fprintf(o, "%uu,%s", t->root[c], c % 12 == 11 ? "\n        " : "");
    fputs("},\n", o);
    for (int k = 0; k < N_BLOBS; k++)
        if (b[k].type) /* .node = (tkm_bt_node *)tkm_embedded_NAME_bt_node, ... */
            fprintf(o, "    .%s = (%s *)tkm_embedded_%s_%s,\n", b[k].what + 3, b[k].type, name,
                    b[k].what);
    fputs("};\n", o);
    return 0;
}

static int embed_ranks(const char *in, const char *name, const char *out, bool tables, FILE *o)
{
    size_t len;
    char *text = read_file(in, &len);
    if (!text)
        return 1;
    tkm_allocator a;
    tkm_alloc_init(&a, NULL);
    tkm_rank_list l;
    tkm_vocab v;
    tkm_error_detail d;
    tkm_detail_clear(&d);
    /* The same parse and duplicate checks as tkm_encoding_load(). */
    tkm_status st = tkm_ranks_parse(text, len, &a, &l, &d);
    if (st == TKM_OK) {
        st = tkm_vocab_build(&v, &l, &a, &d);
        tkm_ranks_free(&a, &l);
    }
    free(text);
    if (st != TKM_OK) {
        fprintf(stderr, "tkm_embed: %s:%zu: %s\n", in, d.line, d.message);
        return 1;
    }
    size_t n_bytes = v.off[v.n_ranks];
    fprintf(o, "/* Generated by tools/embed.c from %s; do not edit. */\n", name);
    fputs("#include <stddef.h>\n#include <stdint.h>\n", o);
    if (tables)
        fputs("#include \"backtrack.h\"\n", o);
    fprintf(o, "extern const uint32_t tkm_embedded_%s_n_ranks;\n", name);
    fprintf(o, "extern const uint32_t tkm_embedded_%s_off[];\n", name);
    fprintf(o, "extern const unsigned char tkm_embedded_%s_bytes[];\n", name);
    fprintf(o, "const uint32_t tkm_embedded_%s_n_ranks = %uu;\n", name, v.n_ranks);
    fprintf(o, "const uint32_t tkm_embedded_%s_off[%zu] = {\n", name, (size_t)v.n_ranks + 1);
    for (size_t r = 0; r <= v.n_ranks; r++)
        fprintf(o, "%uu,%s", v.off[r], (r % 12 == 11) ? "\n" : "");
    fprintf(o, "};\nconst unsigned char tkm_embedded_%s_bytes[%zu] = {\n", name,
            n_bytes ? n_bytes : 1);
    write_bytes(o, v.bytes, n_bytes, n_bytes == 0);
    fputs("};\n", o);
    int rc = tables ? embed_tables(&v, name, out, o) : 0;
    tkm_vocab_free(&v);
    return rc;
}

static int embed_raw(const char *in, const char *name, FILE *o)
{
    size_t len;
    char *text = read_file(in, &len);
    if (!text)
        return 1;
    fprintf(o, "/* Generated by tools/embed.c; do not edit. */\n#include <stddef.h>\n");
    fprintf(o, "extern const unsigned char tkm_embedded_%s[];\n", name);
    fprintf(o, "extern const size_t tkm_embedded_%s_size;\n", name);
    fprintf(o, "const size_t tkm_embedded_%s_size = %zuu;\n", name, len);
    fprintf(o, "const unsigned char tkm_embedded_%s[%zu] = {\n", name, len + 1);
    write_bytes(o, (const unsigned char *)text, len, 1);
    fputs("};\n", o);
    free(text);
    return 0;
}

int main(int argc, char **argv)
{
    bool tables = argc == 6 && strcmp(argv[5], "--tables") == 0;
    if ((argc != 5 && !tables) ||
        (strcmp(argv[1], "ranks") != 0 && strcmp(argv[1], "raw") != 0)) {
        fprintf(stderr, "usage: tkm_embed ranks|raw INPUT NAME OUTPUT.c [--tables]\n");
        return 2;
    }
    /* Write to a temporary name and rename, so an interrupted build never
     * leaves a truncated source behind. */
    size_t n = strlen(argv[4]) + 8;
    char *tmp = malloc(n);
    if (!tmp)
        return 1;
    snprintf(tmp, n, "%s.tmp", argv[4]);
    FILE *o = fopen(tmp, "w");
    if (!o) {
        fprintf(stderr, "tkm_embed: %s: %s\n", tmp, strerror(errno));
        free(tmp);
        return 1;
    }
    int rc = strcmp(argv[1], "ranks") == 0 ? embed_ranks(argv[2], argv[3], argv[4], tables, o)
                                           : embed_raw(argv[2], argv[3], o);
    if (fclose(o) != 0)
        rc = 1;
    if (rc == 0 && rename(tmp, argv[4]) != 0)
        rc = 1;
    if (rc != 0)
        remove(tmp);
    free(tmp);
    return rc;
}
