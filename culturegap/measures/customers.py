"""Measures of the customer base: how many services customers buy."""

from collections.abc import Iterable


def services_per_customer(active_service_counts: Iterable[int]) -> float | None:
    """Mean number of active services per active customer.

    ``active_service_counts`` holds, for each customer, how many services they buy now; a
    customer with none is not a customer any more and is left out. None when nobody buys.
    """
    buying = [count for count in active_service_counts if count > 0]
    if not buying:
        return None
    return sum(buying) / len(buying)


def share_buying_one_service(active_service_counts: Iterable[int]) -> float | None:
    """Fraction (0–1) of active customers who buy exactly one service: the cross-sell pool."""
    buying = [count for count in active_service_counts if count > 0]
    if not buying:
        return None
    return sum(1 for count in buying if count == 1) / len(buying)
