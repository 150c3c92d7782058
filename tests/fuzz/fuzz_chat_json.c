/* fuzz_chat_json.c — a Chat Completions request body on arbitrary bytes.
 *
 * The bytes go through the CLI's own path for `tokmeter chat`:
 * cli_json_parse (jansson, positioned errors), req_parse_chat into the
 * accounting structs (tkm_chat_message, tkm_tool_def), then tkm_chat_count
 * and tkm_tools_count with the model the body names (else gpt-4o) from the
 * built-in table, and req_count (fit and cost). Invalid JSON, wrong types,
 * deep nesting, huge numbers and non-UTF-8 strings must give a diagnostic
 * (muted here) or a status, never a crash, a leak or UB. See
 * fuzz_request_common.h for the file-system sandbox.
 */
#include "fuzz_request_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_request_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_request_init();
    fuzz_no_files = true;
    cli_opts o;
    memset(&o, 0, sizeof o);
    cli_src src = {"<fuzz>", size ? (const char *)data : "", size, 0};
    chat_req r;
    req_init(&r);
    r.root = cli_json_parse(&src);
    if (r.root) {
        req_parser p = {&src, "/nonexistent-fuzz-dir", &o, {.n = 0}, &r};
        if (req_parse_chat(&p, r.root))
            fuzz_count_request(&r, &o);
    }
    req_free(&r);
    fuzz_no_files = false;
    return 0;
}
