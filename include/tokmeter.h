/*
 * tokmeter.h — exact, offline token counting for OpenAI encodings.
 *
 * This header is the documentation of the core library. Everything here is
 * token-for-token identical to OpenAI's tiktoken 0.14 on valid UTF-8 input.
 *
 * Conventions (they hold for every function below unless it says otherwise):
 *
 *  - Every fallible function returns a tkm_status. TKM_OK is 0; every other
 *    value is an error whose numeric value is pinned forever. tkm_strerror()
 *    gives a static message for any value. Results go through out-parameters;
 *    on error, out-parameters are left as documented (usually untouched).
 *  - Text is (const char *text, size_t len). Embedded NUL bytes are text.
 *    text may be NULL only when len is 0.
 *  - Output buffers are (T *buf, size_t cap, size_t *n_out). When the buffer
 *    is too small the function returns TKM_ERR_BUFFER_TOO_SMALL and *n_out
 *    holds the size needed; buf may be NULL when cap is 0 (a sizing call).
 *    tkm_encode_bound() gives an upper bound that is always enough. Nothing
 *    is written at or past buf[cap]; entries from buf[*n_out] up to that may
 *    have been used as scratch (the merge of a short piece stores a few
 *    slots ahead of its result instead of branching on its length).
 *  - The optional `tkm_error_detail *detail` argument (may be NULL) receives
 *    where and why a call failed: byte offset, line, token, a message.
 *  - A tkm_encoding is immutable after loading and may be shared freely
 *    between threads. A tkm_context holds per-thread scratch memory; use one
 *    context per thread. Functions without a context argument make their own.
 *  - The library never prints, exits or aborts. There is no mutable global
 *    state. Every *_free function accepts NULL.
 *  - Memory comes from the optional tkm_allocator given at creation (NULL
 *    means malloc/free). It is also routed into PCRE2's general context.
 */
#ifndef TOKMETER_H
#define TOKMETER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(TKM_SHARED)
#  ifdef TKM_BUILDING
#    define TKM_API __declspec(dllexport)
#  else
#    define TKM_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__)
#  define TKM_API __attribute__((visibility("default")))
#else
#  define TKM_API
#endif

/* ------------------------------------------------------------------------ */
/* Version                                                                  */
/* ------------------------------------------------------------------------ */

#define TKM_VERSION_MAJOR 0
#define TKM_VERSION_MINOR 1
#define TKM_VERSION_PATCH 0
#define TKM_VERSION_NUMBER \
    (TKM_VERSION_MAJOR * 10000 + TKM_VERSION_MINOR * 100 + TKM_VERSION_PATCH)

/** The library version as "MAJOR.MINOR.PATCH"; static, never NULL. */
TKM_API const char *tkm_version_string(void);

/** The library version as MAJOR*10000 + MINOR*100 + PATCH. */
TKM_API int tkm_version_number(void);

/* ------------------------------------------------------------------------ */
/* Status codes (values are pinned forever; new codes are only appended)    */
/* ------------------------------------------------------------------------ */

typedef enum tkm_status {
    TKM_OK = 0,
    TKM_ERR_NOMEM = 1,               /* an allocation failed; nothing leaked */
    TKM_ERR_INVALID_ARGUMENT = 2,    /* NULL where not allowed, bad flags... */
    TKM_ERR_BUFFER_TOO_SMALL = 3,    /* *n_out holds the size needed */
    TKM_ERR_UNKNOWN_ENCODING = 4,    /* no built-in encoding by that name */
    TKM_ERR_UNKNOWN_MODEL = 5,       /* model name maps to no encoding */
    TKM_ERR_RANK_PARSE = 6,          /* malformed rank line (detail: line) */
    TKM_ERR_RANK_DUPLICATE = 7,      /* duplicate token or rank (detail: line) */
    TKM_ERR_CHECKSUM = 8,            /* rank data does not match its SHA-256 */
    TKM_ERR_IO = 9,                  /* a file could not be opened or read */
    TKM_ERR_REGEX_COMPILE = 10,      /* pattern rejected by PCRE2 (detail: offset) */
    TKM_ERR_REGEX_MATCH = 11,        /* match-time failure, e.g. JIT stack limit */
    TKM_ERR_DISALLOWED_SPECIAL = 12, /* special-token text where it is disallowed */
    TKM_ERR_INVALID_UTF8 = 13,       /* strict mode met invalid UTF-8 (detail: offset) */
    TKM_ERR_INVALID_TOKEN = 14,      /* decode met an id that is no token */
    TKM_ERR_SPECIAL_TOKEN = 15,      /* bad special-token definition */
    TKM_ERR_UNKNOWN_SPECIAL = 16,    /* allowed-special name is not a special token */
    TKM_ERR_UNENCODABLE = 17,        /* a byte is not in the vocabulary */
    TKM_ERR_VOCAB_SIZE = 18,         /* vocabulary size differs from the expected */
    TKM_ERR_INTERNAL = 19,           /* a bug in tokmeter; please report it */
    /* 20-31 are reserved for the core. Accounting layer (tokmeter_account.h): */
    TKM_ERR_TABLE_PARSE = 32,        /* malformed model table (detail: line) */
    TKM_ERR_PRICE_UNKNOWN = 33,      /* a price the answer needs is not known */
    TKM_ERR_OVERFLOW = 34,           /* a token or money sum overflowed */
    TKM_ERR_DOES_NOT_FIT = 35,       /* the kept messages alone exceed the budget */
    TKM_ERR_NO_RULES = 36            /* the model has no rule for this (tools, images...) */
} tkm_status;

/** A static, human-readable message for any status value; never NULL. */
TKM_API const char *tkm_strerror(tkm_status status);

/** Where and why a call failed. Fields that do not apply are 0 / SIZE_MAX. */
typedef struct tkm_error_detail {
    tkm_status status; /* the status the call returned */
    size_t offset;     /* byte offset into the input text or rank data, or SIZE_MAX */
    size_t line;       /* 1-based line number in rank data, or 0 */
    size_t index;      /* index into the id array (decode), or SIZE_MAX */
    uint32_t token;    /* offending token id (decode, disallowed special) */
    char message[192]; /* NUL-terminated explanation; "" when none */
} tkm_error_detail;

/* ------------------------------------------------------------------------ */
/* Allocation                                                               */
/* ------------------------------------------------------------------------ */

/**
 * A custom allocator. Both functions are required when the struct is given.
 * The signatures match PCRE2's general-context callbacks; the struct is
 * copied, so it need not outlive the call that takes it.
 */
typedef struct tkm_allocator {
    void *(*malloc_fn)(size_t size, void *user_data);
    void (*free_fn)(void *ptr, void *user_data);
    void *user_data;
} tkm_allocator;

/* ------------------------------------------------------------------------ */
/* Encodings                                                                */
/* ------------------------------------------------------------------------ */

typedef struct tkm_encoding tkm_encoding;

/** Number of built-in encodings (six: r50k_base, p50k_base, p50k_edit,
 *  cl100k_base, o200k_base, o200k_harmony). */
TKM_API size_t tkm_builtin_count(void);

/** Name of built-in encoding i (0 <= i < tkm_builtin_count()), or NULL. */
TKM_API const char *tkm_builtin_name(size_t i);

/**
 * Load a built-in encoding by name ("gpt2" is an alias of "r50k_base").
 * The rank data is embedded in the library; no file is read. Built-ins
 * pre-tokenize with hand-written scanners over Unicode 16.0 tables, not
 * with a regex engine. Returns TKM_OK, TKM_ERR_UNKNOWN_ENCODING,
 * TKM_ERR_NOMEM, TKM_ERR_INVALID_ARGUMENT (name or out NULL).
 * alloc may be NULL. On success *out must be freed with tkm_encoding_free().
 */
TKM_API tkm_status tkm_encoding_load_builtin(const char *name, const tkm_allocator *alloc,
                                             tkm_encoding **out);

/**
 * The encoding name a model uses, as tiktoken 0.14's model.py maps it:
 * exact names first, then prefixes; "ft:BASE:..." maps through BASE.
 * *encoding_name is a static string. Returns TKM_OK, TKM_ERR_UNKNOWN_MODEL,
 * TKM_ERR_INVALID_ARGUMENT.
 */
TKM_API tkm_status tkm_model_encoding_name(const char *model, const char **encoding_name);

/** tkm_model_encoding_name() followed by tkm_encoding_load_builtin(). */
TKM_API tkm_status tkm_encoding_load_for_model(const char *model, const tkm_allocator *alloc,
                                               tkm_encoding **out);

/** One special token of a custom encoding: its text (len bytes) and its id. */
typedef struct tkm_special_token {
    const char *text;
    size_t len;
    uint32_t id;
} tkm_special_token;

/**
 * Everything that defines a custom encoding.
 *
 *  - ranks/ranks_len: rank data in tiktoken's text format, one
 *    "base64(token bytes) rank" per line. When ranks is NULL, ranks_path names
 *    a file to read instead.
 *  - pattern: the pre-tokenizer regex, NUL-terminated UTF-8, in tiktoken's
 *    (fancy-regex) syntax as PCRE2 accepts it. It runs on PCRE2 with JIT,
 *    with `$` matching only at the end of the text segment. A pattern that is
 *    byte-identical to a built-in one runs on PCRE2 with tokmeter's exact
 *    Unicode 16.0 translation of its classes (or on the built-in scanner
 *    when the linked PCRE2's tables are not the expected version), so it
 *    gives tiktoken's pieces; any other pattern uses PCRE2's own Unicode
 *    tables.
 *  - specials/n_specials: special tokens; their ids must not collide with
 *    ranks; texts must be non-empty, valid UTF-8 and distinct (two texts
 *    may share an id; decoding it gives the one listed last).
 *  - sha256_hex: optional (NULL = no check) lower- or upper-case hex SHA-256
 *    of the rank data bytes, as tiktoken's expected_hash.
 *  - explicit_n_vocab: optional (0 = no check) expected max id + 1.
 *  - name: optional label returned by tkm_encoding_name().
 */
typedef struct tkm_encoding_spec {
    const char *name;
    const char *ranks;
    size_t ranks_len;
    const char *ranks_path;
    const char *pattern;
    const tkm_special_token *specials;
    size_t n_specials;
    const char *sha256_hex;
    uint32_t explicit_n_vocab;
} tkm_encoding_spec;

/**
 * Load a custom encoding.
 * Returns TKM_OK, TKM_ERR_INVALID_ARGUMENT, TKM_ERR_NOMEM, TKM_ERR_IO,
 * TKM_ERR_RANK_PARSE / TKM_ERR_RANK_DUPLICATE (detail: line and offset),
 * TKM_ERR_CHECKSUM, TKM_ERR_REGEX_COMPILE (detail: offset in the pattern),
 * TKM_ERR_SPECIAL_TOKEN, TKM_ERR_VOCAB_SIZE.
 * alloc and detail may be NULL. The spec's memory is copied.
 */
TKM_API tkm_status tkm_encoding_load(const tkm_encoding_spec *spec, const tkm_allocator *alloc,
                                     tkm_encoding **out, tkm_error_detail *detail);

/** Free an encoding (NULL is fine). No context may be using it. */
TKM_API void tkm_encoding_free(tkm_encoding *enc);

/** The encoding's name ("" for an unnamed custom one); never NULL for a valid enc. */
TKM_API const char *tkm_encoding_name(const tkm_encoding *enc);

/** The pre-tokenizer pattern in tiktoken syntax; never NULL for a valid enc. */
TKM_API const char *tkm_encoding_pattern(const tkm_encoding *enc);

/** tiktoken's n_vocab: the largest token id (ordinary or special) plus one. */
TKM_API uint32_t tkm_encoding_n_vocab(const tkm_encoding *enc);

/** Number of ordinary (mergeable) tokens. */
TKM_API size_t tkm_encoding_n_ordinary(const tkm_encoding *enc);

/** Number of special tokens. */
TKM_API size_t tkm_encoding_n_special(const tkm_encoding *enc);

/**
 * Special token i (0 <= i < tkm_encoding_n_special), in id order.
 * *text points into the encoding: *len bytes, followed by a NUL. Any of
 * text, len, id may be NULL. Returns TKM_OK or TKM_ERR_INVALID_ARGUMENT.
 */
TKM_API tkm_status tkm_encoding_special_at(const tkm_encoding *enc, size_t i, const char **text,
                                           size_t *len, uint32_t *id);

/** Id of the special token with exactly this text.
 *  Returns TKM_OK or TKM_ERR_UNKNOWN_SPECIAL. */
TKM_API tkm_status tkm_encoding_special_id(const tkm_encoding *enc, const char *text, size_t len,
                                           uint32_t *id);

/**
 * Id of the single ordinary or special token whose bytes are exactly
 * bytes[0..len) (tiktoken's encode_single_token).
 * Returns TKM_OK or TKM_ERR_INVALID_TOKEN when no token has those bytes.
 */
TKM_API tkm_status tkm_encoding_token_id(const tkm_encoding *enc, const char *bytes, size_t len,
                                         uint32_t *id);

/**
 * The bytes of token id (ordinary or special). *bytes points into the
 * encoding and stays valid until it is freed. Returns TKM_OK or
 * TKM_ERR_INVALID_TOKEN.
 */
TKM_API tkm_status tkm_encoding_token_bytes(const tkm_encoding *enc, uint32_t id,
                                            const char **bytes, size_t *len);

/** True when id is one of the encoding's special tokens. */
TKM_API bool tkm_encoding_is_special(const tkm_encoding *enc, uint32_t id);

/* ------------------------------------------------------------------------ */
/* Encoding text                                                            */
/* ------------------------------------------------------------------------ */

/*
 * Special tokens follow tiktoken's encode(): by default (flags 0, no allowed
 * list) every special token is disallowed, and special-token text in the
 * input fails with TKM_ERR_DISALLOWED_SPECIAL (detail: the token id, its byte
 * offset, and its text in the message). Allowed special tokens become their
 * ids. TKM_ENCODE_SPECIAL_AS_TEXT makes the remaining (not allowed) ones plain
 * text, which with no allowed list is tiktoken's encode_ordinary().
 *
 * Invalid UTF-8 (tiktoken only takes valid Unicode strings):
 *  - default (strict): TKM_ERR_INVALID_UTF8 with the byte offset of the first
 *    ill-formed sequence; nothing is encoded.
 *  - TKM_ENCODE_REPLACE_INVALID: every maximal ill-formed subpart becomes
 *    U+FFFD first, exactly as Python's bytes.decode("utf-8", "replace") does,
 *    so the ids equal tiktoken's on that decoded string. Not lossless.
 *  - TKM_ENCODE_LOSSLESS: the input is cut into maximal valid runs and
 *    maximal invalid runs. Each valid run is encoded exactly as tiktoken
 *    encodes it as a string of its own; each invalid run is byte-pair merged
 *    as one piece of raw bytes. decode(encode(x)) == x for every byte string.
 * On valid UTF-8 all three modes give identical ids.
 */
#define TKM_ENCODE_ALLOW_ALL_SPECIAL 0x1u /* every special token is allowed */
#define TKM_ENCODE_SPECIAL_AS_TEXT 0x2u   /* not-allowed specials are plain text */
#define TKM_ENCODE_REPLACE_INVALID 0x4u   /* invalid UTF-8 -> U+FFFD first */
#define TKM_ENCODE_LOSSLESS 0x8u          /* invalid UTF-8 kept as raw bytes */

/** Options for encode and count. A NULL options pointer means all zero. */
typedef struct tkm_encode_options {
    unsigned flags;                      /* TKM_ENCODE_* bits */
    const char *const *allowed_special;  /* NUL-terminated names of allowed specials */
    size_t n_allowed_special;            /* entries in allowed_special */
} tkm_encode_options;

/** An upper bound on the ids any encode of len bytes produces, in every
 *  mode: 3 * len (saturating). Without TKM_ENCODE_REPLACE_INVALID, len
 *  itself is a bound; with it, each invalid byte may become U+FFFD, three
 *  bytes, and so up to three tokens. */
TKM_API size_t tkm_encode_bound(size_t len);

/**
 * Encode text to token ids.
 * Returns TKM_OK; TKM_ERR_BUFFER_TOO_SMALL (*n_out = ids needed; ids[0..cap)
 * hold the first cap ids); TKM_ERR_DISALLOWED_SPECIAL; TKM_ERR_INVALID_UTF8;
 * TKM_ERR_UNKNOWN_SPECIAL (a name in allowed_special is not a special token);
 * TKM_ERR_REGEX_MATCH; TKM_ERR_UNENCODABLE; TKM_ERR_NOMEM;
 * TKM_ERR_INVALID_ARGUMENT.
 */
TKM_API tkm_status tkm_encode(const tkm_encoding *enc, const char *text, size_t len,
                              const tkm_encode_options *opts, uint32_t *ids, size_t cap,
                              size_t *n_out, tkm_error_detail *detail);

/** tiktoken's encode_ordinary: tkm_encode with TKM_ENCODE_SPECIAL_AS_TEXT. */
TKM_API tkm_status tkm_encode_ordinary(const tkm_encoding *enc, const char *text, size_t len,
                                       uint32_t *ids, size_t cap, size_t *n_out,
                                       tkm_error_detail *detail);

/**
 * Count the tokens tkm_encode would produce, without storing ids.
 * Same statuses as tkm_encode, except never TKM_ERR_BUFFER_TOO_SMALL.
 */
TKM_API tkm_status tkm_count(const tkm_encoding *enc, const char *text, size_t len,
                             const tkm_encode_options *opts, size_t *n_out,
                             tkm_error_detail *detail);

/**
 * Count, but stop as soon as the count exceeds limit. On TKM_OK,
 * *exceeded tells whether it did; when false *n_out is the exact count, when
 * true *n_out is some number > limit (the count when work stopped).
 * Same statuses as tkm_count.
 */
TKM_API tkm_status tkm_count_limit(const tkm_encoding *enc, const char *text, size_t len,
                                   const tkm_encode_options *opts, size_t limit, size_t *n_out,
                                   bool *exceeded, tkm_error_detail *detail);

/* ------------------------------------------------------------------------ */
/* Contexts: reusable per-thread scratch (the explicit API)                 */
/* ------------------------------------------------------------------------ */

typedef struct tkm_context tkm_context;

/** Create a context. alloc may be NULL. Returns TKM_OK, TKM_ERR_NOMEM,
 *  TKM_ERR_INVALID_ARGUMENT. Free with tkm_context_free(). */
TKM_API tkm_status tkm_context_create(const tkm_allocator *alloc, tkm_context **out);

/** Free a context (NULL is fine). */
TKM_API void tkm_context_free(tkm_context *ctx);

/** tkm_encode using ctx's scratch memory (no allocation once warm). */
TKM_API tkm_status tkm_context_encode(tkm_context *ctx, const tkm_encoding *enc, const char *text,
                                      size_t len, const tkm_encode_options *opts, uint32_t *ids,
                                      size_t cap, size_t *n_out, tkm_error_detail *detail);

/** tkm_count_limit using ctx's scratch memory; limit SIZE_MAX means none. */
TKM_API tkm_status tkm_context_count(tkm_context *ctx, const tkm_encoding *enc, const char *text,
                                     size_t len, const tkm_encode_options *opts, size_t limit,
                                     size_t *n_out, bool *exceeded, tkm_error_detail *detail);

/* ------------------------------------------------------------------------ */
/* Many texts, many threads                                                 */
/* ------------------------------------------------------------------------ */

/**
 * Count texts[i] (lens[i] bytes) for i < n on up to n_threads threads
 * (0 = the number of online CPUs), each with its own context; the encoding is
 * shared. counts[i] receives each count; statuses (may be NULL) receives
 * each text's status. Returns TKM_OK when every text was counted, else the
 * status of the first (lowest index) text that failed; TKM_ERR_NOMEM or
 * TKM_ERR_INVALID_ARGUMENT for the call itself. Results do not depend on
 * n_threads.
 */
TKM_API tkm_status tkm_count_many(const tkm_encoding *enc, const char *const *texts,
                                  const size_t *lens, size_t n, const tkm_encode_options *opts,
                                  unsigned n_threads, size_t *counts, tkm_status *statuses);

/* ------------------------------------------------------------------------ */
/* Streaming count: bounded memory on inputs of any size                    */
/* ------------------------------------------------------------------------ */

typedef struct tkm_stream tkm_stream;

/**
 * Start counting a text that arrives in chunks of any size. The text is cut
 * only at places where cutting cannot change the result for the built-in
 * patterns (after a newline between two non-space characters, or before
 * " X" where X is an ASCII letter and the previous byte is not a space), so
 * the final count equals tkm_count() on the whole text. Memory stays
 * bounded by the longest stretch without such a place (and by the largest
 * pre-token piece), not by the input size. With a custom pattern the whole
 * text is kept until tkm_stream_finish(). alloc NULL means the encoding's
 * allocator. Returns TKM_OK, TKM_ERR_NOMEM, TKM_ERR_INVALID_ARGUMENT,
 * TKM_ERR_UNKNOWN_SPECIAL.
 */
TKM_API tkm_status tkm_stream_create(const tkm_encoding *enc, const tkm_encode_options *opts,
                                     const tkm_allocator *alloc, tkm_stream **out);

/**
 * Feed the next len bytes. Errors (same statuses as tkm_count) report byte
 * offsets from the start of the whole stream; after an error the stream only
 * accepts tkm_stream_reset() and tkm_stream_free().
 */
TKM_API tkm_status tkm_stream_feed(tkm_stream *s, const char *data, size_t len,
                                   tkm_error_detail *detail);

/** End of input: *n_out is the token count of everything fed. */
TKM_API tkm_status tkm_stream_finish(tkm_stream *s, size_t *n_out, tkm_error_detail *detail);

/**
 * Start a new text on s, as if it had just been created with the same
 * encoding, options and allocator: the count, the text held back and any
 * failure are cleared. The context s counts with is kept, with what it has
 * cached, and so is its buffer: counting many texts one after another (the
 * CLI over many files) then allocates nothing per text, and short texts
 * find the piece cache warm. Counts never depend on earlier texts. Returns
 * TKM_OK, or TKM_ERR_INVALID_ARGUMENT when s is NULL.
 */
TKM_API tkm_status tkm_stream_reset(tkm_stream *s);

/** Free a stream (NULL is fine). */
TKM_API void tkm_stream_free(tkm_stream *s);

/* ------------------------------------------------------------------------ */
/* Decoding                                                                 */
/* ------------------------------------------------------------------------ */

/**
 * Decode ids to the bytes they stand for (not necessarily valid UTF-8).
 * Returns TKM_OK; TKM_ERR_BUFFER_TOO_SMALL (*n_out = bytes needed);
 * TKM_ERR_INVALID_TOKEN (detail: index and id; *n_out untouched);
 * TKM_ERR_INVALID_ARGUMENT.
 */
TKM_API tkm_status tkm_decode(const tkm_encoding *enc, const uint32_t *ids, size_t n, char *buf,
                              size_t cap, size_t *n_out, tkm_error_detail *detail);

/**
 * The byte offset at which each token starts in the decoded bytes, which for
 * a lossless or valid-UTF-8 encode is the offset in the original input.
 * offsets must hold n entries. Returns TKM_OK, TKM_ERR_INVALID_TOKEN,
 * TKM_ERR_INVALID_ARGUMENT.
 */
TKM_API tkm_status tkm_decode_offsets(const tkm_encoding *enc, const uint32_t *ids, size_t n,
                                      size_t *offsets, tkm_error_detail *detail);

#ifdef __cplusplus
}
#endif

#endif /* TOKMETER_H */
