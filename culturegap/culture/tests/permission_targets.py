"""The culture pages in the permission matrix (culturegap/tests/test_permissions.py)."""

import datetime

from culturegap.culture.models import OwnStatement
from culturegap.culture.tests.factories import add_answers, make_wave
from culturegap.org.models import Role
from culturegap.tests.matrix import Target

TARGETS = {
    "culture:survey": Target(),
    "culture:results": Target(),
    "culture:export": Target(),
    "culture:waves": Target(),
    # Closing a wave and switching a statement are POSTs; a GET goes back to the list.
    "culture:wave_close": Target(
        kwargs=lambda w: {"pk": w["culture_open_wave"].pk}, expect={Role.ADMIN: 302}
    ),
    "culture:statements": Target(),
    "culture:statement_toggle": Target(
        kwargs=lambda w: {"pk": w["culture_statement"].pk}, expect={Role.ADMIN: 302}
    ),
    "culture:targets": Target(),
}

SECRETS = ["Zephyr culture wave", "Zephyr own statement", "Zephyr open answer"]


def extend_world(world) -> dict:
    company, staff = world["company"], world["staff"]
    closed = make_wave(company, name="Zephyr culture wave", opened_on=datetime.date(2026, 1, 5))
    add_answers(closed, staff["crp"].team, [(3, 3, 3)] * 5, open_answer="Zephyr open answer")
    add_answers(closed, staff["sales"].team, [(4, 4, 4)] * 5)
    statement = OwnStatement.objects.create(
        company=company, dimension="vision", text="Zephyr own statement"
    )
    open_wave = make_wave(
        company, name="Zephyr culture wave now", opened_on=datetime.date(2026, 6, 1), closed=False
    )
    return {"culture_open_wave": open_wave, "culture_statement": statement}
