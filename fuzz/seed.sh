#!/usr/bin/env bash
# Builds each fuzz target's seed corpus in fuzz/corpus/<target>/ from the
# project's fixtures and the shared conformance corpus (read, never copied
# into git: fuzz/corpus is ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${EXCONN_CORPUS:-../shared/corpus}"
seed() { # target, files...
  local target=$1; shift
  mkdir -p "fuzz/corpus/$target"
  for f in "$@"; do
    [[ -f $f ]] || continue
    # Small seeds fuzz faster; larger files are cut to their first 16 KiB.
    head -c 16384 "$f" > "fuzz/corpus/$target/$(sha1sum "$f" | cut -c1-16)"
  done
}
mapfile -t ldif < <(find fixtures "$shared" -name '*.ldif' 2>/dev/null)
mapfile -t xml < <(find fixtures "$shared" \( -name '*.xml' -o -name '*.dsml' \) 2>/dev/null)
mapfile -t dsml < <(grep -lis 'dsml' "${xml[@]}" 2>/dev/null || true)
mapfile -t clixml < <(grep -lis '<Objs' "${xml[@]}" 2>/dev/null || true)
seed ldif "${ldif[@]}"
seed dsml "${dsml[@]}"
seed clixml "${clixml[@]}"
seed pipeline "${ldif[@]}" "${xml[@]}"
# DNs: every dn: line of the LDIF seeds, one per file.
mkdir -p fuzz/corpus/dn
grep -h '^dn: ' "${ldif[@]}" 2>/dev/null | cut -c5- | sort -u | sed -n '1,500p' | while IFS= read -r dn; do
  printf '%s' "$dn" > "fuzz/corpus/dn/$(printf '%s' "$dn" | sha1sum | cut -c1-16)"
done
# Snapshots: an empty input is the intact sample snapshot (see the target).
mkdir -p fuzz/corpus/adexplorer
: > fuzz/corpus/adexplorer/sample
for target in ldif dsml clixml adexplorer pipeline dn; do
  echo "$target: $(ls "fuzz/corpus/$target" | wc -l) seeds"
done
