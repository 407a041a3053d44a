#!/usr/bin/env bash
# Set up, then run the shipped youth-service case: print its statements and metrics, write
# out/youth_service.xlsx with live formulas and (when LibreOffice is installed) prove the workbook
# equal to Python. Extra arguments go to 'mutualfin run' (e.g. --simulate 10000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/mutualfin run models/youth_service.toml -o out/youth_service.xlsx --overwrite "$@"
