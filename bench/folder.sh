#!/usr/bin/env bash
# Folder-scan benchmark: vigil against gitleaks, betterleaks and kingfisher on one real tree.
#
#   bench/folder.sh [DIR]        (BENCH_RUNS=N timed runs per tool, default 5)
#
# DIR defaults to the crate sources cargo downloaded ($CARGO_HOME/registry/src, after
# `cargo fetch`). Prints the tree size, then one table from one run: median wall time,
# MB/s, peak RSS, findings reported, and each peer's median over vigil's. See bench/README.md.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # cd's to the repo root

[ $# -le 1 ] || die "usage: bench/folder.sh [DIR]"
runs=${BENCH_RUNS:-5}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, got '$runs'"

ensure_bench_tools
build_vigil
install_peers

# ---- the tree ---------------------------------------------------------------------------
if [ $# -eq 1 ]; then
  [ -d "$1" ] || die "not a directory: $1"
  dir=$(cd "$1" && pwd)
else
  say "cargo fetch (populates the registry sources) ..."
  cargo fetch >&2 || die "cargo fetch failed"
  dir="${CARGO_HOME:-$HOME/.cargo}/registry/src"
  [ -d "$dir" ] || die "$dir does not exist after cargo fetch"
fi
read -r tree_bytes tree_files < <(tree_stats "$dir")
[ "$tree_files" -gt 0 ] || die "$dir holds no files"

work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-bench-folder.XXXXXX")
trap 'rm -rf "$work"' EXIT

# ---- the commands -----------------------------------------------------------------------
# Every tool scans the same files with its own defaults, except where a default would make
# it do different work than `vigil scan` (see bench/README.md, "Peer flags"):
#   - files over 10 MB skipped (vigil's default --max-file-size is 10 MiB),
#   - no archive extraction, no git history, no network (validation, update checks).
# Reports go to files in $work: never /dev/null for gitleaks (it replaces the device).
argv_for() {  # argv_for TOOL -> sets the array `argv`
  case $1 in
    vigil) argv=("$VIGIL" scan "$dir" --format json) ;;
    gitleaks) argv=("${PEER_BIN[gitleaks]}" dir "$dir" --no-banner --no-color
      --report-format json --report-path "$work/gitleaks.json" --max-target-megabytes 10) ;;
    betterleaks) argv=("${PEER_BIN[betterleaks]}" filesystem "$dir" --silent --no-color
      --output "$work/betterleaks.json" --max-target-megabytes 10 --max-archive-depth 0) ;;
    kingfisher) argv=("${PEER_BIN[kingfisher]}" scan "$dir" --quiet --no-validate
      --no-update-check --git-history none --no-extract-archives --max-file-size 10
      --format json --output "$work/kingfisher.json") ;;
  esac
}
report_for() {  # where each tool's JSON report lands
  case $1 in vigil) echo "$work/vigil.rss.stdout" ;; *) echo "$work/$1.json" ;; esac
}
exit_ok() {  # exit codes that mean "scanned" (clean or findings)
  case $1:$2 in
    vigil:0 | vigil:1 | vigil:3) return 0 ;;  # 3 = incomplete: reported below
    gitleaks:0 | gitleaks:1 | betterleaks:0 | betterleaks:1) return 0 ;;
    kingfisher:0 | kingfisher:200 | kingfisher:205) return 0 ;;
  esac
  return 1
}

# ---- one checked run each: peak RSS, exit code, findings ----------------------------------
say ""
say "tree: $dir"
say "      $(awk -v b="$tree_bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }'), $tree_files files"
say ""
declare -A STATUS=() FINDINGS=() RSS_KIB=()
tools=(vigil "${PEERS[@]}")
timed=()
vigil_failed=""
for t in "${tools[@]}"; do
  if [ "$t" != vigil ] && [ -z "${PEER_BIN[$t]}" ]; then
    STATUS[$t]="not installed"; continue
  fi
  argv_for "$t"
  say "check run: $t (peak RSS) ..."
  rc=0
  peak_rss "$work/$t.rss" "${argv[@]}" || rc=$?
  RSS_KIB[$t]=$(cat "$work/$t.rss" 2>/dev/null || true)
  if ! exit_ok "$t" "$rc"; then
    STATUS[$t]="failed (exit $rc)"
    say "$t failed (exit $rc); last lines of its stderr:"
    tail -n 5 "$work/$t.rss.stderr" | sed 's/^/  | /' >&2
    [ "$t" = vigil ] && vigil_failed="vigil scan exited $rc"
    continue
  fi
  if ! n=$(python3 - "$t" "$(report_for "$t")" <<'PY'
import json, sys
tool, path = sys.argv[1], sys.argv[2]
try:
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
except (OSError, ValueError) as e:
    sys.exit(f"no JSON report from {tool} ({path}): {e}")
if tool == "gitleaks":
    found = doc
elif tool == "vigil":
    if not isinstance(doc, dict) or doc.get("version") != 1:
        sys.exit('vigil JSON lacks "version": 1')
    found = doc.get("findings")
else:
    found = doc.get("findings") if isinstance(doc, dict) else None
if not isinstance(found, list):
    sys.exit(f"{tool} JSON report has no findings list")
print(len(found))
PY
  ); then
    STATUS[$t]="failed (bad report)"
    [ "$t" = vigil ] && vigil_failed="vigil scan --format json did not print a vigil JSON report (is 'vigil scan' implemented?)"
    continue
  fi
  FINDINGS[$t]=$n
  STATUS[$t]=ok
  [ "$t" = vigil ] && [ "$rc" = 3 ] && STATUS[$t]="ok, but exit 3 (incomplete scan)"
  timed+=("$t")
done

# ---- timing -------------------------------------------------------------------------------
hf_args=()
for t in "${timed[@]}"; do
  argv_for "$t"
  cmd=$(q "${argv[@]}")
  [ "$t" = vigil ] && cmd+=" > /dev/null"
  hf_args+=(--command-name "$t" "$cmd")
done
if [ ${#timed[@]} -gt 0 ]; then
  say ""
  say "hyperfine: --warmup 1 --runs $runs, ${#timed[@]} tools ..."
  hyperfine --warmup 1 --runs "$runs" --ignore-failure --style basic \
    --export-json "$work/hyperfine.json" "${hf_args[@]}" >&2
fi

# ---- the table -----------------------------------------------------------------------------
rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$ROOT" diff --quiet HEAD 2>/dev/null || rev+="+dirty"
{
  for t in "${tools[@]}"; do
    if [ "$t" = vigil ]; then note="vigil $rev"; else note=${PEER_NOTE[$t]}; fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$t" "${STATUS[$t]}" "${RSS_KIB[$t]:-}" "${FINDINGS[$t]:-}" "$note"
  done
} >"$work/rows.tsv"
[ -f "$work/hyperfine.json" ] || echo '{"results": []}' >"$work/hyperfine.json"

echo
echo "folder scan: $dir"
python3 - "$work/rows.tsv" "$work/hyperfine.json" "$tree_bytes" "$tree_files" "$runs" "$(nproc)" <<'PY'
import json, sys
rows_path, hf_path, tree_bytes, tree_files, runs, cores = sys.argv[1:]
tree_mb = int(tree_bytes) / 1e6
medians = {r["command"]: r["median"] for r in json.load(open(hf_path))["results"]}
print(f"tree: {tree_mb:.1f} MB, {int(tree_files)} files; median of {runs} runs after 1 warmup; {cores} cores")
print()
hdr = f"{'tool':<12} {'median s':>9} {'MB/s':>8} {'peak RSS MiB':>13} {'findings':>9} {'peer/vigil':>11}  version / status"
print(hdr)
print("-" * len(hdr))
vigil = medians.get("vigil")
for line in open(rows_path):
    tool, status, rss, found, note = line.rstrip("\n").split("\t")
    med = medians.get(tool)
    if status.startswith("ok") and med is not None:
        ratio = f"{med / vigil:.1f}x" if vigil and tool != "vigil" else ("1.0x" if tool == "vigil" else "n/a")
        rss_mib = f"{int(rss) / 1024:.1f}" if rss else "?"
        extra = "" if status == "ok" else f"  [{status}]"
        print(f"{tool:<12} {med:>9.3f} {tree_mb / med:>8.1f} {rss_mib:>13} {found:>9} {ratio:>11}  {note}{extra}")
    else:
        tail = note if note == status else f"{note}  [{status}]"
        print(f"{tool:<12} {'-':>9} {'-':>8} {'-':>13} {'-':>9} {'-':>11}  {tail}")
print()
g = medians.get("gitleaks")
if vigil and g:
    print(f"vigil vs gitleaks: {g / vigil:.1f}x faster (target >= 20x)")
else:
    missing = "vigil" if not vigil else "gitleaks"
    print(f"vigil vs gitleaks: n/a ({missing} was not timed) (target >= 20x)")
PY

# vigil's own stderr summary (files and bytes it scanned) from the checked run.
if [ "${STATUS[vigil]}" != "${STATUS[vigil]#ok}" ] && [ -s "$work/vigil.rss.stderr" ]; then
  echo "vigil's own summary: $(tail -n 1 "$work/vigil.rss.stderr" | sed 's/^vigil: //')"
fi

if [ -n "$vigil_failed" ]; then
  echo
  die "$vigil_failed; vigil was not measured"
fi
