#!/bin/sh
# Publishes the package. The token should come from CI secrets, not from here.
set -eu
NPM_TOKEN="${NPM_TOKEN:?set NPM_TOKEN}"
curl -fsS -H "Authorization: token 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" https://api.github.com/user
