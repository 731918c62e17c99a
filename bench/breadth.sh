#!/usr/bin/env bash
# Breadth benchmark: recall and false positives of vigil, gitleaks and betterleaks, per
# provider family, on a corpus generated from providers' documented credential formats
# (bench/breadth/). Not a test: it measures and prints, and fails only when a tool fails.
#
#   bench/breadth.sh [--seed N] [--formats] [--list-misses TOOL]... [--list-fps TOOL]...
#   VIGIL_BIN=/path/to/vigil bench/breadth.sh      # measure that binary, build nothing
#
# Writes the corpus to bench/.work/breadth (regenerated each run; the same seed gives the
# same corpus), runs each tool once on bench/.work/breadth/corpus (folder mode, JSON report,
# raw secrets), then scores the reports with bench/breadth/score.py. See bench/README.md.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # cd's to the repo root

usage() { printf 'error: %s\nusage: bench/breadth.sh [--seed N] [--formats] [--list-misses TOOL] [--list-fps TOOL]\n' "$1" >&2; exit 2; }
seed=${BREADTH_SEED:-20}
score_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --seed) [ $# -ge 2 ] || usage "--seed needs a number"; seed=$2; shift 2 ;;
    --list-misses | --list-fps)
      [ $# -ge 2 ] || usage "$1 needs a tool (vigil, gitleaks or betterleaks)"
      case $2 in vigil | gitleaks | betterleaks) ;; *) usage "$1: unknown tool '$2' (vigil, gitleaks or betterleaks)" ;; esac
      score_args+=("$1" "$2"); shift 2 ;;
    --formats) score_args+=(--formats); shift ;;
    -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) usage "unknown argument '$1'" ;;
  esac
done
[[ $seed =~ ^[0-9]+$ ]] || usage "--seed must be a non-negative integer, got '$seed'"

command -v python3 >/dev/null 2>&1 || ensure_cmd python3
python3 -c 'import tomllib' 2>/dev/null || die "python3 >= 3.11 is needed (tomllib)"
ensure_cmd /usr/bin/time time
build_vigil
install_peers

work="$BENCH_DIR/.work/breadth"
corpus="$work/corpus"
python3 "$BENCH_DIR/breadth/generate.py" "$work" --seed "$seed" || die "generating the corpus failed"
reports="$work/reports"
mkdir -p "$reports"

# Folder mode, JSON report to a file, raw secrets where the tool redacts by default. Peers
# keep their default rules and decoding; flags as in bench/folder.sh (bench/README.md).
argv_for() {
  case $1 in
    vigil) argv=("$VIGIL" scan "$corpus" --format json --no-redact --report-path "$reports/vigil.json") ;;
    gitleaks) argv=("${PEER_BIN[gitleaks]}" dir "$corpus" --no-banner --no-color
      --report-format json --report-path "$reports/gitleaks.json" --max-target-megabytes 10) ;;
    betterleaks) argv=("${PEER_BIN[betterleaks]}" filesystem "$corpus" --silent --no-color
      --output "$reports/betterleaks.json" --max-target-megabytes 10 --max-archive-depth 0) ;;
  esac
}

tools=() score_reports=() vigil_failed=""
for t in vigil gitleaks betterleaks; do
  if [ "$t" != vigil ] && [ -z "${PEER_BIN[$t]}" ]; then continue; fi
  rm -f "$reports/$t.json"
  argv_for "$t"
  rc=0
  peak_rss "$reports/$t.rss" "${argv[@]}" || rc=$?
  case $t:$rc in
    vigil:0 | vigil:1 | gitleaks:0 | gitleaks:1 | betterleaks:0 | betterleaks:1) ;;
    *)
      say "$t failed (exit $rc):"; tail -n 5 "$reports/$t.rss.stderr" | sed 's/^/  | /' >&2
      [ "$t" = vigil ] && vigil_failed="vigil scan exited $rc"
      continue ;;
  esac
  [ -s "$reports/$t.json" ] || { say "$t wrote no report"; [ "$t" = vigil ] && vigil_failed="vigil wrote no report"; continue; }
  read -r wall _ _ rss < <(time_fields "$reports/$t.rss.time")
  say "$t: exit $rc, ${wall} s, peak RSS $((rss / 1024)) MiB"
  tools+=("$t")
  score_reports+=(--report "$t=$reports/$t.json" --time "$t=$wall")
done
[ -z "$vigil_failed" ] || say "error: $vigil_failed; scoring the peers only"
[ ${#tools[@]} -gt 0 ] || die "no tool produced a report"

read -r bytes files < <(tree_stats "$corpus")
echo "breadth benchmark: $corpus ($files files, $((bytes / 1024)) KiB, seed $seed); one run per tool"
for t in "${tools[@]}"; do
  if [ "$t" = vigil ]; then echo "  vigil: $("$VIGIL" --version 2>&1 | head -n 1) ($VIGIL)"
  else echo "  $t: ${PEER_NOTE[$t]}"; fi
done
echo
python3 "$BENCH_DIR/breadth/score.py" --work "$work" "${score_reports[@]}" "${score_args[@]}"
[ -z "$vigil_failed" ] || die "$vigil_failed"
