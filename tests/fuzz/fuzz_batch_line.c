/* fuzz_batch_line.c — one Batch API JSONL line on arbitrary bytes.
 *
 * Mirrors `tokmeter batch`'s per-line path (tools/cli/batch.c, whose
 * one_line() is static): cli_json_parse of the line, the envelope
 * (custom_id, method, url strings, body present), then req_parse_endpoint
 * on the body for its url (chat completions, responses, completions,
 * embeddings), then tkm_chat_count / tkm_tools_count and req_count with the
 * model the body names (else gpt-4o). Anything malformed must end in a
 * diagnostic (muted here), never a crash, a leak or UB.
 */
#include "fuzz_request_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_request_init();
    return 0;
}

static void line(const char *text, size_t len, size_t line_no, const cli_opts *o)
{
    cli_src src = {"<fuzz>.jsonl", text, len, line_no - 1};
    chat_req r;
    req_init(&r);
    r.root = cli_json_parse(&src);
    if (!r.root || !json_is_object(r.root))
        goto out;
    static const char *const keys[] = {"custom_id", "method", "url"};
    const char *vals[3];
    for (int i = 0; i < 3; i++) {
        json_t *v = json_object_get(r.root, keys[i]);
        if (!json_is_string(v)) {
            cli_jpath p = {.n = 0};
            jp_key(&p, keys[i]);
            cli_json_err(&src, &p, "expected a string, got %s", v ? cli_json_type(v) : "none");
            goto out;
        }
        vals[i] = json_string_value(v);
    }
    if (strcmp(vals[1], "POST") != 0)
        goto out;
    json_t *body = json_object_get(r.root, "body");
    if (!body)
        goto out;
    req_parser rp = {&src, "/nonexistent-fuzz-dir", o, {.n = 0}, &r};
    jp_key(&rp.path, "body");
    if (req_parse_endpoint(&rp, vals[2], body))
        fuzz_count_request(&r, o);
out:
    req_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_request_init();
    fuzz_no_files = true;
    cli_opts o;
    memset(&o, 0, sizeof o);
    /* Each line of the input is a line of a JSONL file. */
    const char *s = size ? (const char *)data : "";
    size_t start = 0, line_no = 1;
    while (start < size && line_no <= 64) {
        const char *nl = memchr(s + start, '\n', size - start);
        size_t end = nl ? (size_t)(nl - s) : size;
        /* An exact copy, so that a read past the line's end is caught. */
        char *copy = fuzz_xmalloc(end - start);
        memcpy(copy, s + start, end - start);
        line(copy, end - start, line_no, &o);
        free(copy);
        start = end + 1;
        line_no++;
    }
    if (size == 0)
        line(s, 0, 1, &o);
    fuzz_no_files = false;
    return 0;
}
