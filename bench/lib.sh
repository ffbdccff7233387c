# Shared by bench/run.sh and bench/profile.sh: paths, and a load generator.
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
say() { echo "[bench] $*" >&2; }

# Exports BENCH_LOADGEN (wrk or oha) and BENCH_LOADGEN_BIN. wrk (Debian) if present or
# installable with apt-get as root; otherwise oha, `cargo install`ed into bench/.tools.
# BENCH_LOADGEN=oha forces oha.
bench_loadgen() {
  local want="${BENCH_LOADGEN:-}" loadgen="" bin=""
  if [[ "$want" != "oha" ]]; then
    if command -v wrk >/dev/null; then
      loadgen=wrk bin="$(command -v wrk)"
    elif [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
      say "installing wrk with apt-get"
      if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 ||
         { apt-get update -qq >/dev/null 2>&1 &&
           DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1; }; then
        loadgen=wrk bin="$(command -v wrk)"
      else
        say "apt-get could not install wrk; using oha"
      fi
    fi
  fi
  if [[ -z "$loadgen" ]]; then
    if [[ ! -x "$BENCH/.tools/bin/oha" ]]; then
      say "cargo install oha --locked --root bench/.tools (a few minutes, once)"
      cargo install oha --locked --quiet --root "$BENCH/.tools"
    fi
    loadgen=oha bin="$BENCH/.tools/bin/oha"
  fi
  say "load generator: $loadgen ($bin)"
  command -v python3 >/dev/null || { say "python3 is required"; return 1; }
  export BENCH_LOADGEN="$loadgen" BENCH_LOADGEN_BIN="$bin"
}
