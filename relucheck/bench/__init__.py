"""Benchmark tooling: cases, peers in their own environments, reports, comparisons, history.

Used by ``make bench``, ``make bench-compare`` and ``make bench-peers``; the run machinery in
:mod:`relucheck.harness` knows nothing of it.
"""
