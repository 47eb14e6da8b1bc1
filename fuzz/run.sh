#!/usr/bin/env bash
# Fuzzes every target for SECONDS each (default 600) with cargo-fuzz on the
# nightly toolchain, seeded by fuzz/seed.sh; crashes land in
# fuzz/artifacts/<target>/. Prints each target's last libFuzzer status line
# (executions, coverage, corpus size). Leak detection is off: the readers
# start threads, and glibc's per-thread destructor list shows up as a leak.
#   bash fuzz/run.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}; shift || true
targets=("$@"); [[ ${#targets[@]} -gt 0 ]] || targets=(ldif dn dsml clixml csvde json cmdletcsv adexplorer pipeline)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
bash fuzz/seed.sh >/dev/null
mkdir -p fuzz/logs
for target in "${targets[@]}"; do
  cargo +nightly fuzz run "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -detect_leaks=0 \
    > "fuzz/logs/$target.log" 2>&1 || echo "$target: stopped with a finding, see fuzz/logs/$target.log"
  echo "$target: $(grep -E '^#[0-9]+' "fuzz/logs/$target.log" | tail -1)"
done
