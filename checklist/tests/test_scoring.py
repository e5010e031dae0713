"""checklist.scoring.compute_scores: the one place scores and grades are computed."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from agencies.models import Grade
from checklist.models import Result
from checklist.scoring import Bands, Item, compute_scores, percentage

D = Decimal


TEN = D(10)


def item(result, points=None, *, category=1, maximum=TEN, veto=False):
    if result == Result.COMPLIANT:
        points = maximum
    return Item(category=category, max_points=maximum, result=result, points=points, is_veto=veto)


def test_all_compliant_is_100_and_excellent():
    scores = compute_scores([item(Result.COMPLIANT) for _ in range(29)])
    assert scores.total == D("100.0")
    assert scores.grade == Grade.EXCELLENT
    assert scores.complete


def test_category_and_total_are_percentages_of_the_applicable_maximum():
    scores = compute_scores(
        [
            item(Result.COMPLIANT, category=1),
            item(Result.LARGELY_COMPLIANT, D(6), category=1),
            item(Result.NON_COMPLIANT, D(2), category=2),
            item(Result.NOT_APPLICABLE, category=2),
        ]
    )
    assert scores.categories[1].score == D("80.0")
    assert scores.categories[2].score == D("20.0")
    assert scores.total == D("60.0")
    assert scores.grade == Grade.PASS


def test_each_category_counts_its_scored_and_applicable_standards():
    scores = compute_scores(
        [
            item(Result.COMPLIANT, category=1),
            item("", category=1),
            item(Result.NOT_APPLICABLE, category=2),
        ]
    )
    assert (scores.categories[1].scored, scores.categories[1].applicable) == (1, 2)
    assert (scores.categories[2].scored, scores.categories[2].applicable) == (1, 1)


def test_half_is_rounded_up():
    assert percentage(D(1), D(8)) == D("12.5")
    assert percentage(D("0.1"), D(16)) == D("0.6")  # 0.625 -> 0.6
    assert percentage(D(1), D(3)) == D("33.3")
    assert percentage(D(2), D(3)) == D("66.7")
    assert percentage(D("17.9"), D(20)) == D("89.5")
    assert percentage(D("1"), D("2000")) == D("0.1")  # 0.05 -> 0.1


def test_everything_not_applicable_has_no_score_rather_than_a_crash():
    scores = compute_scores([item(Result.NOT_APPLICABLE) for _ in range(5)])
    assert scores.total is None
    assert scores.grade == ""
    assert scores.categories[1].score is None
    assert scores.scored == 5


def test_nothing_scored_yet_has_no_score():
    scores = compute_scores([item("") for _ in range(3)])
    assert (scores.total, scores.grade, scores.scored, scores.applicable) == (None, "", 0, 3)


def test_unscored_standards_do_not_count_until_scored():
    scores = compute_scores([item(Result.COMPLIANT), item(""), item(Result.LARGELY_COMPLIANT)])
    assert scores.total == D("100.0")
    assert (scores.scored, scores.applicable, scores.complete) == (1, 3, False)


def test_grade_bands_at_their_edges():
    def grade(points):
        return compute_scores([item(Result.LARGELY_COMPLIANT, D(points), maximum=D(100))]).grade

    assert grade("90") == Grade.EXCELLENT
    assert grade("89.9") == Grade.GOOD
    assert grade("80") == Grade.GOOD
    assert grade("79.9") == Grade.PASS
    assert grade("60") == Grade.PASS
    assert grade("59.9") == Grade.FAIL


def test_bands_come_from_the_cycle():
    items = [item(Result.LARGELY_COMPLIANT, D(85), maximum=D(100))]
    assert compute_scores(items, Bands(D(95), D(85), D(70))).grade == Grade.GOOD
    assert compute_scores(items, Bands(D(80), D(70), D(60))).grade == Grade.EXCELLENT


def test_non_compliant_on_a_veto_item_fails_whatever_the_total():
    items = [item(Result.COMPLIANT) for _ in range(28)]
    items.append(item(Result.NON_COMPLIANT, D(9), veto=True))
    scores = compute_scores(items)
    assert scores.total == D("99.7")
    assert scores.grade == Grade.FAIL
    assert scores.vetoed


def test_largely_compliant_on_a_veto_item_does_not_veto():
    scores = compute_scores([item(Result.LARGELY_COMPLIANT, D(9), veto=True)])
    assert scores.grade == Grade.EXCELLENT


# --- properties -------------------------------------------------------------------------


@st.composite
def items(draw):
    maximum = D(draw(st.integers(min_value=1, max_value=200))) / 10
    result = draw(st.sampled_from([*Result.values, ""]))
    points = None
    if result == Result.COMPLIANT:
        points = maximum
    elif result in (Result.LARGELY_COMPLIANT, Result.NON_COMPLIANT):
        tenths = int(maximum * 10)
        points = (
            D(draw(st.integers(min_value=0, max_value=tenths - 1))) / 10 if tenths > 0 else None
        )
    return Item(
        category=draw(st.integers(min_value=1, max_value=3)),
        max_points=maximum,
        result=result,
        points=points,
        is_veto=draw(st.booleans()),
    )


item_lists = st.lists(items(), max_size=40)


@given(item_lists)
def test_scores_are_percentages_with_one_decimal(all_items):
    scores = compute_scores(all_items)
    values = [scores.total] + [c.score for c in scores.categories.values()]
    for value in values:
        if value is not None:
            assert D(0) <= value <= D(100)
            assert value == value.quantize(D("0.1"))


@given(item_lists)
def test_there_is_a_score_exactly_when_something_counts(all_items):
    scores = compute_scores(all_items)
    counts = any(
        i.result in (Result.COMPLIANT, Result.LARGELY_COMPLIANT, Result.NON_COMPLIANT)
        for i in all_items
    )
    assert (scores.total is not None) == counts
    assert (scores.grade != "") == (counts or scores.vetoed)


@given(item_lists, st.integers(min_value=1, max_value=3))
def test_not_applicable_standards_change_nothing(all_items, category):
    with_na = [*all_items, Item(category=category, max_points=D(10), result=Result.NOT_APPLICABLE)]
    assert compute_scores(with_na).total == compute_scores(all_items).total


@given(item_lists)
def test_the_total_is_the_rounded_share_of_points(all_items):
    counting = [i for i in all_items if i.counts]
    scores = compute_scores(all_items)
    if counting:
        exact = sum(i.points for i in counting) * 100 / sum(i.max_points for i in counting)
        assert abs(scores.total - exact) <= D("0.05")


@given(item_lists)
def test_the_grade_follows_the_total_unless_vetoed(all_items):
    scores = compute_scores(all_items)
    if scores.vetoed:
        assert scores.grade == Grade.FAIL
    elif scores.total is None:
        assert scores.grade == ""
    elif scores.total >= 90:
        assert scores.grade == Grade.EXCELLENT
    elif scores.total >= 80:
        assert scores.grade == Grade.GOOD
    elif scores.total >= 60:
        assert scores.grade == Grade.PASS
    else:
        assert scores.grade == Grade.FAIL


@given(item_lists, st.data())
def test_more_points_never_lower_the_total(all_items, data):
    candidates = [
        index
        for index, i in enumerate(all_items)
        if i.result in (Result.LARGELY_COMPLIANT, Result.NON_COMPLIANT)
        and i.points is not None
        and i.points + D("0.1") < i.max_points
    ]
    if not candidates:
        return
    index = data.draw(st.sampled_from(candidates))
    raised = list(all_items)
    old = raised[index]
    raised[index] = Item(
        old.category, old.max_points, old.result, old.points + D("0.1"), old.is_veto
    )
    assert compute_scores(raised).total >= compute_scores(all_items).total


def test_a_cycles_own_grade_bands_are_used(db):
    from agencies.models import Cycle
    from checklist.scoring import Bands, grade_for

    cycle = Cycle.objects.get(year=2023)
    cycle.grade_excellent_min, cycle.grade_good_min, cycle.grade_pass_min = (
        Decimal(95),
        Decimal(85),
        Decimal(65),
    )
    bands = Bands.of(cycle)
    assert (bands.excellent, bands.good, bands.passing) == (Decimal(95), Decimal(85), Decimal(65))
    assert grade_for(Decimal(62), bands) == "fail"
    assert grade_for(Decimal(65), bands) == "pass"
