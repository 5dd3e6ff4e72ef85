#!/usr/bin/env bash
# Install the benchmark peers into the dev venv and run every benchmark; see benchmarks/README.md.
#   bash benchmarks/run_all.sh              # everything, then the report (benchmarks/_data/results/RESULTS.md)
#   bash benchmarks/run_all.sh featurize    # just some: startup classify train batch featurize profile
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
[ -x .venv/bin/smtriage ] || .venv/bin/pip install -q -e '.[demo]'
.venv/bin/pip install -q -r benchmarks/requirements.txt
if ! command -v hyperfine >/dev/null; then  # optional: bench_startup falls back to timed subprocesses
  (apt-get install -y -qq hyperfine >/dev/null 2>&1 || sudo -n apt-get install -y -qq hyperfine >/dev/null 2>&1) || true
fi
exec .venv/bin/python -m benchmarks "$@"
