"""Benchmark-session hooks: accuracy relative to the best certificate, machine fingerprint."""

from __future__ import annotations

import os

from relucheck.bench.compare import machine_fingerprint
from relucheck.bench.report import annotate_accuracy


def pytest_benchmark_update_json(config, benchmarks, output_json):
    """Before pytest-benchmark saves a run: ``gap_to_best`` across the solvers of each case."""
    annotate_accuracy(output_json["benchmarks"])


def pytest_benchmark_update_machine_info(config, machine_info):
    """Record the fingerprint ``make bench-compare`` matches runs by, and the load (noise)."""
    from threadpoolctl import threadpool_info

    machine_info["relucheck_blas_threads"] = max(
        (pool.get("num_threads", 0) for pool in threadpool_info()), default=None
    )
    machine_info["relucheck_fingerprint"] = machine_fingerprint(machine_info)
    try:
        machine_info["load_average"] = list(os.getloadavg())
    except OSError:
        machine_info["load_average"] = None
