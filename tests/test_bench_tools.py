"""The benchmark machinery on small synthetic saved runs: compare, report, history, cases."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from relucheck.bench import compare as benchcompare
from relucheck.bench import history as benchhistory
from relucheck.bench import report as benchreport
from relucheck.bench.cases import CASES, BenchCase, build_case, export_case
from relucheck.bench.peer_judging import restore_feasibility, shift_to_gates
from relucheck.datasets import generators
from relucheck.models.arrangements.patterns import sample_patterns
from relucheck.models.two_layer.convex_program import cone_violation

MACHINE = {
    "node": "vm",
    "machine": "x86_64",
    "system": "Linux",
    "python_implementation": "CPython",
    "python_version": "3.11.7",
    "cpu": {"brand_raw": "AMD EPYC", "count": 2},
}


def bench(name: str, median: float, *, data: list[float] | None = None, **extra) -> dict:
    """A saved row; ``data`` are its per-round seconds (then the median is theirs)."""
    stats = {"median": median}
    if data is not None:
        stats = {"median": float(np.median(data)), "data": list(data), "rounds": len(data)}
    return {
        "fullname": f"tests/benchmarks/test_bench_x.py::{name}",
        "name": name,
        "stats": stats,
        "extra_info": extra,
    }


def rounds(median: float, spread: float = 0.02, n: int = 10) -> list[float]:
    """``n`` round times around ``median`` (evenly spread by ± ``spread``, relative)."""
    return list(median * (1.0 + np.linspace(-spread, spread, n)))


def make_run(stamp: str, commit: str, benchmarks: list[dict], machine: dict | None = None):
    return {
        "machine_info": machine or MACHINE,
        "commit_info": {"id": commit, "dirty": False},
        "datetime": stamp,
        "benchmarks": benchmarks,
    }


def save(folder: Path, run: dict, name: str) -> Path:
    path = folder / "Linux-CPython-3.11-64bit" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(run))
    return path


# ----------------------------------------------------------------------------- fingerprint


def test_fingerprint_separates_machines_not_runs():
    same = benchcompare.machine_fingerprint(json.loads(json.dumps(MACHINE)))
    assert same == benchcompare.machine_fingerprint(MACHINE)
    other_cpu = {**MACHINE, "cpu": {"brand_raw": "AMD EPYC", "count": 16}}
    other_host = {**MACHINE, "node": "ci-runner"}
    assert benchcompare.machine_fingerprint(other_cpu) != same
    assert benchcompare.machine_fingerprint(other_host) != same
    threads = {**MACHINE, "relucheck_blas_threads": 2}
    assert benchcompare.machine_fingerprint(threads) != same


# ----------------------------------------------------------------------------- compare


def _fails(old_benches, new_benches):
    _, findings = benchcompare.compare_runs(
        make_run("2026-01-01", "a", old_benches), make_run("2026-01-02", "b", new_benches)
    )
    return [f for f in findings if f.fails]


def test_time_needs_a_significant_change_of_at_least_twenty_percent():
    # below the effect floor: no detectable change, however significant
    assert not _fails([bench("t", 1, data=rounds(1.0))], [bench("t", 1, data=rounds(1.15))])
    assert not _fails([bench("t", 1, data=rounds(1.0))], [bench("t", 1, data=rounds(0.5))])
    fails = _fails([bench("t", 1, data=rounds(1.0))], [bench("t", 1, data=rounds(1.3))])
    assert len(fails) == 1 and fails[0].what.startswith("time slower: wall ratio 1.300")
    assert "p=0.00018" in fails[0].what and "10 vs 10 rounds" in fails[0].what
    # medians alone (no rounds saved) are never judged
    assert not _fails([bench("t", 1.0)], [bench("t", 3.0)])


def test_gap_growth_beyond_tolerance_is_an_accuracy_loss():
    # rounding-level jitter of a certified gap is not a loss
    assert not _fails([bench("t", 1.0, certified_gap=1e-10)], [bench("t", 1.0, certified_gap=5e-9)])
    fails = _fails([bench("t", 1.0, gap_to_best=1e-9)], [bench("t", 1.0, gap_to_best=1e-6)])
    assert [f.what for f in fails] == ["gap_to_best grew"]
    # a large relative growth of a large excess also counts
    assert _fails(
        [bench("t", 1.0, best_relative_excess=1e-3)], [bench("t", 1.0, best_relative_excess=2e-3)]
    )
    # a gap that became non-finite is lost, an improved one is fine
    assert _fails([bench("t", 1.0, certified_gap=1e-9)], [bench("t", 1.0, certified_gap=None)])
    assert not _fails([bench("t", 1.0, certified_gap=1e-3)], [bench("t", 1.0, certified_gap=1e-9)])


def test_count_and_flag_changes_are_accuracy_losses():
    assert _fails([bench("t", 1.0, count=2000)], [bench("t", 1.0, count=1998)])
    assert _fails(
        [bench("t", 1.0, verdicts={"PASS": 9})], [bench("t", 1.0, verdicts={"PASS": 8, "FAIL": 1})]
    )
    assert _fails([bench("t", 1.0, exact=True)], [bench("t", 1.0, exact=False)])
    assert not _fails([bench("t", 1.0, exact=False)], [bench("t", 1.0, exact=True)])
    # other keys (solver status text, widths) are not judged
    assert not _fails(
        [bench("t", 1.0, width=5, status="a")], [bench("t", 1.0, width=7, status="b")]
    )


def test_new_and_missing_benchmarks_are_noted_not_failed():
    table, findings = benchcompare.compare_runs(
        make_run("1", "a", [bench("gone", 1.0), bench("kept", 1.0)]),
        make_run("2", "b", [bench("kept", 1.0), bench("added", 1.0)]),
    )
    assert [r["name"].split("::")[1] for r in table] == ["kept"]
    whats = sorted(f.what for f in findings)
    assert whats == ["missing in the new run", "new benchmark"]
    assert not any(f.fails for f in findings)


def test_compare_cli_uses_previous_run_of_same_machine(tmp_path, capsys):
    other = {**MACHINE, "node": "elsewhere"}
    save(
        tmp_path, make_run("2026-01-01T00:00", "c1", [bench("t", 1, data=rounds(1.0))]), "0001.json"
    )
    save(
        tmp_path,
        make_run("2026-01-02T00:00", "c2", [bench("t", 1, data=rounds(0.1))], other),
        "0002.json",
    )
    save(
        tmp_path, make_run("2026-01-03T00:00", "c3", [bench("t", 1, data=rounds(1.5))]), "0003.json"
    )
    assert benchcompare.main([str(tmp_path)]) == benchcompare.EXIT_REGRESSION
    out = capsys.readouterr().out
    assert "0001.json" in out and "0003.json" in out and "SLOWER" in out
    assert "1 regression(s)" in out
    # with a generous effect size the same pair passes (--slowdown is its old name)
    assert benchcompare.main([str(tmp_path), "--effect", "0.6"]) == benchcompare.EXIT_OK
    assert benchcompare.main([str(tmp_path), "--slowdown", "0.6"]) == benchcompare.EXIT_OK
    assert "no regression in 1 benchmarks" in capsys.readouterr().out


def test_compare_cli_without_a_baseline(tmp_path, capsys):
    assert benchcompare.main([str(tmp_path)]) == benchcompare.EXIT_NO_BASELINE
    assert "run `make bench` first" in capsys.readouterr().out
    save(tmp_path, make_run("2026-01-01T00:00", "c1", [bench("t", 1.0)]), "0001.json")
    other = {**MACHINE, "cpu": {"brand_raw": "Intel", "count": 8}}
    save(tmp_path, make_run("2026-01-02T00:00", "c2", [bench("t", 1.0)], other), "0002.json")
    assert benchcompare.main([str(tmp_path)]) == benchcompare.EXIT_NO_BASELINE
    assert "only run of this machine" in capsys.readouterr().out


def test_compare_cli_unreadable_run(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert benchcompare.main([str(tmp_path), "--new", str(bad)]) == benchcompare.EXIT_USAGE
    assert capsys.readouterr().err.startswith("bench-compare: error:")


# ----------------------------------------------------------------------------- report


def ce(case, solver, median, objective, lower, n=200, solve=None):
    return bench(
        f"ce[{case}-{solver}]",
        median,
        kind="ce-solver",
        case=case,
        solver=solver,
        n=n,
        objective=objective,
        certified_lower=lower,
        certified_gap=(objective - lower) / objective,
        convex_solve_s=solve,
    )


def test_annotate_accuracy_uses_best_certificate_of_the_case():
    rows = [
        ce("a", "fast", 1.0, 10.0 + 1e-7, 10.0 - 1e-9),
        ce("a", "clarabel", 5.0, 10.0, 10.0 - 1e-6),
        ce("b", "fast", 1.0, 4.0, float("nan")),
        bench("other", 1.0, count=3),
    ]
    benchreport.annotate_accuracy(rows)
    fast, clarabel, lonely = (r["extra_info"] for r in rows[:3])
    assert fast["best_lower"] == clarabel["best_lower"] == 10.0 - 1e-9
    assert fast["gap_to_best"] == pytest.approx((1e-7 + 1e-9) / (10.0 + 1e-7))
    assert clarabel["gap_to_best"] == pytest.approx(1e-10, rel=1e-3)
    assert clarabel["solvers_compared"] == ["clarabel", "fast"]
    assert lonely["gap_to_best"] is None
    assert "gap_to_best" not in rows[3]["extra_info"]


def test_speed_ratios_are_medians_per_size():
    run = make_run(
        "1",
        "abc",
        [
            ce("a", "fast", 1.0, 1, 1, n=1000, solve=0.5),
            ce("a", "clarabel", 30.0, 1, 1, n=1000, solve=25.0),
            ce("b", "fast", 2.0, 1, 1, n=1000, solve=1.0),
            ce("b", "clarabel", 20.0, 1, 1, n=1000, solve=10.0),
            ce("c", "fast", 1.0, 1, 1, n=200),
            ce("c", "scs", 7.0, 1, 1, n=200),
            ce("d", "clarabel", 9.0, 1, 1, n=200),  # no fast row: not in any ratio
        ],
    )
    rows = benchreport.ce_rows(run)
    ratios = benchreport.speed_ratios(rows)
    assert ratios["clarabel"][1000]["median"] == pytest.approx(20.0)  # median of 30 and 10
    assert ratios["clarabel"][1000]["cases"] == ["a", "b"]
    assert 200 not in ratios["clarabel"]
    assert ratios["scs"][200]["median"] == pytest.approx(7.0)
    assert benchreport.speed_ratios(rows, "convex_solve_s")["clarabel"][1000]["median"] == 30.0
    text = benchreport.format_report(run)
    assert "clarabel/fast at n=1000: 20x end-to-end, solve phase 30x" in text
    assert "scs/fast at n=200: 7x" in text


def test_report_without_fast_rows_says_so(tmp_path, capsys):
    save(tmp_path, make_run("1", "abc", [ce("d", "clarabel", 9.0, 1, 1)]), "0001.json")
    assert benchreport.main([str(tmp_path)]) == 0
    assert "is the fast solver available?" in capsys.readouterr().out
    assert benchreport.main([str(tmp_path / "nothing")]) == 2


# ----------------------------------------------------------------------------- history


def test_history_page_shows_time_and_accuracy_per_commit(tmp_path):
    other = {**MACHINE, "node": "elsewhere"}
    for i, (t, gap) in enumerate([(1.0, 1e-9), (1.2, 2e-9), (0.9, 1e-9)]):
        runs = [ce("a", "fast", t, 1.0, 1.0 - gap), bench("enum", 0.01 * (i + 1), count=2000)]
        save(tmp_path, make_run(f"2026-01-0{i + 1}T00:00", f"commit{i}xyz", runs), f"{i}.json")
    save(tmp_path, make_run("2026-01-09T00:00", "zzz", [bench("enum", 9.0)], other), "9.json")
    # the newest run is of another machine: the page shows that machine's single run
    page = benchhistory.write_history(tmp_path)
    assert "1 runs on elsewhere" in page.read_text()
    (tmp_path / "Linux-CPython-3.11-64bit" / "9.json").unlink()
    page = benchhistory.write_history(tmp_path)
    html = page.read_text()
    assert "3 runs on vm" in html
    assert all(f"commit{i}" in html for i in range(3))
    assert "ce[a-fast]" in html and "certified_gap 2.00e-09" in html and "count 2000" in html
    # figures: the solver's time and accuracy, the other benchmarks' time (no gap recorded)
    assert html.count("data:image/png;base64,") == 3
    assert (tmp_path / "history" / "test_bench_x_fast_accuracy.pdf").is_file()
    assert (tmp_path / "history" / "test_bench_x_time.pdf").is_file()
    series = benchhistory.series(benchhistory.load_history(tmp_path)[0])
    name = "tests/benchmarks/test_bench_x.py::ce[a-fast]"
    assert series[name]["time"] == [1.0, 1.2, 0.9]


def test_history_without_runs(tmp_path, capsys):
    assert benchhistory.write_history(tmp_path) is None
    assert benchhistory.main([str(tmp_path)]) == 2


# ----------------------------------------------------------------------------- cases


def test_bench_cases_are_reproducible_and_exported_with_their_gates(tmp_path):
    case = BenchCase("digits", 200, 10, 200, ("clarabel",))
    a, b = build_case(case), build_case(BenchCase("digits", 200, 10, 200, ("clarabel",)))
    assert np.array_equal(a.gates, b.gates) and a.beta == b.beta
    assert np.allclose(a.X.std(axis=0), 1.0) and abs(a.y.mean()) < 1e-12
    path = export_case(a, tmp_path / "case.npz")
    data = np.load(path)
    assert data["gates"].shape == (10, a.patterns.count)
    # the exported gates reproduce the pattern set (pyscnn's strict > equals our >= here)
    masks = (data["X"] @ data["gates"] > 0).T
    assert np.array_equal(masks, a.patterns.masks)
    assert float(data["beta"]) == pytest.approx(0.15 * a.gauge)
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert sum(1 for c in CASES if c.n >= 1000 and "clarabel" in c.solvers) >= 2


def test_peer_script_matches_reordered_gates():
    path = Path(__file__).resolve().parents[1] / "tools" / "peers" / "pyscnn_solve.py"
    spec = importlib.util.spec_from_file_location("pyscnn_solve", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # imports numpy only; pyscnn is imported when solving
    rng = np.random.default_rng(0)
    ours = rng.standard_normal((4, 6))
    ours /= np.linalg.norm(ours, axis=0)
    order = np.array([3, 0, 5, 1])
    assert np.array_equal(module._match_gates(ours, ours[:, order]), order)
    with pytest.raises(RuntimeError):
        module._match_gates(ours, rng.standard_normal((4, 2)))


def test_restore_feasibility_makes_a_peer_point_feasible_and_keeps_feasible_columns():
    data = generators.gaussian(40, 4, seed=3)
    patterns = sample_patterns(data.X, 30, seed=4).without_zero()
    gates, masks = patterns.directions.T, patterns.masks
    rng = np.random.default_rng(5)
    V = rng.standard_normal(gates.shape)
    assert cone_violation(data.X, masks, V, V) > 0.1
    fixed = restore_feasibility(data.X, gates, V)
    assert cone_violation(data.X, masks, fixed, fixed) <= 1e-12
    # the gates themselves are feasible: left as they are (up to the shift's rounding guard)
    assert np.allclose(restore_feasibility(data.X, gates, gates), gates, rtol=0, atol=1e-15)
    # a projection moves a column no farther than the gate shift alone would
    shifted = shift_to_gates(data.X, gates, V)
    assert np.all(np.linalg.norm(fixed - V, axis=0) <= np.linalg.norm(shifted - V, axis=0) + 1e-9)


# ----------------------------------------------------------------------------- β path peers
# (issue 13 item 7: adelie and pyscnn on a β path; no peer environment needed here)


def _load_adelie_script():
    path = Path(__file__).resolve().parents[1] / "tools" / "peers" / "adelie_solve.py"
    spec = importlib.util.spec_from_file_location("adelie_solve", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # imports numpy only; adelie is imported when solving
    return module


def test_path_export_writes_the_beta_path_of_the_issue(tmp_path):
    from relucheck.bench.peer_path import PATH_CASES, PATH_FRACTIONS, export_path

    (case,) = PATH_CASES
    written = export_path(tmp_path, case)
    # the instance of the issue, rebuilt here from its definition
    data = generators.planted_teacher(1000, 10, 8, seed=0, noise=0.3)
    patterns = sample_patterns(data.X, 200, seed=0)
    gauge = max(
        np.linalg.norm(s * data.X.T @ (m * data.y)) for m in patterns.masks for s in (1.0, -1.0)
    )
    stored = np.load(tmp_path / "path" / f"{case.id}.npz")
    assert np.array_equal(stored["X"], data.X) and np.array_equal(stored["y"], data.y)
    assert stored["masks"].shape == (200, 1000) and stored["gates"].shape == (10, 200)
    assert np.array_equal((data.X @ stored["gates"] >= 0).T, stored["masks"])
    assert PATH_FRACTIONS == (1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 0.5)
    assert np.allclose(stored["betas"], np.array(PATH_FRACTIONS) * gauge, rtol=1e-12, atol=0)
    singles = sorted(p for p in written if p.parent.name == "path-beta")
    assert len(singles) == len(PATH_FRACTIONS)
    for fraction, beta in zip(PATH_FRACTIONS, stored["betas"], strict=True):
        single = np.load(tmp_path / "path-beta" / f"{case.instance_id(fraction)}.npz")
        assert float(single["beta"]) == beta
        assert str(single["case_id"]) == case.instance_id(fraction)
        assert np.array_equal(single["gates"], stored["gates"])


def test_adelie_coefficients_map_to_our_gate_order():
    module = _load_adelie_script()
    rng = np.random.default_rng(1)
    d, P = 3, 4
    V, W = rng.standard_normal((d, P)), rng.standard_normal((d, P))
    coef = np.concatenate([V.T.ravel(), W.T.ravel()])  # groups v_1..v_P, w_1..w_P
    V2, W2 = module.split_coefficients(coef, d, P, "ce")
    assert np.array_equal(V2, V) and np.array_equal(W2, W)
    U, Z = module.split_coefficients(V.T.ravel(), d, P, "gated")
    assert np.array_equal(U, V) and not Z.any()
    configs = module.parse_configs(["pinball_tol=1e-12", "pinball_max_iters=1e7"])
    assert configs == {"pinball_tol": 1e-12, "pinball_max_iters": 10_000_000}
    with pytest.raises(ValueError):
        module.parse_configs(["pinball_tol"])


def test_gated_point_is_judged_at_a_feasible_split_with_the_same_fit():
    from relucheck.bench.peer_path import gated_to_ce

    data = generators.gaussian(40, 4, seed=3)
    patterns = sample_patterns(data.X, 30, seed=4).without_zero()
    U = np.random.default_rng(6).standard_normal((4, patterns.count))
    V, W = gated_to_ce(data.X, patterns.directions.T, U)
    masks = patterns.masks
    assert cone_violation(data.X, masks, V, W) <= 1e-12
    assert np.allclose(V - W, U, rtol=0, atol=1e-12)


def test_evaluate_certifies_a_right_peer_path_and_not_a_scaled_one(tmp_path):
    from relucheck.bench import peer_path
    from relucheck.bench import peers as benchpeers
    from relucheck.solvers.fast_two_layer import solve_working_set

    case = peer_path.PathCase(n=60, d=3, P=20, fractions=(0.05, 0.3))
    peer_path.export_path(tmp_path / "in", case)
    data = peer_path.build_path_case(case)
    L, (d, P) = len(case.fractions), data.patterns.directions.T.shape
    V, W = np.zeros((L, d, P)), np.zeros((L, d, P))
    for k, beta in enumerate(data.betas):
        ws = solve_working_set(
            data.X, data.y, beta, data.patterns.masks, data.patterns.directions, tol=1e-10
        )
        V[k], W[k] = ws.V, ws.W
    # planted defect: the second β's solution scaled and pushed off its cones
    noise = 1e-3 * np.random.default_rng(7).standard_normal((d, P))
    V[1], W[1] = 1.5 * V[1] + noise, 1.5 * W[1]
    out = {
        "V": V,
        "W": W,
        "seconds": np.ones(L),
        "seconds_total": float(L),
        "own_objective": np.full(L, np.nan),
        "solved": np.ones(L, dtype=bool),
        "error": "",
        "program": "ce",
        "betas": data.betas,
        "case_id": case.id,
    }
    module = _load_adelie_script()
    (tmp_path / "out" / "adelie").mkdir(parents=True)
    module.save_solution(tmp_path / "out" / "adelie", "adelie-ce test", out, {}, {})
    assert (
        benchpeers.main(
            ["evaluate", str(tmp_path / "in"), str(tmp_path / "out"), "--out", str(tmp_path / "r")]
        )
        == 0
    )
    (report,) = (tmp_path / "r").glob("peers-*.json")
    rows = json.loads(report.read_text())["rows"]
    peer = {r["beta_fraction"]: r for r in rows if r["solver"] == "adelie-ce test"}
    ours = {r["beta_fraction"]: r for r in rows if r["solver"] == "fast"}
    warm = {r["beta_fraction"]: r for r in rows if r["solver"] == "fast-path"}
    assert set(peer) == set(ours) == set(warm) == {0.05, 0.3}
    assert all(r["status"] == "certified" for r in [*ours.values(), *warm.values()])
    assert peer[0.05]["status"] == "certified" and abs(peer[0.05]["gap_vs_ours"]) < 1e-6
    assert peer[0.3]["status"] == "not certified" and peer[0.3]["gap_vs_ours"] > 1e-3
    assert peer[0.3]["certified_gap"] > 1e-3
    # judged at a feasible point: the restoration ran before the objective was taken
    assert peer[0.3]["raw_cone_violation"] > 1e-4 and peer[0.3]["cone_violation"] <= 1e-12
    assert (tmp_path / "r" / report.with_suffix(".txt").name).exists()
