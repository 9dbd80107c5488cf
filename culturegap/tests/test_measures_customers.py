"""Measures against values worked out by hand."""

import pytest

from culturegap import measures


def test_services_per_customer_ignores_customers_who_buy_nothing():
    # Customers buying 1, 1, 2 and 3 services, plus one who left: (1+1+2+3)/4 = 1.75.
    assert measures.services_per_customer([1, 1, 2, 3, 0]) == pytest.approx(1.75)


def test_services_per_customer_without_customers_is_none():
    assert measures.services_per_customer([]) is None
    assert measures.services_per_customer([0, 0]) is None


def test_share_buying_one_service():
    # Three of the four buying customers buy one service: 3/4.
    assert measures.share_buying_one_service([1, 1, 1, 2, 0]) == pytest.approx(0.75)
    assert measures.share_buying_one_service([0]) is None
