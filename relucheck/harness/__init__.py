"""Machinery that knows nothing about ReLU: registry, runner, records, reports, CLI glue."""
