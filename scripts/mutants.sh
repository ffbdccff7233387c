#!/usr/bin/env bash
# Mutation testing of the rules in src/domain/ with cargo-mutants (crates.io, installed
# once into .tools/, which git ignores): each mutant changes one operator, constant or
# function body; a test run that still passes means the tests let that fault through.
#
#   scripts/mutants.sh                 the library's unit tests judge (fast: minutes per file)
#   scripts/mutants.sh --http          the unit tests and the HTTP suite (tests/api) judge
#   scripts/mutants.sh [--http] FILE…  only these files (default: every file below)
#
# Extra cargo-mutants options go after `--` (e.g. `-- --in-place` to build in this tree's
# target/ instead of a fresh copy: much faster, but leave the tree alone meanwhile).
# Prints caught / missed / unviable / timeout, then every missed mutant that is not listed
# as equivalent below; exits non-zero if there is one. Results: mutants.out/ (ignored).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VERSION=27.1.0
TOOLS="$PWD/.tools"
FILES=(
    src/domain/evaluate.rs
    src/domain/validate.rs
    src/domain/bundle.rs
    src/domain/policy.rs
    src/domain/reviewer.rs
    src/domain/descriptions.rs
    src/domain/numbers.rs
    src/domain/registration.rs
    src/domain/campaign.rs
)

# Mutants no test can catch because the mutated program behaves the same, each with a
# comment saying why; matched (as a regex) against the names cargo-mutants prints. Add one
# only with its reason; prefer a test.
EQUIVALENT=(
    # `number` reads words the NUM regex matched: after a tens word only "one"…"nine" can
    # follow, so a unit of ten or more ("twenty-ten") never reaches the `u < 10` filter.
    'descriptions\.rs:[0-9]+:[0-9]+: replace < with <= in number$'
)

judge=(--lib)
files=()
extra=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --http) judge=(--lib --test api); shift ;;
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
PATH="$TOOLS/bin:$PATH" cargo mutants "${file_args[@]}" --output . --timeout 300 \
    --no-shuffle "${extra[@]}" -- "${judge[@]}" || rc=$?
# cargo-mutants exits 2 when mutants were missed, 3 on timeouts; anything else is an error.
if [[ $rc -ne 0 && $rc -ne 2 && $rc -ne 3 ]]; then
    echo "mutants.sh: cargo mutants failed (exit $rc)" >&2
    exit "$rc"
fi

count() { if [[ -f "mutants.out/$1.txt" ]]; then grep -c . "mutants.out/$1.txt" || true; else echo 0; fi; }
echo "mutants.sh: ${files[*]} judged by cargo test ${judge[*]}:"
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
