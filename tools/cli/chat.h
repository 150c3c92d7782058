/* chat.h — what the chat subcommand shares with batch, prune and models. */
#ifndef TKM_CLI_CHAT_H
#define TKM_CLI_CHAT_H

#include "request.h"

#include <jansson.h>
#include <stdio.h>

/* The model: -m, else the request's "model" (a usage error when neither);
 * unknown names get suggestions. */
int chat_resolve_model(const cli_opts *o, const chat_req *r, const tkm_model_table *t,
                       const tkm_model **m, tkm_model_match *how);

/* {tier, long_context, output_tokens_max, input_usd, input_nanousd,
 *  output_usd_max, output_nanousd_max, total_usd_min, total_nanousd_min,
 *  total_usd_max, total_nanousd_max, unknown_reason} */
json_t *chat_cost_json(const req_result *res);
/* "cost         standard tier: prompt $X + output up to $Y (N tokens) = $X to $Z" */
void chat_print_cost(const req_result *res, FILE *f);
/* The whole chat --json document. */
json_t *chat_result_json(const chat_req *r, const tkm_model *m, const tkm_encoding *enc,
                         tkm_model_match how, const req_result *res, const char *version);

#endif
