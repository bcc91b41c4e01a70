// sipnab's MCP server driven by the official MCP TypeScript SDK, on a real
// capture, over Streamable HTTP (/mcp on --api) and over stdio (--mcp).
// Checks: the tool list; list_dialogs with state == 'Failed' equals the REST
// answer (?filter=) and Wireshark's count (tshark: Call-IDs with a final
// non-2xx INVITE answer other than 401/407/487); paging by cursor returns
// every dialog once; get_dialog's messages are the REST ladder's (count,
// timestamps) and equal the --json lines of that Call-ID field by field
// (for eight dialogs); get_message,
// render_ladder, search_messages, security_findings, stir_results and
// siprec_metadata once each against REST; resources/list lists the stats and
// every dialog's report, resources/read equals /v1/stats; progress
// notifications of a long search; a client without the key is refused;
// hostile raw requests get their HTTP status and JSON-RPC error. The
// stateless 2026-07-28 revision, which the SDK's client does not speak, by
// raw JSON-RPC over both transports: server/discover, a tool call with _meta
// and no initialize, the unsupported-version and header errors, progress as
// an SSE stream, cancellation over stdio; and a stdio client that never
// reads is dropped.
//
// usage: node client.mjs SIPNAB_BINARY CAPTURE [--no-stdio]
import { spawn, execFileSync } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { readFileSync } from "node:fs";

const [sipnab, capture, ...flags] = process.argv.slice(2);
if (!sipnab || !capture) {
  console.error("usage: node client.mjs SIPNAB_BINARY CAPTURE [--no-stdio]");
  process.exit(2);
}
const KEY = "mcp-test-key";
const PORT = 20000 + (process.pid % 20000);
const BASE = `http://127.0.0.1:${PORT}`;
const FAILED = "state == 'Failed'";
const sdkVersion = JSON.parse(readFileSync(new URL("./node_modules/@modelcontextprotocol/sdk/package.json",
  import.meta.url))).version;

let failures = 0;
const failedChecks = []; // repeated at the end: CI shows a log's head and tail
// Every sipnab started here ends with this script, however it ends.
const children = [];
process.on("exit", () => children.forEach((c) => { try { c.kill("SIGKILL"); } catch {} }));
function check(ok, what) {
  console.log(`${ok ? "ok" : "FAIL"}: ${what}`);
  if (!ok) {
    failures++;
    failedChecks.push(what);
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function rest(path) {
  const r = await fetch(BASE + path, { headers: { Authorization: `Bearer ${KEY}` } });
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`);
  return r.json();
}

async function restAll(query) {
  const out = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await rest(`/v1/dialogs?limit=1000&offset=${offset}${query}`);
    out.push(...page.dialogs);
    if (out.length >= page.total || page.dialogs.length === 0) return out;
  }
}

// What the API must hold once the whole capture is fed: the dialogs by
// state of an offline run over the same file (the API process is fed
// asynchronously; a sanitizer build feeds slowly, and a pause in the feed
// once looked like its end).
function offlineStates() {
  const out = execFileSync(sipnab, ["-c", "/dev/null", "-q", "-N", "-I", capture, "--dialogs-json"],
    { encoding: "utf8", maxBuffer: 1 << 28 });
  const by = {};
  for (const d of out.split("\n").filter(Boolean).map((l) => JSON.parse(l))) by[d.state] = (by[d.state] ?? 0) + 1;
  return by;
}

let wantStates = null; // the offline run's dialogs by state
const nonzero = (by) => Object.fromEntries(Object.entries(by ?? {}).filter(([, n]) => n > 0));
// Whether a get_stats / GET /v1/stats "dialogs" object shows the whole capture.
const wholeCapture = (dialogs) => canonical(nonzero(dialogs?.by_state)) === canonical(wantStates);

async function waitForFeed() {
  const want = (wantStates = offlineStates());
  let got = null;
  for (let i = 0; i < 480; i++) {
    try {
      got = nonzero((await rest("/v1/stats")).dialogs.by_state);
      if (canonical(got) === canonical(want)) break;
    } catch {}
    await sleep(250);
  }
  check(canonical(got) === canonical(want),
    `the API holds the whole capture: dialogs by state ${canonical(got)}, offline ${canonical(want)}`);
  return Object.values(want).reduce((a, b) => a + b, 0);
}

function wiresharkFailed() {
  try {
    const out = execFileSync("tshark", ["-r", capture, "-Y",
      'sip.Status-Code >= 300 && sip.CSeq.method == "INVITE" && sip.Status-Code != 487 && ' +
      "sip.Status-Code != 401 && sip.Status-Code != 407", "-T", "fields", "-e", "sip.Call-ID"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return new Set(out.split("\n").filter(Boolean)).size;
  } catch {
    return null; // no tshark
  }
}

// sipnab --json on the same capture, once: its lines by Call-ID.
let jsonByCallId = null;
function jsonLines(callId) {
  if (!jsonByCallId) {
    const out = execFileSync(sipnab, ["-c", "/dev/null", "-q", "-N", "-I", capture, "--json"],
      { encoding: "utf8", maxBuffer: 1 << 28 });
    jsonByCallId = new Map();
    for (const m of out.split("\n").filter(Boolean).map((l) => JSON.parse(l))) {
      if (!jsonByCallId.has(m.call_id)) jsonByCallId.set(m.call_id, []);
      jsonByCallId.get(m.call_id).push(m);
    }
  }
  return jsonByCallId.get(callId) ?? [];
}

// The first failed dialog and up to 7 others spread over the capture.
function sampleIds(all, first) {
  const ids = new Set([first]);
  for (let i = 0; i < 7 && all.length; i++) ids.add(all[Math.floor((i * all.length) / 7)]);
  return [...ids];
}

// JSON text with sorted keys: equal values compare equal whatever the order.
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
  return JSON.stringify(v);
}

async function allPages(client, args) {
  const seen = [];
  let cursor, pages = 0;
  do {
    const r = await client.callTool({ name: "list_dialogs", arguments: { ...args, ...(cursor ? { cursor } : {}) } });
    if (r.isError) throw new Error(r.content[0].text);
    seen.push(...r.structuredContent.dialogs.map((d) => d.call_id));
    cursor = r.structuredContent.nextCursor;
    pages++;
  } while (cursor && pages < 100000);
  return { seen, pages };
}

// The checks every transport must pass.
async function exercise(client, label, restFailed, restAllIds) {
  const tools = (await client.listTools()).tools.map((t) => t.name).sort();
  const want = ["find_problems", "get_call_report", "get_dialog", "get_message", "get_stats", "get_stream",
    "list_dialogs", "list_streams", "render_ladder", "search_messages", "security_findings", "siprec_metadata",
    "stir_results"];
  check(want.every((n) => tools.includes(n)), `${label}: tools/list has the ${want.length} tools (${tools.join(", ")})`);

  const failed = await allPages(client, { filter: FAILED, limit: 1000 });
  check(failed.seen.length === restFailed.length &&
    failed.seen.every((id, i) => id === restFailed[i]),
  `${label}: list_dialogs filter ${FAILED}: ${failed.seen.length} dialogs, REST ?filter= ${restFailed.length}`);

  const limit = Math.max(1, Math.ceil(restAllIds.length / 7));
  const paged = await allPages(client, { limit });
  const once = new Set(paged.seen);
  check(paged.seen.length === restAllIds.length && once.size === restAllIds.length &&
    restAllIds.every((id) => once.has(id)),
  `${label}: paging by cursor (limit ${limit}, ${paged.pages} pages) returns each of ${restAllIds.length} dialogs once`);

  const first = restFailed[0] ?? restAllIds[0];
  const d = await client.callTool({ name: "get_dialog", arguments: { call_id: first, max_messages: 1000 } });
  const restDialog = await rest(`/v1/dialogs/${encodeURIComponent(first)}`);
  const msgs = d.structuredContent?.messages ?? [];
  check(!d.isError && msgs.length === restDialog.messages.length &&
    msgs.every((m, i) => m.timestamp === restDialog.messages[i].timestamp),
  `${label}: get_dialog ${first}: ${msgs.length} messages, those of the ladder of GET /v1/dialogs/{id}`);
  // Each kept message is rendered by the sip module exactly as --json
  // printed it: every field of every message equals --json's line for that
  // Call-ID (its own request URI, From/To with tags, User-Agent, ...).
  for (const id of sampleIds(restAllIds, first)) {
    const got = id === first ? msgs : (await client.callTool({ name: "get_dialog",
      arguments: { call_id: id, max_messages: 1000 } })).structuredContent?.messages ?? [];
    const lines = jsonLines(id);
    const differ = new Set();
    lines.forEach((line, i) => {
      for (const k of new Set([...Object.keys(line), ...Object.keys(got[i] ?? {})]))
        if (canonical(line[k]) !== canonical(got[i]?.[k])) differ.add(k);
    });
    check(lines.length > 0 && lines.length === got.length && differ.size === 0,
      `${label}: get_dialog ${id}: its ${got.length} messages equal --json's ${lines.length} lines ` +
      `for that Call-ID field by field (different: ${[...differ].join(", ") || "none"})`);
  }
  check(/untrusted/.test(d.content[0].text), `${label}: capture text is fenced as untrusted`);
  await exerciseCallTools(client, label, first, msgs, restDialog);
  await exerciseResources(client, label, first, restAllIds.length);

  // Progress (2025-11-25, through the SDK): a search over every dialog
  // reports every 256 dialogs scanned, each with the count so far.
  const seenProgress = [];
  const scan = await client.callTool({ name: "search_messages", arguments: { pattern: "no-such-text-in-any-capture" } },
    undefined, { onprogress: (p) => seenProgress.push(p.progress) });
  const sc = scanOutcome(scan.structuredContent, restAllIds.length);
  check(!scan.isError && sc.whole && seenProgress.length === sc.ticks &&
    seenProgress.every((v, i) => v === 256 * (i + 1)),
  `${label}: search_messages over ${restAllIds.length} dialogs (${sc.text}) sent ${seenProgress.length} progress ` +
    `notifications (${seenProgress.join(", ") || "none"}), one per 256 dialogs: ${sc.ticks}`);

  const bad = await client.callTool({ name: "list_dialogs", arguments: { filter: "state ==" } });
  check(bad.isError === true, `${label}: a bad filter is a tool error: ${bad.content[0].text}`);
  let threw = false;
  try {
    await client.callTool({ name: "no_such_tool", arguments: {} });
  } catch (e) {
    threw = /-32602|unknown tool/.test(String(e));
  }
  check(threw, `${label}: an unknown tool is a JSON-RPC error`);
}

// What a search_messages answer scanned: every dialog (at most 10000),
// or fewer when its 500 ms budget ran out first (a loaded machine: it then
// says stopped "time"); one progress tick per 256 dialogs scanned.
function scanOutcome(sc, total) {
  const scanned = sc?.dialogs_scanned ?? -1;
  const whole = scanned === Math.min(total, 10000) || (String(sc?.stopped).startsWith("time") && scanned >= 0);
  const text = scanned === Math.min(total, 10000) ? "all scanned" : `${scanned} scanned, stopped by ${sc?.stopped}`;
  return { whole, ticks: Math.floor(Math.max(scanned, 0) / 256), text };
}

// The tools over one call and over the annotations, each once against REST.
async function exerciseCallTools(client, label, callId, msgs, restDialog) {
  const ladder = restDialog.messages;
  const m = await client.callTool({ name: "get_message", arguments: { call_id: callId, index: 0 } });
  check(!m.isError && canonical(m.structuredContent.message) === canonical(msgs[0]) &&
    m.structuredContent.ladder.timestamp === ladder[0].timestamp && m.structuredContent.text === null,
  `${label}: get_message ${callId} 0 is get_dialog's messages[0] and the REST ladder's first entry`);

  const r = await client.callTool({ name: "render_ladder", arguments: { call_id: callId, max_messages: 1000 } });
  const lines = (r.structuredContent?.ladder ?? "").split("\n").filter((l) => l).slice(1);
  check(!r.isError && lines.length === ladder.length &&
    lines.every((l, i) => l.includes(` -> ${ladder[i].dst}`) && l.includes(ladder[i].label.replace(/[\x00-\x1f\x7f]/g, "?"))) &&
    /untrusted/.test(r.content[0].text),
  `${label}: render_ladder ${callId}: ${lines.length} lines, one per REST ladder entry, fenced`);

  const invites = ladder.filter((e) => e.label === "INVITE").length;
  const s = await client.callTool({ name: "search_messages", arguments: { pattern: "^INVITE$", call_id: callId } });
  const hits = (s.structuredContent?.matches ?? []).filter((x) => x.matched.label);
  check(!s.isError && hits.length === invites,
    `${label}: search_messages ^INVITE$ in ${callId}: ${hits.length} labels, REST ladder ${invites}`);
  const catastrophic = await client.callTool({ name: "search_messages", arguments: { pattern: "(.*)*(.*)*(.*)*x$" } });
  check(catastrophic.isError === true || Array.isArray(catastrophic.structuredContent?.matches),
    `${label}: a catastrophic pattern answers (${catastrophic.isError ? catastrophic.content[0].text : "no error"})`);

  const alerts = await rest("/v1/alerts?limit=1");
  const f = await client.callTool({ name: "security_findings", arguments: { limit: 1 } });
  check(!f.isError && f.structuredContent.total === alerts.total,
    `${label}: security_findings total ${f.structuredContent?.total} = GET /v1/alerts ${alerts.total}`);
  for (const [tool, key] of [["stir_results", "stir_shaken"], ["siprec_metadata", "siprec_metadata"]]) {
    const a = await client.callTool({ name: tool, arguments: { call_id: callId } });
    const want = restDialog[key] === undefined || restDialog[key] === null ? 0 : 1;
    check(!a.isError && a.structuredContent.total === want,
      `${label}: ${tool} ${callId}: ${a.structuredContent?.total}, REST ${key} ${want ? "set" : "absent or null"}`);
  }
}

// resources/list and resources/read against REST.
async function exerciseResources(client, label, callId, dialogs) {
  let uris = [], cursor;
  do {
    const page = await client.listResources(cursor ? { cursor } : {});
    uris = uris.concat(page.resources.map((r) => r.uri));
    cursor = page.nextCursor;
  } while (cursor);
  check(uris.length === dialogs + 1 && uris[0] === "sipnab://stats",
    `${label}: resources/list: the stats and ${uris.length - 1} reports for ${dialogs} dialogs`);
  const stats = JSON.parse((await client.readResource({ uri: "sipnab://stats" })).contents[0].text);
  const restStats = await rest("/v1/stats");
  check(canonical(stats.dialogs) === canonical(restStats.dialogs),
    `${label}: resources/read sipnab://stats: dialogs by state = GET /v1/stats`);
  const uri = `sipnab://dialogs/${encodeURIComponent(callId)}/report`;
  const report = (await client.readResource({ uri })).contents[0];
  check(uris.includes(uri) && /untrusted/.test(report.text) && report.text.includes(callId),
    `${label}: resources/read ${uri}: the Markdown report, fenced`);
}

// Raw requests the SDK never sends: each gets its HTTP status and, but for
// 202, a JSON-RPC error body.
async function hostileHttp() {
  const post = async (body, extra = {}) => {
    const r = await fetch(`${BASE}/mcp`, { method: "POST", body, headers: { Authorization: `Bearer ${KEY}`,
      "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...extra } });
    const text = await r.text();
    let code = null;
    try { code = JSON.parse(text).error?.code ?? null; } catch {}
    return { status: r.status, code };
  };
  const cases = [
    ["malformed JSON", await post("{\"jsonrpc\":"), 400, -32700],
    ["a batch", await post('[{"jsonrpc":"2.0","id":1,"method":"ping"}]'), 200, -32600],
    ["an unknown method", await post('{"jsonrpc":"2.0","id":1,"method":"x/y"}'), 200, -32601],
    ["wrong argument types", await post('{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_dialogs","arguments":{"limit":"all"}}}'), 200, -32602],
    ["300 KB of JSON", await post('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"p":"' + "x".repeat(300000) + '"}}'), 413, -32600],
    ["a notification", await post('{"jsonrpc":"2.0","method":"notifications/initialized"}'), 202, null],
    ["a foreign Origin", await post('{"jsonrpc":"2.0","id":1,"method":"ping"}', { Origin: "http://evil.example" }), 403, -32600],
    ["GET /mcp", { status: (await fetch(`${BASE}/mcp`, { headers: { Authorization: `Bearer ${KEY}` } })).status, code: null }, 405, null],
  ];
  for (const [what, got, status, code] of cases)
    check(got.status === status && (code === null || got.code === code),
      `HTTP: ${what}: ${got.status}${got.code !== null ? ` (${got.code})` : ""}`);
  const health = await fetch(`${BASE}/health`);
  check(health.status === 200, "HTTP: the API still answers after the hostile requests");
}

// The stateless 2026-07-28 revision, which the SDK's client does not speak:
// raw JSON-RPC, no initialize, the version and capabilities in _meta.
const MODERN = "2026-07-28";
const META = { "io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {} };
const modern = (id, method, params = {}, meta = META) =>
  ({ jsonrpc: "2.0", id, method, params: { ...params, _meta: { ...meta, ...(params._meta ?? {}) } } });

function parseSse(text) {
  return text.split("\n\n").filter((e) => e.trim()).map((e) =>
    JSON.parse(e.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n")));
}

async function modernHttp(restFailed, total) {
  const post = async (msg, headers = {}, accept = "application/json, text/event-stream") => {
    const name = msg.params?.name ?? msg.params?.uri;
    const r = await fetch(`${BASE}/mcp`, { method: "POST", body: JSON.stringify(msg), headers: {
      Authorization: `Bearer ${KEY}`, "Content-Type": "application/json", Accept: accept,
      "MCP-Protocol-Version": msg.params?._meta?.["io.modelcontextprotocol/protocolVersion"] ?? MODERN,
      "Mcp-Method": msg.method, ...(name ? { "Mcp-Name": name } : {}), ...headers } });
    const type = r.headers.get("content-type") ?? "";
    const text = await r.text();
    return { status: r.status, type, messages: type.startsWith("text/event-stream") ? parseSse(text) : [JSON.parse(text)] };
  };
  const last = (r) => r.messages[r.messages.length - 1];

  const d = await post(modern(1, "server/discover"));
  const dr = last(d).result;
  check(d.status === 200 && dr?.resultType === "complete" && dr.supportedVersions.includes(MODERN) &&
    dr.supportedVersions.includes("2025-11-25") && dr.serverInfo?.name === "sipnab" && dr.capabilities?.tools,
  `HTTP ${MODERN}: server/discover without initialize: ${dr?.supportedVersions?.join(", ")}`);

  const l = await post(modern(2, "tools/call", { name: "list_dialogs", arguments: { filter: FAILED, limit: 1000 } }));
  const lr = last(l).result;
  check(l.status === 200 && lr?.resultType === "complete" && lr.structuredContent?.total === restFailed.length,
    `HTTP ${MODERN}: tools/call list_dialogs ${FAILED} with _meta and no initialize: ` +
    `${lr?.structuredContent?.total}, REST ${restFailed.length}`);

  const cases = [
    ["an unknown version in _meta", await post(modern(3, "tools/list", {}, { ...META, "io.modelcontextprotocol/protocolVersion": "2099-01-01" }), { "MCP-Protocol-Version": MODERN }), 400, -32022],
    ["an unknown MCP-Protocol-Version", await post(modern(4, "tools/list"), { "MCP-Protocol-Version": "2099-01-01" }), 400, -32022],
    ["Mcp-Name unlike the body", await post(modern(5, "tools/call", { name: "get_stats", arguments: {} }), { "Mcp-Name": "list_dialogs" }), 400, -32020],
    ["no Mcp-Method", await post(modern(6, "tools/list"), { "Mcp-Method": "resources/list" }), 400, -32020],
    ["no clientCapabilities", await post({ jsonrpc: "2.0", id: 7, method: "tools/list", params: { _meta: { "io.modelcontextprotocol/protocolVersion": MODERN } } }), 200, -32602],
    ["ping (removed in 2026-07-28)", await post(modern(8, "ping")), 200, -32601],
  ];
  for (const [what, got, status, code] of cases) {
    const m = last(got);
    const dataOk = code !== -32022 || (m.error?.data?.supported?.includes(MODERN) && m.error.data.requested === "2099-01-01");
    check(got.status === status && m.error?.code === code && dataOk,
      `HTTP ${MODERN}: ${what}: ${got.status} (${m.error?.code}${code === -32022 ? `, supported ${m.error?.data?.supported}` : ""})`);
  }

  // Progress over HTTP: the notifications, then the answer, as one SSE
  // stream when the client accepts it; plain JSON when it does not.
  const search = { name: "search_messages", arguments: { pattern: "no-such-text-in-any-capture" }, _meta: { progressToken: "p1" } };
  const sse = await post(modern(9, "tools/call", search));
  const notes = sse.messages.filter((m) => m.method === "notifications/progress" && m.params.progressToken === "p1");
  const sc = scanOutcome(last(sse).result?.structuredContent, total);
  const want = sc.ticks;
  const sseOk = want ? sse.type.startsWith("text/event-stream") : sse.type.startsWith("application/json");
  check(sse.status === 200 && sseOk && sc.whole && notes.length === want && last(sse).id === 9 && last(sse).result,
    `HTTP ${MODERN}: search_messages with a progressToken (${sc.text}): ${sse.type.split(";")[0]}, ` +
    `${notes.length} progress notifications then the result (want ${want})`);
  const plain = await post(modern(10, "tools/call", search), {}, "application/json");
  check(plain.type.startsWith("application/json") && plain.messages.length === 1 && last(plain).id === 10,
    `HTTP ${MODERN}: the same without text/event-stream in Accept: one JSON answer`);
}

// stdio, raw: newline-delimited JSON-RPC to a sipnab --mcp of our own.
function rawStdio() {
  const child = spawn(sipnab, ["-c", "/dev/null", "-q", "-N", "-I", capture, "--mcp"],
    { stdio: ["pipe", "pipe", "pipe"] });
  children.push(child);
  child.stdin.on("error", () => {}); // EPIPE once it exits: seen through "exit"
  let buf = "", err = "";
  const queue = [], waiters = [];
  child.stdout.on("data", (d) => {
    buf += d;
    for (let i; (i = buf.indexOf("\n")) >= 0;) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const m = JSON.parse(line);
      if (waiters.length) waiters.shift()(m); else queue.push(m);
    }
  });
  child.stderr.on("data", (d) => { err += d; if (err.length > 1 << 20) err = err.slice(-(1 << 19)); });
  const next = (ms = 20000) => queue.length ? Promise.resolve(queue.shift()) :
    new Promise((res, rej) => { const t = setTimeout(() => rej(new Error("no answer on stdio")), ms);
      waiters.push((m) => { clearTimeout(t); res(m); }); });
  const send = (...msgs) => child.stdin.write(msgs.map((m) => JSON.stringify(m) + "\n").join(""));
  return { child, next, send, stderr: () => err };
}

async function modernStdio(total) {
  const io = rawStdio();
  try {
    // The capture is fed while we ask: wait until it is all held.
    let stats;
    for (let i = 0; i < 200; i++) {
      io.send(modern(i + 100, "tools/call", { name: "get_stats", arguments: {} }));
      stats = await io.next();
      if (wholeCapture(stats.result?.structuredContent?.dialogs)) break;
      await sleep(250);
    }
    check(stats.result?.resultType === "complete" && stats.result.structuredContent.dialogs.total === total &&
      wholeCapture(stats.result.structuredContent.dialogs),
      `stdio ${MODERN}: tools/call get_stats with _meta and no initialize: ${stats.result?.structuredContent?.dialogs?.total} dialogs`);
    io.send(modern(1, "server/discover"));
    const d = await io.next();
    check(d.id === 1 && d.result?.supportedVersions?.includes(MODERN) && d.result.resultType === "complete",
      `stdio ${MODERN}: server/discover: ${d.result?.supportedVersions?.join(", ")}`);
    io.send(modern(2, "tools/list", {}, { ...META, "io.modelcontextprotocol/protocolVersion": "2099-01-01" }));
    const u = await io.next();
    check(u.id === 2 && u.error?.code === -32022 && u.error.data?.requested === "2099-01-01" &&
      u.error.data.supported.includes(MODERN),
    `stdio ${MODERN}: an unknown version: ${u.error?.code} (supported ${u.error?.data?.supported})`);

    // Cancellation (stdio sends notifications/cancelled): the request, its
    // cancellation and a ping in one write. The first progress tick (256
    // units) finds the cancellation read ahead: no answer to 3, then 4's.
    if (total >= 256) {
      io.send(modern(3, "tools/call", { name: "find_problems", arguments: {}, _meta: { progressToken: "c3" } }),
        { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 3, reason: "test" } },
        modern(4, "tools/list"));
      const got = [];
      for (let m; (m = await io.next()).id !== 4;) got.push(m);
      // stderr is another pipe: its line may come after stdout's answer.
      const logged = () => /tools\/call find_problems: .*\(cancelled\)/.test(io.stderr());
      for (let i = 0; i < 50 && !logged(); i++) await sleep(100);
      check(got.every((m) => m.id === undefined) && logged(),
        `stdio: find_problems cancelled by notifications/cancelled: no answer to it (${got.length} ` +
        `messages before the next answer, none with an id), the log says cancelled, the next request answered`);
    } else {
      console.log(`skip: stdio cancellation needs 256 dialogs (one progress tick); this capture has ${total}`);
    }
  } finally {
    io.child.kill("SIGTERM");
  }
}

// A stdio client that writes and never reads is dropped once 32 MiB of
// answers wait for it: one line on stderr, sipnab exits; no memory growth.
async function stdioNotReading() {
  const io = rawStdio();
  io.child.stdout.pause();
  io.child.stdout.removeAllListeners("data");
  const exited = new Promise((res) => io.child.on("exit", (code) => res(code)));
  const list = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }) + "\n";
  let stop = false;
  exited.then(() => { stop = true; });
  const block = list.repeat(50);
  for (let i = 0; i < 20000 && !stop; i++) {
    if (!io.child.stdin.write(block))
      await new Promise((r) => {
        const done = () => { io.child.stdin.off("drain", done); clearTimeout(t); r(); };
        const t = setTimeout(done, 200);
        io.child.stdin.on("drain", done);
      });
  }
  const code = await Promise.race([exited, sleep(30000).then(() => "still running")]);
  check(code !== "still running" && /not reading its answers/.test(io.stderr()),
    `stdio: a client that does not read is dropped (exit ${code}): ` +
    `${(io.stderr().match(/sipnab-api: the MCP client is not reading[^\n]*/) ?? ["no such line"])[0]}`);
  io.child.kill("SIGKILL");
}

async function main() {
  console.log(`@modelcontextprotocol/sdk ${sdkVersion}, capture ${capture}`);
  // No request rate limit: the SDK's calls come faster than 100/s at times
  // (it_check_api tests the limit).
  const server = spawn(sipnab, ["-c", "/dev/null", "-q", "-N", "-I", capture, "--api",
    `127.0.0.1:${PORT}`, "--api-key", KEY, "-o", "http.rate_limit=0"], { stdio: ["ignore", "ignore", "inherit"] });
  children.push(server);
  try {
    const total = await waitForFeed();
    const restFailed = (await restAll(`&filter=${encodeURIComponent(FAILED)}`)).map((d) => d.call_id);
    const restAllIds = (await restAll("")).map((d) => d.call_id);
    const ws = wiresharkFailed();
    console.log(`REST: ${total} dialogs, ${restFailed.length} failed; Wireshark: ${ws ?? "no tshark"} failed`);
    if (ws !== null) check(ws === restFailed.length, `Wireshark's failed calls (${ws}) = REST's (${restFailed.length})`);

    const http = new Client({ name: "sipnab-test", version: "1" });
    await http.connect(new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`),
      { requestInit: { headers: { Authorization: `Bearer ${KEY}` } } }));
    check(http.getServerVersion()?.name === "sipnab", "HTTP: initialized with sipnab");
    await exercise(http, "HTTP", restFailed, restAllIds);
    await http.close();

    let refused = false;
    try {
      const anon = new Client({ name: "anon", version: "1" });
      await anon.connect(new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`)));
    } catch (e) {
      refused = /401|nauthori/.test(String(e));
    }
    check(refused, "HTTP: a client without the key is refused (401)");

    await hostileHttp();
    await modernHttp(restFailed, total);

    if (!flags.includes("--no-stdio")) {
      const stdio = new Client({ name: "sipnab-test", version: "1" });
      const transport = new StdioClientTransport({ command: sipnab,
        args: ["-c", "/dev/null", "-q", "-N", "-I", capture, "--mcp"], stderr: "pipe" });
      // -N's message lines go to stderr with --mcp: pass on only the logs.
      transport.stderr.on("data", (d) => String(d).split("\n")
        .filter((l) => l.startsWith("sipnab")).forEach((l) => console.error(l)));
      await stdio.connect(transport);
      // stdio serves as soon as it starts: wait for the whole capture too.
      for (let i = 0; i < 200; i++) {
        const s = await stdio.callTool({ name: "get_stats", arguments: {} });
        if (wholeCapture(s.structuredContent.dialogs)) break;
        await sleep(250);
      }
      await exercise(stdio, "stdio", restFailed, restAllIds);
      await stdio.close();
      await modernStdio(total);
      await stdioNotReading();
    }
  } finally {
    server.kill("SIGTERM");
  }
  console.log(failures ? `${failures} check(s) failed:\n${failedChecks.map((f) => `FAIL: ${f}`).join("\n")}` :
    "all checks passed");
  process.exit(failures ? 1 : 0);
}

main().catch((e) => {
  console.error("FAIL:", e);
  process.exit(1);
});
