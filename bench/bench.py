#!/usr/bin/env python3
"""The TrustHub benchmark driver (run through bench/run.sh, which builds and installs first).

Starts the release server on fresh stores — SQLite files in temporary directories and
PostgreSQL databases on the local server — loads data through the HTTP API and the
operator API, drives a load generator (wrk or oha) against it, prints a table per store
next to the targets and the stores side by side, and writes bench/results.json. Python
standard library, plus `cryptography` to seal the deep page token, and the `psql` command.

Environment (all optional):
  BENCH_DURATION     seconds per measured run (default 10)
  BENCH_WARMUP       seconds of warm-up before each measured run (default 2)
  BENCH_CONNECTIONS  concurrent connections (default 32)
  BENCH_ROWS         EndUsers in the deep-list store (default 1000000)
  BENCH_DEPTH        page of the deep-list run (default 10000; PageSize 50)
  BENCH_STARTUP_RUNS start-up runs per store, median reported (default 5)
  BENCH_SERVER_ARGS  extra `trusthub serve` flags, e.g. "--request-log 0"
  BENCH_ONLY         comma list of phases to run: startup,api,ceiling,list,inspector
                     (default all; inspector: fetch with the request inspector on and off,
                     BENCH_INSPECTOR_ROUNDS interleaved pairs, default 2, first store only)
  BENCH_STORES       comma list of stores: sqlite,postgres (default both)
  BENCH_POSTGRES     the PostgreSQL server (default postgres://postgres@127.0.0.1:5432)
"""

import base64
import hashlib
import http.client
import json
import os
import platform
import re
import shlex
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
SERVER_BIN = os.environ.get("BENCH_SERVER_BIN", os.path.join(ROOT, "target/release/trusthub"))
CEILING_BIN = os.environ.get(
    "BENCH_CEILING_BIN", os.path.join(BENCH, "ceiling/target/release/ceiling")
)
LOADGEN = os.environ["BENCH_LOADGEN"]  # "wrk" or "oha", chosen by run.sh
LOADGEN_BIN = os.environ["BENCH_LOADGEN_BIN"]

DURATION = int(os.environ.get("BENCH_DURATION", "10"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
DEPTH = int(os.environ.get("BENCH_DEPTH", "10000"))
PAGE_SIZE = 50
STARTUP_RUNS = int(os.environ.get("BENCH_STARTUP_RUNS", "5"))
SERVER_ARGS = shlex.split(os.environ.get("BENCH_SERVER_ARGS", ""))
ONLY = set(filter(None, os.environ.get("BENCH_ONLY", "startup,api,ceiling,list,inspector").split(",")))
INSPECTOR_ROUNDS = int(os.environ.get("BENCH_INSPECTOR_ROUNDS", "2"))
STORES = [x for x in os.environ.get("BENCH_STORES", "sqlite,postgres").split(",") if x]
PG_SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")

ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
AUTH_TOKEN = "0123456789abcdef0123456789abcdef"
ADMIN_TOKEN = "adm1n0123456789abcdef0123456789ab"
BASIC = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
PRIMARY = "RN6433641899984f951173ef1738c3bdd0"
SECONDARY = "RNdfbf3fae0e1107f8aded0e7cead80bf5"

BUSINESS_INFORMATION = {
    "business_name": "Acme Inc",
    "business_identity": "isv_reseller_or_partner",
    "business_type": "Corporation",
    "business_industry": "TECHNOLOGY",
    "business_registration_identifier": "USA: Employer Identification Number (EIN)",
    "business_registration_number": "123456789",
    "business_regions_of_operation": "USA_AND_CANADA",
    "website_url": "https://acme.example.com",
    "social_media_profile_urls": "",
}
REPRESENTATIVE = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@acme.example.com",
    "phone_number": "+15555550100",
    "business_title": "CEO",
    "job_position": "CEO",
}

TARGETS = {
    "fetch": "≥ 25,000 req/s, ≥ 50% of ceiling, p99 ≤ 5 ms",
    "create": "≥ 5,000 req/s, p99 ≤ 20 ms",
    "evaluate": "≥ 5,000 req/s",
    "list_page_1": "(reference for the deep page)",
    "list_deep": "req/s within 20% of page 1, p99 ≤ 5 ms",
    "ceiling": "(machine ceiling)",
    "startup_empty": "≤ 100 ms",
    "startup_1m": "≤ 500 ms",
    "rss_idle": "≤ 50 MB",
    "rss_load": "≤ 200 MB",
}


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- processes


def proc_status(pid):
    """VmRSS and VmHWM of a process, in kB."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM"):
                    out[k] = int(v.split()[0])
    except FileNotFoundError:
        pass
    return out


class Process:
    """A server started with `--listen 127.0.0.1:0`: its first stdout line names the address."""

    def __init__(self, argv, env=None, log_path=None):
        self.t0 = time.perf_counter()
        self.log = open(log_path or os.devnull, "ab")
        self.p = subprocess.Popen(
            argv, env=env, stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL
        )
        line = self.p.stdout.readline().decode()
        m = re.search(r"http://(\S+)", line)
        if not m:
            self.p.kill()
            raise SystemExit(f"no address in the first output line of {argv[0]}: {line!r}")
        self.hostport = m.group(1).rstrip("/")
        self.host, port = self.hostport.rsplit(":", 1)
        self.port = int(port)
        # Keep draining stdout so the server never blocks on a full pipe.
        threading.Thread(target=self.p.stdout.read, daemon=True).start()

    @property
    def pid(self):
        return self.p.pid

    def base(self):
        return f"http://{self.hostport}"

    def wait_healthy(self, timeout=60):
        """Polls /healthz; returns the seconds from process start to the first 200."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            try:
                c = http.client.HTTPConnection(self.host, self.port, timeout=5)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    return time.perf_counter() - self.t0
                c.close()
            except OSError:
                pass
            if self.p.poll() is not None:
                raise SystemExit(f"server exited with {self.p.returncode} before /healthz")
            time.sleep(0.0005)
        raise SystemExit("server never answered /healthz")

    def rss(self):
        return proc_status(self.pid)

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()


def start_server(data_dir, store=None, extra_args=()):
    store = store or SqliteStore(data_dir)
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("TRUSTHUB_"):
            del env[k]
    env.update(
        TRUSTHUB_ACCOUNT_SID=ACCOUNT_SID,
        TRUSTHUB_AUTH_TOKEN=AUTH_TOKEN,
        TRUSTHUB_ADMIN_TOKEN=ADMIN_TOKEN,
    )
    argv = [
        SERVER_BIN,
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--database-url",
        store.url(),
        *SERVER_ARGS,
        *extra_args,
    ]
    return Process(argv, env=env, log_path=os.path.join(data_dir, "server.log"))


def cpu_seconds(pid):
    """User + system CPU seconds a process has used so far."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (FileNotFoundError, IndexError, ValueError):
        return 0.0


class RssSampler:
    """Samples VmRSS every 50 ms while a load run goes on; `peak_kb` is the largest seen."""

    def __init__(self, pid):
        self.pid, self.peak_kb, self.stop_ev = pid, 0, threading.Event()
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop_ev.is_set():
            s = proc_status(self.pid)
            self.peak_kb = max(self.peak_kb, s.get("VmRSS", 0))
            self.stop_ev.wait(0.05)

    def stop(self):
        self.stop_ev.set()
        self.t.join()
        s = proc_status(self.pid)
        self.peak_kb = max(self.peak_kb, s.get("VmRSS", 0))
        return self.peak_kb


# --------------------------------------------------------------------------- HTTP set-up


class Client:
    def __init__(self, proc):
        self.conn = http.client.HTTPConnection(proc.host, proc.port, timeout=30)

    def call(self, method, path, form=None, auth=BASIC):
        headers = {"Authorization": auth}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        r = self.conn.getresponse()
        raw = r.read()
        return r.status, (json.loads(raw) if raw else None), raw

    def ok(self, method, path, form=None, want=200, auth=BASIC):
        status, body, raw = self.call(method, path, form, auth)
        if status != want:
            raise SystemExit(f"{method} {path} {form} -> {status} (wanted {want}): {raw[:500]!r}")
        return body

    def admin(self, method, path, form=None, want=200):
        return self.ok(method, path, form, want, auth=f"Bearer {ADMIN_TOKEN}")

    def end_user(self, type_name, attributes):
        form = {"FriendlyName": "eu", "Type": type_name, "Attributes": json.dumps(attributes)}
        return self.ok("POST", "/v1/EndUsers", form, 201)["sid"]

    def address_document(self):
        ad = self.ok(
            "POST",
            f"/2010-04-01/Accounts/{ACCOUNT_SID}/Addresses.json",
            {
                "CustomerName": "Acme Inc",
                "Street": "1 Main St",
                "City": "San Francisco",
                "Region": "CA",
                "PostalCode": "94105",
                "IsoCountry": "US",
            },
            201,
        )["sid"]
        form = {
            "FriendlyName": "doc",
            "Type": "customer_profile_address",
            "Attributes": json.dumps({"address_sids": ad}),
        }
        return self.ok("POST", "/v1/SupportingDocuments", form, 201)["sid"]

    def assign(self, bundle, obj):
        self.ok(
            "POST", f"/v1/CustomerProfiles/{bundle}/EntityAssignments", {"ObjectSid": obj}, 201
        )

    def complete_business_profile(self, bu):
        eu = self.end_user("customer_profile_business_information", BUSINESS_INFORMATION)
        rep = self.end_user("authorized_representative_1", REPRESENTATIVE)
        rd = self.address_document()
        for o in (eu, rep, rd):
            self.assign(bu, o)

    def wait_status(self, bu, want):
        for _ in range(400):
            if self.ok("GET", f"/v1/CustomerProfiles/{bu}")["status"] == want:
                return
            time.sleep(0.01)
        raise SystemExit(f"{bu} never reached {want}")

    def approved_primary(self):
        bu = self.admin(
            "POST",
            f"/admin/v1/Accounts/{ACCOUNT_SID}/CustomerProfiles",
            {"FriendlyName": "Parent Inc", "Email": "ops@parent.example.com", "PolicySid": PRIMARY},
            201,
        )["sid"]
        self.complete_business_profile(bu)
        self.ok("POST", f"/v1/CustomerProfiles/{bu}", {"Status": "pending-review"}, 200)
        self.wait_status(bu, "in-review")
        self.admin("POST", f"/admin/v1/Reviews/{bu}", {"Decision": "approve"}, 200)
        self.wait_status(bu, "twilio-approved")
        return bu

    def complete_secondary(self, primary):
        bu = self.ok(
            "POST",
            "/v1/CustomerProfiles",
            {"FriendlyName": "Acme", "Email": "ops@acme.com", "PolicySid": SECONDARY},
            201,
        )["sid"]
        self.complete_business_profile(bu)
        self.assign(bu, primary)
        return bu


# --------------------------------------------------------------------------- load generator


def run_load(url, method="GET", body=None, duration=None, auth=BASIC):
    """One load-generator run; returns req/s, p50/p99 (ms) and error counts."""
    duration = duration or DURATION
    if LOADGEN == "wrk":
        env = dict(os.environ, BENCH_METHOD=method, BENCH_AUTH=auth or "", BENCH_BODY=body or "")
        threads = min(CONNECTIONS, max(1, os.cpu_count() or 1))
        argv = [
            LOADGEN_BIN,
            f"-t{threads}",
            f"-c{CONNECTIONS}",
            f"-d{duration}s",
            "--timeout",
            "5s",
            "-s",
            os.path.join(BENCH, "wrk.lua"),
            url,
        ]
        out = subprocess.run(argv, env=env, capture_output=True, text=True)
        m = re.search(r"^BENCH_JSON (.*)$", out.stdout, re.M)
        if out.returncode != 0 or not m:
            raise SystemExit(f"wrk failed ({out.returncode}): {out.stdout}\n{out.stderr}")
        j = json.loads(m.group(1))
        secs = j["duration_us"] / 1e6
        transport = j["connect_errors"] + j["read_errors"] + j["write_errors"] + j["timeouts"]
        return {
            "requests": j["requests"],
            "rps": j["requests"] / secs,
            "p50_ms": j["p50_us"] / 1000,
            "p90_ms": j["p90_us"] / 1000,
            "p99_ms": j["p99_us"] / 1000,
            "max_ms": j["max_us"] / 1000,
            "errors": transport + j["status_errors"],
            "non_2xx": j["status_errors"],
            "transport_errors": transport,
        }
    # oha
    argv = [LOADGEN_BIN, "--no-tui", "-z", f"{duration}s", "-c", str(CONNECTIONS), "-m", method]
    if auth:
        argv += ["-H", f"Authorization: {auth}"]
    if body:
        argv += ["-T", "application/x-www-form-urlencoded", "-d", body]
    out = subprocess.run(argv + ["--output-format", "json", url], capture_output=True, text=True)
    if out.returncode != 0 and "output-format" in out.stderr:
        out = subprocess.run(argv + ["--json", url], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"oha failed ({out.returncode}): {out.stderr}")
    j = json.loads(out.stdout)
    codes = {int(k): v for k, v in j.get("statusCodeDistribution", {}).items()}
    # Requests still in flight at the deadline are cut by oha itself: not server errors.
    transport = sum(
        v for k, v in j.get("errorDistribution", {}).items() if "deadline" not in k.lower()
    )
    non_2xx = sum(v for k, v in codes.items() if not 200 <= k < 400)
    done = sum(codes.values())
    pct = j.get("latencyPercentiles", {})
    return {
        "requests": done,
        "rps": j["summary"]["requestsPerSec"],
        "p50_ms": (pct.get("p50") or 0) * 1000,
        "p90_ms": (pct.get("p90") or 0) * 1000,
        "p99_ms": (pct.get("p99") or 0) * 1000,
        "max_ms": (j["summary"].get("slowest") or 0) * 1000,
        "errors": transport + non_2xx,
        "non_2xx": non_2xx,
        "transport_errors": transport,
    }


def measure(name, proc, path, method="GET", body=None, auth=BASIC):
    url = proc.base() + path
    if WARMUP > 0:
        run_load(url, method, body, duration=WARMUP, auth=auth)
    log(f"{name}: {DURATION} s, {CONNECTIONS} connections, {method} {path[:90]}")
    sampler = RssSampler(proc.pid)
    cpu0, t0 = cpu_seconds(proc.pid), time.perf_counter()
    r = run_load(url, method, body, auth=auth)
    cpu1, t1 = cpu_seconds(proc.pid), time.perf_counter()
    r["rss_peak_mb"] = sampler.stop() / 1024
    # Server CPU in cores (2.0 = both cores of a 2-CPU machine busy with the server alone).
    r["server_cpu_cores"] = round((cpu1 - cpu0) / (t1 - t0), 2)
    # Server CPU time per request: the figure least moved by other work on the machine.
    r["server_cpu_us_per_req"] = round((cpu1 - cpu0) * 1e6 / max(1, r["requests"]), 1)
    r["method"], r["path"] = method, path
    log(
        f"{name}: {r['rps']:,.0f} req/s  p50 {r['p50_ms']:.2f} ms  p99 {r['p99_ms']:.2f} ms  "
        f"errors {r['errors']}  RSS peak {r['rss_peak_mb']:.1f} MB  server CPU {r['server_cpu_cores']:.2f} cores, {r['server_cpu_us_per_req']:.0f} µs/req"
    )
    return r


# --------------------------------------------------------------------------- phases


def startup_runs(data_dir_factory, store=None):
    times = []
    for _ in range(STARTUP_RUNS):
        d = data_dir_factory()
        p = start_server(d, store)
        try:
            times.append(p.wait_healthy() * 1000)
        finally:
            p.stop()
    return {"median_ms": statistics.median(times), "runs_ms": [round(t, 1) for t in times]}


def mb(kb):
    return round(kb / 1024, 1)


# --------------------------------------------------------------------------- stores

ENTITY_INSERT_COLUMNS = "sid, account_sid, kind, type_name, friendly_name, attributes, date_created, date_updated"


def bulk_rows(n):
    now = int(time.time())
    attrs = json.dumps(REPRESENTATIVE, separators=(",", ":"))
    for i in range(n):
        yield (
            "IT" + hashlib.md5(b"bench-eu-%d" % i).hexdigest(),
            ACCOUNT_SID,
            "end_user",
            "authorized_representative_1",
            f"Bulk User {i}",
            attrs,
            now,
            now,
        )


class SqliteStore:
    """A SQLite file in the run's directory."""

    name = "sqlite"

    def __init__(self, d):
        self.d, self.db = d, os.path.join(d, "th.db")

    def url(self):
        return f"sqlite://{self.db}"

    def query(self, sql, args=()):
        con = sqlite3.connect(self.db)
        try:
            return con.execute(sql.replace("%s", "?"), args).fetchall()
        finally:
            con.close()

    def columns(self, table):
        return {r[1] for r in self.query(f"PRAGMA table_info({table})")}

    def insert_end_users(self, n):
        con = sqlite3.connect(self.db)
        con.execute("PRAGMA synchronous=OFF")
        con.execute("PRAGMA cache_size=-524288")
        with con:
            con.executemany(
                f"INSERT INTO entities ({ENTITY_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                bulk_rows(n),
            )
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()

    def size_mb(self):
        return round(os.path.getsize(self.db) / 2**20, 1)

    def drop(self):
        pass


class PgStore:
    """A fresh database on the PostgreSQL server, dropped at the end."""

    name = "postgres"
    counter = 0

    def __init__(self, d):
        PgStore.counter += 1
        self.d = d
        self.name_db = f"trusthub_bench_{os.getpid()}_{PgStore.counter}"
        self.psql(f"{PG_SERVER}/postgres", f"DROP DATABASE IF EXISTS {self.name_db}")
        self.psql(f"{PG_SERVER}/postgres", f"CREATE DATABASE {self.name_db}")

    def url(self):
        return f"{PG_SERVER}/{self.name_db}"

    @staticmethod
    def psql(url, sql, stdin=None):
        out = subprocess.run(
            ["psql", url, "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
            input=stdin, capture_output=True, text=True,
        )
        if out.returncode != 0:
            raise SystemExit(f"psql {sql[:80]}: {out.stderr}")
        return out.stdout

    def query(self, sql, args=()):
        for a in args:  # numbers and SIDs only
            sql = sql.replace("%s", str(a) if isinstance(a, int) else f"'{a}'", 1)
        rows = []
        for line in self.psql(self.url(), sql).splitlines():
            rows.append(tuple(int(v) if v.lstrip("-").isdigit() else v for v in line.split("\t")))
        return rows

    def columns(self, table):
        return {r[0] for r in self.query(
            f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}'")}

    def insert_end_users(self, n):
        def esc(v):
            return str(v).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        data = "".join("\t".join(esc(v) for v in row) + "\n" for row in bulk_rows(n))
        self.psql(self.url(), f"COPY entities ({ENTITY_INSERT_COLUMNS}) FROM STDIN", stdin=data)
        self.psql(self.url(), "VACUUM ANALYZE entities")

    def size_mb(self):
        return round(int(self.query(f"SELECT pg_database_size('{self.name_db}')")[0][0]) / 2**20, 1)

    def drop(self):
        self.psql(f"{PG_SERVER}/postgres", f"DROP DATABASE IF EXISTS {self.name_db} WITH (FORCE)")


def new_store(kind, d):
    return SqliteStore(d) if kind == "sqlite" else PgStore(d)


def phase_api(tmp, results, kind):
    d = os.path.join(tmp, f"api-{kind}")
    os.makedirs(d)
    store = new_store(kind, d)
    p = start_server(d, store)
    try:
        p.wait_healthy()
        c = Client(p)
        log("loading data: approved Primary + complete Secondary Customer Profile")
        primary = c.approved_primary()
        secondary = c.complete_secondary(primary)
        ev = c.ok(
            "POST", f"/v1/CustomerProfiles/{secondary}/Evaluations", {"PolicySid": SECONDARY}, 201
        )
        if ev["status"] != "compliant":
            raise SystemExit(f"the Secondary profile is not compliant: {ev}")
        _, _, fetch_body = c.call("GET", f"/v1/CustomerProfiles/{secondary}")
        c.conn.close()
        time.sleep(1)
        results["rss_idle_mb"] = mb(p.rss().get("VmRSS", 0))
        log(f"idle RSS {results['rss_idle_mb']} MB")

        results["fetch"] = measure("fetch", p, f"/v1/CustomerProfiles/{secondary}")
        results["fetch"]["body_bytes"] = len(fetch_body)
        attrs = json.dumps(REPRESENTATIVE)
        results["create"] = measure(
            "create",
            p,
            "/v1/EndUsers",
            "POST",
            urllib.parse.urlencode(
                {"FriendlyName": "Bench User", "Type": "authorized_representative_1", "Attributes": attrs}
            ),
        )
        results["evaluate"] = measure(
            "evaluate",
            p,
            f"/v1/CustomerProfiles/{secondary}/Evaluations",
            "POST",
            urllib.parse.urlencode({"PolicySid": SECONDARY}),
        )
        time.sleep(1)
        st = p.rss()
        results["rss_after_load_mb"] = mb(st.get("VmRSS", 0))
        results["rss_hwm_api_mb"] = mb(st.get("VmHWM", 0))
    finally:
        p.stop()
        store.drop()
    return fetch_body


def phase_inspector(tmp, results, kind):
    """What the request inspector costs the hot path: fetch with the default inspector and
    with `--request-log 0`, in interleaved pairs (other work on the machine moves both)."""
    runs = {"on": [], "off": []}
    for i in range(INSPECTOR_ROUNDS):
        for label, args in (("on", ()), ("off", ("--request-log", "0"))):
            d = os.path.join(tmp, f"inspector-{kind}-{i}-{label}")
            os.makedirs(d)
            store = new_store(kind, d)
            p = start_server(d, store, args)
            try:
                p.wait_healthy()
                c = Client(p)
                secondary = c.complete_secondary(c.approved_primary())
                c.conn.close()
                runs[label].append(
                    measure(f"fetch, inspector {label}", p, f"/v1/CustomerProfiles/{secondary}")
                )
            finally:
                p.stop()
                store.drop()
    mean = lambda xs, k: round(sum(x[k] for x in xs) / len(xs), 1)
    results["inspector"] = {
        label: {"rps": mean(xs, "rps"), "server_cpu_us_per_req": mean(xs, "server_cpu_us_per_req"),
                "runs_rps": [round(x["rps"]) for x in xs]}
        for label, xs in runs.items()
    }


def inspector_line(r):
    x = r.get("inspector")
    if not x:
        return ""
    on, off = x["on"], x["off"]
    cost = on["server_cpu_us_per_req"] - off["server_cpu_us_per_req"]
    return (
        f"request inspector (fetch, {INSPECTOR_ROUNDS} interleaved pairs): on {on['rps']:,.0f} req/s "
        f"{on['server_cpu_us_per_req']:.0f} µs/req {on['runs_rps']}, off (--request-log 0) "
        f"{off['rps']:,.0f} req/s {off['server_cpu_us_per_req']:.0f} µs/req {off['runs_rps']}; "
        f"costs {cost:.0f} µs/req ({(1 - on['rps'] / off['rps']) * 100:.0f}% of throughput)"
    )


def phase_ceiling(tmp, results, fetch_body):
    f = os.path.join(tmp, "fetch-body.json")
    with open(f, "wb") as out:
        out.write(fetch_body)
    p = Process([CEILING_BIN, "127.0.0.1:0", f])
    try:
        p.wait_healthy()
        results["ceiling"] = measure("ceiling", p, "/v1/CustomerProfiles/static")
        results["ceiling"]["body_bytes"] = len(fetch_body)
    finally:
        p.stop()


ENTITY_COLUMNS = {
    "seq",
    "sid",
    "account_sid",
    "kind",
    "type_name",
    "friendly_name",
    "attributes",
    "date_created",
    "date_updated",
}


def page_token_after(key_hex, seq):
    """The server's `PA` cursor (src/http/page.rs): the position sealed with AES-256-GCM
    under the store's paging key, bound to the account and list, nonce derived as there."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key = bytes.fromhex(key_hex)
    aad = f"PA {ACCOUNT_SID} /v1/EndUsers".encode()
    msg = seq.to_bytes(8, "big", signed=True)
    nonce = hashlib.sha256(key + aad + msg).digest()[:12]
    sealed = AESGCM(key).encrypt(nonce, msg, aad)
    return "PA" + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def phase_list(tmp, results, kind):
    d = os.path.join(tmp, f"list-{kind}")
    os.makedirs(d)
    store = new_store(kind, d)
    try:
        list_on(d, store, results)
    finally:
        store.drop()


def list_on(d, store, results):
    p = start_server(d, store)  # creates the schema and the bootstrap account
    p.wait_healthy()
    p.stop()
    if store.columns("entities") != ENTITY_COLUMNS:
        raise SystemExit(f"entities schema changed ({sorted(store.columns('entities'))}): update bench/bench.py")
    log(f"inserting {ROWS:,} EndUsers into the {store.name} store with the server stopped")
    t = time.perf_counter()
    store.insert_end_users(ROWS)
    results["db_mb_1m"] = store.size_mb()
    log(f"inserted in {time.perf_counter() - t:.1f} s ({results['db_mb_1m']:.0f} MB)")

    def row_at(offset):
        return store.query(
            "SELECT seq, sid FROM entities WHERE account_sid = %s AND kind = 'end_user'"
            " ORDER BY seq LIMIT 1 OFFSET %s",
            (ACCOUNT_SID, offset),
        )[0]

    if "startup" in ONLY:
        log(f"start-up with {ROWS:,} rows: {STARTUP_RUNS} runs")
        results["startup_1m"] = startup_runs(lambda: d, store)
        log(f"start-up with {ROWS:,} rows: median {results['startup_1m']['median_ms']:.1f} ms")

    key = store.query("SELECT value FROM secrets WHERE name = 'page_token_key'")[0][0]
    p = start_server(d, store)
    try:
        p.wait_healthy()
        c = Client(p)
        # The deep token, built the way the server builds it, checked against the server's own.
        seq50, _ = row_at(PAGE_SIZE - 1)
        first = c.ok("GET", f"/v1/EndUsers?PageSize={PAGE_SIZE}")
        q = urllib.parse.parse_qs(urllib.parse.urlparse(first["meta"]["next_page_url"]).query)
        if q["PageToken"][0] != page_token_after(key, seq50):
            raise SystemExit(
                f"PageToken format changed: server {q['PageToken'][0]}, bench {page_token_after(key, seq50)}"
            )
        seq_deep, _ = row_at(DEPTH * PAGE_SIZE - 1)
        _, want_sid = row_at(DEPTH * PAGE_SIZE)
        token = page_token_after(key, seq_deep)
        deep_path = f"/v1/EndUsers?PageSize={PAGE_SIZE}&Page={DEPTH}&PageToken={token}"
        deep = c.ok("GET", deep_path)
        if deep["results"][0]["sid"] != want_sid or len(deep["results"]) != PAGE_SIZE:
            raise SystemExit(f"deep page starts at {deep['results'][0]['sid']}, wanted {want_sid}")
        c.conn.close()
        time.sleep(1)
        results["rss_idle_1m_mb"] = mb(p.rss().get("VmRSS", 0))
        results["list_page_1"] = measure("list page 1", p, f"/v1/EndUsers?PageSize={PAGE_SIZE}")
        results["list_deep"] = measure(f"list page {DEPTH}", p, deep_path)
        results["list_deep"]["page_token"] = token
        results["rss_hwm_list_mb"] = mb(p.rss().get("VmHWM", 0))
    finally:
        p.stop()


# --------------------------------------------------------------------------- report


def cpu_busy(seconds=1.0):
    """Share of all CPUs busy over `seconds` (before the bench starts anything: other work)."""

    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + (v[4] if len(v) > 4 else 0)
        return sum(v), idle

    t1, i1 = sample()
    time.sleep(seconds)
    t2, i2 = sample()
    return round(1 - (i2 - i1) / max(1, t2 - t1), 3)


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = 0
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1])
    except OSError:
        pass
    lg = subprocess.run([LOADGEN_BIN, "--version"], capture_output=True, text=True)
    lg_text = (lg.stdout or lg.stderr).strip()
    lg_version = lg_text.splitlines()[0] if lg_text else LOADGEN
    lg_version = re.sub(r"\s*\[.*$|\s*Copyright.*$", "", lg_version)
    if LOADGEN not in lg_version:
        lg_version = f"{LOADGEN} {lg_version}"
    return {
        "cpu_busy_before_start": cpu_busy(),
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(mem / 2**20, 1),
        "kernel": platform.release(),
        "load_generator": lg_version,
    }


def verdicts(r):
    v = {}

    def put(key, ok):
        if ok is not None:
            v[key] = "ok" if ok else "MISS"

    f, ce = r.get("fetch"), r.get("ceiling")
    if f:
        ok = f["rps"] >= 25000 and f["p99_ms"] <= 5 and f["errors"] == 0
        if ce:
            f["fraction_of_ceiling"] = round(f["rps"] / ce["rps"], 3)
            ok = ok and f["fraction_of_ceiling"] >= 0.5
        put("fetch", ok)
    if r.get("create"):
        c = r["create"]
        put("create", c["rps"] >= 5000 and c["p99_ms"] <= 20 and c["errors"] == 0)
    if r.get("evaluate"):
        e = r["evaluate"]
        put("evaluate", e["rps"] >= 5000 and e["errors"] == 0)
    if r.get("list_deep") and r.get("list_page_1"):
        a, b = r["list_page_1"], r["list_deep"]
        b["ratio_to_page_1"] = round(b["rps"] / a["rps"], 3)
        put("list_deep", b["ratio_to_page_1"] >= 0.8 and b["p99_ms"] <= 5 and b["errors"] == 0)
    if "startup_empty" in r:
        put("startup_empty", r["startup_empty"]["median_ms"] <= 100)
    if "startup_1m" in r:
        put("startup_1m", r["startup_1m"]["median_ms"] <= 500)
    idle = [r[k] for k in ("rss_idle_mb", "rss_idle_1m_mb") if k in r]
    if idle:
        r["rss_idle_max_mb"] = max(idle)
        put("rss_idle", max(idle) <= 50)
    load = [r[k]["rss_peak_mb"] for k in ("fetch", "create", "evaluate", "list_page_1", "list_deep") if k in r]
    load += [r[k] for k in ("rss_hwm_api_mb", "rss_hwm_list_mb") if k in r]
    if load:
        r["rss_load_max_mb"] = round(max(load), 1)
        put("rss_load", max(load) <= 200)
    return v


def table(m, r, v):
    lines = [
        f"Machine: {m['nproc']} CPUs, {m['cpu_model']}, {m['memory_gb']} GB, Linux {m['kernel']}; "
        f"load generator {m['load_generator']} on the same machine; "
        f"CPU busy before start {m['cpu_busy_before_start'] * 100:.0f}%"
        + ("  (WARNING: other work was running: figures are low)" if m["cpu_busy_before_start"] > 0.1 else ""),
        f"Runs: {DURATION} s each after {WARMUP} s warm-up, {CONNECTIONS} connections"
        + (f"; server args {' '.join(SERVER_ARGS)}" if SERVER_ARGS else ""),
        "",
    ]
    hdr = f"{'benchmark':<22}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'RSS MB':>8}{'CPU':>6}{'µs/req':>8}  {'verdict':<7} target"
    lines += [hdr, "-" * len(hdr)]
    names = [
        ("fetch", "fetch"),
        ("ceiling", "ceiling (static axum)"),
        ("create", "create EndUser"),
        ("evaluate", "evaluate"),
        ("list_page_1", "list page 1"),
        ("list_deep", f"list page {DEPTH:,}"),
    ]
    for key, label in names:
        x = r.get(key)
        if not x:
            continue
        extra = ""
        if key == "fetch" and "fraction_of_ceiling" in x:
            extra = f"  [{x['fraction_of_ceiling'] * 100:.0f}% of ceiling]"
        if key == "list_deep" and "ratio_to_page_1" in x:
            extra = f"  [{x['ratio_to_page_1'] * 100:.0f}% of page 1]"
        lines.append(
            f"{label:<22}{x['rps']:>10,.0f}{x['p50_ms']:>9.2f}{x['p99_ms']:>9.2f}{x['errors']:>8}"
            f"{x['rss_peak_mb']:>8.1f}{x['server_cpu_cores']:>6.2f}{x['server_cpu_us_per_req']:>8.0f}  {v.get(key, ''):<7} {TARGETS[key]}{extra}"
        )
    lines.append(
        "(RSS MB: the server's peak VmRSS during the run; CPU: cores the server used, of "
        f"{os.cpu_count()}, the load generator using the rest; µs/req: server CPU time per request)"
    )
    lines.append("")
    for key, label in (("startup_empty", "start-up, empty store"), ("startup_1m", f"start-up, {ROWS:,} rows")):
        if key in r:
            x = r[key]
            lines.append(
                f"{label:<30}{x['median_ms']:>8.1f} ms median  {v.get(key, ''):<5} {TARGETS[key]}"
                f"   runs {x['runs_ms']}"
            )
    if "rss_idle_max_mb" in r:
        parts = []
        if "rss_idle_mb" in r:
            parts.append(f"{r['rss_idle_mb']} MB small store")
        if "rss_idle_1m_mb" in r:
            parts.append(f"{r['rss_idle_1m_mb']} MB {ROWS:,}-row store")
        lines.append(
            f"{'RSS idle':<30}{r['rss_idle_max_mb']:>8.1f} MB        {v.get('rss_idle', ''):<5} "
            f"{TARGETS['rss_idle']}   ({', '.join(parts)})"
        )
    if "rss_load_max_mb" in r:
        lines.append(
            f"{'RSS peak under load':<30}{r['rss_load_max_mb']:>8.1f} MB        "
            f"{v.get('rss_load', ''):<5} {TARGETS['rss_load']}   (VmRSS sampled every 50 ms, and VmHWM)"
        )
    return "\n".join(lines)


def side_by_side(r):
    """fetch, create, evaluate and the deep list on each store next to the ceiling."""
    kinds = [k for k in STORES if k in r]
    hdr = f"{'benchmark':<22}" + "".join(f"{k + ' req/s':>18}{'p99 ms':>9}" for k in kinds)
    lines = ["Stores side by side", hdr, "-" * len(hdr)]
    for key, label in (("fetch", "fetch"), ("create", "create EndUser"), ("evaluate", "evaluate"),
                       ("list_page_1", "list page 1"), ("list_deep", f"list page {DEPTH:,}")):
        cells = ""
        for k in kinds:
            x = r[k].get(key)
            cells += f"{x['rps']:>18,.0f}{x['p99_ms']:>9.2f}" if x else f"{'-':>18}{'-':>9}"
        lines.append(f"{label:<22}{cells}")
    if "ceiling" in r:
        lines.append(f"{'ceiling (static axum)':<22}{r['ceiling']['rps']:>18,.0f}{r['ceiling']['p99_ms']:>9.2f}")
    return "\n".join(lines)


def main():
    for b in (SERVER_BIN, CEILING_BIN, LOADGEN_BIN):
        if not os.access(b, os.X_OK) and not shutil.which(b):
            raise SystemExit(f"missing {b}: run bench/run.sh")
    started = time.time()
    m = machine()
    r = {}
    tmp = tempfile.mkdtemp(prefix="trusthub-bench-")
    try:
        if "startup" in ONLY:
            log(f"start-up with an empty store: {STARTUP_RUNS} runs (fresh directory each)")
            counter = iter(range(10**6))

            def fresh():
                d = os.path.join(tmp, f"startup-{next(counter)}")
                os.makedirs(d)
                return d

            r["startup_empty"] = startup_runs(fresh)
            log(f"start-up, empty store: median {r['startup_empty']['median_ms']:.1f} ms")
        fetch_body = None
        for kind in STORES:
            rs = r.setdefault(kind, {})
            if "api" in ONLY or "ceiling" in ONLY:
                fetch_body = phase_api(tmp, rs, kind) or fetch_body
            if "list" in ONLY:
                phase_list(tmp, rs, kind)
            if "inspector" in ONLY and kind == STORES[0]:
                phase_inspector(tmp, rs, kind)
        if "ceiling" in ONLY and fetch_body:
            phase_ceiling(tmp, r, fetch_body)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # Start-up with an empty store was measured on SQLite (a fresh file per run).
    if "startup_empty" in r and "sqlite" in r:
        r["sqlite"]["startup_empty"] = r.pop("startup_empty")
    v = {}
    texts = []
    for kind in STORES:
        merged = dict(r[kind], **({"ceiling": r["ceiling"]} if "ceiling" in r else {}))
        v[kind] = verdicts(merged)
        r[kind] = {k: x for k, x in merged.items() if k != "ceiling"}
        texts.append(f"Store: {kind}\n" + table(m, merged, v[kind]) + (
            "\n" + inspector_line(merged) if "inspector" in merged else ""))
    text = "\n\n".join(texts) + "\n\n" + side_by_side(r)
    print()
    print(text)
    out = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": m,
        "config": {
            "duration_s": DURATION,
            "warmup_s": WARMUP,
            "connections": CONNECTIONS,
            "rows": ROWS,
            "depth": DEPTH,
            "page_size": PAGE_SIZE,
            "startup_runs": STARTUP_RUNS,
            "server_args": SERVER_ARGS,
            "phases": sorted(ONLY),
        },
        "targets": TARGETS,
        "verdicts": v,
        "results": r,
        "wall_time_s": round(time.time() - started, 1),
    }
    path = os.environ.get("BENCH_RESULTS", os.path.join(BENCH, "results.json"))
    with open(path, "w") as f:
        json.dump(out, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"\nwrote {os.path.relpath(path, ROOT) if path.startswith(ROOT) else path} "
          f"({out['wall_time_s']} s)")


if __name__ == "__main__":
    main()
