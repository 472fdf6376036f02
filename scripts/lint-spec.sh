#!/usr/bin/env bash
# `make lint-spec`: lints api-spec/openapi.yaml with the Spectral CLI pinned
# in tools/spectral (package-lock.json), ruleset api-spec/.spectral.yaml.
# Any warning fails. The first run installs Spectral (needs the npm registry).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools=$root/tools/spectral

if [ ! -x "$tools/node_modules/.bin/spectral" ]; then
	echo "installing Spectral (tools/spectral)..." >&2
	# --ignore-scripts: Spectral needs no install scripts (the only one in
	# the tree is @scarf/scarf's download telemetry).
	(cd "$tools" && SCARF_ANALYTICS=false npm ci --no-audit --no-fund \
	    --ignore-scripts --loglevel=error >/dev/null)
fi

cd "$root"
exec "$tools/node_modules/.bin/spectral" lint --fail-severity=warn \
    --ruleset api-spec/.spectral.yaml api-spec/openapi.yaml
