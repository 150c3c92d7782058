/* model.c — model name -> encoding name, as tiktoken's model.py (main,
 * as of tiktoken 0.14): exact names first, then prefixes in table order.
 * "ft:BASE:org::id" fine-tune names map through BASE, which covers
 * tiktoken's own "ft:gpt-4o" / "ft:gpt-4" / ... prefixes. */
#include "internal.h"

#include <string.h>

typedef struct name_map {
    const char *name;
    const char *encoding;
} name_map;

static const name_map EXACT[] = {
    /* reasoning */
    {"o1", "o200k_base"},
    {"o3", "o200k_base"},
    {"o4-mini", "o200k_base"},
    /* chat */
    {"gpt-5", "o200k_base"},
    {"gpt-4.1", "o200k_base"},
    {"gpt-4o", "o200k_base"},
    {"gpt-4", "cl100k_base"},
    {"gpt-3.5-turbo", "cl100k_base"},
    {"gpt-3.5", "cl100k_base"},
    {"gpt-35-turbo", "cl100k_base"},
    /* base */
    {"davinci-002", "cl100k_base"},
    {"babbage-002", "cl100k_base"},
    /* embeddings */
    {"text-embedding-ada-002", "cl100k_base"},
    {"text-embedding-3-small", "cl100k_base"},
    {"text-embedding-3-large", "cl100k_base"},
    /* deprecated: text */
    {"text-davinci-003", "p50k_base"},
    {"text-davinci-002", "p50k_base"},
    {"text-davinci-001", "r50k_base"},
    {"text-curie-001", "r50k_base"},
    {"text-babbage-001", "r50k_base"},
    {"text-ada-001", "r50k_base"},
    {"davinci", "r50k_base"},
    {"curie", "r50k_base"},
    {"babbage", "r50k_base"},
    {"ada", "r50k_base"},
    /* deprecated: code */
    {"code-davinci-002", "p50k_base"},
    {"code-davinci-001", "p50k_base"},
    {"code-cushman-002", "p50k_base"},
    {"code-cushman-001", "p50k_base"},
    {"davinci-codex", "p50k_base"},
    {"cushman-codex", "p50k_base"},
    /* deprecated: edit */
    {"text-davinci-edit-001", "p50k_edit"},
    {"code-davinci-edit-001", "p50k_edit"},
    /* deprecated: old embeddings */
    {"text-similarity-davinci-001", "r50k_base"},
    {"text-similarity-curie-001", "r50k_base"},
    {"text-similarity-babbage-001", "r50k_base"},
    {"text-similarity-ada-001", "r50k_base"},
    {"text-search-davinci-doc-001", "r50k_base"},
    {"text-search-curie-doc-001", "r50k_base"},
    {"text-search-babbage-doc-001", "r50k_base"},
    {"text-search-ada-doc-001", "r50k_base"},
    {"code-search-babbage-code-001", "r50k_base"},
    {"code-search-ada-code-001", "r50k_base"},
    /* open source */
    {"gpt2", "gpt2"},
    {"gpt-2", "gpt2"},
};

static const name_map PREFIX[] = {
    {"o1-", "o200k_base"},
    {"o3-", "o200k_base"},
    {"o4-mini-", "o200k_base"},
    {"gpt-5", "o200k_base"}, /* gpt-5-*, gpt-5.1, gpt-5.2-pro, ... */
    {"gpt-4.5-", "o200k_base"},
    {"gpt-4.1-", "o200k_base"},
    {"chatgpt-4o-", "o200k_base"},
    {"gpt-4o-", "o200k_base"},
    {"gpt-4-", "cl100k_base"},
    {"gpt-3.5-turbo-", "cl100k_base"},
    {"gpt-35-turbo-", "cl100k_base"},
    {"gpt-oss-", "o200k_harmony"},
};

static const char *lookup(const char *model, size_t len)
{
    for (size_t i = 0; i < sizeof EXACT / sizeof EXACT[0]; i++)
        if (strlen(EXACT[i].name) == len && memcmp(EXACT[i].name, model, len) == 0)
            return EXACT[i].encoding;
    for (size_t i = 0; i < sizeof PREFIX / sizeof PREFIX[0]; i++) {
        size_t pl = strlen(PREFIX[i].name);
        if (pl <= len && memcmp(PREFIX[i].name, model, pl) == 0)
            return PREFIX[i].encoding;
    }
    return NULL;
}

tkm_status tkm_model_encoding_name(const char *model, const char **encoding_name)
{
    if (!model || !encoding_name)
        return TKM_ERR_INVALID_ARGUMENT;
    size_t len = strlen(model);
    if (len > 3 && memcmp(model, "ft:", 3) == 0) {
        const char *base = model + 3;
        const char *colon = strchr(base, ':');
        len = colon ? (size_t)(colon - base) : strlen(base);
        model = base;
    }
    const char *enc = len ? lookup(model, len) : NULL;
    if (!enc)
        return TKM_ERR_UNKNOWN_MODEL;
    *encoding_name = enc;
    return TKM_OK;
}

tkm_status tkm_encoding_load_for_model(const char *model, const tkm_allocator *alloc,
                                       tkm_encoding **out)
{
    const char *name;
    tkm_status st = tkm_model_encoding_name(model, &name);
    if (st != TKM_OK)
        return st;
    return tkm_encoding_load_builtin(name, alloc, out);
}
