#!/usr/bin/env python3
"""Profiles the server under one benchmark's load (run through bench/profile.sh).

  bench/profile.sh fetch|create|evaluate|list|list_deep [stat]

With `stat`, counts instead of sampling: context switches, futex calls (thread hand-offs),
sleeps (SQLite's busy handler sleeps while another connection holds the write lock) and
fsyncs, per request.

Starts the frame-pointer build of the server on a fresh store, loads the same data as
bench/run.sh, and samples it with `perf record -e cpu-clock -g` while the load generator
runs. Writes bench/.profiles/NAME.data and prints the hottest symbols (self time) and the
hottest call chains through the crate's own code (inclusive time).
"""

import os
import subprocess
import sys
import time
import urllib.parse
import json

import bench as b

SCENARIOS = ("fetch", "create", "evaluate", "list", "list_deep")


def target(name, tmp):
    """Starts a server with the scenario's data; returns (process, path, method, body)."""
    d = os.path.join(tmp, name)
    os.makedirs(d)
    if name in ("list", "list_deep"):
        store = b.SqliteStore(d)
        p = b.start_server(d, store)
        p.wait_healthy()
        p.stop()
        b.log(f"inserting {b.ROWS:,} EndUsers")
        store.insert_end_users(b.ROWS)
        p = b.start_server(d, store)
        p.wait_healthy()
        if name == "list":
            return p, f"/v1/EndUsers?PageSize={b.PAGE_SIZE}", "GET", None
        depth = min(b.DEPTH, b.ROWS // b.PAGE_SIZE - 1)
        (seq,), = store.query(
            "SELECT seq FROM entities WHERE account_sid = ? AND kind = 'end_user'"
            " ORDER BY seq LIMIT 1 OFFSET ?",
            (b.ACCOUNT_SID, depth * b.PAGE_SIZE - 1),
        )
        (key,), = store.query("SELECT value FROM secrets WHERE name = 'page_token_key'")
        token = b.page_token_after(key, seq)
        return p, f"/v1/EndUsers?PageSize={b.PAGE_SIZE}&Page={depth}&PageToken={token}", "GET", None
    p = b.start_server(d)
    p.wait_healthy()
    c = b.Client(p)
    primary = c.approved_primary()
    secondary = c.complete_secondary(primary)
    c.conn.close()
    if name == "fetch":
        return p, f"/v1/CustomerProfiles/{secondary}", "GET", None
    if name == "create":
        form = {
            "FriendlyName": "Bench User",
            "Type": "authorized_representative_1",
            "Attributes": json.dumps(b.REPRESENTATIVE),
        }
        return p, "/v1/EndUsers", "POST", urllib.parse.urlencode(form)
    return (
        p,
        f"/v1/CustomerProfiles/{secondary}/Evaluations",
        "POST",
        urllib.parse.urlencode({"PolicySid": b.SECONDARY}),
    )


def by_share(text):
    """perf's report lines, padding stripped, largest first."""
    lines = [l.rstrip(" -") for l in text.splitlines() if l.strip() and not l.startswith("#")]

    def share(l):
        try:
            return float(l.split("%")[0])
        except ValueError:
            return 0.0

    return sorted(lines, key=share, reverse=True)


STAT_EVENTS = [
    "context-switches",
    "syscalls:sys_enter_futex",
    "syscalls:sys_enter_nanosleep",
    "syscalls:sys_enter_clock_nanosleep",
    "syscalls:sys_enter_fsync",
    "syscalls:sys_enter_fdatasync",
]


def stat(name):
    import tempfile
    import shutil

    tmp = tempfile.mkdtemp(prefix="trusthub-profile-")
    try:
        p, path, method, body = target(name, tmp)
        try:
            b.run_load(p.base() + path, method, body, duration=2)  # warm-up
            perf = subprocess.Popen(
                ["perf", "stat", "-x", ",", "-e", ",".join(STAT_EVENTS), "-p", str(p.pid),
                 "--", "sleep", str(b.DURATION)],
                stderr=subprocess.PIPE, text=True,
            )
            time.sleep(0.1)
            cpu0 = b.cpu_seconds(p.pid)
            r = b.run_load(p.base() + path, method, body)
            cpu = b.cpu_seconds(p.pid) - cpu0
            _, err = perf.communicate()
        finally:
            p.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    n = max(1, r["requests"])
    print(f"== {name}: {r['rps']:,.0f} req/s  p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  "
          f"errors {r['errors']}; server CPU {cpu * 1e6 / n:.0f} µs/req")
    for line in err.splitlines():
        f = line.split(",")
        if len(f) > 2 and f[0].strip().replace(".", "").isdigit():
            print(f"  {f[2]:<40} {int(float(f[0])):>10,}  {float(f[0]) / n:8.2f} per request")


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    if name not in SCENARIOS:
        raise SystemExit(f"usage: bench/profile.sh {'|'.join(SCENARIOS)} [stat]")
    if sys.argv[2:] == ["stat"]:
        return stat(name)
    out_dir = os.path.join(b.BENCH, ".profiles")
    os.makedirs(out_dir, exist_ok=True)
    data = os.path.join(out_dir, f"{name}.data")
    import tempfile
    import shutil

    tmp = tempfile.mkdtemp(prefix="trusthub-profile-")
    try:
        p, path, method, body = target(name, tmp)
        try:
            b.run_load(p.base() + path, method, body, duration=2)  # warm-up
            perf = subprocess.Popen(
                ["perf", "record", "-q", "-e", "cpu-clock", "-F", "1999", "-g",
                 "-p", str(p.pid), "-o", data, "--", "sleep", str(b.DURATION)],
                stderr=subprocess.DEVNULL,
            )
            time.sleep(0.2)
            r = b.run_load(p.base() + path, method, body)
            perf.wait()
            b.log(
                f"{name} under perf: {r['rps']:,.0f} req/s  p50 {r['p50_ms']:.2f} ms  "
                f"p99 {r['p99_ms']:.2f} ms  errors {r['errors']}"
            )
        finally:
            p.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report = ["perf", "report", "-i", data, "--stdio", "--no-header", "-F", "overhead,sym"]
    flat = subprocess.run(
        report + ["--no-children", "--sort", "symbol", "-g", "none", "--percent-limit", "0.7"],
        capture_output=True, text=True,
    ).stdout
    print(f"\n== {name}: hottest symbols (self) ==")
    print("\n".join(by_share(flat)))
    incl = subprocess.run(
        ["perf", "report", "-i", data, "--stdio", "--no-header", "--children", "--sort", "symbol", "-g", "none", "--percent-limit", "2"],
        capture_output=True, text=True,
    ).stdout
    print(f"\n== {name}: inclusive time, the crate's own frames and the big subsystems ==")
    keep = ("trusthub", "sqlx", "serde_json", "sqlite3", "tracing", "hyper", "axum", "tokio")
    print("\n".join(l for l in by_share(incl) if any(k in l for k in keep)))
    print(f"\nfull data: {os.path.relpath(data)} (perf report -i {os.path.relpath(data)})")


if __name__ == "__main__":
    main()
