#!/usr/bin/env bash
# Set up, then run the shipped demonstration model: print its summary, write out/demo.xlsx with
# live formulas, and (when LibreOffice is installed) prove the workbook equal to Python.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/mutualfin demo models/demo.toml -o out/demo.xlsx --overwrite "$@"
