#!/usr/bin/env bash
# The action's main step: runs `vigil scan`, `vigil verify` or `vigil sign` and puts the
# results where GitHub shows them: annotations (workflow commands on stdout), the job
# summary, SARIF for code scanning, and the step's outputs. vigil's exit code is an
# output, not this step's status, so the SARIF upload after it still runs; the action's
# last step (outcome.sh) exits with it.
#
# Inputs arrive as environment variables only (never as ${{ }} in this script), and
# `args`, `paths` and `files` are split on whitespace without any shell expansion but
# the globs of `files`.
# No `set -u`: macOS runners may run bash 3.2, where an empty array is "unbound".
set -eo pipefail

vigil="${VIGIL_BIN:?VIGIL_BIN is not set: the install step did not run}"
outputs="${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set: this script runs as a step of the vigil action}"
summary="${GITHUB_STEP_SUMMARY:?}"
dir="${RUNNER_TEMP:?}/vigil"
mkdir -p "$dir"

# Escapes a workflow command's message: %, CR and LF.
escape() {
  local s=${1//%/%25}
  s=${s//$'\r'/%0D}
  printf '%s' "${s//$'\n'/%0A}"
}

# Whitespace-separated inputs become arrays with `read -a`: no globbing, no expansion.
read -r -d '' -a extra <<<"${VIGIL_ARGS:-}" || true
common=()
[ -n "${VIGIL_CONFIG:-}" ] && common+=(--config "$VIGIL_CONFIG")

# Runs vigil, keeping its stderr for the error annotation (then copying it to the log);
# sets `code`.
run_vigil() {
  set +e
  "$vigil" "$@" 2>"$dir/stderr.txt"
  code=$?
  set -e
  cat "$dir/stderr.txt" >&2
}

# Adds a SARIF report named $1 to `args` when the sarif input is true; sets `sarif`.
add_sarif() {
  sarif=""
  if [ "${VIGIL_SARIF:-true}" = true ]; then
    sarif="$dir/$1"
    args+=(--report "sarif=$sarif")
  fi
}

# The verdict output for vigil's exit code: $1 for 0, $2 for 1.
set_verdict() {
  case $code in
  0) verdict=$1 ;;
  1) verdict=$2 ;;
  3) verdict=incomplete ;;
  *) verdict=error ;;
  esac
}

# An error annotation for exit codes 2 and 3, with vigil's last error line.
explain_failure() {
  local what=$1 why
  why=$(grep -E '^(error|vigil: error)' "$dir/stderr.txt" | tail -n 1 | cut -c1-600 || true)
  [ -n "$why" ] || why="see the log of this step"
  echo "::error title=vigil $what::$(escape "vigil exited $code: $why")"
}

case "${VIGIL_COMMAND:-scan}" in
scan)
  read -r -d '' -a paths <<<"${VIGIL_PATHS:-}" || true
  report="$dir/vigil.json"
  args=(scan --report github=- --report "markdown=$summary" --report "json=$report")
  [ -n "${VIGIL_FAIL_ON:-}" ] && args+=(--fail-on "$VIGIL_FAIL_ON")
  [ -n "${VIGIL_BASELINE:-}" ] && args+=(--baseline "$VIGIL_BASELINE")
  add_sarif vigil.sarif
  # With paths, vigil refuses a shard (it splits commits) rather than ignore it.
  [ -n "${VIGIL_SHARD:-}" ] && args+=(--shard "$VIGIL_SHARD")
  if [ ${#paths[@]} -eq 0 ]; then
    args+=(--ci)
  else
    args+=(-- "${paths[@]}")
  fi
  rm -f "$report" "$sarif"
  run_vigil "${args[@]:0:1}" "${common[@]}" "${extra[@]}" "${args[@]:1}"
  findings=""
  [ -f "$report" ] && findings=$(jq '.findings | length' "$report")
  set_verdict clean findings
  # A --ci run that resolved to nothing (a deleted branch) writes no report.
  if [ ! -f "$report" ]; then
    report=""
    [ "$code" = 0 ] && echo "## vigil: nothing to scan (the log of the step says why)" >>"$summary"
  fi
  [ -n "$sarif" ] && [ ! -f "$sarif" ] && sarif=""
  {
    echo "findings=$findings"
    echo "sarif-file=$sarif"
    echo "report-file=$report"
  } >>"$outputs"
  ;;
verify)
  report="$dir/verify.junit.xml"
  args=(verify --ci --format github --report "markdown=$summary" --report "junit=$report")
  add_sarif verify.sarif
  rm -f "$report" "$sarif"
  run_vigil "${args[@]:0:1}" "${common[@]}" "${extra[@]}" "${args[@]:1}"
  set_verdict verified failed
  [ -f "$report" ] || report=""
  [ -n "$sarif" ] && [ ! -f "$sarif" ] && sarif=""
  {
    echo "report-file=$report"
    echo "sarif-file=$sarif"
  } >>"$outputs"
  ;;
sign)
  read -r -d '' -a patterns <<<"${VIGIL_FILES:-}" || true
  if [ ${#patterns[@]} -eq 0 ]; then
    echo "::error title=vigil sign::the input files names nothing to sign (glob patterns, e.g. dist/*.tar.gz)"
    exit 1
  fi
  if [ -z "${VIGIL_SIGNING_KEY:-}" ]; then
    echo "::error title=vigil sign::the input signing-key is empty: pass the secret key's contents from a secret (a pull request from a fork gets no secrets)"
    exit 1
  fi
  files=()
  shopt -s globstar 2>/dev/null || true # bash 4 and later: ** spans folders
  for pattern in "${patterns[@]}"; do
    matched=0
    while IFS= read -r f; do
      [ -f "$f" ] || continue
      files+=("$f")
      matched=1
    done < <(compgen -G "$pattern" || true)
    if [ $matched = 0 ]; then
      echo "::error title=vigil sign::$(escape "no file matches $pattern")"
      exit 1
    fi
  done
  out_dir="${VIGIL_OUT_DIR:-$(dirname "${files[0]}")}"
  args=(sign --key-env VIGIL_SIGNING_KEY --out-dir "$out_dir")
  [ -n "${VIGIL_SIGNING_PASSWORD:-}" ] && args+=(--password-env VIGIL_SIGNING_PASSWORD)
  run_vigil "${args[@]}" "${extra[@]}" -- "${files[@]}"
  if [ $code = 0 ]; then
    verdict=signed
    made=("$out_dir/SHA256SUMS" "$out_dir/SHA256SUMS.minisig" "$out_dir/SHA256SUMS.sig")
    [ -f "$out_dir/provenance.intoto.jsonl" ] && made+=("$out_dir/provenance.intoto.jsonl")
    delimiter="vigil-files-$RANDOM$RANDOM"
    {
      echo "files<<$delimiter"
      printf '%s\n' "${files[@]}" "${made[@]}"
      echo "$delimiter"
    } >>"$outputs"
    {
      echo "## vigil: signed ${#files[@]} file(s)"
      echo
      echo "| SHA-256 | File |"
      echo "|---|---|"
      while read -r digest name; do
        echo "| \`$digest\` | \`${name//|/\\|}\` |"
      done <"$out_dir/SHA256SUMS"
      echo
      echo "Check them with \`minisign -Vm SHA256SUMS -p <public key>\` and \`sha256sum -c SHA256SUMS\`."
    } >>"$summary"
  else
    verdict=error
  fi
  ;;
install)
  code=0
  verdict=installed
  ;;
*)
  echo "::error title=vigil::$(escape "the input command is ${VIGIL_COMMAND}, expected scan, verify, sign or install")"
  exit 1
  ;;
esac

case $code in
2 | 3) explain_failure "${VIGIL_COMMAND:-scan}" ;;
esac
echo "verdict=$verdict" >>"$outputs"
echo "exit-code=$code" >>"$outputs"
