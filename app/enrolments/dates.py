"""Planned phase dates from the programme's templates. A school year runs 1 August - 31 July (ours)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Any

SCHOOL_YEAR_START_MONTH = 8


def school_year_start(year: int) -> date:
    return date(year, SCHOOL_YEAR_START_MONTH, 1)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def enrolment_start(cycle: str, phases: list[dict[str, Any]], start_year: int) -> date:
    """Phased programmes that start with a school year start on 1 August; yearly cycles on 1 January."""
    if cycle == "yearly":
        return date(start_year, 1, 1)
    first = phases[0] if phases else {}
    if first.get("start_rule") == "fixed":
        return date.fromisoformat(first["fixed_start"])
    return school_year_start(start_year)


def plan_phases(phases: list[dict[str, Any]], start: date) -> list[tuple[date | None, date | None]]:
    """(planned_start, planned_end) for each template, in order."""
    out: list[tuple[date | None, date | None]] = []
    previous_end: date | None = None
    for template in phases:
        rule = template["start_rule"]
        if rule == "fixed":
            begin: date | None = date.fromisoformat(template["fixed_start"])
        elif rule == "after_previous":
            begin = previous_end + timedelta(days=1) if previous_end else None
        else:
            begin = start
        if template.get("fixed_end"):
            end: date | None = date.fromisoformat(template["fixed_end"])
        elif template.get("duration_months") and begin is not None:
            end = add_months(begin, template["duration_months"]) - timedelta(days=1)
        else:
            end = None
        out.append((begin, end))
        previous_end = end
    return out


def enrolment_end(cycle: str, planned: list[tuple[date | None, date | None]], start: date) -> date | None:
    if cycle == "yearly":
        return date(start.year, 12, 31)
    return planned[-1][1] if planned else None
