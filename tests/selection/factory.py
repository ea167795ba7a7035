"""A small country of schools and indicator values, sent through the API as files."""

from __future__ import annotations

import csv
import io
from typing import Any


def orgnr(seed: int) -> str:
    from app.reference.orgnr import orgnr_from

    return orgnr_from(seed)


def csv_body(header: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def xlsx_body(header: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


CSV = {"Content-Type": "text/csv"}
XLSX = {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}

# The small country: (school, owner, name); values (bullying grade 7, points after grade 10) in 2024-2025.
S = {n: orgnr(n) for n in range(1, 9)}
SCHOOLS = [
    [S[1], "Tromsø A skole", "NO-5501", 1, 10],
    [S[2], "Tromsø B skole", "NO-5501", 1, 10],
    [S[3], "Harstad A skole", "NO-5503", 1, 10],
    [S[4], "Bergen A skole", "NO-4601", 1, 10],
    [S[5], "Bergen B skole", "NO-4601", 1, 10],
    [S[6], "Kinn A skole", "NO-4602", 1, 10],
    [S[7], "Kinn B skole", "NO-4602", 1, 10],
    [S[8], "Alta A skole", "NO-5601", 1, 10],
]
YEAR = "2024-2025"
VALUES = [
    # bullying: higher is worse. Sorted 4.0, 3.5, 3.5, 3.5, 2.0, 1.8, 1.5: the 2nd worst (ceil(7 * 25 %)) is 3.5,
    # and all three 3.5s are as bad, so S1, S3, S6 and S8 earn a point. S7's value is missing.
    *[[S[n], "survey_bullying_7", YEAR, v] for n, v in ((1, 4.0), (2, 2.0), (3, 3.5), (4, 1.5), (5, 1.8), (6, 3.5))],
    [S[7], "survey_bullying_7", YEAR, ""],
    [S[8], "survey_bullying_7", YEAR, 3.5],
    # points: lower is worse. Sorted 30, 31, 35, 41, 44, 45, 50: cut-off 31, so S1 and S8. S6's is suppressed.
    *[[S[n], "points_10", YEAR, v] for n, v in ((1, 30), (2, 45), (3, 35), (4, 50), (5, 44), (7, 41), (8, 31))],
    [S[6], "points_10", YEAR, "*"],
]
# Shares: S1 2/2, S6 1/1, S8 2/2 (rank 1); S3 1/2 (rank 4); the rest 0 (rank 5). Eight ranked schools:
# the top 25 % is ceil(2) schools, whose boundary share is 1.0, so S1, S6 and S8 (ties all in).


async def load_country(client: Any, auth: Any) -> None:
    udir = await auth("directorate")
    header = ["id", "name", "school_owner_id", "grade_from", "grade_to"]
    r = await client.post("/api/v1/schools/import", content=csv_body(header, SCHOOLS), headers=udir | CSV)
    assert r.status_code == 200, r.text
    header = ["school_id", "indicator", "school_year", "value"]
    r = await client.post("/api/v1/indicator-values/import", content=csv_body(header, VALUES), headers=udir | CSV)
    assert r.status_code == 200, r.text


async def new_round(client: Any, auth: Any, year: int = 2026, **extra: Any) -> dict[str, Any]:
    body = {"year": year, "school_years": [YEAR], "indicators": ["survey_bullying_7", "points_10"]} | extra
    r = await client.post("/api/v1/selection-rounds", json=body, headers=await auth("directorate"))
    assert r.status_code == 201, r.text
    return r.json()
