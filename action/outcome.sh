#!/usr/bin/env bash
# The action's last step: ends with vigil's exit code, after the reports were uploaded.
set -euo pipefail
case "${VIGIL_EXIT:-}" in
  0) exit 0 ;;
  1 | 2 | 3) exit "$VIGIL_EXIT" ;;
  *)
    echo "::error title=vigil::vigil did not run to the end (see the steps above)"
    exit 1
    ;;
esac
