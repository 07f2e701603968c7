#!/bin/sh
# Nightly benchmarks on a plain server (issue 16; the cron line is tools/nightly.cron):
# update the checkout, make bench, make bench-compare against the previous run of this
# machine (the saved runs under reports/bench are the history), then optionally copy the
# history page to a web folder. Exit 1 when a benchmark failed or a regression was found;
# the comparison is in reports/bench/compare.txt, the run's log in reports/bench/bench.log.
#
#   BENCH_PUBLISH_DIR=/var/www/relucheck-bench   copy history.html there as index.html
#   BENCH_NO_PULL=1                              benchmark the checkout as it is
set -u
cd "$(dirname "$0")/.." || exit 2
mkdir -p reports/bench
if [ -z "${BENCH_NO_PULL:-}" ]; then
    git pull --ff-only --quiet || echo "nightly: git pull failed; benchmarking the checkout as it is"
fi
status=0
make bench > reports/bench/bench.log 2>&1 || status=1
make bench-compare > reports/bench/compare.txt 2>&1 || status=1
if [ -n "${BENCH_PUBLISH_DIR:-}" ] && [ -f reports/bench/history.html ]; then
    mkdir -p "$BENCH_PUBLISH_DIR"
    cp reports/bench/history.html "$BENCH_PUBLISH_DIR/index.html"
    cp reports/bench/compare.txt "$BENCH_PUBLISH_DIR/compare.txt"
fi
echo "nightly $(date -u +%FT%TZ): $(tail -n 1 reports/bench/compare.txt) (status $status)"
exit $status
