#!/usr/bin/env bash
# Git benchmarks: `vigil scan --history` against gitleaks, betterleaks and kingfisher on one
# repository, next to the "floor" (reading every object once); then `vigil scan --staged`
# against `gitleaks git --staged` and `betterleaks git --staged` on a 10-line staged change.
#
#   bench/history.sh [REPO]      (BENCH_RUNS=N timed history runs per tool, default 3)
#
# REPO is any clone. Without it, bench/gen-history.py generates a ~12,000-commit repository
# into bench/.work/history-repo once and later runs reuse it (delete it to regenerate).
# REPO is only read: the staged benchmark works in a `git clone --shared` of it in a
# temporary folder, removed on exit. See bench/README.md, "history.sh".
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # cd's to the repo root

[ $# -le 1 ] || die "usage: bench/history.sh [REPO]"
runs=${BENCH_RUNS:-3}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, got '$runs'"
staged_runs=20
FLOOR="$ROOT/target/release/examples/read_all_objects"

ensure_bench_tools
ensure_cmd git
build_vigil
say "building the floor (cargo build --release -p vigil-git --example read_all_objects) ..."
cargo build --release -p vigil-git --example read_all_objects >&2 \
  || die "building the read_all_objects example failed"
[ -x "$FLOOR" ] || die "the example built but $FLOOR is missing"
install_peers

# ---- the repository ---------------------------------------------------------------------
generated=""
if [ $# -eq 1 ]; then
  [ -d "$1" ] || die "not a directory: $1"
  repo=$(cd "$1" && pwd)
  git -C "$repo" rev-parse --git-dir >/dev/null 2>&1 || die "not a git repository: $repo"
  [ "$(git -C "$repo" rev-parse --is-shallow-repository)" = false ] \
    || die "$repo is a shallow clone: its history is incomplete (git fetch --unshallow)"
else
  repo="$BENCH_DIR/.work/history-repo"
  # gen-history.py writes this manifest last: without it the repository is incomplete.
  if [ ! -f "$repo/.git/vigil-gen-history.json" ]; then
    say "generating a repository with bench/gen-history.py into $repo (once; reused later) ..."
    mkdir -p "$BENCH_DIR/.work"
    python3 "$BENCH_DIR/gen-history.py" "$repo" --force >&2 || die "gen-history.py failed"
  else
    say "reusing $repo (delete it to regenerate)"
  fi
  generated="$repo/.git/vigil-gen-history.json"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vigil-bench-history.XXXXXX")
trap 'rm -rf "$work"' EXIT

say "counting the repository's commits and objects ..."
repo_commits=$(git -C "$repo" rev-list --all --count)
read -r repo_objects repo_blobs repo_blob_bytes < <(
  git -C "$repo" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' |
    awk '{ n++ } $1 == "blob" { b++; s += $2 } END { printf "%d %d %d\n", n, b, s }')
pack_bytes=$(find "$(git -C "$repo" rev-parse --path-format=absolute --git-common-dir)/objects" \
  -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%d\n", s }')
[ "$repo_blobs" -gt 0 ] || die "$repo holds no blobs"

# ---- the commands (lib.sh: history_argv, history_exit_ok, count_findings) -----------------
argv_for() {  # argv_for TOOL -> sets the array `argv`
  case $1 in
    floor) argv=("$FLOOR" "$repo") ;;
    *) history_argv "$1" "$repo" "$work" ;;
  esac
}
report_for() {  # where each tool's JSON report lands
  case $1 in vigil) echo "$work/vigil.rss.stdout" ;; *) echo "$work/$1.json" ;; esac
}
exit_ok() {  # exit codes that mean "scanned" (clean or findings)
  [ "$1:$2" = floor:0 ] || history_exit_ok "$1" "$2"
}

# ---- history: one checked run each (peak RSS, exit code, findings) ------------------------
say ""
say "repository: $repo"
say "      $repo_commits commits, $repo_objects objects, $(awk -v b="$repo_blob_bytes" 'BEGIN { printf "%.1f MB", b / 1e6 }') of blobs"
say ""
declare -A STATUS=() FINDINGS=() RSS_KIB=()
tools=(floor vigil "${PEERS[@]}")
timed=()
vigil_failed=""
floor_line=""
for t in "${tools[@]}"; do
  if [ "$t" != vigil ] && [ "$t" != floor ] && [ -z "${PEER_BIN[$t]}" ]; then
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
    [ "$t" = vigil ] && vigil_failed="vigil scan --history exited $rc"
    continue
  fi
  if [ "$t" = floor ]; then
    floor_line=$(tail -n 1 "$work/floor.rss.stdout")
    FINDINGS[$t]="-"
  elif ! FINDINGS[$t]=$(count_findings "$t" "$(report_for "$t")"); then
    STATUS[$t]="failed (bad report)"
    [ "$t" = vigil ] && vigil_failed="vigil scan --history --format json did not print a vigil JSON report"
    continue
  fi
  STATUS[$t]=ok
  [ "$t" = vigil ] && [ "$rc" = 3 ] && STATUS[$t]="ok, but exit 3 (incomplete scan)"
  timed+=("$t")
done

# ---- history: timing ----------------------------------------------------------------------
# No warmup: the checked run above already read the repository into the page cache.
hf_args=()
for t in "${timed[@]}"; do
  argv_for "$t"
  cmd=$(q "${argv[@]}")
  case $t in vigil | floor) cmd+=" > /dev/null" ;; esac
  hf_args+=(--command-name "$t" "$cmd")
done
if [ ${#timed[@]} -gt 0 ]; then
  say ""
  say "hyperfine: --warmup 0 --runs $runs, ${#timed[@]} commands ..."
  hyperfine --warmup 0 --runs "$runs" --ignore-failure --style basic \
    --export-json "$work/hyperfine.json" "${hf_args[@]}" >&2
fi
[ -f "$work/hyperfine.json" ] || echo '{"results": []}' >"$work/hyperfine.json"

# ---- staged: a 10-line change in a scratch clone -------------------------------------------
say ""
say "staged: git clone --shared into a scratch folder ..."
co="$work/staged-checkout"
staged_ok=""
staged_file=""
if git clone --shared --quiet "$repo" "$co" >&2 && git -C "$co" rev-parse --verify -q HEAD >/dev/null; then
  # A tracked text file of ordinary size (the middle one by path of those between 2 and
  # 64 kB with a source-like extension), and 10 new lines in its middle.
  staged_file=$(git -C "$co" ls-tree -r -l HEAD | python3 -c '
import sys
cands, other = [], []
exts = (".rs", ".go", ".py", ".js", ".ts", ".c", ".h", ".java", ".rb", ".toml", ".md", ".json", ".yml")
for line in sys.stdin:
    meta, path = line.rstrip("\n").split("\t", 1)
    mode, kind, _, size = meta.split()
    if mode != "100644" or kind != "blob" or path.startswith("\""):
        continue
    (cands if path.endswith(exts) and 2000 <= int(size) <= 65536 else other).append(path)
pick = sorted(cands) or sorted(other)
print(pick[len(pick) // 2] if pick else "")
')
fi
if [ -n "$staged_file" ]; then
  python3 - "$co/$staged_file" <<'PY'
import sys
path = sys.argv[1]
data = open(path, "rb").read()
lines = data.splitlines(keepends=True)
mid = len(lines) // 2
new = [b"fn bench_staged_change(values: &[u64]) -> u64 {\n"] + [
    b"    let step_%d = values.iter().fold(%d, |acc, v| acc.wrapping_mul(31).wrapping_add(*v));\n" % (i, i)
    for i in range(1, 8)] + [b"    step_7 ^ step_1\n", b"}\n"]
assert len(new) == 10 and all(line.count(b"\n") == 1 for line in new)
lines[mid:mid] = new  # mid < len(lines): the lines before it end with a newline
open(path, "wb").write(b"".join(lines))
PY
  git -C "$co" add -- "$staged_file"
  staged_lines=$(git -C "$co" diff --cached --numstat | awk '{ a += $1; d += $2 } END { printf "+%d -%d", a, d }')
  say "staged: $staged_lines lines in $staged_file"
  staged_ok=1
else
  say "staged: could not make a scratch checkout with a suitable file; skipped"
fi

staged_argv_for() {  # staged_argv_for TOOL -> sets `argv` (run inside $co)
  case $1 in
    vigil) argv=("$VIGIL" scan --staged) ;;
    gitleaks) argv=("${PEER_BIN[gitleaks]}" git --staged --no-banner --no-color
      --report-format json --report-path "$work/gitleaks-staged.json" .) ;;
    betterleaks) argv=("${PEER_BIN[betterleaks]}" git --staged --silent --no-color
      --output "$work/betterleaks-staged.json" .) ;;
  esac
}
declare -A STAGED_STATUS=()
staged_timed=()
vigil_staged_summary=""
if [ -n "$staged_ok" ]; then
  for t in vigil gitleaks betterleaks; do
    if [ "$t" != vigil ] && [ -z "${PEER_BIN[$t]}" ]; then STAGED_STATUS[$t]="not installed"; continue; fi
    staged_argv_for "$t"
    rc=0
    (cd "$co" && "${argv[@]}") >"$work/$t.staged.stdout" 2>"$work/$t.staged.stderr" || rc=$?
    if ! exit_ok "$t" "$rc"; then
      STAGED_STATUS[$t]="failed (exit $rc)"
      say "$t --staged failed (exit $rc); last lines of its stderr:"
      tail -n 5 "$work/$t.staged.stderr" | sed 's/^/  | /' >&2
      continue
    fi
    STAGED_STATUS[$t]="ok (exit $rc)"
    [ "$t" = vigil ] && vigil_staged_summary=$(summary_of "$work/vigil.staged.stderr")
    staged_timed+=("$t")
  done
  hf_args=()
  for t in "${staged_timed[@]}"; do
    staged_argv_for "$t"
    cmd=$(q "${argv[@]}")
    [ "$t" = vigil ] && cmd+=" > /dev/null"
    hf_args+=(--command-name "$t --staged" "$cmd")
  done
  if [ ${#staged_timed[@]} -gt 0 ]; then
    say ""
    say "hyperfine (in the scratch checkout): --warmup 3 --runs $staged_runs ..."
    (cd "$co" && hyperfine --warmup 3 --runs "$staged_runs" --ignore-failure --style basic \
      --export-json "$work/hyperfine-staged.json" "${hf_args[@]}" >&2)
  fi
fi
[ -f "$work/hyperfine-staged.json" ] || echo '{"results": []}' >"$work/hyperfine-staged.json"
rm -rf "$co"

# ---- the tables ---------------------------------------------------------------------------
rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
git -C "$ROOT" diff --quiet HEAD 2>/dev/null || rev+="+dirty"
{
  for t in "${tools[@]}"; do
    case $t in
      vigil) note="vigil $rev" ;;
      floor) note="gix read_all_objects (every object once)" ;;
      *) note=${PEER_NOTE[$t]} ;;
    esac
    printf '%s\t%s\t%s\t%s\t%s\n' "$t" "${STATUS[$t]}" "${RSS_KIB[$t]:-}" "${FINDINGS[$t]:-}" "$note"
  done
} >"$work/rows.tsv"
{
  for t in vigil gitleaks betterleaks; do
    case $t in vigil) note="vigil $rev" ;; *) note=${PEER_NOTE[$t]} ;; esac
    printf '%s\t%s\t%s\n' "$t" "${STAGED_STATUS[$t]:-skipped}" "$note"
  done
} >"$work/staged-rows.tsv"

echo
echo "history scan: $repo"
[ -n "$generated" ] && echo "generated by bench/gen-history.py (manifest: $generated)"
python3 - "$work/rows.tsv" "$work/hyperfine.json" "$work/staged-rows.tsv" "$work/hyperfine-staged.json" \
  "$repo_commits" "$repo_objects" "$repo_blob_bytes" "$pack_bytes" "$runs" "$staged_runs" "$(nproc)" \
  "$generated" "${staged_file:-}" "${staged_lines:-}" <<'PY'
import json, sys
(rows_path, hf_path, srows_path, shf_path, commits, objects, blob_bytes, pack_bytes, runs,
 staged_runs, cores, manifest, staged_file, staged_lines) = sys.argv[1:]
blob_mb = int(blob_bytes) / 1e6
medians = {r["command"]: r["median"] for r in json.load(open(hf_path))["results"]}
print(f"repository: {int(commits)} commits, {int(objects)} objects, {blob_mb:.1f} MB of blobs "
      f"(on disk {int(pack_bytes) / 1e6:.1f} MB)")
if manifest:
    try:
        m = json.load(open(manifest))
        s = m.get("secrets", [])
        print(f"            {m['stats']['merges']} merges, {m['stats']['files_at_head']} files at HEAD; "
              f"{len(s)} fake secrets added ({sum(x['removed'] for x in s)} removed later)")
    except (OSError, ValueError, KeyError):
        pass
print(f"median of {runs} runs (after one checked run each); {cores} cores")
print()
hdr = (f"{'tool':<12} {'median s':>9} {'MB/s':>8} {'peak RSS MiB':>13} {'findings':>9} "
       f"{'x floor':>8} {'vs vigil':>9}  version / status")
print(hdr)
print("-" * len(hdr))
vigil, floor = medians.get("vigil"), medians.get("floor")
for line in open(rows_path):
    tool, status, rss, found, note = line.rstrip("\n").split("\t")
    med = medians.get(tool)
    if status.startswith("ok") and med is not None:
        xf = f"{med / floor:.2f}x" if floor else "n/a"
        if tool in ("vigil", "floor") or not vigil:
            vs = "-" if tool == "floor" else ("1.0x" if tool == "vigil" else "n/a")
        else:
            vs = f"{med / vigil:.2f}x"
        rss_mib = f"{int(rss) / 1024:.1f}" if rss else "?"
        extra = "" if status == "ok" else f"  [{status}]"
        print(f"{tool:<12} {med:>9.3f} {blob_mb / med:>8.1f} {rss_mib:>13} {found:>9} {xf:>8} {vs:>9}  {note}{extra}")
    else:
        tail = note if note == status else f"{note}  [{status}]"
        print(f"{tool:<12} {'-':>9} {'-':>8} {'-':>13} {'-':>9} {'-':>8} {'-':>9}  {tail}")
print()
peers = {t: medians[t] for t in ("gitleaks", "betterleaks") if t in medians}
if vigil and peers:
    best = min(peers, key=peers.get)
    r = peers[best] / vigil
    verdict = "met" if r >= 3 else f"MISSED: vigil would need to be {3 / r:.1f}x faster"
    speed = f"{r:.2f}x faster" if r >= 1 else f"{1 / r:.2f}x slower"
    print(f"vigil vs {best} (the faster of gitleaks/betterleaks, {peers[best]:.2f} s): "
          f"{speed} (target >= 3x faster: {verdict})")
else:
    print("vigil vs gitleaks/betterleaks: n/a (not timed) (target >= 3x faster)")
if vigil and floor:
    r = vigil / floor
    verdict = "met" if r <= 1.3 else f"MISSED by {r / 1.3:.1f}x"
    print(f"vigil vs floor ({floor:.2f} s): {r:.2f}x the floor's time (target <= 1.3x: {verdict})")
else:
    print("vigil vs floor: n/a (not timed) (target <= 1.3x)")

print()
smed = {r["command"]: r for r in json.load(open(shf_path))["results"]}
print(f"staged scan: {staged_lines or '?'} lines staged in {staged_file or '(none)'}; "
      f"median of {staged_runs} runs after 3 warmups")
print()
hdr = f"{'tool':<22} {'median ms':>10} {'min ms':>8} {'max ms':>8}  version / status"
print(hdr)
print("-" * len(hdr))
for line in open(srows_path):
    tool, status, note = line.rstrip("\n").split("\t")
    r = smed.get(f"{tool} --staged")
    name = f"{tool} --staged"
    if r is not None:
        print(f"{name:<22} {r['median'] * 1e3:>10.1f} {r['min'] * 1e3:>8.1f} {r['max'] * 1e3:>8.1f}  {note}  [{status}]")
    else:
        print(f"{name:<22} {'-':>10} {'-':>8} {'-':>8}  {note}  [{status}]")
print()
v = smed.get("vigil --staged")
if v:
    ms = v["median"] * 1e3
    verdict = "met" if ms <= 50 else f"MISSED by {ms - 50:.1f} ms"
    print(f"vigil --staged: {ms:.1f} ms (target <= 50 ms: {verdict})")
else:
    print("vigil --staged: n/a (not timed) (target <= 50 ms)")
PY

if [ -n "$floor_line" ]; then echo "floor's own summary: $floor_line"; fi
if [ "${STATUS[vigil]}" != "${STATUS[vigil]#ok}" ] && [ -s "$work/vigil.rss.stderr" ]; then
  echo "vigil's own summary: $(summary_of "$work/vigil.rss.stderr")"
fi
[ -n "$vigil_staged_summary" ] && echo "vigil --staged's own summary: $vigil_staged_summary"

if [ -n "$vigil_failed" ]; then
  echo
  die "$vigil_failed; vigil was not measured"
fi
