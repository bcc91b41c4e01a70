-- wrk script for bench/api.sh: bearer token, a fixed path, and a per-request
-- delay so that C connections give about C*1000/DELAY_MS requests/s (Debian's
-- wrk has no constant-rate mode).
local token = os.getenv("SIPNAB_API_KEY") or ""
local path = os.getenv("API_PATH") or "/v1/dialogs?limit=50"
local delay_ms = tonumber(os.getenv("API_DELAY_MS") or "10")

wrk.headers["Authorization"] = "Bearer " .. token

function request()
    return wrk.format("GET", path)
end

function delay()
    return delay_ms
end

function done(summary, latency, requests)
    local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
                   summary.errors.status + summary.errors.timeout
    io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f requests=%d errors=%d\n",
        summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000, summary.requests, errors))
end
