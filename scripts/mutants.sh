#!/usr/bin/env bash
# Mutation testing of the rules (domain/src/, the `trusthub-domain` crate) with
# cargo-mutants (crates.io, installed once into .tools/, which git ignores): each mutant
# changes one operator, constant or function body; a test run that still passes means the
# tests let that fault through. Only the domain crate is mutated, so each mutant rebuilds
# that small crate's test binary, not the server's.
#
#   scripts/mutants.sh                 the domain crate's unit tests judge (fast)
#   scripts/mutants.sh --http          those and the server's unit tests and HTTP suite
#                                      (tests/api) judge (each mutant rebuilds the server)
#   scripts/mutants.sh [--http] FILE…  only these files (default: every file below)
#
# Extra cargo-mutants options go after `--` (e.g. `-- --in-place` to build in this tree's
# target/ instead of a fresh copy: leave the tree alone meanwhile).
# Prints caught / missed / unviable / timeout, then every missed mutant that is not listed
# as equivalent below; exits non-zero if there is one. Results: mutants.out/ (ignored).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VERSION=27.1.0
TOOLS="$PWD/.tools"
FILES=(
    domain/src/evaluate.rs
    domain/src/validate.rs
    domain/src/bundle.rs
    domain/src/policy.rs
    domain/src/reviewer.rs
    domain/src/descriptions.rs
    domain/src/numbers.rs
    domain/src/catalog.rs
    domain/src/sid.rs
    domain/src/registration.rs
    domain/src/tollfree.rs
    domain/src/campaign.rs
    domain/src/account.rs
)

# Mutants no test can catch because the mutated program behaves the same, each with a
# comment saying why; matched (as a regex) against the names cargo-mutants prints. Add one
# only with its reason; prefer a test.
EQUIVALENT=(
    # `number` reads words the NUM regex matched: after a tens word only "one"…"nine" can
    # follow, so a unit of ten or more ("twenty-ten") never reaches the `u < 10` filter.
    'descriptions\.rs:[0-9]+:[0-9]+: replace < with <= in number$'
)

# Which packages' tests run (cargo-mutants --test-package), cargo test's arguments, and how
# long one test run may take (a mutant that loops forever is a timeout, not a hang).
tested=(--test-package trusthub-domain)
judge=(--lib)
timeout=60
files=()
extra=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --http) tested=(--test-package trusthub-domain --test-package trusthub)
            judge=(--lib --test api); timeout=300; shift ;;
        --) shift; extra=("$@"); break ;;
        *) files+=("$1"); shift ;;
    esac
done
[[ ${#files[@]} -gt 0 ]] || files=("${FILES[@]}")

if ! "$TOOLS/bin/cargo-mutants" mutants --version 2>/dev/null | grep -q "$VERSION"; then
    echo "mutants.sh: cargo install cargo-mutants $VERSION into .tools/ (a few minutes, once)"
    cargo install cargo-mutants --version "$VERSION" --locked --quiet --root "$TOOLS"
fi

file_args=()
for f in "${files[@]}"; do file_args+=(--file "$f"); done

rc=0
PATH="$TOOLS/bin:$PATH" cargo mutants --package trusthub-domain "${tested[@]}" \
    "${file_args[@]}" --output . --timeout "$timeout" --no-shuffle "${extra[@]}" -- "${judge[@]}" || rc=$?
# cargo-mutants exits 2 when mutants were missed, 3 on timeouts; anything else is an error.
if [[ $rc -ne 0 && $rc -ne 2 && $rc -ne 3 ]]; then
    echo "mutants.sh: cargo mutants failed (exit $rc)" >&2
    exit "$rc"
fi

count() { if [[ -f "mutants.out/$1.txt" ]]; then grep -c . "mutants.out/$1.txt" || true; else echo 0; fi; }
echo "mutants.sh: ${files[*]} judged by ${tested[*]} cargo test ${judge[*]}:"
echo "  caught $(count caught), missed $(count missed), unviable $(count unviable), timeout $(count timeout)"

unexplained=()
if [[ -f mutants.out/missed.txt ]]; then
    while IFS= read -r m; do
        known=0
        for re in "${EQUIVALENT[@]}"; do
            if [[ "$m" =~ $re ]]; then known=1; break; fi
        done
        [[ $known == 1 ]] || unexplained+=("$m")
    done < mutants.out/missed.txt
fi
if [[ ${#unexplained[@]} -gt 0 ]]; then
    echo "mutants.sh: ${#unexplained[@]} missed mutant(s) no test catches and not listed as equivalent:"
    printf '  %s\n' "${unexplained[@]}"
    exit 1
fi
echo "mutants.sh: every missed mutant is listed as equivalent"
