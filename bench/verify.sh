#!/usr/bin/env bash
# Signature verification: `vigil verify --all` against `git log --format=%G?` on the same
# repository of SSH-signed commits, in one run, printing time per commit and the ratio.
#
#   bench/verify.sh [REPO ALLOWED_SIGNERS]     (BENCH_RUNS=N timed vigil runs, default 10)
#
# Without arguments, bench/gen-signed.py generates 2,000 SSH-signed commits into
# bench/.work/verify-repo once (later runs reuse it; delete it to regenerate; BENCH_COMMITS
# sets the count). With REPO and ALLOWED_SIGNERS, any clone whose commits are signed with
# SSH keys listed in that allowed_signers file is used. See bench/README.md, "verify.sh".
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"   # cd's to the repo root

runs=${BENCH_RUNS:-10}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, got '$runs'"
commits_wanted=${BENCH_COMMITS:-2000}
ensure_bench_tools
ensure_cmd git
ensure_cmd ssh-keygen openssh-client
build_vigil

if [ $# -eq 2 ]; then
  repo=$(cd "$1" && pwd); signers=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
elif [ $# -eq 0 ]; then
  repo="$BENCH_DIR/.work/verify-repo"; signers="$repo.allowed_signers"
  if [ ! -f "$repo/.git/vigil-gen-signed" ] || [ "$(cat "$repo/.git/vigil-gen-signed")" != "$commits_wanted" ]; then
    say "generating $commits_wanted SSH-signed commits into $repo (once; reused later) ..."
    mkdir -p "$BENCH_DIR/.work"
    python3 "$BENCH_DIR/gen-signed.py" "$repo" --commits "$commits_wanted" >&2 || die "gen-signed.py failed"
  else
    say "reusing $repo (delete it to regenerate)"
  fi
else
  die "usage: bench/verify.sh [REPO ALLOWED_SIGNERS]"
fi
[ -f "$signers" ] || die "no allowed_signers file: $signers"
commits=$(git -C "$repo" rev-list --count HEAD)

# git, isolated from ambient configuration, with the allowed signers configured.
gitcfg=$(mktemp)
trap 'rm -f "$gitcfg"' EXIT
printf '[gpg "ssh"]\n\tallowedSignersFile = %s\n' "$signers" >"$gitcfg"
git_cmd=$(q env GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$gitcfg" git -C "$repo" log --format=%G? HEAD)
vigil_cmd=$(q "$VIGIL" verify "$repo" --allowed-signers "$signers" --format json)

# Both must judge the same: every commit good.
say "checking both verdicts once ..."
git_good=$(eval "$git_cmd" | grep -c '^G$' || true)
vigil_out=$(eval "$vigil_cmd" 2>/dev/null) || true
vigil_good=$(printf '%s' "$vigil_out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["counts"].get("good", 0))')
say "git: $git_good of $commits commits G; vigil: $vigil_good good"

json=$(mktemp -d)
trap 'rm -f "$gitcfg"; rm -rf "$json"' EXIT
hyperfine --warmup 1 --runs "$runs" --export-json "$json/vigil.json" -n vigil "$vigil_cmd > /dev/null" >&2
hyperfine --runs 2 --export-json "$json/git.json" -n "git log %G?" "$git_cmd > /dev/null" >&2

median() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$1"; }
v=$(median "$json/vigil.json"); g=$(median "$json/git.json")
python3 - "$v" "$g" "$commits" "$(nproc)" "$git_good" "$vigil_good" <<'EOF'
import sys
v, g, n, cores, gg, vg = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
print(f"signature verification: {n} SSH-signed commits; {cores} cores")
print(f"{'tool':<22}{'median s':>10}{'per commit':>14}{'good':>7}")
print(f"{'vigil verify':<22}{v:>10.3f}{v / n * 1e6:>11.1f} us{vg:>7}")
print(f"{'git log --format=%G?':<22}{g:>10.3f}{g / n * 1e6:>11.1f} us{gg:>7}")
ratio = g / v
print(f"vigil vs git: {ratio:.0f}x faster (target >= 100x)")
EOF
