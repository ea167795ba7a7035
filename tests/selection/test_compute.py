"""Rule 7's method on plain values: cut-offs, ties, direction, missing values, the boundary and the tie rule."""

from __future__ import annotations

from app.selection.compute import Value, compute, cutoff

P = {"survey_bullying_7": 25.0, "survey_support_7": 25.0, "points_10": 25.0}


def run(values, top=25.0, tie_rule="include_all"):
    return compute(values, worst_percent=P, top_share_percent=top, tie_rule=tie_rule)


def test_cutoff_is_the_ceil_nth_worst_value_in_the_indicators_direction():
    assert cutoff([1, 2, 3, 4, 5, 6, 7, 8], 25, higher_is_worse=True) == 7
    assert cutoff([1, 2, 3, 4, 5, 6, 7, 8], 25, higher_is_worse=False) == 2
    assert cutoff([1, 2, 3, 4, 5], 25, higher_is_worse=True) == 4  # ceil(1.25) = 2nd worst
    assert cutoff([3.0], 25, higher_is_worse=True) == 3.0


def test_values_tied_at_the_cutoff_all_earn_a_point():
    values = [Value(f"s{i}", "survey_bullying_7", "2024-2025", v) for i, v in enumerate([4, 3, 3, 3, 1, 1, 1, 1])]
    result = run(values)
    points = {s.school_id: s.points for s in result.schools}
    assert points == {"s0": 1, "s1": 1, "s2": 1, "s3": 1, "s4": 0, "s5": 0, "s6": 0, "s7": 0}
    assert result.cutoffs["survey_bullying_7"]["2024-2025"]["cutoff"] == 3


def test_lower_is_worse_for_support_and_points():
    values = [Value(f"s{i}", "survey_support_7", "2024-2025", v) for i, v in enumerate([1.5, 4.0, 4.1, 4.2])]
    result = run(values)
    assert [s.school_id for s in result.schools if s.points] == ["s0"]


def test_missing_values_are_not_counted_in_the_share():
    values = [
        Value("a", "survey_bullying_7", "2024-2025", 5.0),
        Value("a", "points_10", "2024-2025", 50),  # a has two values, one point
        Value("b", "survey_bullying_7", "2024-2025", 5.0),  # b has one value (its points are missing), one point
        *[Value(f"z{i}", "survey_bullying_7", "2024-2025", 1.0) for i in range(6)],
        *[Value(f"z{i}", "points_10", "2024-2025", 40 + i) for i in range(6)],
    ]
    shares = {s.school_id: s.share for s in run(values).schools}
    assert shares["a"] == 0.5
    assert shares["b"] == 1.0


def test_equal_shares_share_a_rank_and_all_tied_at_the_boundary_are_in():
    values = [
        Value(sid, "survey_bullying_7", "2024-2025", v)
        for sid, v in [("a", 5), ("b", 5), ("c", 5), ("d", 1), ("e", 1), ("f", 1), ("g", 1), ("h", 1)]
    ]
    # Cut-off: the 2nd worst of 8 is 5, so a, b, c earn a point (share 1.0); the top 25 % is 2 schools.
    result = run(values)
    assert {s.school_id: s.rank for s in result.schools}["c"] == 1
    assert {s.school_id for s in result.schools if s.in_top} == {"a", "b", "c"}
    assert {s.school_id for s in run(values, tie_rule="exclude_all").schools if s.in_top} == set()


def test_a_school_without_risk_points_is_never_in_the_top():
    values = [Value(f"s{i}", "survey_bullying_7", "2024-2025", 2.0) for i in range(4)]
    values += [Value("s9", "survey_bullying_7", "2024-2025", 1.0)]
    result = run(values, top=100)
    assert {s.school_id for s in result.schools if s.in_top} == {"s0", "s1", "s2", "s3"}
    assert not next(s for s in result.schools if s.school_id == "s9").in_top


def test_the_same_values_in_any_order_give_the_same_result():
    values = [Value(f"s{i}", "points_10", "2024-2025", (i * 7) % 13 + 20) for i in range(40)]
    a, b = run(values), run(list(reversed(values)))
    assert a.digest == b.digest
    assert [(s.school_id, s.rank, s.in_top) for s in a.schools] == [(s.school_id, s.rank, s.in_top) for s in b.schools]
