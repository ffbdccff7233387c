"""Runs every code block of README.md as a reader would paste it (issue 17).

Blocks are taken in order. A ```sh block that starts the server (`trusthub serve …` or
`cargo run --release -- serve …`) starts the real binary instead, with the block's
variables and flags plus `--listen 127.0.0.1:0 --ephemeral` (a free port, no files); every
later block runs against the server of the last such block. Other ```sh blocks run under
`bash -euo pipefail` with the binary's directory first on PATH (so `trusthub` is the one
under test); variables they export are kept for the blocks after them. ```python blocks
run with the client venv's python (twilio 9.x), ```js blocks with node and the client
tests' node_modules (twilio 6.x). The changes made to a block's text: the README's
`127.0.0.1:8080` becomes the test server's address, and the transparent-mode proxy's
`127.0.0.1:8888` a free port (so parallel runs do not collide). Blocks without a language or marked
```text (diagrams, layouts, printed output) are not code. A block preceded by `<!-- readme-test: skip: REASON -->` is
reported skipped with its reason. Any failing block fails the run.

Usage: run.py README TRUSTHUB_BIN PYTHON NODE_MODULES
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

FENCE = re.compile(r"^```(\w*)\s*$")
SKIP = re.compile(r"^<!-- readme-test: skip: (.+?) -->$")
README_BASE = "http://127.0.0.1:8080"
README_PROXY = "127.0.0.1:8888"
SERVE = re.compile(r"^(?P<env>(?:\w+=\S+\s+)*)(?:trusthub|cargo run --release --)\s+serve\b(?P<args>.*)$")


def blocks(text: str):
    """(line number, language, code, skip reason) of every fenced block."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        start, lang = i, m.group(1)
        j = i + 1
        while not lines[j].startswith("```"):
            j += 1
        skip = SKIP.match(lines[start - 1]) if start else None
        yield start + 1, lang, "\n".join(lines[start + 1 : j]) + "\n", skip.group(1) if skip else None
        i = j + 1


class Server:
    def __init__(self, binary: str, env: dict, args: list, cwd: str):
        self.out = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [binary, "serve", *args, "--listen", "127.0.0.1:0", "--ephemeral"],
            env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=self.out, text=True)
        first = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:\d+", first)
        if not m:
            raise SystemExit(f"readme: the server did not start: {first!r}")
        self.base = m.group(0)
        # Keep reading stdout so the server never blocks on a full pipe.
        import threading
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(self.base + "/healthz", timeout=1).status == 200:
                    return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("readme: the server never became healthy")

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def serve_command(code: str):
    """(setup lines, VAR=value prefixes, flags) when the block starts a server."""
    joined = code.replace("\\\n", " ")
    setup, found = [], None
    for line in joined.splitlines():
        m = SERVE.match(line.strip())
        if m:
            found = m
        else:
            setup.append(line)
    if not found:
        return None
    prefixes = dict(kv.split("=", 1) for kv in found.group("env").split())
    return "\n".join(setup) + "\n", prefixes, shlex.split(found.group("args"))


def run_sh(code: str, env: dict, cwd: str) -> dict:
    """Runs a shell block; returns the environment it leaves (its exports)."""
    dump = Path(cwd) / ".env-after"
    script = f"set -euo pipefail\n{code}\nenv -0 > {shlex.quote(str(dump))}\n"
    subprocess.run(["bash", "-c", script], env=env, cwd=cwd, check=True, timeout=120)
    pairs = (item.split("=", 1) for item in dump.read_text().split("\0") if "=" in item)
    return dict(pairs)


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(readme: str, binary: str, python: str, node_modules: str) -> int:
    text = Path(readme).read_text().replace(README_PROXY, f"127.0.0.1:{free_port()}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRUSTHUB_", "TWILIO_"))}
    env["PATH"] = f"{Path(binary).parent}:{env['PATH']}"
    env["NODE_PATH"] = node_modules
    server = None
    ran, skipped, failed = 0, [], []
    work = tempfile.mkdtemp(prefix="trusthub-readme.")  # every block's (and server's) cwd
    try:
        for line, lang, code, skip in blocks(text):
            if lang in ("", "text"):
                continue
            where = f"README.md:{line} ({lang})"
            if skip:
                skipped.append(f"{where}: {skip}")
                print(f"readme: SKIP {where}: {skip}", flush=True)
                continue
            if server:
                code = code.replace(README_BASE, server.base)
            print(f"readme: RUN  {where}", flush=True)
            try:
                started = serve_command(code) if lang == "sh" else None
                if started:
                    setup, prefixes, flags = started
                    env = run_sh(setup, env, work)
                    if server:
                        server.stop()
                    server = Server(binary, {**env, **prefixes}, flags, work)
                    # The clients use the account the server was given.
                    server_env = {**env, **prefixes}
                    for name in ("ACCOUNT_SID", "AUTH_TOKEN"):
                        if f"TRUSTHUB_{name}" in server_env:
                            env.setdefault(f"TWILIO_{name}", server_env[f"TRUSTHUB_{name}"])
                    env["TRUSTHUB_URL"] = server.base
                elif lang == "sh":
                    env = run_sh(code, env, work)
                elif lang == "python":
                    subprocess.run([python, "-c", code], env=env, cwd=work, check=True, timeout=120)
                elif lang == "js":
                    script = Path(work) / "snippet.js"
                    script.write_text(code)
                    subprocess.run(["node", str(script)], env=env, cwd=work, check=True, timeout=120)
                else:
                    raise RuntimeError(f"no runner for ```{lang}")
                ran += 1
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired, RuntimeError, SystemExit) as e:
                failed.append(f"{where}: {e}")
                print(f"readme: FAIL {where}: {e}", flush=True)
    finally:
        if server:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"readme: {ran} blocks ran, {len(failed)} failed, {len(skipped)} skipped")
    for s in skipped:
        print(f"  skipped {s}")
    for f in failed:
        print(f"  FAILED {f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
