#!/usr/bin/env bash
# The action's first step: build this checkout of vigil (no `version` input) or download
# a release (see download.sh). For a build, the cache key is the lockfile's hash (and the
# toolchain's), so dependencies come from the cache and only vigil itself is rebuilt.
set -euo pipefail

# SHA-256 of stdin (macOS has shasum, not sha256sum).
sha256() {
  if command -v sha256sum >/dev/null; then sha256sum; else shasum -a 256; fi
}

out="${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set: this script runs as a step of the vigil action}"
if [ -n "${VIGIL_VERSION:-}" ]; then
  echo "mode=download" >>"$out"
  exit 0
fi
root="${GITHUB_ACTION_PATH:?}"
lock=$(cat "$root/Cargo.lock" "$root/rust-toolchain.toml" | sha256 | cut -c1-32)
prefix="vigil-build-${RUNNER_OS:-unknown}-${RUNNER_ARCH:-unknown}-"
{
  echo "mode=build"
  echo "target-dir=${RUNNER_TEMP:?}/vigil-target"
  echo "cache-key=${prefix}${lock}"
  echo "cache-prefix=${prefix}"
} >>"$out"
