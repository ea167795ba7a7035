"""The authorisation matrix: endpoint x role x relation -> expected status, kept as data (matrix.csv).

The tests are generated from it, a test fails when a route of the service is missing from it, and
`python -m app matrix-doc` renders it to docs/authorization.md.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

ROLES = ("directorate", "county_governor", "school_owner", "university")
CALLERS = ("anonymous", *ROLES)

RELATIONS = {
    "public": "no token needed",
    "any": "a collection, or the caller itself: no object relation",
    "own": "an object of the caller's own organisation (for a county governor: in its region)",
    "other_org": "an object of another organisation in the same county",
    "other_region": "an object of an organisation in another county governor's region",
    "partner": "an object of an organisation in a partnership with the caller",
    "shared": "an object that belongs to no organisation (programme information such as a gathering)",
}


@dataclass(frozen=True)
class MatrixRow:
    method: str
    path: str
    relation: str
    expected: dict[str, str]
    note: str

    def status(self, caller: str) -> int | None:
        value = self.expected[caller]
        return None if value == "-" else int(value)


def load_matrix() -> list[MatrixRow]:
    text = resources.files("app.auth").joinpath("matrix.csv").read_text(encoding="utf-8")
    rows = []
    for r in csv.DictReader(text.splitlines()):
        if r["relation"] not in RELATIONS:
            raise ValueError(f"unknown relation {r['relation']!r} in matrix.csv")
        rows.append(MatrixRow(r["method"], r["path"], r["relation"], {c: r[c] for c in CALLERS}, r["note"]))
    return rows


def render_markdown(rows: list[MatrixRow]) -> str:
    lines = [
        "# Authorisation matrix",
        "",
        "Generated from `app/auth/matrix.csv` by `python -m app matrix-doc`; the tests are generated from the",
        "same file. Each cell is the status a caller of that role gets for that endpoint and relation",
        "(`-`: the relation does not exist for that role). 404 means the object is outside the caller's sight",
        "(its existence is not revealed); 403 means the caller sees it, or the endpoint, but may not do this.",
        "A token without the `write` scope gets 403 from every endpoint that changes something.",
        "",
        "Relations: " + "; ".join(f"`{k}`: {v}" for k, v in RELATIONS.items()) + ".",
        "",
        "| method | path | relation | " + " | ".join(CALLERS) + " | note |",
        "|---|---|---|" + "---|" * len(CALLERS) + "---|",
    ]
    for r in rows:
        cells = " | ".join(r.expected[c] for c in CALLERS)
        lines.append(f"| {r.method} | `{r.path}` | {r.relation} | {cells} | {r.note} |")
    return "\n".join(lines) + "\n"


def write_markdown(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_markdown(load_matrix()), encoding="utf-8")
