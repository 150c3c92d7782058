/* request.h — API request bodies (JSON) as the accounting layer's structs.
 *
 * One parsed request holds the messages and tool definitions of a chat
 * request (Chat Completions, or a Responses body mapped onto messages), or
 * the prompt texts of a Completions / Embeddings body. Strings point into
 * the jansson document, which the request keeps alive; everything else is
 * in the request's arena and goes away with req_free(). */
#ifndef TKM_CLI_REQUEST_H
#define TKM_CLI_REQUEST_H

#include "cli.h"
#include "images.h"
#include "json_in.h"

#include <stdio.h>

typedef enum req_kind { REQ_CHAT = 0, REQ_TEXT = 1 } req_kind;

/* An image part: where it is, its size and how it was found. */
typedef struct req_image {
    char where[160];
    cli_image_info info;
    tkm_image_detail detail;
    size_t msg, part; /* message and part index of the image */
    size_t tokens;    /* set by req_count (0 when not counted) */
    bool counted;
} req_image;

/* Something the request holds that the count does not include. */
typedef struct req_note {
    char where[160];
    char what[224];
} req_note;

typedef struct req_text {
    const char *text;
    size_t len;
} req_text;

typedef struct arena_block arena_block;

typedef struct chat_req {
    req_kind kind;
    const char *endpoint; /* "chat.completions", "responses", "completions", "embeddings" */
    json_t *root;         /* the parsed document (owned) */
    const char *model;    /* the body's "model", or NULL */

    tkm_chat_message *msgs;
    size_t n_msgs;
    tkm_tool_def *tools;
    size_t n_tools;
    /* Set by req_count: msgs, or a copy without the images the model has no
     * rules for (what tkm_chat_count / tkm_chat_prune should be given). */
    const tkm_chat_message *count_msgs;

    req_text *texts;        /* REQ_TEXT: the prompts / inputs */
    size_t n_texts;
    uint64_t pretokenized;  /* REQ_TEXT: token ids given as integer arrays */
    uint64_t largest_pretok;
    uint64_t n_prompts;     /* REQ_TEXT: separate prompts (each gets n outputs) */

    bool has_max_output;
    uint64_t max_output;
    const char *max_output_key;
    uint64_t n; /* choices (n, or best_of for completions); 1 by default */
    bool has_tier;
    tkm_service_tier tier;

    req_image *images;
    size_t n_images, cap_images;
    req_note *notes;
    size_t n_notes, cap_notes;

    arena_block *arena;
} chat_req;

/* How to parse: the source (for positions), the directory local image
 * paths are relative to, and the options (--image-size). */
typedef struct req_parser {
    const cli_src *src;
    const char *base_dir;
    const cli_opts *o;
    cli_jpath path;
    chat_req *r;
} req_parser;

/* Parse a Chat Completions body (the document root). Prints a positioned
 * diagnostic and returns false on an input error. */
bool req_parse_chat(req_parser *p, json_t *body);

/* Parse the body of a request to `url` ("/v1/chat/completions",
 * "/v1/responses", "/v1/completions", "/v1/embeddings"). */
bool req_parse_endpoint(req_parser *p, const char *url, json_t *body);

/* Parse a whole file or stdin holding one Chat Completions body. On
 * success r owns the document. Returns EXIT_OK or EXIT_USAGE/EXIT_DATA. */
int req_load_chat_file(const char *path, const cli_opts *o, chat_req *r, char **text,
                       size_t *len);

void req_init(chat_req *r);
/* Free everything (the document too); r can be reused after req_init. */
void req_free(chat_req *r);

/* ---- helpers shared by the body parsers (request.c) ---- */
void *req_alloc(chat_req *r, size_t size);
void req_note_add(req_parser *p, const char *fmt, ...) CLI_PRINTF(2, 3);
bool req_fail(req_parser *p, const char *fmt, ...) CLI_PRINTF(2, 3);
/* Optional string member: false (after a diagnostic) when it is not one. */
bool req_opt_string(req_parser *p, json_t *obj, const char *key, const char **s, size_t *len);
bool req_opt_count(req_parser *p, json_t *obj, const char *key, uint64_t min, bool *has,
                   uint64_t *v);
/* Content parts list -> tkm_content_part (text, image, and notes). */
bool req_parse_parts(req_parser *p, json_t *arr, size_t msg_index, tkm_chat_message *m);
/* One function tool definition from its fields. */
bool req_parse_function(req_parser *p, json_t *fn, tkm_tool_def *t);
/* An image reference: url string (or NULL with a file_id), detail string. */
bool req_add_image(req_parser *p, const char *url, size_t url_len, bool file_id,
                   json_t *detail, size_t msg, size_t part, tkm_content_part *out);
void req_service_tier(req_parser *p, json_t *body);

/* ---- counting (reqcount.c) ---- */

typedef struct req_result {
    size_t prompt;      /* prompt tokens: text + framing + tools + images */
    size_t text;        /* exact: tokens of the texts themselves */
    size_t framing;     /* estimate: message framing, roles, reply priming */
    size_t tools;       /* estimate: tool definitions */
    size_t images;      /* estimate: image tokens */
    size_t tools_uncounted;  /* tool definitions the model has no rules for */
    size_t images_uncounted; /* images the model has no rules for */
    size_t largest;     /* REQ_TEXT: the largest single prompt (fit is per prompt) */
    bool exact;
    bool fit_known;
    tkm_fit fit;
    uint64_t reserved;       /* output reserved for the fit check (per choice) */
    bool reserved_from_option; /* it came from --reserve-output */
    uint64_t out_per_choice; /* output tokens assumed for the cost maximum */
    uint64_t out_total;      /* out_per_choice * n (* prompts) */
    bool out_known;
    tkm_service_tier tier;
    tkm_status cost_status;  /* TKM_OK, or why the cost is unknown */
    tkm_cost cost_min;       /* the prompt alone */
    tkm_cost cost_max;       /* with out_total output tokens */
} req_result;

/* Count a parsed request for model/enc, check the fit (reserving
 * --reserve-output, else the request's max tokens) and price it at tier
 * (the request's service_tier when tier_forced is false). ctx is scratch
 * kept across requests: a command that counts many (batch, models --fits)
 * passes one, so its piece cache stays warm; NULL makes one for this
 * request. Returns EXIT_OK or an exit code after a diagnostic prefixed with
 * `who`. */
int req_count(chat_req *r, const tkm_model *m, tkm_context *ctx, const tkm_encoding *enc,
              const cli_opts *o, bool tier_forced, tkm_service_tier tier, const char *who,
              req_result *out);

/* Everything the count leaves out: the request's notes, plus what this
 * model has no rules for (res and m may be NULL). */
size_t req_n_notes(const chat_req *r, const req_result *res, const tkm_model *m);
void req_note_at(const chat_req *r, const req_result *res, const tkm_model *m, size_t i,
                 char *where, size_t wcap, char *what, size_t cap);
/* [{"where","reason"}...] */
json_t *req_notes_json(const chat_req *r, const req_result *res, const tkm_model *m);
/* "<prefix><where>: <reason>" lines. */
void req_print_notes(const chat_req *r, const req_result *res, const tkm_model *m, FILE *f,
                     const char *prefix);
/* [{"where","source","format","width","height","assumed","detail","tokens"}] */
json_t *req_images_json(const chat_req *r);
const char *req_detail_name(tkm_image_detail d);

#endif
