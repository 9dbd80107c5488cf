"""The event-study chart's axis: estimates and sensible intervals fit, an absurd interval is cut."""

from culturegap.dashboard.charts import event_axis_range
from culturegap.measures.impact import EventPoint


def _point(period: int, effect: float, low: float, high: float) -> EventPoint:
    return EventPoint(periods_since_start=period, effect=effect, low=low, high=high)


def test_every_estimate_and_sensible_interval_fits():
    points = [_point(-1, 0.0, -2.0, 2.0), _point(0, 3.0, 1.0, 5.0)]
    low, high = event_axis_range(points)
    # ends -2 and 5, room 8 % of the span of 7
    assert (round(low, 2), round(high, 2)) == (-2.56, 5.56)


def test_an_interval_of_ten_to_the_twenty_is_cut_at_four_times_the_largest_estimate():
    points = [_point(-1, 1.0, -1e20, 1e20), _point(0, -2.5, -4.0, -1.0)]
    low, high = event_axis_range(points)
    # the wide interval is left out: ends are -4 (an interval end) and 1 (an estimate)
    assert (round(low, 2), round(high, 2)) == (-4.4, 1.4)
    assert high - low < 100
