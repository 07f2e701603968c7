"""Claim and solver plug-ins from outside the package (issue 15), as a user meets them.

The example package examples/relucheck-gated is installed into a temporary folder (pip
--target, no network, no build isolation) and found through its entry points by a fresh
``python -m relucheck`` process; files given with ``--claims`` / ``--solver-plugin`` and a
hand-made broken distribution cover the rest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from relucheck.cli import main
from relucheck.plugins import NO_ENTRY_POINTS, load_claims, load_solvers
from relucheck.solvers.choices import SOLVER_CHOICES

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "relucheck-gated"


def _env(*paths: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != NO_ENTRY_POINTS}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in paths)
    env["OMP_NUM_THREADS"] = "1"
    return env


def _relucheck(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "relucheck", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """examples/relucheck-gated installed into an isolated folder (not into .venv)."""
    target = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--target", str(target), str(EXAMPLE)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, (
        "installing the example failed (make install provides setuptools>=70.1):\n"
        + done.stdout
        + done.stderr
    )
    return target


@pytest.fixture
def data_files(tmp_path) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    y = np.maximum(X @ rng.standard_normal(3), 0.0) + 0.1 * rng.standard_normal(40)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    return tmp_path / "X.npy", tmp_path / "y.npy"


# ----------------------------------------------------------------------------- entry points


def test_the_example_package_from_an_isolated_install(installed, tmp_path, data_files):
    env = _env(installed)
    listed = _relucheck("list", env=env, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "GATED-LB  The gated-ReLU program is a lower bound of the ReLU program" in listed.stdout
    assert "origin: entry point relucheck_gated.claim:CLAIM of relucheck-gated 0.1.0" in (
        listed.stdout
    )
    assert "origin: built-in" in listed.stdout
    assert "toy-pgd  origin: entry point relucheck_gated.solver:SOLVER" in listed.stdout

    out = tmp_path / "reports"
    verified = _relucheck("verify", "GATED-LB", "--out", str(out), env=env, cwd=tmp_path)
    assert verified.returncode == 0, verified.stderr
    run_dir = Path(verified.stdout.split()[0]).parent
    rows = [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
    assert {r["claim"] for r in rows} == {"GATED-LB"}
    assert {r["check"] for r in rows} == {"gated_below_relu", "control_scaled_penalty"}
    assert all(r["verdict"] == "PASS" for r in rows)
    assert "GATED-LB" in (run_dir / "summary.md").read_text()
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["claim_origins"]["GATED-LB"].startswith("entry point")

    checked = _relucheck("check-claim", "GATED-LB", env=env, cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "GATED-LB: conforms" in checked.stdout

    X, y = data_files
    solved = _relucheck(
        "solve", "two-layer", "--X", str(X), "--y", str(y), "--beta", "0.1",
        "--patterns", "sampled:30", "--solver", "toy-pgd", "--json", env=env, cwd=tmp_path,
    )  # fmt: skip
    facts = json.loads(solved.stdout)
    assert facts["solver"] == "plugin:toy-pgd"
    assert facts["accurate"] == (facts["certified_gap"] <= 1e-6)  # OUR gap decides
    assert solved.returncode == (0 if facts["accurate"] else 1)
    assert facts["certified_lower"] <= facts["value"]


@pytest.fixture
def broken_dist(tmp_path) -> Path:
    """A distribution whose entry points name a module that does not exist."""
    site = tmp_path / "broken-site"
    info = site / "broken_dist-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-dist\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[relucheck.claims]\nBROKEN-X = no_such_module_xyz:CLAIM\n\n"
        "[relucheck.solvers]\nbroken-solver = no_such_module_xyz:SOLVER\n"
    )
    return site


def test_a_broken_installed_plugin_is_a_warning_row_not_a_crash(broken_dist, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(broken_dist))
    monkeypatch.delenv(NO_ENTRY_POINTS)
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "WARNING BROKEN-X  broken plug-in (entry point no_such_module_xyz:CLAIM of " in out
    assert "ModuleNotFoundError: No module named 'no_such_module_xyz'" in out
    assert "WARNING broken-solver (entry point" in out
    assert "CE  " in out  # the built-ins are still there


def test_asking_for_a_broken_installed_plugin_is_one_line_and_exit_2(
    broken_dist, monkeypatch, capsys, tmp_path
):
    monkeypatch.syspath_prepend(str(broken_dist))
    monkeypatch.delenv(NO_ENTRY_POINTS)
    out = tmp_path / "reports"
    assert main(["verify", "BROKEN-X", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "BROKEN-X" in err[0] and "no_such_module_xyz" in err[0]
    assert not out.exists()
    assert main(["check-claim", "BROKEN-X"]) == 2
    assert "BROKEN-X" in capsys.readouterr().err


def test_no_entry_points_switch(broken_dist, monkeypatch):
    monkeypatch.syspath_prepend(str(broken_dist))
    monkeypatch.setenv(NO_ENTRY_POINTS, "1")
    assert not load_claims().broken
    monkeypatch.delenv(NO_ENTRY_POINTS)
    assert [e.name for e in load_claims().broken] == ["BROKEN-X"]


# ----------------------------------------------------------------------------- claim paths


def _write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def claim_file(tmp_path) -> Path:
    assert main(["new-claim", "my-claim", "--dir", str(tmp_path / "claims")]) == 0
    return tmp_path / "claims" / "my_claim.py"


def test_verify_claims_path_runs_that_claim_and_report_redraws_it(claim_file, tmp_path, capsys):
    out = tmp_path / "reports"
    assert main(["verify", "--claims", str(claim_file), "--out", str(out)]) == 0
    run_dir = Path(capsys.readouterr().out.split()[0]).parent
    rows = [json.loads(line) for line in (run_dir / "results.jsonl").read_text().splitlines()]
    assert {r["claim"] for r in rows} == {"MY-CLAIM"}  # only the file's claim
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["claim_paths"] == [str(claim_file.resolve())]
    assert meta["claim_origins"] == {"MY-CLAIM": f"path {claim_file.resolve()}"}
    assert main(["report", "latest", "--out", str(out)]) == 0
    assert main(["list", "--claims", str(claim_file.parent)]) == 0
    assert f"origin: path {claim_file.resolve()}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("def broken(:\n", "SyntaxError"),
        ("import no_such_module_abc\n", "No module named 'no_such_module_abc'"),
        ("CLAIM = 42\n", "breaks the contract: is a int, not a relucheck.harness.claims.Claim"),
        ("X = 1\n", "defines neither CLAIM nor CLAIMS"),
        (
            "from dataclasses import replace\nfrom relucheck.theorems import REGISTRY\n"
            "CLAIM = replace(REGISTRY['CE'], title='mine')\n",
            "id 'CE' is already taken (built-in)",
        ),
        (
            "from dataclasses import replace\nfrom relucheck.theorems import REGISTRY\n"
            "CLAIM = replace(REGISTRY['CE'], id='MINE', check_ids=())\n",
            "check_ids must be a non-empty tuple",
        ),
    ],
)
def test_a_broken_claim_file_is_one_line_and_exit_2(tmp_path, capsys, source, words):
    bad = _write(tmp_path / "bad_claim.py", source)
    out = tmp_path / "reports"
    for argv in (
        ["verify", "--claims", str(bad), "--out", str(out)],
        ["list", "--claims", str(bad)],
        ["check-claim", str(bad)],
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1, err
        assert words in err[0] and "bad_claim.py" in err[0] and "Traceback" not in err[0]
    assert not out.exists()  # nothing written


def test_a_missing_claim_path_is_exit_2(tmp_path, capsys):
    assert main(["verify", "--claims", str(tmp_path / "nope.py"), "--out", str(tmp_path)]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_registry_order_and_origins(claim_file):
    from relucheck.theorems import REGISTRY

    registry = load_claims([claim_file])
    assert list(registry.claims)[: len(REGISTRY)] == list(REGISTRY)
    assert registry.origin("CE") == "built-in"
    assert registry.origin("MY-CLAIM") == f"path {claim_file.resolve()}"


# ----------------------------------------------------------------------------- new-claim


def test_new_claim_writes_a_claim_that_conforms_and_a_test_that_passes(tmp_path, capsys):
    folder = tmp_path / "work"
    assert main(["new-claim", "homog", "--dir", str(folder)]) == 0
    claim, test = folder / "homog.py", folder / "test_homog.py"
    assert claim.is_file() and test.is_file()
    capsys.readouterr()
    assert main(["check-claim", str(claim)]) == 0
    assert "HOMOG: conforms" in capsys.readouterr().out
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
        cwd=folder, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "2 passed" in ran.stdout
    before = claim.read_text()
    claim.write_text(before + "# edited\n")
    assert main(["new-claim", "homog", "--dir", str(folder)]) == 2  # never overwrites
    assert claim.read_text().endswith("# edited\n")


@pytest.mark.parametrize("name", ["9lives", "with space", "class", ""])
def test_new_claim_refuses_a_bad_name(tmp_path, capsys, name):
    assert main(["new-claim", name, "--dir", str(tmp_path / "w")]) == 2
    assert not (tmp_path / "w").exists()


def test_the_scaffolds_control_catches_a_broken_statement(claim_file):
    """Plant a wrong statement (c < 0 allowed) in the scaffold: its main check must FAIL."""
    from relucheck.harness.claims import RunOptions
    from relucheck.testing import resolve_claims

    right = "error, tol = homogeneity_error(spec, scale)"
    text = claim_file.read_text().replace(right, right.replace("scale", "-scale"))
    planted = _write(claim_file.with_name("planted.py"), text)
    (claim,) = resolve_claims(planted)
    rows = {r.check: r for r in claim.check(claim.instances("quick")[0], RunOptions())}
    assert rows["homogeneous"].verdict.value == "FAIL"


# ----------------------------------------------------------------------------- solver plug-ins

GOOD_SOLVER = """
from relucheck.solvers.fast_two_layer import masks_for
from relucheck.solvers.two_layer_path import solve_with_continuation


class Wrapped:
    name = "wrapped-fast"

    def available(self):
        return True, ""

    def solve(self, program, time_limit):
        from relucheck.models.arrangements.patterns import PatternSet
        ps = PatternSet(program.gates, program.X, exact=False, rank=program.X.shape[1],
                        method="sampled")
        ws = solve_with_continuation(program.X, program.y, program.beta, masks_for(ps),
                                     ps.directions)
        return ws.V, ws.W


SOLVER = Wrapped()
"""

LYING_SOLVER = """
import numpy as np


class Liar:
    name = "liar"
    certified_gap = 0.0  # says so; nobody asks it

    def available(self):
        return True, ""

    def solve(self, program, time_limit):
        d, P = program.X.shape[1], program.gates.shape[0]
        return np.ones((d, P)), -np.ones((d, P))  # infeasible for every cone


SOLVER = Liar()
"""


def _solve(argv_tail, data_files, capsys):
    X, y = data_files
    code = main(["solve", "two-layer", "--X", str(X), "--y", str(y), "--beta", "0.1",
                 "--patterns", "sampled:30", "--json", *argv_tail])  # fmt: skip
    captured = capsys.readouterr()
    return code, captured


def test_a_solver_plugin_that_solves_is_certified_by_us(tmp_path, data_files, capsys):
    path = _write(tmp_path / "good_solver.py", GOOD_SOLVER)
    code, captured = _solve(["--solver-plugin", str(path)], data_files, capsys)
    facts = json.loads(captured.out)
    assert code == 0 and facts["accurate"] and facts["certified_gap"] <= 1e-6
    assert facts["solver"] == "plugin:wrapped-fast"


def test_a_solver_plugin_cannot_claim_an_accuracy_it_did_not_reach(tmp_path, data_files, capsys):
    path = _write(tmp_path / "liar.py", LYING_SOLVER)
    code, captured = _solve(["--solver-plugin", str(path)], data_files, capsys)
    facts = json.loads(captured.out)
    assert code == 1 and not facts["accurate"] and facts["certified_gap"] > 1e-3
    assert facts["certified_lower"] <= facts["value"]


@pytest.mark.parametrize(
    ("source", "argv", "words"),
    [
        ("def broken(:\n", [], "SyntaxError"),
        ("X = 1\n", [], "defines no SOLVER"),
        ("class S:\n    name = 'has space'\nSOLVER = S()\n", [], "breaks the solver contract"),
        (
            "class S:\n    name = 'fast'\n    def available(self): return True, ''\n"
            "    def solve(self, p, t): return None\nSOLVER = S()\n",
            [],
            "name 'fast' is already taken (built-in solver)",
        ),
        (
            "class S:\n    name = 'off'\n    def available(self): return False, 'no licence'\n"
            "    def solve(self, p, t): return None\nSOLVER = S()\n",
            [],
            "not available: no licence",
        ),
    ],
)
def test_a_broken_solver_plugin_is_one_line_and_exit_2(
    tmp_path, data_files, capsys, source, argv, words
):
    path = _write(tmp_path / "bad_solver.py", source)
    code, captured = _solve(["--solver-plugin", str(path), *argv], data_files, capsys)
    err = captured.err.strip().splitlines()
    assert code == 2 and len(err) == 1 and words in err[0], captured.err


def test_a_solver_plugin_refuses_a_beta_path(tmp_path, data_files, capsys):
    X, y = data_files
    path = _write(tmp_path / "liar.py", LYING_SOLVER)
    code = main(["solve", "two-layer", "--X", str(X), "--y", str(y), "--betas", "3",
                 "--solver-plugin", str(path)])  # fmt: skip
    assert code == 2 and "solves the squared loss at one --beta" in capsys.readouterr().err


def test_an_unknown_solver_is_exit_2(data_files, capsys):
    code, captured = _solve(["--solver", "nope"], data_files, capsys)
    assert code == 2 and "unknown solver 'nope'" in captured.err


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        ("raise RuntimeError('boom')", "raised"),
        ("return np.zeros((2, 2)), np.zeros((2, 2))", "returned shapes"),
        ("return np.full((3, P), np.nan), np.zeros((3, P))", "non-finite"),
        ("return 7", "did not return a pair"),
    ],
)
def test_a_misbehaving_solve_is_judged_not_trusted(tmp_path, answer, status):
    from relucheck.datasets.generators import gaussian
    from relucheck.models.arrangements.patterns import sample_patterns
    from relucheck.solvers.plugin import solve_with_plugin

    source = (
        "import numpy as np\nclass S:\n    name = 'odd'\n"
        "    def available(self): return True, ''\n"
        f"    def solve(self, program, t):\n        P = program.gates.shape[0]\n        {answer}\n"
        "SOLVER = S()\n"
    )
    (entry,) = load_solvers([_write(tmp_path / "odd.py", source)], reserved=SOLVER_CHOICES).entries
    data = gaussian(30, 3, seed=0)
    sol = solve_with_plugin(data.X, data.y, 0.5, sample_patterns(data.X, 20, seed=0), entry.obj)
    assert not sol.result.accurate and status in sol.result.status
    assert sol.result.certified_lower <= sol.objective


def test_an_installed_broken_plugin_warns_when_verify_runs_other_claims(
    broken_dist, claim_file, monkeypatch, capsys, tmp_path
):
    monkeypatch.syspath_prepend(str(broken_dist))
    monkeypatch.delenv(NO_ENTRY_POINTS)
    assert main(["verify", "--claims", str(claim_file), "--out", str(tmp_path / "r")]) == 0
    err = capsys.readouterr().err
    assert "relucheck: warning: claim plug-in BROKEN-X (entry point" in err


def test_a_path_claim_reaches_dask_workers_by_value(claim_file, tmp_path):
    """Workers of a LocalCluster cannot import a file-loaded claim: it must travel by value."""
    pytest.importorskip("distributed")
    out = tmp_path / "reports"
    env = {**_env(), NO_ENTRY_POINTS: "1"}
    env.pop("PYTHONPATH")
    done = _relucheck("verify", "--claims", str(claim_file), "--executor", "dask", "--out",
                      str(out), env=env, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [json.loads(x) for x in ((out / "latest") / "results.jsonl").read_text().splitlines()]
    assert len(rows) == 4 and {r["verdict"] for r in rows} == {"PASS"}
