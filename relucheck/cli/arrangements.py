"""``relucheck arrangements``: the exact activation-pattern count of the user's data.

    relucheck arrangements --X X.npy [--bias] [--json] [--save patterns.npz]

Prints the exact number of chambers (patterns), the rank, Cover's formula
2 Σ_{k<r} C(n−1, k), the bound 2r(e(n−1)/r)^r and whether X is in general position
(claims.md, PT); the bound is null (n/a) for n < 2 or rank 0, where the formula does not
apply. The answer does not depend on the scale of the rows, so any finite X is accepted
(1e300 and subnormal entries included). ``--save`` writes the interior directions and the
bit-packed patterns (``np.packbits`` along rows; unpack with
``np.unpackbits(..., axis=1, count=n)``).
Exit 2 with a one-line message on bad input.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from relucheck.cli.common import (
    check_output_path,
    json_line,
    save_with_facts,
    usage_error,
    validate_matrix,
)
from relucheck.datasets.array_files import load_array
from relucheck.datasets.generators import with_bias
from relucheck.datasets.validation import BadInput


def scale_rows_exactly(X: np.ndarray) -> np.ndarray:
    """Each nonzero row times the power of two that brings its largest |entry| into [½, 1).

    Patterns, rank and general position do not change under positive row scalings, and a
    power of two scales without rounding, so the answer is that of the user's X; products
    then stay far from overflow (data near 1e308) and from underflow (subnormal data).
    """
    top = np.max(np.abs(X), axis=1)
    _, exponent = np.frexp(top)  # top = mantissa·2^exponent, mantissa in [½, 1); 0 for 0
    return np.ldexp(X, -exponent[:, None])


def run_arrangements(args: argparse.Namespace) -> int:
    """Enumerate exactly and report count, rank, formula, bound and general position."""
    from relucheck.models.arrangements.patterns import (
        cover_bound,
        cover_count,
        enumerate_patterns,
        is_general_position,
    )

    try:
        X = load_array(args.X, "--X", matrix=True)
        if X.ndim == 1:
            X = X[:, None]
        validate_matrix(X)
        check_output_path(args.save, {"--X": args.X})
    except BadInput as exc:
        return usage_error(str(exc))
    if args.bias:
        X = with_bias(X)
    X = scale_rows_exactly(X)
    n, d = X.shape
    start = time.perf_counter()
    patterns = enumerate_patterns(X)
    seconds = time.perf_counter() - start
    r = patterns.rank
    facts = {
        "count": patterns.count,
        "rank": r,
        "formula": cover_count(n, r),
        # 2r(e(n−1)/r)^r bounds the count only for n ≥ 2 and r ≥ 1 (it is 0 otherwise)
        "bound": cover_bound(n, r) if n >= 2 and r >= 1 else None,
        "general_position": is_general_position(X),
        "exact": patterns.exact,
        "method": patterns.method,
        "n": n,
        "d": d,
        "seconds": seconds,
    }
    if args.save:
        packed = (
            patterns.packed_masks()
            if hasattr(patterns, "packed_masks")
            else np.packbits(patterns.masks, axis=1)
        )
        failed = save_with_facts(
            args, facts, directions=patterns.directions, packed_masks=packed, n=n
        )
        if failed is not None:
            return failed
    if args.json:
        print(json_line(facts))
        return 0
    gp = {True: "yes", False: "no", None: "unknown (too many subsets to check)"}
    print(f"activation patterns of X ({n}x{d}), rank {r}")
    print(f"  exact count        {facts['count']}  ({facts['method']}, {seconds:.2f} s)")
    print(f"  Cover's formula    {facts['formula']}  (equal in general position)")
    bound = "n/a (needs n >= 2, rank >= 1)" if facts["bound"] is None else f"{facts['bound']:.6g}"
    print(f"  bound              {bound}")
    print(f"  general position   {gp[facts['general_position']]}")
    if "saved" in facts:
        print(f"  saved              {facts['saved']}")
    return 0


def add_arrangements_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register ``arrangements`` on the main parser."""
    parser = subparsers.add_parser("arrangements", help="exact activation-pattern count of X")
    parser.add_argument("--X", required=True, help="data matrix, .npy (n, d) or .csv")
    parser.add_argument("--bias", action="store_true", help="append a ones column")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--save", default=None, help="write directions and packed patterns")
    parser.set_defaults(func=run_arrangements)
