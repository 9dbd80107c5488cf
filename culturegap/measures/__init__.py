"""Every business measure of culturegap, as pure functions over plain values, one module per area.

Pages, the API and benchmarks import them from here; each is tested against values worked out
by hand in ``culturegap/tests/test_measures_*.py``.
"""

from culturegap.measures.customers import services_per_customer, share_buying_one_service

__all__ = ["services_per_customer", "share_buying_one_service"]
