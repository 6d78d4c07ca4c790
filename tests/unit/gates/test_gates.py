"""Gate rules (validation, per-project overrides) and the gate decision, outcome by outcome."""

from __future__ import annotations

import copy
import re

import pytest
import yaml

from checks.gates import (
    Gate,
    RulesError,
    decide,
    parse_rules,
    scope_quality,
    with_catalog_limits,
    with_project_overrides,
)
from checks.model import CriterionResult, Decision, Finding, QualityReport, QualityResult, Severity
from config.lifecycle import lifecycle_path, load_rules
from config.settings import Settings

RULES = {
    "version": 1,
    "phases": ["planning", "execution"],
    "gates": {
        "execution": {
            "description": "leave execution",
            "criteria": [
                {
                    "id": "spi_floor",
                    "description": "SPI above tolerance",
                    "metric": "evm.spi",
                    "comparison": ">=",
                    "threshold": 0.8,
                    "must_meet": True,
                    "weight": 1,
                },
                {
                    "id": "cpi_target",
                    "description": "CPI on target",
                    "metric": "evm.cpi",
                    "comparison": ">=",
                    "threshold": 0.95,
                    "must_meet": False,
                    "weight": 2,
                },
                {
                    "id": "no_cycles",
                    "metric": "dependencies.cycles",
                    "comparison": "<=",
                    "threshold": 0,
                    "must_meet": False,
                    "weight": 1,
                },
            ],
        }
    },
}
GATE = parse_rules(RULES).gate("execution")
CLEAN = QualityReport((QualityResult("tasks", "keys_unique", Severity.CRITICAL, True, 0, 10),))
BROKEN = QualityReport(
    (
        QualityResult(
            "tasks", "keys_unique", Severity.CRITICAL, False, 2, 10, ("jira:1", "jira:2")
        ),
        QualityResult("time_entries", "hours_range", Severity.WARNING, False, 1, 10, ("w:1",)),
    )
)
GOOD = {"evm.spi": 1.0, "evm.cpi": 1.0, "dependencies.cycles": 0.0}

DECISION_CASES = [
    # everything met
    ("go", GOOD, CLEAN, Decision.GO, 0),
    # a should-meet criterion fails: it becomes the one condition
    ("go-with-conditions", {**GOOD, "evm.cpi": 0.9}, CLEAN, Decision.GO_WITH_CONDITIONS, 1),
    # a should-meet metric is missing: "provide evidence" is a condition too
    ("should-missing", {"evm.spi": 1.0, "evm.cpi": 1.0}, CLEAN, Decision.GO_WITH_CONDITIONS, 1),
    # a must-meet criterion fails: rework the phase
    ("recycle", {**GOOD, "evm.spi": 0.7}, CLEAN, Decision.RECYCLE, 0),
    # a must-meet metric can't be computed (None, NaN): Hold for missing evidence
    ("hold-missing", {**GOOD, "evm.spi": None}, CLEAN, Decision.HOLD, 0),
    ("hold-nan", {**GOOD, "evm.spi": float("nan")}, CLEAN, Decision.HOLD, 0),
    # critical data-quality failure: Hold, even though every criterion passes
    ("hold-dq", GOOD, BROKEN, Decision.HOLD, 0),
    # critical data quality beats a failed must-meet: the failure itself may be an artefact
    ("hold-dq-over-recycle", {**GOOD, "evm.spi": 0.5}, BROKEN, Decision.HOLD, 0),
    # a failed must-meet beats a missing one
    ("recycle-over-missing", {"evm.spi": 0.5}, CLEAN, Decision.RECYCLE, 0),
]


@pytest.mark.parametrize(("name", "metrics", "quality", "expected", "conditions"), DECISION_CASES)
def test_decision_outcomes(name, metrics, quality, expected, conditions):
    result = decide(GATE, metrics, {}, [], quality)
    assert result.decision == expected, result.rationale
    assert len(result.conditions) == conditions
    assert result.rationale.startswith(f"{expected.value} at the execution gate")


def test_hold_on_data_quality_names_the_failing_expectations():
    result = decide(GATE, GOOD, {}, [], BROKEN)
    assert "untrustworthy" in result.rationale
    assert "tasks.keys_unique (2 failing)" in result.rationale
    assert "hours_range" not in result.rationale  # warnings don't hold a gate


def test_recycle_rationale_names_value_and_threshold():
    result = decide(GATE, {**GOOD, "evm.spi": 0.7}, {}, [], CLEAN)
    assert "spi_floor (evm.spi = 0.7, needs >= 0.8)" in result.rationale


def test_criterion_outcomes_carry_value_threshold_result_and_evidence():
    evidence = {"evm.spi": ("jira:10", "jira:11")}
    findings = [Finding("evm.cpi", Severity.WARNING, "low CPI", "p", ("jira:12",))]
    result = decide(GATE, {**GOOD, "evm.cpi": 0.9}, evidence, findings, CLEAN)
    by_id = {c.id: c for c in result.criteria}
    assert [c.id for c in result.criteria] == ["spi_floor", "cpi_target", "no_cycles"]
    assert (by_id["spi_floor"].value, by_id["spi_floor"].threshold) == (1.0, 0.8)
    assert by_id["spi_floor"].result == CriterionResult.PASS
    assert by_id["spi_floor"].evidence == ("jira:10", "jira:11")
    assert by_id["cpi_target"].result == CriterionResult.FAIL
    assert by_id["cpi_target"].evidence == ("jira:12",)  # from the metric's findings
    assert result.conditions == ("Bring 'CPI on target' to >= 0.95: evm.cpi is 0.9.",)


def test_min_score_recycles_when_too_few_should_meet_pass():
    strict = Gate(GATE.phase, GATE.description, GATE.criteria, min_score=0.5)
    # cpi_target (weight 2) fails, no_cycles (weight 1) passes: score 1/3 < 0.5
    result = decide(strict, {**GOOD, "evm.cpi": 0.5}, {}, [], CLEAN)
    assert result.decision == Decision.RECYCLE
    assert result.score == pytest.approx(1 / 3)


def test_same_input_same_output():
    args = (GATE, {**GOOD, "evm.cpi": 0.9}, {"evm.spi": ("a",)}, [], BROKEN)
    assert decide(*args) == decide(*args)


COMPARISON_CASES = [
    # comparison, threshold, value, passes
    (">=", 1.0, 1.0, True),
    (">", 1.0, 1.0, False),
    ("<=", 0.0, 0.0, True),
    ("<", 0.0, 0.0, False),
    ("==", 1.0, 1.0 + 1e-12, True),  # float noise is equality
    ("==", 1.0, 0.0, False),
]


@pytest.mark.parametrize(("comparison", "threshold", "value", "passes"), COMPARISON_CASES)
def test_comparisons(comparison, threshold, value, passes):
    raw = copy.deepcopy(RULES)
    raw["gates"]["execution"]["criteria"][0].update(comparison=comparison, threshold=threshold)
    gate = parse_rules(raw).gate("execution")
    assert gate.criteria[0].passes(value) is passes


def _broken(path: tuple, value, delete: bool = False) -> dict:
    raw = copy.deepcopy(RULES)
    node = raw
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return raw


CRIT = ("gates", "execution", "criteria", 1)
CONFIG_ERROR_CASES = [
    # unknown metric (a typo)
    (
        _broken((*CRIT, "metric"), "evm.spii"),
        "gates.execution.criteria[1].metric: unknown metric 'evm.spii'",
    ),
    # a threshold that is not a number
    (
        _broken((*CRIT, "threshold"), "high"),
        "gates.execution.criteria[1].threshold: bad threshold 'high'",
    ),
    # booleans are not thresholds either
    (_broken((*CRIT, "threshold"), True), "gates.execution.criteria[1].threshold: bad threshold"),
    # NaN/inf thresholds would never pass or always pass
    (_broken((*CRIT, "threshold"), float("inf")), "criteria[1].threshold: bad threshold inf"),
    # a bad comparison operator
    (
        _broken((*CRIT, "comparison"), "=>"),
        "gates.execution.criteria[1].comparison: bad comparison",
    ),
    # must_meet must be a boolean, not a string
    (_broken((*CRIT, "must_meet"), "yes"), "gates.execution.criteria[1].must_meet: must be true"),
    # a negative weight
    (_broken((*CRIT, "weight"), -1), "gates.execution.criteria[1].weight: -1 is out of range"),
    # a missing threshold
    (
        _broken((*CRIT, "threshold"), None, delete=True),
        "gates.execution.criteria[1].threshold: missing",
    ),
    # a misspelt key in a criterion
    (_broken((*CRIT, "treshold"), 1), "gates.execution.criteria[1].treshold: unknown key"),
    # duplicate ids within a gate
    (_broken((*CRIT, "id"), "spi_floor"), "gates.execution.criteria[1].id: duplicate criterion id"),
    # a gate for a phase that isn't listed
    (_broken(("gates", "qa_uat"), {"criteria": []}), "gates.qa_uat: unknown phase"),
    # a phase the product doesn't know
    (_broken(("phases",), ["planning", "build"]), "phases[1]: unknown phase 'build'"),
    # a misspelt top-level key
    (_broken(("gate",), {}), "gate: unknown key"),
]


@pytest.mark.parametrize(("raw", "message"), CONFIG_ERROR_CASES)
def test_config_errors_name_the_key(raw, message):
    with pytest.raises(RulesError) as exc:
        parse_rules(raw, "lifecycle.yaml")
    assert message in str(exc.value)
    assert "lifecycle.yaml" in str(exc.value)


def test_every_error_is_reported_at_once():
    raw = _broken((*CRIT, "metric"), "nope")
    raw["gates"]["execution"]["criteria"][0]["comparison"] = "~"
    with pytest.raises(RulesError) as exc:
        parse_rules(raw)
    assert "criteria[0].comparison" in str(exc.value)
    assert "criteria[1].metric" in str(exc.value)


OVERRIDE_CASES = [
    # a bare number replaces the threshold
    ({"execution": {"spi_floor": 0.6}}, {"evm.spi": 0.7}, Decision.GO),
    # without the override the same SPI recycles
    (None, {"evm.spi": 0.7}, Decision.RECYCLE),
    # a should-meet made must-meet: its failure now recycles
    ({"execution": {"cpi_target": {"must_meet": True}}}, {"evm.cpi": 0.9}, Decision.RECYCLE),
    # a criterion disabled for this project no longer conditions the Go
    ({"execution": {"cpi_target": {"enabled": False}}}, {"evm.cpi": 0.9}, Decision.GO),
]


@pytest.mark.parametrize(("overrides", "change", "expected"), OVERRIDE_CASES)
def test_per_project_overrides(overrides, change, expected):
    rules = with_project_overrides(parse_rules(RULES), overrides, "projects.ABC.gates")
    result = decide(rules.gate("execution"), {**GOOD, **change}, {}, [], CLEAN)
    assert result.decision == expected, result.rationale


OVERRIDE_ERROR_CASES = [
    ({"execution": {"spi_flor": 0.6}}, "projects.ABC.gates.execution.spi_flor: unknown criterion"),
    ({"qa_uat": {"x": 1}}, "projects.ABC.gates.qa_uat: no gate for phase"),
    ({"execution": {"spi_floor": "low"}}, "projects.ABC.gates.execution.spi_floor.threshold: bad"),
    ({"execution": {"spi_floor": {"weigth": 2}}}, "projects.ABC.gates.execution.spi_floor.weigth"),
    ({"execution": {"spi_floor": {"must_meet": "no"}}}, "spi_floor.must_meet: must be true"),
]


@pytest.mark.parametrize(("overrides", "message"), OVERRIDE_ERROR_CASES)
def test_override_errors_name_the_key(overrides, message):
    with pytest.raises(RulesError) as exc:
        with_project_overrides(parse_rules(RULES), overrides, "projects.ABC.gates")
    assert message in str(exc.value)


def test_shipped_lifecycle_file_is_valid_and_covers_every_phase(tmp_path):
    rules = load_rules(Settings())
    assert rules.gate_phases == [
        "initiation",
        "planning",
        "execution",
        "qa_uat",
        "training_documentation",
        "closeout",
    ]
    assert all(any(c.must_meet for c in g.criteria) for g in rules.gates)
    # the loader names the file when the YAML is broken
    bad = tmp_path / "lifecycle.yaml"
    bad.write_text(yaml.safe_dump(_broken((*CRIT, "metric"), "evm.spii")))
    (tmp_path / "pmo.yaml").write_text("checks: {lifecycle_file: lifecycle.yaml}\n")
    settings = Settings(source_path=str(tmp_path / "pmo.yaml"))
    assert lifecycle_path(settings) == bad
    with pytest.raises(RulesError, match=r"lifecycle\.yaml.*\n.*criteria\[1\]\.metric"):
        load_rules(settings)


SCOPE_CASES = [
    # example keys of another project only: not ours
    (("jira:9",), 1, False),
    # one of ours among the examples
    (("jira:9", "jira:1"), 2, True),
    # no examples (a source-wide check such as freshness): can't rule it out
    ((), 1, True),
    # examples truncated (3 failing, 1 shown): ours may be among the rest
    (("jira:9",), 3, True),
]


@pytest.mark.parametrize(
    ("tagged", "kept"),
    [
        ("p1", True),  # tagged with our project
        ("p2", False),  # tagged with another project, even if its examples look like ours
    ],
)
def test_scope_quality_by_project_tag(tagged, kept):
    failure = QualityResult("tasks", "x", Severity.CRITICAL, False, 5, 10, ("jira:1",), "", tagged)
    scoped = scope_quality(QualityReport((failure,)), "p1", {"jira:1"})
    assert bool(scoped.critical_failures) is kept


@pytest.mark.parametrize(("examples", "failing", "kept"), SCOPE_CASES)
def test_scope_quality_to_a_project(examples, failing, kept):
    failure = QualityResult("tasks", "x", Severity.CRITICAL, False, failing, 10, examples)
    passed = QualityResult("tasks", "y", Severity.CRITICAL, True, 0, 10)
    scoped = scope_quality(QualityReport((failure, passed)), "p1", {"jira:1", "jira:2"})
    assert (failure in scoped.results) is kept
    assert passed in scoped.results


@pytest.mark.parametrize(
    ("projects", "message"),
    [
        # a misspelt criterion id in the main config fails when the rules load, not mid-run
        (
            {"ABC": {"gates": {"execution": {"spi_flor": 0.7}}}},
            "projects.ABC.gates.execution.spi_flor",
        ),
        # an unknown metric among a project's risk thresholds
        ({"ABC": {"thresholds": {"evm.spii": 0.7}}}, "projects.ABC.thresholds: unknown metric"),
    ],
)
def test_load_rules_validates_project_overrides(projects, message):
    with pytest.raises(RulesError, match=re.escape(message)):
        load_rules(Settings(projects=projects))
    load_rules(Settings(projects={"ABC": {"gates": {"execution": {"spi_floor": 0.7}}}}))


def _spi_gate(threshold: object) -> dict:
    raw = copy.deepcopy(RULES)
    raw["gates"]["execution"]["criteria"][0]["threshold"] = threshold
    return raw


CATALOG_LIMITS = [
    pytest.param("catalog", None, None, 0.9, id="warning-limit"),
    pytest.param("catalog.critical", None, None, 0.8, id="critical-limit"),
    pytest.param("catalog", {"evm.spi": 0.85}, None, 0.85, id="settings-move-it"),
    pytest.param("catalog.critical", {"evm.spi.critical": 0.7}, None, 0.7, id="critical-moved"),
    pytest.param("catalog", {"evm.spi": 0.85}, {"spi_floor": 0.6}, 0.6, id="project-number-wins"),
    pytest.param(0.8, {"evm.spi": 0.85}, None, 0.8, id="a-number-stays"),
]  # fmt: skip


@pytest.mark.parametrize(("threshold", "thresholds", "project", "expected"), CATALOG_LIMITS)
def test_a_threshold_may_name_the_catalogue_limit(threshold, thresholds, project, expected):
    rules = parse_rules(_spi_gate(threshold))
    if project is not None:
        rules = with_project_overrides(rules, {"execution": project})
    rules = with_catalog_limits(rules, thresholds)
    assert rules.gate("execution").criteria[0].threshold == expected


def test_catalogue_limits_need_a_catalogue_metric():
    raw = _spi_gate("catalog")
    raw["gates"]["execution"]["criteria"][0]["metric"] = "charter.objectives"
    with pytest.raises(RulesError, match=r"criteria\[0\]\.threshold: metric 'charter.objectives'"):
        parse_rules(raw)
    with pytest.raises(
        RulesError, match=r"criteria\[0\]\.threshold: bad threshold 'katalog': a number, 'catalog'"
    ):
        parse_rules(_spi_gate("katalog"))


def test_the_shipped_gates_and_the_findings_share_each_limit():
    # One tolerance per metric: every shipped criterion on a catalogue metric with a limit
    # names that limit instead of repeating its number (SPI was 0.8/0.95 in the gate, 0.9 in
    # the findings and a hard-coded 0.9 in the status RAG).
    from checks.risk.catalog import METRICS

    raw = yaml.safe_load(lifecycle_path(Settings()).read_text())
    numbers = [
        (phase, c["id"])
        for phase, gate in raw["gates"].items()
        for c in gate["criteria"]
        if c["metric"] in METRICS
        and (
            METRICS[c["metric"]].threshold is not None or METRICS[c["metric"]].critical is not None
        )
        and not isinstance(c["threshold"], str)
    ]
    assert numbers == []
