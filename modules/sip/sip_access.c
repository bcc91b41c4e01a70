/* The accessors of sipnab/sip.h over the parser's sip_msg_t: what every
 * other module reads SIP through (they never parse SIP text themselves).
 * An snb_sip_msg_t is a sip_msg_t; these wrappers only convert. */
#include "sip_msg_int.h"

static const sip_msg_t *M(const snb_sip_msg_t *m)
{
    return (const sip_msg_t *)m;
}

static snb_str_t acc_header(const snb_sip_msg_t *m, const char *name, unsigned nth)
{
    return sip_msg_header(M(m), name, nth);
}

static unsigned acc_header_count(const snb_sip_msg_t *m, const char *name)
{
    return sip_msg_header_count(M(m), name);
}

static unsigned acc_header_lines(const snb_sip_msg_t *m)
{
    return M(m)->n_headers;
}

static bool acc_header_line(const snb_sip_msg_t *m, unsigned i, snb_str_t *name, snb_str_t *value)
{
    if (i >= M(m)->n_headers) return false;
    if (name) *name = M(m)->headers[i].name;
    if (value) *value = M(m)->headers[i].value;
    return true;
}

static snb_str_t acc_request_uri(const snb_sip_msg_t *m)
{
    return M(m)->is_request ? M(m)->request_uri : SNB_STR_NULL;
}

static snb_str_t acc_reason(const snb_sip_msg_t *m)
{
    return M(m)->is_request ? SNB_STR_NULL : M(m)->reason;
}

static snb_str_t acc_body(const snb_sip_msg_t *m)
{
    return M(m)->body;
}

static snb_str_t acc_sdp(const snb_sip_msg_t *m)
{
    return sip_msg_sdp(M(m));
}

static int acc_parts(const snb_sip_msg_t *m, snb_sip_part_fn fn, void *ud)
{
    return sip_multipart_parts(M(m)->body, sip_msg_header(M(m), "Content-Type", 0), fn, ud);
}

static bool acc_uri(snb_str_t text, snb_sip_uri_t *out)
{
    return sip_uri_parse(text, out);
}

const snb_sip_api_t sip_api = {
    .size = sizeof(snb_sip_api_t),
    .header = acc_header,
    .header_count = acc_header_count,
    .header_lines = acc_header_lines,
    .header_line = acc_header_line,
    .request_uri = acc_request_uri,
    .reason = acc_reason,
    .body = acc_body,
    .sdp = acc_sdp,
    .parts = acc_parts,
    .part_header = sip_part_header,
    .param = sip_param,
    .param_unquoted = sip_param_unquoted,
    .nameaddr = sip_nameaddr_full,
    .uri = acc_uri,
    .uri_param = sip_uri_param,
    .uri_header = sip_uri_header,
    .unfold = sip_msg_header_unfold,
};
