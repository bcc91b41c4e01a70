/* The "stir_shaken" object of a dialog (REST, --dialogs-json, MCP): the
 * call's verdict, the first (shaken) PASSporT's claims and one object per
 * Identity header, in the field names of shared/stir truth.jsonl. */
#ifndef STIR_JSON_H
#define STIR_JSON_H

#include <jansson.h>

#include "stir_verify.h"

/* A new reference, or NULL when out of memory. */
json_t *stir_result_json(const stir_call_result_t *r);

#endif
