"""A program admin uploads a bad pack, reads the problems, then loads the starter pack: in a
browser, at desktop and phone widths."""

import os
from pathlib import Path

import pytest

from culturegap.tests.browser import sign_in
from culturegap.training.models import Curriculum
from culturegap.training.tests.pack_samples import as_yaml, small_pack

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("CULTUREGAP_SCREENSHOTS", "/tmp/culturegap-screenshots"))


def test_admin_fixes_a_pack_then_loads_the_starter(page, page_errors, staff, tmp_path):
    sign_in(page, staff["admin"].email)
    width = page.viewport_size["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    pack = small_pack()
    pack["curricula"][0]["modules"][0]["lessons"][0]["questions"][0]["options"][0]["correct"] = True
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(as_yaml(pack))
    page.goto("/learn/packs/")
    page.get_by_label("Content pack file").set_input_files(bad)
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_role("heading", name="1 problem found: nothing was imported").wait_for()
    assert page.get_by_text("curricula[0].modules[0].lessons[0].questions[0].options").is_visible()
    page.screenshot(path=SCREENSHOTS / f"packs-errors-{width}.png", full_page=True)

    page.get_by_role("button", name="Load the starter pack").click()
    page.get_by_role("status").get_by_text("created").wait_for()
    page.screenshot(path=SCREENSHOTS / f"packs-loaded-{width}.png", full_page=True)
    assert Curriculum.objects.filter(company=staff["admin"].company).exists()
    # The refused upload is answered with HTTP 400, which the browser logs; nothing else.
    others = [error for error in page_errors if "status of 400" not in error]
    assert others == [], others
