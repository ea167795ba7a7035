"""Load the shipped reference data idempotently; an updated file updates without losing history.

A second load of the same files changes nothing. A changed name is updated (with an audit record
and a feed event); a municipality or county missing from a newer file is ended (`valid_to`), never
deleted, so enrolments made with it keep pointing at it.
"""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from app.audit.service import Actor, Concerns, diff, record_change
from app.reference.models import (
    County,
    CountyName,
    Municipality,
    MunicipalityName,
    Organisation,
    RegionCounty,
)

DATA_FROM = date(2024, 1, 1)
NAMES_2026_FROM = date(2026, 1, 1)
DIRECTORATE_ORGNR = "970018131"
# Region Örebro län has no Norwegian organisation number: a fixed UUID names it everywhere.
OREBRO_REGION_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "regional-body:SE-18"))


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    ended: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], kind: str) -> None:
        bucket[kind] = bucket.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.ended)


def _rows(directory: Path | None, name: str) -> list[dict[str, str]]:
    if directory is not None:
        text = (directory / name).read_text(encoding="utf-8-sig")
    else:
        text = resources.files("app.reference").joinpath("data", name).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(text.splitlines()))


@dataclass
class _Desired:
    counties: dict[str, dict[str, Any]] = field(default_factory=dict)
    municipalities: dict[str, dict[str, Any]] = field(default_factory=dict)
    organisations: dict[str, dict[str, Any]] = field(default_factory=dict)
    regions: dict[str, list[str]] = field(default_factory=dict)


def _names(first: str, later: str | None, short: str | None = None) -> list[tuple[date, str, str | None]]:
    names = [(DATA_FROM, first, short)]
    if later and later != first:
        names.append((NAMES_2026_FROM, later, short))
    return names


def _desired(directory: Path | None) -> _Desired:
    d = _Desired()
    for r in _rows(directory, "counties.csv"):
        d.counties[f"NO-{r['fylkesnummer']}"] = {
            "country": "NO",
            "number": r["fylkesnummer"],
            "names": _names(r["name"], r.get("name_2026"), r.get("name_no")),
        }
    d.counties["SE-18"] = {"country": "SE", "number": "18", "names": _names("Örebro län", None, "Örebro")}
    today = date.today()
    for r in _rows(directory, "municipalities.csv"):
        mid = f"NO-{r['kommunenummer']}"
        names = _names(r["name"], r.get("name_2026"))
        d.municipalities[mid] = {
            "country": "NO",
            "number": r["kommunenummer"],
            "county_id": f"NO-{r['fylkesnummer']}",
            "names": names,
        }
        d.organisations[mid] = _municipality_org(mid, "NO", f"NO-{r['fylkesnummer']}", names, today)
    for r in _rows(directory, "se_orebro_municipalities.csv"):
        mid = f"SE-{r['kommunkod']}"
        names = _names(r["name"], None)
        d.municipalities[mid] = {
            "country": "SE",
            "number": r["kommunkod"],
            "county_id": f"SE-{r['lanskod']}",
            "names": names,
        }
        d.organisations[mid] = _municipality_org(mid, "SE", f"SE-{r['lanskod']}", names, today)
    d.organisations[DIRECTORATE_ORGNR] = {
        "kind": "directorate",
        "name": "Utdanningsdirektoratet",
        "short_name": "Udir",
        "orgnr": DIRECTORATE_ORGNR,
        "country": "NO",
    }
    for r in _rows(directory, "county_governors.csv"):
        d.organisations[r["orgnr"]] = {
            "kind": "county_governor",
            "name": r["name"],
            "orgnr": r["orgnr"],
            "country": "NO",
        }
        d.regions[r["orgnr"]] = [f"NO-{f}" for f in r["fylkesnummer"].split(";")]
    d.organisations[OREBRO_REGION_ID] = {
        "kind": "regional_body",
        "name": "Region Örebro län",
        "country": "SE",
        "county_id": "SE-18",
    }
    d.regions[OREBRO_REGION_ID] = ["SE-18"]
    for r in _rows(directory, "uh_institutions.csv"):
        d.organisations[r["orgnr"]] = {
            "kind": "university",
            "name": r["name"],
            "short_name": r["short_name"],
            "orgnr": r["orgnr"],
            "country": "NO",
            "dbh_code": r["dbh_institusjonskode"],
        }
    return d


def _municipality_org(
    mid: str, country: str, county_id: str, names: list[tuple[date, str, str | None]], today: date
) -> dict[str, Any]:
    current = max((n for n in names if n[0] <= today), key=lambda n: n[0], default=names[0])[1]
    return {"kind": "municipality", "name": current, "country": country, "municipality_id": mid, "county_id": county_id}


async def load_reference_data(session: AsyncSession, actor: Actor, directory: Path | None = None) -> LoadReport:
    """Bring the database in line with the reference files (the shipped ones by default)."""
    desired = _desired(directory)
    report = LoadReport()
    await _sync_places(session, actor, County, CountyName, "county_id", desired.counties, report, "county")
    await _sync_places(
        session,
        actor,
        Municipality,
        MunicipalityName,
        "municipality_id",
        desired.municipalities,
        report,
        "municipality",
    )
    await _sync_organisations(session, actor, desired.organisations, report)
    await _sync_regions(session, actor, desired.regions, report)
    await session.flush()
    return report


async def _sync_places(
    session: AsyncSession,
    actor: Actor,
    model: Any,
    name_model: Any,
    fk: str,
    desired: dict[str, dict[str, Any]],
    report: LoadReport,
    kind: str,
) -> None:
    existing = {p.id: p for p in (await session.scalars(sa.select(model))).all()}
    for pid, spec in desired.items():
        place = existing.get(pid)
        fields = {k: v for k, v in spec.items() if k != "names"}
        if place is None:
            place = model(id=pid, **fields)
            place.names = [_name_row(name_model, fk, pid, n) for n in spec["names"]]
            session.add(place)
            await session.flush()
            report.count(report.created, kind)
            await _audit(session, actor, "create", kind, place, {"names": [n[1] for n in spec["names"]], **fields})
            continue
        before = {k: getattr(place, k) for k in fields} | {"valid_to": place.valid_to}
        before_names = {n.valid_from: n.name for n in place.names}
        for k, v in fields.items():
            setattr(place, k, v)
        place.valid_to = None
        by_date = {n.valid_from: n for n in place.names}
        for valid_from, name, short in spec["names"]:
            row = by_date.get(valid_from)
            if row is None:
                place.names.append(_name_row(name_model, fk, pid, (valid_from, name, short)))
            else:
                row.name = name
                if hasattr(row, "short_name"):
                    row.short_name = short
        after = {k: getattr(place, k) for k in fields} | {"valid_to": place.valid_to}
        after_names = {n.valid_from: n.name for n in place.names}
        changes = diff(before, after)
        if before_names != after_names:
            changes["names"] = {"before": _named(before_names), "after": _named(after_names)}
        if changes:
            _bump(place)
            await session.flush()
            report.count(report.updated, kind)
            await _audit(session, actor, "update", kind, place, changes)
    today = date.today()
    for pid, place in existing.items():
        if pid not in desired and place.valid_to is None:
            place.valid_to = today
            await session.flush()
            report.count(report.ended, kind)
            await _audit(session, actor, "end", kind, place, {"valid_to": {"before": None, "after": today}})


def _bump(obj: Any) -> None:
    """Make the unit of work issue an UPDATE (and so a new version) even when only children changed."""
    flag_modified(obj, "valid_to")


def _named(names: dict[date, str]) -> list[dict[str, str]]:
    return [{"valid_from": d.isoformat(), "name": n} for d, n in sorted(names.items())]


def _name_row(name_model: Any, fk: str, pid: str, n: tuple[date, str, str | None]) -> Any:
    kwargs: dict[str, Any] = {fk: pid, "valid_from": n[0], "name": n[1]}
    if name_model is CountyName:
        kwargs["short_name"] = n[2]
    return name_model(**kwargs)


async def _sync_organisations(
    session: AsyncSession, actor: Actor, desired: dict[str, dict[str, Any]], report: LoadReport
) -> None:
    existing = {o.id: o for o in (await session.scalars(sa.select(Organisation))).all()}
    for oid, spec in desired.items():
        org = existing.get(oid)
        if org is None:
            org = Organisation(id=oid, **spec)
            session.add(org)
            await session.flush()
            report.count(report.created, "organisation")
            await _audit(session, actor, "create", "organisation", org, spec)
            continue
        before = {k: getattr(org, k) for k in spec}
        for k, v in spec.items():
            setattr(org, k, v)
        changes = diff(before, {k: getattr(org, k) for k in spec})
        if changes:
            await session.flush()
            report.count(report.updated, "organisation")
            await _audit(session, actor, "update", "organisation", org, changes)


async def _sync_regions(session: AsyncSession, actor: Actor, desired: dict[str, list[str]], report: LoadReport) -> None:
    rows = (await session.execute(sa.select(RegionCounty.organisation_id, RegionCounty.county_id))).all()
    current: dict[str, set[str]] = {}
    for org_id, county_id in rows:
        current.setdefault(org_id, set()).add(county_id)
    for org_id, counties in desired.items():
        have = current.get(org_id, set())
        if have == set(counties):
            continue
        await session.execute(sa.delete(RegionCounty).where(RegionCounty.organisation_id == org_id))
        await session.execute(sa.delete(RegionCounty).where(RegionCounty.county_id.in_(counties)))
        session.add_all([RegionCounty(organisation_id=org_id, county_id=c) for c in counties])
        org = await session.get(Organisation, org_id)
        assert org is not None
        _touch_org(org)
        await session.flush()
        report.count(report.updated if have else report.created, "region")
        await _audit(
            session,
            actor,
            "update" if have else "create",
            "organisation",
            org,
            {"covered_counties": {"before": sorted(have), "after": sorted(counties)}},
        )


def _touch_org(org: Organisation) -> None:
    flag_modified(org, "active")


async def _audit(
    session: AsyncSession, actor: Actor, action: str, kind: str, obj: Any, changes: dict[str, Any]
) -> None:
    if kind == "county":
        concerns = Concerns(county_id=obj.id)
    elif kind == "municipality":
        concerns = Concerns(municipality_id=obj.id, county_id=obj.county_id, subject_org_id=obj.id)
    else:
        concerns = Concerns(subject_org_id=obj.id, municipality_id=obj.municipality_id, county_id=obj.county_id)
    if action == "create":
        changes = {k: {"before": None, "after": v} for k, v in changes.items()}
    await record_change(
        session,
        actor,
        action=action,
        resource_type=kind,
        resource_id=obj.id,
        changes=changes,
        concerns=concerns,
        version=obj.version,
    )
