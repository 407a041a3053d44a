#!/usr/bin/env bash
# Set up, then run every check: ruff lint and format, and the whole pytest suite (unit, property,
# doctests, workbook verification in LibreOffice). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check mutualfin tests benchmarks examples notebooks
.venv/bin/ruff format --check mutualfin tests benchmarks examples notebooks
set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure, not a pass" >&2
  exit 1
fi
exit "$status"
