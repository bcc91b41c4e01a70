/* libFuzzer: the MCP layer on arbitrary messages. The first byte picks the
 * path (bit 0: through the Streamable HTTP checks, bit 1: a row cap of 2,
 * bit 2: a transport's io, with progress notifications and over HTTP the
 * 2026-07-28 headers, bit 3: that transport says the call was cancelled);
 * the rest is one JSON-RPC message, served against a small store. Every
 * reply and notification must be JSON-RPC (an object with "jsonrpc":"2.0"),
 * or absent; the stdio look-ahead for a cancellation runs on it too. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "mcp_http.h"

static void put_dialog(api_store_t *s, const char *id, uint8_t state, uint32_t diag)
{
    api_dialog_rec_t d = {0};
    d.call_id = snb_str(id, strlen(id));
    d.from_user = SNB_STR_LIT("alice");
    d.state = state;
    d.created_us = state;
    d.pdd_ms = 10;
    d.diag_flags = diag;
    d.summary_json = SNB_STR_LIT("{\"call_id\":\"x\",\"final_code\":486}");
    /* Ladder entries as the tools read them, a stir_shaken annotation on
     * b@x, --json records on a@x. */
    d.full_json =
        strcmp(id, "b@x") == 0
            ? SNB_STR_LIT("{\"call_id\":\"b@x\",\"stir_shaken\":{\"attestation\":\"A\"},"
                          "\"siprec_metadata\":null,\"messages\":[{\"t_ms\":0,\"src\":"
                          "\"10.0.0.1\",\"src_port\":5060,\"dst\":\"fd00::1\",\"dst_"
                          "port\":5060,\"label\":\"INVITE\"},{\"label\":\"486 Busy\\n\"}]}")
            : SNB_STR_LIT("{\"call_id\":\"x\",\"messages\":[{\"label\":\"INVITE\"},{}]}");
    if (strcmp(id, "a@x") == 0)
        d.messages_json =
            SNB_STR_LIT("[{\"method\":\"INVITE\",\"from\":\"alice\",\"ua\":\"x/1\"}]");
    d.report_markdown = SNB_STR_LIT("# r\n");
    api_buf_t b = {0};
    if (api_wire_put_dialog(&b, &d) == 0)
        api_store_apply(s, API_FRAME_DIALOG, b.data + API_FRAME_HEADER,
                        (uint32_t)(b.len - API_FRAME_HEADER));
    api_buf_free(&b);
}

static void put_stream(api_store_t *s, uint64_t id, const char *call_id, double mos)
{
    api_stream_rec_t r = {0};
    r.id = id;
    r.ssrc = (uint32_t)id;
    r.orphaned = !call_id;
    r.mos = mos;
    r.call_id = call_id ? snb_str(call_id, strlen(call_id)) : SNB_STR_LIT("");
    r.list_json = SNB_STR_LIT("{\"l\":1}");
    r.full_json = SNB_STR_LIT("{\"f\":1}");
    api_buf_t b = {0};
    if (api_wire_put_stream(&b, &r) == 0)
        api_store_apply(s, API_FRAME_STREAM, b.data + API_FRAME_HEADER,
                        (uint32_t)(b.len - API_FRAME_HEADER));
    api_buf_free(&b);
}

static api_store_t *store(void)
{
    static api_store_t *s;
    if (s) return s;
    s = api_store_new();
    const char *fields = "{\"dialogs\":{\"fields\":[{\"name\":\"state\",\"type\":\"string\"}],"
                         "\"aliases\":[],\"kinds\":[\"one_way_audio\"]},"
                         "\"streams\":{\"fields\":[],\"aliases\":[]}}";
    api_store_apply(s, API_FRAME_FIELDS, fields, (uint32_t)strlen(fields));
    put_dialog(s, "a@x", 4, 0);
    put_dialog(s, "b@x", 2, 1);
    put_dialog(s, "c/d", 3, 0);
    put_stream(s, 0x1a2b, "b@x", 2.5);
    put_stream(s, 7, NULL, 3.1);
    const char *alert =
        "{\"ts\":\"2026-12-06T02:00:01Z\",\"type\":\"scanner\",\"source\":\"192.0.2.9\"}";
    api_store_apply(s, API_FRAME_ALERT, alert, (uint32_t)strlen(alert));
    return s;
}

static void must_be_jsonrpc(const char *text, size_t len)
{
    json_t *j = json_loadb(text, len, 0, NULL);
    if (!j || strcmp(json_string_value(json_object_get(j, "jsonrpc")) ?: "", "2.0") != 0) abort();
    json_decref(j);
}

static void on_notify(void *ud, const char *json, size_t len)
{
    (void)ud;
    must_be_jsonrpc(json, len);
}

static bool on_cancelled(void *ud, const json_t *id, bool modern)
{
    (void)id;
    (void)modern;
    return *(const bool *)ud;
}

static bool on_disconnected(void *ud)
{
    return *(const bool *)ud;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t flags = data[0];
    const char *msg = (const char *)data + 1;
    size_t len = size - 1;
    mcp_config_t cfg = {.max_rows = flags & 2 ? 2 : 1000};
    bool cancel = flags & 8;
    json_t *one = json_integer(1);
    (void)mcp_rpc_cancels(msg, len, one);
    json_decref(one);
    if (flags & 1) {
        mcp_http_request_t req = {.method = "POST",
                                  .host = "127.0.0.1:8080",
                                  .content_type = "application/json",
                                  .body = msg,
                                  .body_len = len};
        if (flags & 4) {
            req.accept = "application/json, text/event-stream";
            req.protocol_version = "2026-07-28";
            req.mcp_method = "tools/call";
            req.mcp_name = "search_messages";
            req.disconnected = on_disconnected;
            req.ud = &cancel;
        }
        api_response_t resp;
        mcp_http_handle(store(), &cfg, &req, &resp);
        free(resp.body);
        return 0;
    }
    mcp_reply_t r;
    mcp_io_t io = {.notify = on_notify, .cancelled = on_cancelled, .ud = &cancel};
    mcp_rpc_handle_io(store(), &cfg, flags & 4 ? &io : NULL, msg, len, &r);
    if (r.body) {
        if (r.cancelled) abort(); /* a cancelled request is never answered */
        must_be_jsonrpc(r.body, r.len);
        free(r.body);
    }
    return 0;
}
