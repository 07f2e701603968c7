"""The planted-defect catalog stays valid, and the runner applies mutants only to a copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from relucheck.harness.claims import PROFILES
from relucheck.mutants import subset
from relucheck.mutants.__main__ import main as mutants_main
from relucheck.mutants.apply import (
    MutantRotted,
    apply_mutant,
    copy_package,
    occurrences,
    source_root,
    validate,
)
from relucheck.mutants.catalog import MUTANTS, Mutant, by_id
from relucheck.mutants.run import MutantOutcome, VerifyRun, judge, markdown_table, selection_for
from relucheck.theorems import REGISTRY

SRC = source_root()


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.id)
def test_search_text_occurs_exactly_once(mutant: Mutant):
    """A mutant whose target code changed must be updated, not silently skipped."""
    assert occurrences(SRC, mutant) == 1, f"{mutant.id}: update its search text"
    assert mutant.replace != mutant.search
    validate(SRC, mutant)


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.id)
def test_claim_and_instances_exist(mutant: Mutant):
    assert mutant.claim in REGISTRY
    names = {s.name for s in REGISTRY[mutant.claim].instances("quick")}
    assert set(mutant.instances) <= names, mutant.instances


def test_catalog_is_large_and_spans_every_claim():
    assert len(MUTANTS) >= 10
    assert len({m.id for m in MUTANTS}) == len(MUTANTS)
    assert {m.claim for m in MUTANTS} == set(REGISTRY)
    assert all(m.description for m in MUTANTS)
    with pytest.raises(KeyError, match="unknown mutant"):
        by_id("no-such-mutant")


def test_apply_changes_only_the_copy(tmp_path):
    mutant = MUTANTS[0]
    original = (SRC / mutant.path).read_text(encoding="utf-8")
    root = copy_package(SRC, tmp_path)
    apply_mutant(root, mutant)
    mutated = (root / mutant.path).read_text(encoding="utf-8")
    assert mutated == original.replace(mutant.search, mutant.replace, 1) != original
    assert (SRC / mutant.path).read_text(encoding="utf-8") == original
    assert not list(root.rglob("__pycache__"))


@pytest.mark.parametrize("text", ["absent text", "import"])
def test_rotted_search_text_is_refused(tmp_path, text):
    """Zero or several matches: refused loudly, the file left untouched."""
    path = tmp_path / "relucheck" / "m.py"
    path.parent.mkdir()
    path.write_text("import numpy\nimport scipy\n", encoding="utf-8")
    rotted = Mutant("rot", "CE", "relucheck/m.py", text, "x", "test")
    with pytest.raises(MutantRotted, match="exactly once"):
        apply_mutant(tmp_path, rotted)
    assert path.read_text(encoding="utf-8") == "import numpy\nimport scipy\n"


def test_cli_refuses_unknown_mutant(capsys):
    assert mutants_main(["--only", "nope", "--list"]) == 2
    assert "unknown mutant" in capsys.readouterr().err


def test_cli_lists_catalog(capsys):
    assert mutants_main(["--list"]) == 0
    out = capsys.readouterr().out
    assert all(m.id in out for m in MUTANTS)


def _row(check: str, verdict: str) -> dict:
    return {"claim": "CE", "name": "inst", "check": check, "verdict": verdict}


@pytest.mark.parametrize(
    ("code", "rows", "status"),
    [
        (1, [_row("a", "PASS"), _row("b", "FAIL")], "caught"),
        (1, [_row("a", "ERROR")], "caught"),
        (0, [_row("a", "PASS"), _row("b", "INCONCLUSIVE")], "survived"),
        (0, [_row("a", "SKIPPED")], "survived"),
        (1, [], "broken"),  # crashed before writing a row
        (2, [_row("a", "PASS")], "broken"),
        (1, [_row("a", "PASS")], "broken"),  # exit status and rows disagree
        (None, [_row("a", "FAIL")], "timeout"),
    ],
)
def test_judge(code, rows, status):
    outcome = judge(MUTANTS[0], VerifyRun(code, rows, 1.0))
    assert outcome.status == status
    assert outcome.caught == (status == "caught")


def test_table_names_failed_checks_and_tally():
    caught = judge(MUTANTS[0], VerifyRun(1, [_row("x", "FAIL"), _row("x", "FAIL")], 2.0))
    alive = judge(MUTANTS[1], VerifyRun(0, [_row("y", "PASS")], 3.0))
    table = markdown_table([caught, alive])
    assert "x (FAIL x2)" in table and "**NO** (survived)" in table
    assert "1 of 2 planted defects caught." in table
    assert isinstance(caught, MutantOutcome)


def test_selection_union():
    ms = [
        Mutant("a", "PR", "p", "s", "r", "d", ("x",)),
        Mutant("b", "PR", "p", "s", "r", "d", ("y",)),
        Mutant("c", "CE", "p", "s", "r", "d"),
        Mutant("e", "CE", "p", "s", "r", "d", ("z",)),
    ]
    assert selection_for(ms) == {"PR": ("x", "y"), "CE": ()}


def test_subset_narrows_and_rejects_unknown_names():
    reg = subset.narrowed_registry(REGISTRY, {"PT": ("counts-d2", "growth-r")}, "quick")
    assert list(reg) == ["PT"]
    assert [s.name for s in reg["PT"].instances("quick")] == ["counts-d2", "growth-r"]
    assert reg["PT"].check_ids == REGISTRY["PT"].check_ids
    full = subset.narrowed_registry(REGISTRY, {"CE": ()}, "quick")
    assert len(full["CE"].instances("quick")) == len(REGISTRY["CE"].instances("quick"))
    with pytest.raises(KeyError, match="no instance"):
        subset.narrowed_registry(REGISTRY, {"PT": ("nope",)}, PROFILES[0])
    with pytest.raises(KeyError, match="unknown claim"):
        subset.narrowed_registry(REGISTRY, {"XX": ()}, "quick")


def test_subset_refuses_when_the_copy_is_not_imported(tmp_path: Path, capsys):
    code = subset.main(["--select", "PT=counts-d2", "--expect-root", str(tmp_path), "--",
                        "--out", str(tmp_path)])  # fmt: skip
    assert code == 2
    assert "not the copy" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_end_to_end_caught_and_survived(tmp_path):
    """One real verify run per outcome, on the cheapest PT instance (a few seconds each).

    The caught run shows the copy, not the unchanged tree, is what ran; the harmless edit
    (a comment) shows an unchanged mathematics survives and is reported so.
    """
    from dataclasses import replace

    from relucheck.mutants.run import run_mutant

    off_by_one = replace(by_id("pt-count-off-by-one"), instances=("counts-d2",))
    caught = run_mutant(off_by_one, SRC, tmp_path / "a", jobs=1, timeout=300)
    assert caught.status == "caught", caught.log_tail
    assert {f["check"] for f in caught.failed} == {"count_equals_formula"}
    harmless = Mutant(
        "comment-only",
        "PT",
        off_by_one.path,
        off_by_one.search,
        off_by_one.search.rstrip("\n") + "  # harmless\n",
        "a comment: nothing to catch",
        ("counts-d2",),
    )
    survived = run_mutant(harmless, SRC, tmp_path / "b", jobs=1, timeout=300)
    assert survived.status == "survived", survived.log_tail
    assert survived.verdicts == {"PASS": 3}
