#!/usr/bin/env bash
# Signing benchmark: `vigil sign` on a 1 GiB file against `openssl dgst -sha256` (SHA-256
# with the CPU's SHA extensions: the floor for anything that reads and hashes the file)
# and `minisign -S`, in one run; then several files, where vigil hashes in parallel.
#
#   bench/sign.sh                 (BENCH_RUNS=N timed runs per command, default 5)
#
# The inputs are made once in bench/.work/sign/ (gitignored) and kept for later runs:
# one 1 GiB file, and 4 files of 256 MiB. Every command reads them from the page cache
# (a warm-up run first). Prints hyperfine's report on stderr, then a table of medians
# and ratios on stdout. See bench/README.md.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # cd's to the repo root

[ $# -eq 0 ] || die "usage: bench/sign.sh (no arguments; BENCH_RUNS=N sets the timed runs)"
runs=${BENCH_RUNS:-5}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, got '$runs'"

ensure_bench_tools
ensure_cmd openssl
ensure_cmd minisign
build_vigil

work="$BENCH_DIR/.work/sign"
one="$work/one"
many="$work/many"
mkdir -p "$one" "$many" "$work/keys" "$work/minisig"

# ---- inputs (made once) -------------------------------------------------------------------
make_file() {  # make_file PATH MIB: random bytes (AES-CTR keystream: fast, incompressible)
  local path=$1 mib=$2
  if [ -f "$path" ] && [ "$(stat -c %s "$path")" -eq $((mib << 20)) ]; then return 0; fi
  say "creating $path ($mib MiB)"
  head -c $((mib << 20)) /dev/zero \
    | openssl enc -aes-128-ctr -nosalt -pass pass:vigil-bench -pbkdf2 2>/dev/null \
    | head -c $((mib << 20)) >"$path.tmp"
  mv "$path.tmp" "$path"
}
make_file "$one/release.bin" 1024
for i in 1 2 3 4; do make_file "$many/part$i.bin" 256; done

# Keys: unencrypted for both tools (minisign -W at generation), so no password prompt
# or scrypt run is timed.
[ -f "$work/keys/minisign.key" ] ||
  minisign -G -W -f -p "$work/keys/minisign.pub" -s "$work/keys/minisign.key" >/dev/null
[ -f "$work/keys/vigil.key" ] ||
  "$VIGIL" keygen --unencrypted --force --out-dir "$work/keys" >/dev/null

cat "$one/release.bin" "$many"/part*.bin >/dev/null   # into the page cache

# Each tool checked once, so a broken command is not timed.
openssl dgst -sha256 "$one/release.bin" >/dev/null || die "openssl dgst failed"
minisign -S -s "$work/keys/minisign.key" -m "$one/release.bin" -x "$work/minisig/one.minisig" \
  >/dev/null || die "minisign -S failed"
"$VIGIL" sign --key "$work/keys/vigil.key" "$one/release.bin" >/dev/null 2>"$work/vigil.log" ||
  { cat "$work/vigil.log" >&2; die "vigil sign failed"; }
minisign -Vm "$one/SHA256SUMS" -p "$work/keys/vigil.pub" >/dev/null ||
  die "minisign does not accept vigil's signature"

# ---- timing ---------------------------------------------------------------------------------
hf() {  # hf JSON NAME CMD [NAME CMD]...
  local json=$1; shift
  local args=()
  while [ $# -gt 0 ]; do args+=(-n "$1" "$2"); shift 2; done
  hyperfine --warmup 1 --runs "$runs" --style basic --export-json "$json" "${args[@]}" >&2
}

parts=("$many"/part1.bin "$many"/part2.bin "$many"/part3.bin "$many"/part4.bin)
say "== one 1 GiB file =="
hf "$work/one.json" \
  openssl "$(q openssl dgst -sha256 "$one/release.bin")" \
  minisign "$(q minisign -S -s "$work/keys/minisign.key" -m "$one/release.bin" -x "$work/minisig/one.minisig")" \
  vigil "$(q "$VIGIL" sign --key "$work/keys/vigil.key" "$one/release.bin")"
say "== 4 files of 256 MiB =="
hf "$work/many.json" \
  openssl "$(q openssl dgst -sha256 "${parts[@]}")" \
  minisign "$(q minisign -S -s "$work/keys/minisign.key" -m "${parts[@]}")" \
  "vigil -j 1" "$(q "$VIGIL" sign -j 1 --key "$work/keys/vigil.key" "${parts[@]}")" \
  vigil "$(q "$VIGIL" sign --key "$work/keys/vigil.key" "${parts[@]}")"

# ---- report ---------------------------------------------------------------------------------
python3 - "$work/one.json" "$work/many.json" "$(nproc)" "$runs" \
  "$(openssl version)" "$(minisign -v 2>&1 | head -n 1)" "$("$VIGIL" --version)" <<'EOF'
import json, sys
one, many, cores, runs, v_openssl, v_minisign, v_vigil = sys.argv[1:8]
def medians(path):
    return {r["command"]: r["median"] for r in json.load(open(path))["results"]}
print(f"signing benchmark: median of {runs} runs after 1 warmup, files in the page cache; {cores} cores")
print(f"openssl: {v_openssl}; minisign: {v_minisign}; {v_vigil}")
for title, path, size in (("one 1 GiB file", one, 1 << 30), ("4 files of 256 MiB", many, 1 << 30)):
    m = medians(path)
    print()
    print(f"{title}")
    print(f"{'command':<12} {'median s':>9} {'GB/s':>7} {'/ openssl':>10} {'/ minisign':>11}")
    for name, t in m.items():
        print(f"{name:<12} {t:>9.3f} {size / t / 1e9:>7.2f} {t / m['openssl']:>9.2f}x {t / m['minisign']:>10.2f}x")
    v = m["vigil"]
    ok_floor = v <= 1.2 * m["openssl"]
    ok_minisign = v < m["minisign"]
    print(f"vigil sign: {v / m['openssl']:.2f}x openssl dgst -sha256 (target <= 1.2x: "
          f"{'met' if ok_floor else 'MISSED'}), {m['minisign'] / v:.2f}x faster than minisign -S "
          f"(target > 1x: {'met' if ok_minisign else 'MISSED'})")
    if "vigil -j 1" in m:
        print(f"parallel hashing: vigil -j {cores} is {m['vigil -j 1'] / v:.2f}x faster than vigil -j 1")
EOF
