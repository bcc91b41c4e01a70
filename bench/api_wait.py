#!/usr/bin/env python3
"""Time a sipnab --api run on a capture file (bench/run.sh, SIP-heavy table).

usage: api_wait.py PACKETS DIALOGS TIMEOUT SIPNAB [ARGS...]

Starts SIPNAB ARGS --api 127.0.0.1:PORT (PORT free, picked at run time) and
polls the API every 10 ms until /metrics says the capture has read PACKETS
packets (read_s: the capture's throughput) and then until /v1/stats holds
DIALOGS dialogs (held_s: when the last dialog reached the API). Prints
"read_s held_s rss_kib" (rss_kib: the capture process's peak RSS) and stops
sipnab with SIGINT. Exit 1 on a timeout or if sipnab exits early.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

KEY = "bench-key"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(base, path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + KEY})
    with urllib.request.urlopen(req, timeout=2) as r:
        return r.read().decode()


def capture_packets(base):
    for line in get(base, "/metrics").splitlines():
        f = line.split()
        if len(f) == 2 and f[0] == "sipnab_capture_packets_total":
            return int(float(f[1]))
    return -1


def held(base):
    return json.loads(get(base, "/v1/stats"))["dialogs"]["total"]


def hwm(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    if len(sys.argv) < 5:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    packets, dialogs, timeout = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = sys.argv[4:] + ["--api", f"127.0.0.1:{port}", "-o", "http.rate_limit=0"]
    env = dict(os.environ, SIPNAB_API_KEY=KEY)
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    read_s = held_s = None
    rss = 0
    try:
        while time.monotonic() - t0 < timeout:
            if p.poll() is not None:
                print(f"api_wait: sipnab exited with {p.returncode}", file=sys.stderr)
                return 1
            try:
                if read_s is None and capture_packets(base) == packets:
                    read_s = time.monotonic() - t0
                if read_s is not None and held(base) >= dialogs:
                    held_s = time.monotonic() - t0
                    break
            except (OSError, ValueError, KeyError):
                pass  # not up yet
            time.sleep(0.01)
        rss = hwm(p.pid)
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    if held_s is None:
        print(f"api_wait: timeout ({timeout:.0f} s): read_s={read_s}", file=sys.stderr)
        return 1
    print(f"{read_s:.4f} {held_s:.4f} {rss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
