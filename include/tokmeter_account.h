/*
 * tokmeter_account.h — the accounting layer: model table, chat / tool /
 * image token counting, context checks, pruning, truncation and cost.
 *
 * It is built only on the public core API (tokmeter.h) and follows the same
 * conventions: every fallible function returns a tkm_status, results go
 * through out-parameters, text is (const char *, size_t) and may be NULL only
 * when its length is 0, output buffers are (buf, cap, size_t *n_out), the
 * library never prints, exits or aborts, and every *_free accepts NULL.
 * A tkm_model_table is immutable after loading and may be shared between
 * threads; the tkm_model pointers it hands out live as long as the table.
 *
 * Exact versus estimate. OpenAI does not publish how the server renders chat
 * messages, tool definitions or images into tokens. Token counts of plain
 * text are exact (the tokenizer is tiktoken-exact). Anything that adds a
 * formula-based overhead (message framing, tool definitions, image tokens)
 * is an estimate, and every count result carries an `exact` flag saying so.
 *
 * Money. Prices and costs are integers in nano-dollars (1e-9 USD), type
 * tkm_nanousd. Prices are stored per 1,000,000 units (tokens, characters) so
 * that every published price is an exact integer. All arithmetic is checked
 * and fails with TKM_ERR_OVERFLOW instead of wrapping. Floating point is used
 * only by the display helper tkm_money_format() and the image-resize maths.
 *
 * Unknown is not free. A price the table does not know is TKM_PRICE_UNKNOWN
 * (never 0); a limit it does not know is 0. Any cost that needs an unknown
 * price fails with TKM_ERR_PRICE_UNKNOWN.
 *
 * ---------------------------------------------------------------------------
 * The model table format (data/models.tkm; the same format is accepted by
 * tkm_model_table_load() as a run-time override)
 * ---------------------------------------------------------------------------
 * A UTF-8 text file of lines. '#' starts a comment line; blank lines are
 * ignored; other lines are `key = value` (spaces around '=' are optional) or
 * a section header in brackets:
 *
 *   version = 2026-11-22.1      top level, before any section: the table's
 *                               data version
 *   [source ID]                 a citation: url, as_of, verified, note
 *   [template NAME]             a set of fields other entries inherit (base =);
 *                               never returned by lookups
 *   [model NAME]                a model; NAME is its canonical id
 *
 * Model (and template) keys; a missing key means unknown:
 *   base = NAME                 copy every field of an earlier model/template,
 *                               then apply this section's keys
 *   aliases = A B C             other exact names (dated snapshots...)
 *   kind = chat|completion|embedding|image|transcription|speech
 *   encoding = NAME             built-in encoding (tkm_encoding_load_builtin)
 *   format = chatml|harmony|none                 chat rendering
 *   message = PER_MESSAGE PER_NAME REPLY         e.g. `3 1 3`; 0301: `4 -1 3`
 *   tool_call = N               tokens per assistant tool call (our rule)
 *   tools = FUNC_INIT PROP_INIT PROP_KEY ENUM_INIT ENUM_ITEM FUNC_END
 *   image = tile BASE TILE FIT_PX SHORT_PX TILE_PX     e.g. `tile 85 170 2048 768 512`
 *         | patch PATCH_PX MAX_PATCHES MULTIPLIER     e.g. `patch 32 1536 1.62`
 *         | none                                       (no image input)
 *   context, max_input, max_output = N tokens
 *   input, cached_input, output                 USD per 1M tokens (exact decimal)
 *   batch_input, batch_cached_input, batch_output
 *   flex_input, flex_cached_input, flex_output
 *   priority_input, priority_cached_input, priority_output
 *   long_threshold = N          prompts above N tokens use the long_* prices
 *   long_input, long_cached_input, long_output  (for the whole request)
 *   image_input, image_output   USD per 1M image tokens (image models)
 *   image_price = QUALITY WxH USD [, QUALITY WxH USD ...]  per generated image
 *   minute = USD                per minute of input audio (transcription)
 *   chars = USD                 per 1M input characters (speech)
 *   rate = TIER RPM TPM RPD     TIER is free or 1..5; repeatable; ? = unknown
 *   source = ID                 the [source] every figure of the entry is from
 *   verified = YYYY-MM-DD       when the entry was checked against the source
 * Every value may be `?` (unknown). A price of 0 means free.
 * In an override table a [model NAME] whose NAME (or alias) already exists
 * changes only the keys it states.
 */
#ifndef TOKMETER_ACCOUNT_H
#define TOKMETER_ACCOUNT_H

#include "tokmeter.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Money                                                                    */
/* ------------------------------------------------------------------------ */

/** Money in nano-dollars (1e-9 USD). */
typedef int64_t tkm_nanousd;

/** A price the table does not know. Distinct from 0, which means free. */
#define TKM_PRICE_UNKNOWN INT64_MIN

/** Nano-dollars in one dollar. */
#define TKM_NANOUSD_PER_USD INT64_C(1000000000)

/**
 * Format money for display as "$D.DDDDDD" (six decimals, rounded half away
 * from zero; "-" prefix when negative; "unknown" for TKM_PRICE_UNKNOWN).
 * buf receives a NUL-terminated string; *n_out is its length without the NUL.
 * Returns TKM_OK, TKM_ERR_BUFFER_TOO_SMALL (*n_out = length needed, add one
 * for the NUL), TKM_ERR_INVALID_ARGUMENT (n_out NULL, or buf NULL with cap > 0).
 */
TKM_API tkm_status tkm_money_format(tkm_nanousd amount, char *buf, size_t cap, size_t *n_out);

/** Dollars as a double, for display only (NaN for TKM_PRICE_UNKNOWN). */
TKM_API double tkm_money_to_usd(tkm_nanousd amount);

/* ------------------------------------------------------------------------ */
/* The model table                                                          */
/* ------------------------------------------------------------------------ */

/** What a model is for. */
typedef enum tkm_model_kind {
    TKM_MODEL_UNKNOWN = 0,
    TKM_MODEL_CHAT = 1,          /* chat completions / responses */
    TKM_MODEL_COMPLETION = 2,    /* legacy completions (davinci-002...) */
    TKM_MODEL_EMBEDDING = 3,
    TKM_MODEL_IMAGE = 4,         /* image generation */
    TKM_MODEL_TRANSCRIPTION = 5, /* speech to text */
    TKM_MODEL_SPEECH = 6         /* text to speech */
} tkm_model_kind;

/** How chat messages are rendered. */
typedef enum tkm_chat_format {
    TKM_FORMAT_UNKNOWN = 0,
    TKM_FORMAT_NONE = 1,    /* not a chat model */
    TKM_FORMAT_CHATML = 2,  /* <|im_start|>-style framing (OpenAI cookbook rule) */
    TKM_FORMAT_HARMONY = 3  /* gpt-oss harmony: <|start|>role<|message|>...<|end|> */
} tkm_chat_format;

/** Image-token family. */
typedef enum tkm_image_family {
    TKM_IMAGE_UNKNOWN = 0, /* the table does not say */
    TKM_IMAGE_NONE = 1,    /* the model takes no image input */
    TKM_IMAGE_TILE = 2,    /* base + tile * 512px tiles (gpt-4o, gpt-4.1, gpt-5, o1, o3) */
    TKM_IMAGE_PATCH = 3    /* 32px patches times a multiplier (gpt-4.1-mini/nano, o4-mini) */
} tkm_image_family;

/** Counting constants. Fields marked "known" are false when the table has no value. */
typedef struct tkm_chat_rules {
    tkm_chat_format format;
    bool message_known;
    int32_t per_message;  /* tokens framing each message (3; 4 for gpt-3.5-turbo-0301) */
    int32_t per_name;     /* added when a message has a name (1; -1 for 0301) */
    int32_t reply;        /* tokens priming the reply (3) */
    bool tool_call_known;
    int32_t per_tool_call; /* tokens per assistant tool call, beyond name + arguments */
    bool tools_known;
    int32_t func_init, prop_init, prop_key, enum_init, enum_item, func_end;
} tkm_chat_rules;

/** Image-token constants (all from the table, none hard-coded). */
typedef struct tkm_image_rules {
    tkm_image_family family;
    uint32_t base, tile;       /* TILE: tokens for low detail, per 512px tile */
    uint32_t fit_px, short_px; /* TILE: fit within fit_px square, shortest side to short_px */
    uint32_t tile_px;          /* TILE: tile edge (512) */
    uint32_t patch_px;         /* PATCH: patch edge (32) */
    uint32_t max_patches;      /* PATCH: at most this many patches (1536) */
    uint32_t multiplier_milli; /* PATCH: multiplier in thousandths (1.62 -> 1620) */
} tkm_image_rules;

/** Input, cached input and output prices, nano-dollars per 1M tokens, or TKM_PRICE_UNKNOWN. */
typedef struct tkm_price_set {
    tkm_nanousd input;
    tkm_nanousd cached_input;
    tkm_nanousd output;
} tkm_price_set;

/** The price of one generated image of a given quality and size. */
typedef struct tkm_image_price {
    const char *quality; /* "standard", "hd", "low", "medium", "high" ... */
    uint32_t width, height;
    tkm_nanousd price;   /* per image */
} tkm_image_price;

/** Rate limits of one usage tier; 0 means unknown. */
typedef struct tkm_rate_limit {
    uint64_t rpm, tpm, rpd;
} tkm_rate_limit;

/** Usage tiers for rate limits: index 0 is "free", 1..5 are tiers 1..5. */
#define TKM_RATE_TIERS 6

/**
 * One model of the table. Read-only; owned by the table. Strings are
 * NUL-terminated. Limits are 0 when unknown; prices TKM_PRICE_UNKNOWN.
 */
typedef struct tkm_model {
    const char *name;               /* canonical id */
    const char *const *aliases;     /* n_aliases exact alternative names */
    size_t n_aliases;
    tkm_model_kind kind;
    const char *encoding;           /* built-in encoding name, or NULL if unknown */
    tkm_chat_rules chat;
    tkm_image_rules image;
    uint64_t context_window;        /* prompt + output must fit in this */
    uint64_t max_input;             /* prompt alone must fit in this */
    uint64_t max_output;            /* largest completion (incl. reasoning) */
    tkm_price_set standard, batch, flex, priority;
    uint64_t long_threshold;        /* 0 = no long-context tier */
    tkm_price_set long_context;     /* whole-request prices once prompt > long_threshold */
    tkm_nanousd image_input;        /* per 1M input image tokens (image models) */
    tkm_nanousd image_output;       /* per 1M output image tokens (image models) */
    const tkm_image_price *image_prices; /* per generated image */
    size_t n_image_prices;
    tkm_nanousd per_minute;         /* transcription, per minute of audio */
    tkm_nanousd per_million_chars;  /* speech, per 1M input characters */
    tkm_rate_limit rate[TKM_RATE_TIERS];
    const char *source_id;          /* the [source] section id, or NULL */
    const char *source_url;         /* its url, or NULL */
    const char *source_as_of;       /* the date the source reflects, or NULL */
    const char *verified;           /* YYYY-MM-DD the entry was checked, or NULL */
} tkm_model;

typedef struct tkm_model_table tkm_model_table;

/**
 * Load the model table embedded at build time (data/models.tkm).
 * Returns TKM_OK, TKM_ERR_NOMEM, TKM_ERR_INVALID_ARGUMENT (out NULL),
 * TKM_ERR_TABLE_PARSE (a build defect; detail: line). alloc and detail may be
 * NULL. Free *out with tkm_model_table_free().
 */
TKM_API tkm_status tkm_model_table_load_builtin(const tkm_allocator *alloc, tkm_model_table **out,
                                                tkm_error_detail *detail);

/**
 * Load a table from text (len bytes, the format above), layered on top of
 * base when base is not NULL: base's entries are copied first, then this
 * text adds models and changes the keys it states (e.g. negotiated prices).
 * base is not modified and may be freed afterwards. The text is copied.
 * Returns TKM_OK, TKM_ERR_NOMEM, TKM_ERR_INVALID_ARGUMENT,
 * TKM_ERR_TABLE_PARSE (detail: line, offset of the line, message).
 */
TKM_API tkm_status tkm_model_table_load(const char *text, size_t len, const tkm_model_table *base,
                                        const tkm_allocator *alloc, tkm_model_table **out,
                                        tkm_error_detail *detail);

/** tkm_model_table_load() on the contents of the file at path (NUL-terminated).
 *  Also returns TKM_ERR_IO when the file cannot be read. */
TKM_API tkm_status tkm_model_table_load_file(const char *path, const tkm_model_table *base,
                                             const tkm_allocator *alloc, tkm_model_table **out,
                                             tkm_error_detail *detail);

/** Free a table (NULL is fine). Every tkm_model pointer from it becomes invalid. */
TKM_API void tkm_model_table_free(tkm_model_table *table);

/** The table's data version ("" when the text set none); never NULL for a valid table. */
TKM_API const char *tkm_model_table_version(const tkm_model_table *table);

/** Number of models (templates excluded). */
TKM_API size_t tkm_model_table_count(const tkm_model_table *table);

/** Model i (0 <= i < count) in table order, or NULL when i is out of range. */
TKM_API const tkm_model *tkm_model_table_at(const tkm_model_table *table, size_t i);

/** How tkm_model_table_find() matched a name. */
typedef enum tkm_model_match {
    TKM_MATCH_EXACT = 0,     /* the canonical id */
    TKM_MATCH_ALIAS = 1,     /* one of the model's aliases */
    TKM_MATCH_SNAPSHOT = 2,  /* a -YYYY-MM-DD suffix was stripped */
    TKM_MATCH_FINE_TUNE = 3, /* ft:BASE:... matched a table entry named ft:BASE */
    TKM_MATCH_FINE_TUNE_BASE = 4 /* ft:BASE:... with no ft entry: BASE's counting rules
                                    and limits apply, but its prices are list prices,
                                    not fine-tuned ones */
} tkm_model_match;

/**
 * Find a model by name (name_len bytes): exact id, then alias, then the name
 * without a trailing -YYYY-MM-DD date, then for "ft:BASE:org:suffix:id" the
 * entry "ft:BASE", then BASE itself (resolved the same way).
 * how may be NULL. Returns TKM_OK, TKM_ERR_UNKNOWN_MODEL,
 * TKM_ERR_INVALID_ARGUMENT. *out points into the table.
 */
TKM_API tkm_status tkm_model_table_find(const tkm_model_table *table, const char *name,
                                        size_t name_len, const tkm_model **out,
                                        tkm_model_match *how);

/**
 * Load the built-in encoding the model uses (model->encoding).
 * Returns TKM_OK, TKM_ERR_NO_RULES (the table gives no encoding), and the
 * statuses of tkm_encoding_load_builtin(). Free with tkm_encoding_free().
 */
TKM_API tkm_status tkm_model_encoding_load(const tkm_model *model, const tkm_allocator *alloc,
                                           tkm_encoding **out);

/* ------------------------------------------------------------------------ */
/* Counting chat requests                                                   */
/* ------------------------------------------------------------------------ */

/** A token count and whether it is exact (tokenizer only) or an estimate. */
typedef struct tkm_token_count {
    size_t tokens;  /* the count; when exceeded, some number > the limit */
    bool exact;     /* true only if no formula-based overhead went into it */
    bool exceeded;  /* counting stopped early because tokens > the limit */
} tkm_token_count;

/** detail of an image in a chat message (OpenAI's "detail" field). */
typedef enum tkm_image_detail {
    TKM_DETAIL_AUTO = 0, /* counted as high: the conservative estimate */
    TKM_DETAIL_LOW = 1,
    TKM_DETAIL_HIGH = 2
} tkm_image_detail;

/** One part of a message's content list. */
typedef enum tkm_part_kind { TKM_PART_TEXT = 0, TKM_PART_IMAGE = 1 } tkm_part_kind;

typedef struct tkm_content_part {
    tkm_part_kind kind;
    const char *text;        /* TEXT: the text (text_len bytes) */
    size_t text_len;
    uint32_t width, height;  /* IMAGE: pixel size */
    tkm_image_detail detail; /* IMAGE */
} tkm_content_part;

/** An assistant message's tool call (function name and JSON arguments). */
typedef struct tkm_tool_call {
    const char *name;
    size_t name_len;
    const char *arguments;
    size_t arguments_len;
} tkm_tool_call;

/**
 * One chat message. Content is either the string (content, content_len) when
 * n_parts is 0, or the parts list. name is optional (NULL = none).
 * tool_calls are an assistant's calls; a tool result is a message with role
 * "tool" whose content is the result (its tool_call_id is not counted).
 */
typedef struct tkm_chat_message {
    const char *role;
    size_t role_len;
    const char *content;
    size_t content_len;
    const tkm_content_part *parts;
    size_t n_parts;
    const char *name;
    size_t name_len;
    const tkm_tool_call *tool_calls;
    size_t n_tool_calls;
} tkm_chat_message;

/** One property of a function's parameters. enum_values may be NULL. */
typedef struct tkm_tool_property {
    const char *name;
    size_t name_len;
    const char *type;
    size_t type_len;
    const char *description;
    size_t description_len;
    const char *const *enum_values; /* n_enum NUL-terminated strings */
    size_t n_enum;
} tkm_tool_property;

/** One function tool definition. */
typedef struct tkm_tool_def {
    const char *name;
    size_t name_len;
    const char *description;
    size_t description_len;
    const tkm_tool_property *properties;
    size_t n_properties;
} tkm_tool_def;

/**
 * Tokens of plain text (special-token text counted as text), exact.
 * Stops early once the count exceeds limit (SIZE_MAX = no limit).
 * Returns TKM_OK and the statuses of tkm_count_limit().
 */
TKM_API tkm_status tkm_text_count(const tkm_encoding *enc, const char *text, size_t len,
                                  size_t limit, tkm_token_count *out, tkm_error_detail *detail);

/**
 * Image tokens for one image of width x height pixels (tile or patch rules of
 * the model's table entry). Always an estimate.
 * Tile: low = base; high/auto = fit within fit_px², scale the shortest side
 * down to short_px, base + tile * ceil(w/tile_px) * ceil(h/tile_px).
 * Patch: ceil(w/32) * ceil(h/32) patches, rescaled as OpenAI documents when
 * above max_patches, then times the multiplier (rounded up).
 * Returns TKM_OK, TKM_ERR_NO_RULES (no image family), TKM_ERR_INVALID_ARGUMENT
 * (zero size), TKM_ERR_OVERFLOW.
 */
TKM_API tkm_status tkm_image_tokens(const tkm_model *model, uint32_t width, uint32_t height,
                                    tkm_image_detail detail, size_t *tokens);

/**
 * Tokens of a list of messages, as the OpenAI cookbook's
 * num_tokens_from_messages: per message `per_message + tokens(role) +
 * tokens(content)` plus `tokens(name) + per_name` when named, plus `reply`
 * once. Content parts: text parts are counted, image parts use
 * tkm_image_tokens(). Assistant tool calls add, per call, `per_tool_call +
 * tokens(name) + tokens(arguments)`. Harmony models count
 * <|start|>role<|message|>content<|end|> per message (assistant messages add
 * <|channel|>final) and <|start|>assistant to prime the reply.
 * Stops early once the count exceeds limit (SIZE_MAX = none).
 * Returns TKM_OK, TKM_ERR_NO_RULES (not a chat model, or an image part on a
 * model without image rules), TKM_ERR_INVALID_ARGUMENT, TKM_ERR_OVERFLOW, and
 * the statuses of tkm_count_limit().
 */
TKM_API tkm_status tkm_chat_count(const tkm_model *model, const tkm_encoding *enc,
                                  const tkm_chat_message *msgs, size_t n_msgs, size_t limit,
                                  tkm_token_count *out, tkm_error_detail *detail);

/**
 * Tokens one message costs (its share of tkm_chat_count(), without the reply
 * priming). Same statuses as tkm_chat_count().
 */
TKM_API tkm_status tkm_chat_message_count(const tkm_model *model, const tkm_encoding *enc,
                                          const tkm_chat_message *msg, size_t limit,
                                          tkm_token_count *out, tkm_error_detail *detail);

/**
 * Tokens added by function tool definitions, as the cookbook's
 * num_tokens_for_tools: per function `func_init + tokens(name ":" desc)` (a
 * final "." of desc dropped); with properties `prop_init`, then per property
 * `prop_key + tokens(key ":" type ":" desc)` (final "." dropped), with an enum
 * `enum_init` plus `enum_item + tokens(item)` per item; `func_end` once when
 * there is at least one function. 0 tools give 0 (exact).
 * Returns TKM_OK, TKM_ERR_NO_RULES (the model has no tool constants),
 * TKM_ERR_INVALID_ARGUMENT, TKM_ERR_OVERFLOW, and tkm_count_limit()'s.
 */
TKM_API tkm_status tkm_tools_count(const tkm_model *model, const tkm_encoding *enc,
                                   const tkm_tool_def *tools, size_t n_tools,
                                   tkm_token_count *out, tkm_error_detail *detail);

/*
 * The counts above with a caller's tkm_context (one per thread, see
 * tokmeter.h; the fits below have such forms too, and tkm_chat_prune and
 * tkm_text_truncate make one context per call or take the caller's:
 * tkm_context_chat_prune, tkm_context_text_truncate): the functions above
 * count every text with a fresh context, so its piece cache starts cold on
 * every call; these keep using ctx's, so counting many requests one after
 * another (a batch file, a request path) runs warm. 2 KiB texts of English
 * prose: 85 MB/s with a fresh context each, 175 MB/s through one
 * (bench/README.md). Results never depend on what ctx counted before.
 */

/**
 * tkm_text_count with ctx's scratch. Returns its statuses; ctx NULL is
 * TKM_ERR_INVALID_ARGUMENT.
 */
TKM_API tkm_status tkm_context_text_count(tkm_context *ctx, const tkm_encoding *enc,
                                          const char *text, size_t len, size_t limit,
                                          tkm_token_count *out, tkm_error_detail *detail);

/**
 * tkm_chat_count with ctx's scratch. Returns its statuses; ctx NULL is
 * TKM_ERR_INVALID_ARGUMENT.
 */
TKM_API tkm_status tkm_context_chat_count(tkm_context *ctx, const tkm_model *model,
                                          const tkm_encoding *enc, const tkm_chat_message *msgs,
                                          size_t n_msgs, size_t limit, tkm_token_count *out,
                                          tkm_error_detail *detail);

/**
 * tkm_chat_message_count with ctx's scratch. Returns its statuses; ctx NULL
 * is TKM_ERR_INVALID_ARGUMENT.
 */
TKM_API tkm_status tkm_context_chat_message_count(tkm_context *ctx, const tkm_model *model,
                                                  const tkm_encoding *enc,
                                                  const tkm_chat_message *msg, size_t limit,
                                                  tkm_token_count *out,
                                                  tkm_error_detail *detail);

/**
 * tkm_tools_count with ctx's scratch. Returns its statuses; ctx NULL is
 * TKM_ERR_INVALID_ARGUMENT.
 */
TKM_API tkm_status tkm_context_tools_count(tkm_context *ctx, const tkm_model *model,
                                           const tkm_encoding *enc, const tkm_tool_def *tools,
                                           size_t n_tools, tkm_token_count *out,
                                           tkm_error_detail *detail);

/* ------------------------------------------------------------------------ */
/* Context checks                                                           */
/* ------------------------------------------------------------------------ */

/** The answer to "does this request fit?". */
typedef struct tkm_fit {
    bool fits;              /* prompt <= max_input and prompt + reserved <= context */
    size_t prompt_tokens;   /* when prompt_exceeded, some number > the budget */
    bool prompt_exact;      /* the prompt count is exact */
    bool prompt_exceeded;   /* counting stopped early: the prompt alone is too big */
    size_t budget;          /* the prompt limit: min(max_input, context) */
    size_t remaining;       /* context - prompt - reserved, 0 if negative */
    size_t max_output_fit;  /* largest max_tokens that still fits: min(max_output,
                               context - prompt); 0 when nothing fits or both are unknown */
} tkm_fit;

/**
 * Check a prompt of known size against the model's limits.
 * reserved_output is the max_tokens the request will ask for (0 = none).
 * Unknown limits are not checked; when both context and max_input are
 * unknown the answer is TKM_ERR_NO_RULES.
 * Returns TKM_OK, TKM_ERR_NO_RULES, TKM_ERR_INVALID_ARGUMENT.
 */
TKM_API tkm_status tkm_fit_check(const tkm_model *model, size_t prompt_tokens, bool prompt_exact,
                                 size_t reserved_output, tkm_fit *out);

/**
 * Count messages plus tools (n_tools may be 0) with an early exit at the
 * prompt budget, then tkm_fit_check(). A 10 MB prompt against an 8k window
 * stops after the first few thousand tokens.
 * Returns the statuses of tkm_chat_count(), tkm_tools_count(), tkm_fit_check().
 */
TKM_API tkm_status tkm_chat_fit(const tkm_model *model, const tkm_encoding *enc,
                                const tkm_chat_message *msgs, size_t n_msgs,
                                const tkm_tool_def *tools, size_t n_tools,
                                size_t reserved_output, tkm_fit *out, tkm_error_detail *detail);

/** Plain text (exact count, no chat framing) against the limits, with early exit. */
TKM_API tkm_status tkm_text_fit(const tkm_model *model, const tkm_encoding *enc, const char *text,
                                size_t len, size_t reserved_output, tkm_fit *out,
                                tkm_error_detail *detail);

/**
 * tkm_chat_fit with ctx's scratch (one context per thread; see
 * tkm_context_chat_count): a request path that checks request after request
 * keeps the piece cache warm. Returns its statuses; ctx NULL is
 * TKM_ERR_INVALID_ARGUMENT.
 */
TKM_API tkm_status tkm_context_chat_fit(tkm_context *ctx, const tkm_model *model,
                                        const tkm_encoding *enc, const tkm_chat_message *msgs,
                                        size_t n_msgs, const tkm_tool_def *tools, size_t n_tools,
                                        size_t reserved_output, tkm_fit *out,
                                        tkm_error_detail *detail);

/**
 * tkm_text_fit with ctx's scratch. Returns its statuses; ctx NULL is
 * TKM_ERR_INVALID_ARGUMENT.
 */
TKM_API tkm_status tkm_context_text_fit(tkm_context *ctx, const tkm_model *model,
                                        const tkm_encoding *enc, const char *text, size_t len,
                                        size_t reserved_output, tkm_fit *out,
                                        tkm_error_detail *detail);

/* ------------------------------------------------------------------------ */
/* Truncating text                                                          */
/* ------------------------------------------------------------------------ */

/** Which part of a text to keep. */
typedef enum tkm_truncate_mode {
    TKM_KEEP_HEAD = 0,   /* keep the beginning */
    TKM_KEEP_TAIL = 1,   /* keep the end */
    TKM_KEEP_MIDDLE_OUT = 2 /* keep the beginning and the end, cut the middle */
} tkm_truncate_mode;

/**
 * A truncation: the kept text is text[0..head_len) followed (MIDDLE_OUT only)
 * by text[tail_offset..tail_offset+tail_len). For HEAD tail_len is 0; for
 * TAIL head_len is 0. When nothing had to be cut (truncated == false) the
 * whole text is reported as the head: head_len = len, tail_offset = len,
 * tail_len = 0, whatever the mode. Cuts are at token boundaries that are also
 * UTF-8 boundaries. Each kept piece, encoded on its own, has exactly the
 * tokens counted here, and at most max_tokens together.
 */
typedef struct tkm_truncation {
    size_t head_len;
    size_t tail_offset;
    size_t tail_len;
    size_t tokens;     /* tokens of the kept piece(s), each encoded separately */
    bool truncated;    /* false when the whole text already fit */
} tkm_truncation;

/**
 * Cut text to at most max_tokens tokens (special-token text counted as text).
 * Invalid UTF-8 is kept as raw bytes (lossless). alloc may be NULL.
 * Returns TKM_OK, TKM_ERR_INVALID_ARGUMENT, TKM_ERR_NOMEM, and tkm_encode()'s.
 */
TKM_API tkm_status tkm_text_truncate(const tkm_encoding *enc, const char *text, size_t len,
                                     size_t max_tokens, tkm_truncate_mode mode,
                                     const tkm_allocator *alloc, tkm_truncation *out,
                                     tkm_error_detail *detail);

/**
 * tkm_text_truncate through the caller's context (one per thread, reused
 * across calls: its piece cache stays warm) instead of one made for the
 * call; the result is the same. alloc is for the call's scratch (the text's
 * ids and offsets) and may be NULL. Returns tkm_text_truncate's statuses;
 * TKM_ERR_INVALID_ARGUMENT for a NULL ctx.
 */
TKM_API tkm_status tkm_context_text_truncate(tkm_context *ctx, const tkm_encoding *enc,
                                             const char *text, size_t len, size_t max_tokens,
                                             tkm_truncate_mode mode, const tkm_allocator *alloc,
                                             tkm_truncation *out, tkm_error_detail *detail);

/* ------------------------------------------------------------------------ */
/* Pruning a conversation to fit                                            */
/* ------------------------------------------------------------------------ */

typedef enum tkm_prune_strategy {
    TKM_PRUNE_OLDEST_FIRST = 0, /* drop the oldest turns until it fits */
    TKM_PRUNE_KEEP_LAST_N = 1,  /* keep only the last N turns, then oldest-first */
    TKM_PRUNE_MIDDLE_OUT = 2    /* drop turns from the middle, keeping the first and last */
} tkm_prune_strategy;

typedef struct tkm_prune_options {
    tkm_prune_strategy strategy;
    size_t keep_last_n;     /* KEEP_LAST_N: turns to keep (a tool group is one turn) */
    size_t budget;          /* prompt token budget; 0 = from the model: min(max_input,
                               context - reserved_output) */
    size_t reserved_output; /* output tokens to leave room for when budget is 0 */
    bool truncate;          /* truncate (keep the tail of) the oldest surviving
                               string-content message instead of dropping it */
} tkm_prune_options;

/** What to send. Indices refer to the caller's message array. */
typedef struct tkm_prune_result {
    size_t n_kept;          /* entries written to keep[] */
    size_t tokens;          /* prompt tokens of the kept messages (+ tools), estimate */
    size_t budget;          /* the budget used */
    size_t truncated_index; /* the message to truncate, or SIZE_MAX */
    size_t truncated_offset;/* keep msgs[truncated_index].content from this byte... */
    size_t truncated_len;   /* ...for this many bytes (the tail of the content) */
} tkm_prune_result;

/**
 * Choose which messages to keep so the prompt (messages + tools) fits the
 * budget. System and developer messages are always kept; the last turn is
 * always kept; an assistant message with tool calls and the tool messages
 * right after it are kept or dropped together. Nothing is mutated or freed.
 * keep receives the kept indices in ascending order (cap entries; n_msgs is
 * always enough). *n_out is the number of kept indices.
 * Returns TKM_OK; TKM_ERR_BUFFER_TOO_SMALL (*n_out = entries needed);
 * TKM_ERR_DOES_NOT_FIT when even the messages that are always kept exceed the
 * budget (out still describes that minimal set, keep[] filled);
 * TKM_ERR_NO_RULES, TKM_ERR_INVALID_ARGUMENT, TKM_ERR_NOMEM and the counting
 * statuses. alloc may be NULL.
 */
TKM_API tkm_status tkm_chat_prune(const tkm_model *model, const tkm_encoding *enc,
                                  const tkm_chat_message *msgs, size_t n_msgs,
                                  const tkm_tool_def *tools, size_t n_tools,
                                  const tkm_prune_options *opts, const tkm_allocator *alloc,
                                  size_t *keep, size_t cap, size_t *n_out, tkm_prune_result *out,
                                  tkm_error_detail *detail);

/**
 * tkm_chat_prune through the caller's context (one per thread, reused
 * across calls: a request path that prunes every request keeps its piece
 * cache warm) instead of one made for the call; the result is the same.
 * alloc is for the call's scratch and may be NULL. Returns tkm_chat_prune's
 * statuses; TKM_ERR_INVALID_ARGUMENT for a NULL ctx.
 */
TKM_API tkm_status tkm_context_chat_prune(tkm_context *ctx, const tkm_model *model,
                                          const tkm_encoding *enc, const tkm_chat_message *msgs,
                                          size_t n_msgs, const tkm_tool_def *tools, size_t n_tools,
                                          const tkm_prune_options *opts,
                                          const tkm_allocator *alloc, size_t *keep, size_t cap,
                                          size_t *n_out, tkm_prune_result *out,
                                          tkm_error_detail *detail);

/* ------------------------------------------------------------------------ */
/* Cost                                                                     */
/* ------------------------------------------------------------------------ */

typedef enum tkm_service_tier {
    TKM_TIER_STANDARD = 0,
    TKM_TIER_BATCH = 1,
    TKM_TIER_FLEX = 2,
    TKM_TIER_PRIORITY = 3
} tkm_service_tier;

/**
 * A usage record as the API reports it. cached_tokens is a subset of
 * prompt_tokens; reasoning_tokens is a subset of completion_tokens (billed as
 * output). image_input_tokens / image_output_tokens are the image subsets of
 * prompt / completion for image models (gpt-image-1), priced separately.
 */
typedef struct tkm_usage {
    uint64_t prompt_tokens;
    uint64_t cached_tokens;
    uint64_t completion_tokens;
    uint64_t reasoning_tokens;
    uint64_t image_input_tokens;
    uint64_t image_output_tokens;
    tkm_service_tier tier;
} tkm_usage;

/** The price of a request. Each line item is rounded half up to a nano-dollar. */
typedef struct tkm_cost {
    tkm_nanousd input;        /* uncached prompt tokens */
    tkm_nanousd cached_input; /* cached prompt tokens */
    tkm_nanousd output;       /* completion tokens, reasoning included */
    tkm_nanousd images;       /* image tokens / images / audio / characters */
    tkm_nanousd total;
    bool long_context;        /* the long-context tier applied */
} tkm_cost;

/**
 * Price a usage record.
 * Returns TKM_OK; TKM_ERR_INVALID_ARGUMENT (cached > prompt, reasoning >
 * completion, image subsets too large, bad tier); TKM_ERR_PRICE_UNKNOWN (a
 * needed price is unknown: tier not offered, cached price missing...);
 * TKM_ERR_OVERFLOW.
 */
TKM_API tkm_status tkm_cost_usage(const tkm_model *model, const tkm_usage *usage,
                                  tkm_cost *out);

/** A cost range for a request not yet sent. */
typedef struct tkm_cost_estimate {
    tkm_nanousd prompt;      /* the prompt, all uncached */
    tkm_nanousd output_max;  /* max_output tokens of output (the minimum is 0) */
    tkm_nanousd total_min;   /* == prompt */
    tkm_nanousd total_max;   /* prompt + output_max */
    uint64_t max_output;     /* the output tokens assumed for output_max */
    bool long_context;
} tkm_cost_estimate;

/**
 * Estimate a request: prompt cost plus an output range from 0 to max_output
 * tokens (0 = the model's max_output).
 * Returns TKM_OK, TKM_ERR_PRICE_UNKNOWN, TKM_ERR_NO_RULES (max_output 0 and
 * the model's is unknown), TKM_ERR_OVERFLOW, TKM_ERR_INVALID_ARGUMENT.
 */
TKM_API tkm_status tkm_cost_estimate_request(const tkm_model *model, uint64_t prompt_tokens,
                                             uint64_t max_output, tkm_service_tier tier,
                                             tkm_cost_estimate *out);

/**
 * Price n generated images of the given quality ("standard", "hd", "low",
 * "medium", "high"; NUL-terminated) and size from the table's per-image prices.
 * Returns TKM_OK, TKM_ERR_PRICE_UNKNOWN (no such quality/size), TKM_ERR_OVERFLOW,
 * TKM_ERR_INVALID_ARGUMENT.
 */
TKM_API tkm_status tkm_cost_images(const tkm_model *model, const char *quality, uint32_t width,
                                   uint32_t height, uint64_t n, tkm_nanousd *out);

/** Price transcription of `milliseconds` of audio (per-minute price, pro rata).
 *  Returns TKM_OK, TKM_ERR_PRICE_UNKNOWN, TKM_ERR_OVERFLOW, TKM_ERR_INVALID_ARGUMENT. */
TKM_API tkm_status tkm_cost_audio(const tkm_model *model, uint64_t milliseconds,
                                  tkm_nanousd *out);

/** Price speech synthesis of n_chars input characters.
 *  Returns TKM_OK, TKM_ERR_PRICE_UNKNOWN, TKM_ERR_OVERFLOW, TKM_ERR_INVALID_ARGUMENT. */
TKM_API tkm_status tkm_cost_speech(const tkm_model *model, uint64_t n_chars, tkm_nanousd *out);

/** Price embedding n tokens (standard or batch tier).
 *  Returns TKM_OK, TKM_ERR_PRICE_UNKNOWN, TKM_ERR_OVERFLOW, TKM_ERR_INVALID_ARGUMENT. */
TKM_API tkm_status tkm_cost_embedding(const tkm_model *model, uint64_t tokens,
                                      tkm_service_tier tier, tkm_nanousd *out);

/**
 * tokens * price_per_million / 1e6, rounded half up, with overflow checks:
 * the primitive every cost above uses.
 * Returns TKM_OK, TKM_ERR_PRICE_UNKNOWN (price is TKM_PRICE_UNKNOWN),
 * TKM_ERR_OVERFLOW, TKM_ERR_INVALID_ARGUMENT (negative price, out NULL).
 */
TKM_API tkm_status tkm_money_per_million(uint64_t units, tkm_nanousd price_per_million,
                                         tkm_nanousd *out);

#ifdef __cplusplus
}
#endif

#endif /* TOKMETER_ACCOUNT_H */
