# Shared helpers for the bench/*.sh scripts. Source it; do not run it.
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Sets BENCH_DIR (this folder) and ROOT (the repo root) and cd's to ROOT.
# shellcheck shell=bash

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
PEERS_DIR="$BENCH_DIR/.peers"
VIGIL="$ROOT/target/release/vigil"
cd "$ROOT"

say() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# ensure_cmd CMD [DEBIAN-PACKAGE]: install the package with apt-get if CMD is missing
# (`apt-get update` runs at most once per script run).
_apt_updated=0
ensure_cmd() {
  local cmd=$1 pkg=${2:-$1}
  if [ -x "$cmd" ] || command -v "$cmd" >/dev/null 2>&1; then return 0; fi
  say "installing $pkg (for $cmd) with apt-get"
  if [ "$_apt_updated" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || die "apt-get update failed"
    _apt_updated=1
  fi
  local log; log=$(mktemp)
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >"$log" 2>&1; then
    tail -n 20 "$log" >&2; rm -f "$log"; die "apt-get install $pkg failed"
  fi
  rm -f "$log"
  [ -x "$cmd" ] || command -v "$cmd" >/dev/null 2>&1 || die "$pkg installed but $cmd still missing"
}

# The tools every benchmark needs: hyperfine, /usr/bin/time, python3.
ensure_bench_tools() {
  command -v python3 >/dev/null 2>&1 || ensure_cmd python3
  ensure_cmd hyperfine
  ensure_cmd /usr/bin/time time
}

# build_vigil: release build at the repo root; exits non-zero with a clear message on failure.
# With VIGIL_BIN=PATH set, measures that binary instead and builds nothing (to compare builds).
build_vigil() {
  if [ -n "${VIGIL_BIN:-}" ]; then
    VIGIL=$(command -v "$VIGIL_BIN" || true)
    if [ -z "$VIGIL" ] || [ ! -x "$VIGIL" ]; then die "VIGIL_BIN=$VIGIL_BIN is not an executable"; fi
    say "vigil: $VIGIL (VIGIL_BIN; not building)"
    return 0
  fi
  say "building vigil (cargo build --release) ..."
  if ! cargo build --release >&2; then
    die "the vigil release build failed (cargo build --release at $ROOT); fix the build and rerun"
  fi
  [ -x "$VIGIL" ] || die "cargo build --release succeeded but $VIGIL is missing"
}

# install_peers: puts gitleaks, betterleaks and kingfisher into bench/.peers with
# scripts/install-peers.sh. Then sets, for each peer
# NAME, PEER_BIN[NAME] (path, or empty) and PEER_NOTE[NAME] (version or why it is missing).
declare -gA PEER_BIN=() PEER_NOTE=()
PEERS=(gitleaks betterleaks kingfisher)
install_peers() {
  local installer="$ROOT/scripts/install-peers.sh" log name bin
  log=$(mktemp)
  if ! bash "$installer" "$PEERS_DIR" >"$log" 2>&1; then
    say "warning: $installer failed; some peers may be missing (looking in $PEERS_DIR and on PATH):"
    sed 's/^/  | /' "$log" | tail -n 15 >&2
  fi
  rm -f "$log"
  for name in "${PEERS[@]}"; do
    bin=""
    if [ -x "$PEERS_DIR/$name" ]; then bin="$PEERS_DIR/$name"
    elif command -v "$name" >/dev/null 2>&1; then bin=$(command -v "$name"); fi
    if [ -z "$bin" ]; then
      PEER_BIN[$name]=""; PEER_NOTE[$name]="not installed"
      say "$name: not installed (skipped)"
      continue
    fi
    PEER_BIN[$name]=$bin
    case $name in
      kingfisher) PEER_NOTE[$name]=$("$bin" --version 2>&1 | head -n 1) ;;
      *) PEER_NOTE[$name]="$name $("$bin" version 2>&1 | head -n 1)" ;;
    esac
  done
}

# tree_stats DIR: prints "BYTES FILES" for the regular files under DIR (symlinks not followed).
tree_stats() {
  find "$1" -type f -printf '%s\n' | awk '{ b += $1; n++ } END { printf "%d %d\n", b, n }'
}

# peak_rss OUT_KIB_FILE CMD...: runs CMD once under /usr/bin/time -v, stdout and stderr of
# CMD go to OUT_KIB_FILE.stdout / .stderr; writes the peak RSS in KiB to OUT_KIB_FILE and
# returns CMD's exit code.
peak_rss() {
  local out=$1; shift
  local rc=0
  /usr/bin/time -v -o "$out.time" "$@" >"$out.stdout" 2>"$out.stderr" || rc=$?
  awk -F': *' '/Maximum resident set size/ { print $2 }' "$out.time" >"$out"
  # /usr/bin/time reports "Command exited with non-zero status N" and exits with N itself.
  return "$rc"
}

# time_fields TIME_V_FILE: prints "WALL_S USER_S SYS_S PEAK_RSS_KIB" from the output of
# /usr/bin/time -v (as peak_rss leaves it in OUT_KIB_FILE.time).
time_fields() {
  awk -F': ' '
    /Elapsed \(wall clock\) time/ { n = split($NF, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
    /User time \(seconds\)/ { u = $NF }
    /System time \(seconds\)/ { s = $NF }
    /Maximum resident set size/ { r = $NF }
    END { if (r == "") exit 1; printf "%.2f %.2f %.2f %d\n", w, u, s, r }' "$1"
}

# History scans, shared by history.sh and scale.sh. Every tool scans all commits reachable
# from any ref with its defaults, except where a default would make it do different work
# (see bench/README.md, "Peer flags (history)"). Reports go to files in WORK: never
# /dev/null for gitleaks (it replaces the device); vigil's JSON report is its stdout.
# history_argv TOOL REPO WORK: sets the array `argv` for vigil, gitleaks, betterleaks or
# kingfisher; vigil's gets the words of $VIGIL_ARGS appended (e.g. VIGIL_ARGS="--memory 256M").
history_argv() {
  local tool=$1 repo=$2 work=$3 extra=()
  case $tool in
    vigil) read -ra extra <<<"${VIGIL_ARGS:-}"
      argv=("$VIGIL" scan --history "$repo" --format json "${extra[@]}") ;;
    gitleaks) argv=("${PEER_BIN[gitleaks]}" git "$repo" --no-banner --no-color
      --report-format json --report-path "$work/gitleaks.json" --max-target-megabytes 10) ;;
    betterleaks) argv=("${PEER_BIN[betterleaks]}" git "$repo" --silent --no-color
      --output "$work/betterleaks.json" --max-archive-depth 0) ;;
    kingfisher) argv=("${PEER_BIN[kingfisher]}" scan "$repo" --quiet --no-validate
      --no-update-check --git-history full --no-extract-archives --max-file-size 10
      --format json --output "$work/kingfisher.json") ;;
    *) die "history_argv: unknown tool $tool" ;;
  esac
}
# history_exit_ok TOOL RC: succeeds for the exit codes that mean "scanned" (clean or findings;
# vigil's 3 = incomplete is accepted here and reported by the caller).
history_exit_ok() {
  case $1:$2 in
    vigil:0 | vigil:1 | vigil:3) return 0 ;;
    gitleaks:0 | gitleaks:1 | betterleaks:0 | betterleaks:1) return 0 ;;
    kingfisher:0 | kingfisher:200 | kingfisher:205) return 0 ;;
  esac
  return 1
}
# count_findings TOOL REPORT: prints the number of findings in a tool's JSON report.
count_findings() {
  python3 - "$1" "$2" <<'PY'
import json, sys
tool, path = sys.argv[1], sys.argv[2]
try:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    doc = json.loads(text) if text.strip() else []
except (OSError, ValueError) as e:
    sys.exit(f"no JSON report from {tool} ({path}): {e}")
if tool == "gitleaks":
    found = doc
elif tool == "vigil":
    if not isinstance(doc, dict) or doc.get("version") != 1:
        sys.exit('vigil JSON lacks "version": 1')
    found = doc.get("findings")
else:
    found = doc.get("findings") if isinstance(doc, dict) else doc
if not isinstance(found, list):
    sys.exit(f"{tool} JSON report has no findings list")
print(len(found))
PY
}
# summary_of STDERR_FILE: vigil's last "vigil: scanned ..." line, without "vigil: ".
summary_of() {
  grep -a '^vigil: scanned' "$1" | tail -n 1 | sed 's/^vigil: //' || true
}

# q ARGS...: one shell-quoted command line (for hyperfine, which runs through a shell).
q() { local s="" a; for a in "$@"; do s+="$(printf '%q' "$a") "; done; printf '%s' "${s% }"; }
