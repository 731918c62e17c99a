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
build_vigil() {
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

# q ARGS...: one shell-quoted command line (for hyperfine, which runs through a shell).
q() { local s="" a; for a in "$@"; do s+="$(printf '%q' "$a") "; done; printf '%s' "${s% }"; }
