"""``relucheck new-claim NAME``: a working claim module and its test, to be edited.

The claim it writes holds as written (a two-layer ReLU network is positively homogeneous,
f(cX) = c·f(X) for c ≥ 0), with one check, one negative control (c < 0 breaks the identity
and the check must see it) and a test that runs the conformance suite on it, so a newcomer
starts from something that passes ``relucheck check-claim`` and replaces the mathematics.
"""

from __future__ import annotations

import keyword
import re
from pathlib import Path

from relucheck.plugins import CLAIM_ID

CLAIM_TEMPLATE = '''"""{claim_id}: ReLU networks are positively homogeneous (an example to replace).

Statement: for f(x) = sum_j alpha_j relu(u_j . x) and every c >= 0, f(c x) = c f(x).
Check ``homogeneous`` holds max_i |f(c x_i) - c f(x_i)| <= TOL * (1 + max_i |c f(x_i)|).
Control ``control_negative_scale`` plants c < 0, where the identity is false: the same
relation must be seen to FAIL, and the control row PASSes only when it is.

Written by ``relucheck new-claim``; run ``relucheck check-claim {module}.py`` after editing.
The contract: relucheck.harness.claims (Claim, InstanceSpec, RunOptions) and
relucheck.harness.records (CheckResult, Verdict, held).
"""

from __future__ import annotations

import numpy as np

from relucheck.harness.claims import Claim, InstanceSpec, RunOptions
from relucheck.harness.records import CheckResult, held

CLAIM_ID = "{claim_id}"
TOL = 1e-12
RELATION = "max|f(cX) - c f(X)| <= 1e-12 (1 + max|c f(X)|)"


def instances(profile: str) -> list[InstanceSpec]:
    """A few random networks; every draw comes from the explicit seed."""
    count = 2 if profile == "quick" else 6
    return [
        InstanceSpec.make(CLAIM_ID, f"net-{{seed}}", seed=seed, n=20, d=3, width=5, scale=2.5)
        for seed in range(count)
    ]


def homogeneity_error(spec: InstanceSpec, c: float) -> tuple[float, float]:
    """(max |f(cX) - c f(X)|, the tolerance scaled to the outputs) on the instance's data."""
    p = spec.p
    rng = np.random.default_rng(spec.seed)
    X = rng.standard_normal((p["n"], p["d"]))
    U = rng.standard_normal((p["d"], p["width"]))
    alpha = rng.standard_normal(p["width"])

    def f(Z: np.ndarray) -> np.ndarray:
        return np.maximum(Z @ U, 0.0) @ alpha

    error = float(np.max(np.abs(f(c * X) - c * f(X))))
    return error, TOL * (1.0 + float(np.max(np.abs(c * f(X)))))


def check(spec: InstanceSpec, options: RunOptions) -> list[CheckResult]:
    """One row per check id: the statement, then the planted violation."""
    scale = spec.p["scale"]
    error, tol = homogeneity_error(spec, scale)
    planted, planted_tol = homogeneity_error(spec, -scale)
    return [
        held("homogeneous", error <= tol, RELATION, value=error, tolerance=tol,
             margin=tol - error),
        held("control_negative_scale", planted > planted_tol,
             RELATION + " must FAIL at c = -scale", value=planted, tolerance=planted_tol,
             margin=planted - planted_tol, control=True),
    ]  # fmt: skip


CLAIM = Claim(
    id=CLAIM_ID,
    title="Two-layer ReLU networks are positively homogeneous",
    citation="(your reference here)",
    statement="f(c x) = c f(x) for every c >= 0 and every two-layer ReLU network f.",
    check_ids=("homogeneous", "control_negative_scale"),
    instances=instances,
    check=check,
    own_derivation="The scaffold's example; replace it with your claim's source.",
    budget_seconds=30.0,
)
'''

TEST_TEMPLATE = '''"""Conformance and control of {claim_id} (written by relucheck new-claim)."""

from pathlib import Path

from relucheck.harness.claims import RunOptions
from relucheck.testing import check_claim, resolve_claims

MODULE = Path(__file__).with_name("{module}.py")


def test_{module}_conforms():
    check_claim(MODULE)


def test_{module}_control_detects_the_planted_violation():
    (claim,) = resolve_claims(MODULE)
    rows = {{r.check: r for r in claim.check(claim.instances("quick")[0], RunOptions())}}
    assert rows["homogeneous"].verdict.value == "PASS"
    assert rows["control_negative_scale"].verdict.value == "PASS"
    assert rows["control_negative_scale"].value > rows["control_negative_scale"].tolerance
'''


class ScaffoldError(ValueError):
    """A bad name, or a file that already exists (nothing was written)."""


def module_name(name: str) -> str:
    """``my-claim`` → ``my_claim``; ScaffoldError unless it is a usable claim id and module."""
    if not CLAIM_ID.match(name):
        raise ScaffoldError(
            f"claim name {name!r}: use letters, digits, '-' or '_', starting with a letter"
        )
    module = re.sub(r"[^0-9A-Za-z_]", "_", name).lower()
    if keyword.iskeyword(module) or not module.isidentifier():
        raise ScaffoldError(f"claim name {name!r} does not make a Python module name")
    return module


def write_scaffold(name: str, folder: Path) -> list[Path]:
    """Write ``<module>.py`` and ``test_<module>.py`` in ``folder``; return their paths.

    Refuses (ScaffoldError, nothing written) when either file exists.
    """
    module = module_name(name)
    claim_id = name.upper()
    files = {
        folder / f"{module}.py": CLAIM_TEMPLATE.format(claim_id=claim_id, module=module),
        folder / f"test_{module}.py": TEST_TEMPLATE.format(claim_id=claim_id, module=module),
    }
    existing = [str(p) for p in files if p.exists()]
    if existing:
        raise ScaffoldError(f"{', '.join(existing)} already exists; nothing written")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        for path, text in files.items():
            path.write_text(text)
            written.append(path)
    except OSError:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written
