"""The pass mark of the A2A conformance kit, computed from its reports/compatibility.json.

    python3 testing/tck/gate.py <path to compatibility.json>

As the kit's own aggregator does, a level's figure counts only the requirements that were
tested (status PASS or FAIL; SKIPPED and NOT TESTED are left out), but from the
per-requirement statuses rather than the rounded strings of the summary, and a level with no
tested requirement does not count as 100 % for MUST (that means the run broke). Prints every
FAIL with its errors, then the figures; exits 0 only when MUST is 100 % and SHOULD >= 90 %.
"""

from __future__ import annotations

import json
import os
import sys
import xml.etree.ElementTree as ElementTree
from collections import Counter

MUST_PASS_MARK = 100.0
SHOULD_PASS_MARK = 90.0
ERROR_WIDTH = 400


def figures(report: dict, level: str) -> tuple[int, int, float]:
    statuses = [
        entry["status"]
        for entry in report["per_requirement"].values()
        if entry["level"] == level and entry["status"] in ("PASS", "FAIL")
    ]
    passed = statuses.count("PASS")
    return passed, len(statuses), (100.0 * passed / len(statuses)) if statuses else 100.0


def test_outcomes(junit_path: str) -> dict[tuple[str, str], str]:
    """(class or module, test name with parameters) -> "failed" or "skipped", from the JUnit report."""
    outcomes: dict[tuple[str, str], str] = {}
    if not os.path.exists(junit_path):
        return outcomes
    for case in ElementTree.parse(junit_path).iter("testcase"):
        key = (case.get("classname", "").rsplit(".", 1)[-1], case.get("name", ""))
        if case.find("failure") is not None or case.find("error") is not None:
            outcomes[key] = "failed"
        elif case.find("skipped") is not None:
            outcomes[key] = "skipped"
    return outcomes


def outcome(test_id: str, outcomes: dict[tuple[str, str], str]) -> str | None:
    parts = test_id.split("::")
    owner = parts[-2] if len(parts) > 2 else os.path.splitext(os.path.basename(parts[0]))[0]
    return outcomes.get((owner, parts[-1]))


def main(path: str) -> int:
    with open(path, encoding="utf-8") as file:
        report = json.load(file)
    outcomes = test_outcomes(os.path.join(os.path.dirname(path), "junitreport.xml"))
    requirements = report["per_requirement"]
    failures = sorted((k, v) for k, v in requirements.items() if v["status"] == "FAIL")
    for requirement, entry in failures:
        print(f"FAIL {entry['level']:<6} {requirement}")
        for error in entry.get("errors") or ["(no error text recorded)"]:
            text = " ".join(str(error).split())
            if len(text) > ERROR_WIDTH:
                text = text[:ERROR_WIDTH] + "…"
            print(f"       {text}")
        tests = entry.get("test_ids") or []
        failed = [test for test in tests if outcome(test, outcomes) == "failed"]
        for test in failed:
            print(f"       failed test: {test}")
        if not failed:  # a skip inside a test that names its requirement is recorded as FAIL
            bad = [t for t, status in (entry.get("transports") or {}).items() if status == "FAIL"]
            for test in tests:
                if outcome(test, outcomes) == "skipped" and any(t in test.rsplit("[", 1)[-1] for t in bad):
                    print(f"       skipped test (a skip in its body counts as FAIL): {test}")
    print()
    by_status = Counter((v["level"], v["status"]) for v in requirements.values())
    ok = True
    for level, mark in (("MUST", MUST_PASS_MARK), ("SHOULD", SHOULD_PASS_MARK), ("MAY", None)):
        passed, tested, percent = figures(report, level)
        extra = ", ".join(
            f"{by_status[(level, status)]} {status.lower()}"
            for status in ("SKIPPED", "NOT TESTED")
            if by_status[(level, status)]
        )
        verdict = ""
        if mark is not None:
            good = percent >= mark and (tested > 0 or level != "MUST")
            ok = ok and good
            verdict = f"  (needs >= {mark:g}%: {'ok' if good else 'NOT MET'})"
        print(f"{level:<6} {passed}/{tested} = {percent:.1f}%{verdict}" + (f"   [{extra}]" if extra else ""))
    print(f"TCK gate: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
