#!/usr/bin/env bash
# Puts vigil on the runner: builds the action's own checkout with cargo, or downloads a
# release and checks it (download.sh). Writes `bin=<path>` to the step's outputs and
# adds vigil's folder to GITHUB_PATH, so later steps of the job can call `vigil` too.
set -euo pipefail

root="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: this script runs as a step of the vigil action}"
if [ "${VIGIL_MODE:-}" = download ]; then
  VIGIL_ACTION_PATH="$root" exec bash "$root/action/download.sh"
fi

if ! command -v cargo >/dev/null; then
  echo "::error title=vigil::building vigil from source needs cargo (rustup) on the runner; set the input version: to download a checked release instead"
  exit 1
fi
install_root="${RUNNER_TEMP:?}/vigil-install"
exe=vigil
[ "${RUNNER_OS:-}" = Windows ] && exe=vigil.exe
# From the action's folder, so that its rust-toolchain.toml picks the toolchain.
cd "$root"
echo "::group::cargo install vigil (from $root)"
CARGO_TARGET_DIR="${VIGIL_TARGET_DIR:?}" cargo install --locked --path . --root "$install_root" --force
echo "::endgroup::"
bin="$install_root/bin/$exe"
"$bin" --version
echo "$install_root/bin" >>"${GITHUB_PATH:?}"
echo "bin=$bin" >>"${GITHUB_OUTPUT:?}"
