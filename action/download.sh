#!/usr/bin/env bash
# The action's "released version" path: downloads a vigil release for this runner and
# checks it before anything is unpacked.
#
#   1. the version must have a line for this platform's archive in
#      action/pinned-releases.txt (`<version> <archive> <sha256>`), committed with the action
#   2. download the archive, SHA256SUMS and SHA256SUMS.minisig (curl --fail, bounded sizes,
#      https only; plain http only for a server on this machine, as the tests use)
#   3. SHA256SUMS.minisig must be a good signature over SHA256SUMS by the project's key
#      committed in action/release-key.pub, and its trusted comment must name SHA256SUMS
#      and this version (verify_release.py: python3 is on every GitHub runner, minisign is not)
#   4. the archive's SHA-256 must equal its line in SHA256SUMS
#   5. and the sha256 pinned in step 1
#   6. only then unpack it (top-level regular files only) into $RUNNER_TEMP/vigil-<version>/,
#      add that folder to $GITHUB_PATH and write bin=<the binary> to $GITHUB_OUTPUT.
#
# Every refusal prints a ::error:: line that names what failed, and exits 1.
#
# Environment:
#   VIGIL_VERSION       the release tag, e.g. v0.2.0 (required)
#   VIGIL_ACTION_PATH   the folder holding action/ (default: this script's parent folder)
#   VIGIL_RELEASE_URL   base URL; files are fetched from $VIGIL_RELEASE_URL/<version>/<file>
#                       (default: https://github.com/$VIGIL_REPOSITORY/releases/download)
#   VIGIL_REPOSITORY    owner/repo of the releases (action.yml passes github.action_repository)
#   VIGIL_MAX_DOWNLOAD  the largest archive accepted, in bytes (default 256 MiB)
#   RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP, GITHUB_OUTPUT, GITHUB_PATH: set by the runner
set -euo pipefail

# A workflow command's message: % and line breaks escaped as GitHub documents.
escape() {
  local s=$1
  s=${s//'%'/'%25'}
  s=${s//$'\r'/'%0D'}
  s=${s//$'\n'/'%0A'}
  printf '%s' "$s"
}

fail() {
  echo "::error title=vigil download::$(escape "$*")"
  exit 1
}

version=${VIGIL_VERSION:-}
[ -n "$version" ] || fail "VIGIL_VERSION is empty: name a release such as v0.2.0"
if ! [[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; then
  fail "version '$version' is not a release tag of the form v1.2.3 (or v1.2.3-rc.1)"
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
action_path=${VIGIL_ACTION_PATH:-$(dirname "$here")}
key="$action_path/action/release-key.pub"
pins="$action_path/action/pinned-releases.txt"
verifier="$action_path/action/verify_release.py"
for f in "$key" "$pins" "$verifier"; do
  [ -f "$f" ] || fail "$f is missing: VIGIL_ACTION_PATH must be the vigil action's folder"
done
temp=${RUNNER_TEMP:?RUNNER_TEMP is not set: this script runs as a step of the vigil action}
output=${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set: this script runs as a step of the vigil action}
path_file=${GITHUB_PATH:?GITHUB_PATH is not set: this script runs as a step of the vigil action}

python=
for candidate in python3 python; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 8))' 2>/dev/null; then
    python=$candidate
    break
  fi
done
[ -n "$python" ] || fail "no python3 (3.8 or later) on this runner: the release check needs it"

# The archive for this runner. Windows on ARM64 runs the x86_64 build under emulation.
case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  Windows/X64 | Windows/ARM64) target=x86_64-pc-windows-msvc ;;
  *) fail "no vigil release is built for RUNNER_OS=${RUNNER_OS:-(unset)} RUNNER_ARCH=${RUNNER_ARCH:-(unset)}: build from source instead (leave the input version empty)" ;;
esac
if [ "${RUNNER_OS}" = Windows ]; then
  archive="vigil-$version-$target.zip"
  exe=vigil.exe
else
  archive="vigil-$version-$target.tar.gz"
  exe=vigil
fi

# 1. The pin, before any download: a version this action does not pin is never fetched.
pinned=$(awk -v v="$version" -v a="$archive" '
  /^[[:space:]]*(#|$)/ { next }
  $1 == v && $2 == a { print $3; n++ }
  END { if (n > 1) print "DUPLICATE" }' "$pins")
if [ -z "$pinned" ]; then
  if awk -v v="$version" '$1 == v { found = 1 } END { exit !found }' "$pins"; then
    fail "action/pinned-releases.txt pins $version but not $archive: this platform's archive cannot be checked; build from source instead (leave the input version empty)"
  fi
  fail "vigil $version is not pinned in action/pinned-releases.txt of this action: build from source (leave the input version empty), or use a ref of the vigil action whose action/pinned-releases.txt pins $version"
fi
if [[ $pinned == *DUPLICATE* ]] || ! [[ $pinned =~ ^[0-9a-f]{64}$ ]]; then
  fail "action/pinned-releases.txt: the line for $version $archive must appear once and end in a lowercase 64-hex sha256"
fi

# 2. Download: https only (GitHub's redirects stay on https); plain http only to this machine.
# vigil-dev/vigil is a placeholder until the project publishes from its own home; the
# action passes its own repository (github.action_repository) when used as owner/repo@ref.
repository=${VIGIL_REPOSITORY:-vigil-dev/vigil}
base=${VIGIL_RELEASE_URL:-https://github.com/$repository/releases/download}
base=${base%/}
case "$base" in
  https://*) proto='=https' ;;
  http://127.0.0.1:* | http://127.0.0.1/* | http://localhost:* | http://localhost/* | 'http://[::1]:'*) proto='=http' ;;
  *) fail "release URL '$base' is not https:// (plain http is allowed only for 127.0.0.1 and localhost)" ;;
esac
max_archive=${VIGIL_MAX_DOWNLOAD:-268435456}
[[ $max_archive =~ ^[0-9]+$ ]] || fail "VIGIL_MAX_DOWNLOAD must be a number of bytes"

work=$(mktemp -d "$temp/vigil-download.XXXXXX")
trap 'rm -rf "$work"' EXIT

fetch() { # NAME MAX_BYTES
  local name=$1 max=$2 err size
  if ! err=$(curl --fail --silent --show-error --location --proto "$proto" --proto-redir '=https' \
    --max-redirs 5 --connect-timeout 30 --max-time 600 --retry 3 \
    --max-filesize "$max" --output "$work/$name" "$base/$version/$name" 2>&1); then
    fail "could not download $name from $base/$version/: ${err:-curl failed}"
  fi
  size=$(wc -c <"$work/$name")
  [ "$size" -le "$max" ] || fail "$name is larger than $max bytes: refused"
}

echo "Downloading vigil $version ($archive) from $base/$version/"
fetch SHA256SUMS 1048576
fetch SHA256SUMS.minisig 65536
fetch "$archive" "$max_archive"

# 3. The signature over SHA256SUMS, by the project's committed key, naming this version.
if ! out=$("$python" "$verifier" verify --public-key "$key" --signature "$work/SHA256SUMS.minisig" \
  --file-name SHA256SUMS --tag "$version" "$work/SHA256SUMS" 2>&1); then
  fail "SHA256SUMS.minisig does not verify with action/release-key.pub: ${out//"$work"\//}"
fi
echo "${out//"$work"\//}"

# 4. The archive's line in the signed SHA256SUMS.
listed=$(awk -v a="$archive" '
  ($2 == a || $2 == "*" a) { print $1; n++ }
  END { if (n > 1) print "DUPLICATE" }' "$work/SHA256SUMS")
[ -n "$listed" ] || fail "SHA256SUMS has no line for $archive"
[[ $listed != *DUPLICATE* ]] || fail "SHA256SUMS lists $archive more than once"
actual=$("$python" "$verifier" sha256 "$work/$archive") || fail "could not hash $archive"
[ "$actual" = "$listed" ] || fail "$archive: SHA-256 $actual does not match its line in SHA256SUMS ($listed): the download was changed"

# 5. The sha256 committed with this action.
[ "$actual" = "$pinned" ] || fail "$archive: SHA-256 $actual differs from the one pinned in action/pinned-releases.txt ($pinned): refused"
echo "$archive: SHA-256 $actual matches SHA256SUMS and action/pinned-releases.txt"

# 6. Unpack into a fresh folder: regular top-level files only, never outside it.
dest="$temp/vigil-$version"
rm -rf "$dest"
if ! out=$("$python" "$verifier" extract --archive "$work/$archive" --dest "$dest" --binary "$exe" 2>&1); then
  fail "could not unpack $archive: ${out//"$work"\//}"
fi
bin="$dest/$exe"
if ! ver=$("$bin" --version 2>&1); then
  fail "$bin does not run on this runner: ${ver:-no output}"
fi
echo "Installed $ver at $bin"
echo "$dest" >>"$path_file"
echo "bin=$bin" >>"$output"
