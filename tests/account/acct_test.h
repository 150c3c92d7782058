/* acct_test.h — shared helpers for the accounting-layer tests. */
#ifndef ACCT_TEST_H
#define ACCT_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tokmeter_account.h"

#define TXT(s) (s), strlen(s)
#define LIT(s) (s), (sizeof(s) - 1) /* string literals, usable in static initializers */

/* A message with string content. */
static inline tkm_chat_message msg(const char *role, const char *content)
{
    tkm_chat_message m;
    memset(&m, 0, sizeof m);
    m.role = role;
    m.role_len = strlen(role);
    m.content = content;
    m.content_len = strlen(content);
    return m;
}

static inline tkm_chat_message named(const char *role, const char *name, const char *content)
{
    tkm_chat_message m = msg(role, content);
    m.name = name;
    m.name_len = strlen(name);
    return m;
}

static inline tkm_model_table *builtin_table(void)
{
    tkm_model_table *t = NULL;
    tkm_error_detail d;
    tkm_status st = tkm_model_table_load_builtin(NULL, &t, &d);
    if (st != TKM_OK)
        print_error("builtin table: %s (line %zu): %s\n", tkm_strerror(st), d.line, d.message);
    assert_int_equal(st, TKM_OK);
    return t;
}

static inline const tkm_model *model(const tkm_model_table *t, const char *name)
{
    const tkm_model *m = NULL;
    tkm_status st = tkm_model_table_find(t, TXT(name), &m, NULL);
    if (st != TKM_OK)
        print_error("model %s: %s\n", name, tkm_strerror(st));
    assert_int_equal(st, TKM_OK);
    return m;
}

static inline tkm_encoding *encoding_of(const tkm_model *m)
{
    tkm_encoding *e = NULL;
    assert_int_equal(tkm_model_encoding_load(m, NULL, &e), TKM_OK);
    return e;
}

/* Exact token count of text with special-token text as text (the library's
 * core counter), used to build expected values at test time. */
static inline size_t toks(const tkm_encoding *e, const char *s)
{
    tkm_encode_options o = {TKM_ENCODE_SPECIAL_AS_TEXT, NULL, 0};
    size_t n = 0;
    assert_int_equal(tkm_count(e, s, strlen(s), &o, &n, NULL), TKM_OK);
    return n;
}

#endif
