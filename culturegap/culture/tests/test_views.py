"""The culture pages: answering once, bad input, running waves, results, CSV exports."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from culturegap.culture import selectors
from culturegap.culture.models import CultureTarget, OwnStatement, Participation, Response, Wave
from culturegap.culture.tests.factories import add_answers, make_wave
from culturegap.org.models import Team
from culturegap.org.tests.factories import PersonFactory, TeamFactory
from culturegap.tests.html import html_table


@pytest.fixture
def open_wave(company, staff):
    return make_wave(
        company, name="Autumn survey", opened_on=datetime.date(2026, 9, 1), closed=False
    )


def full_answer(wave, score=4, **overrides):
    data = {item["key"]: str(score) for item in wave.statements}
    data["open_answer"] = "More joint customer visits"
    data.update(overrides)
    return data


def test_a_crp_answers_once_and_the_answer_keeps_no_person(client, staff, open_wave):
    client.force_login(staff["crp"])
    page = client.get(reverse("culture:survey"))
    assert page.status_code == 200
    assert "anonymous" in page.content.decode()
    data = full_answer(open_wave, score=4, **{"vision-1": "2"})
    response = client.post(reverse("culture:survey"), data)
    assert response.status_code == 302
    answer = Response.objects.get()
    assert answer.team == staff["crp"].team and answer.team_kind == "service"
    # vision: (2 + 4 + 4 + 4 + 4) / 5 = 3.6
    assert answer.vision == pytest.approx(3.6) and answer.strategy == 4.0
    fields = {field.name for field in Response._meta.get_fields()}
    assert not fields & {"person", "created_at", "answered_at", "submitted_at"}
    assert Participation.objects.filter(wave=open_wave, person=staff["crp"]).count() == 1
    thanks = client.get(reverse("culture:survey"))
    assert (
        "Thank you" in thanks.content.decode()
        and '<form method="post"' not in (thanks.content.decode().split("<main", 1)[1])
    )


def test_a_second_answer_is_refused_and_writes_nothing(client, staff, open_wave):
    client.force_login(staff["crp"])
    client.post(reverse("culture:survey"), full_answer(open_wave))
    again = client.post(reverse("culture:survey"), full_answer(open_wave, score=1))
    assert again.status_code == 409
    assert "answers a wave once" in again.content.decode()
    assert Response.objects.count() == 1 and Participation.objects.count() == 1
    assert Response.objects.get().vision == 4.0


@pytest.mark.parametrize(
    ("change", "field"),
    [({"strategy-3": None}, "strategy-3"), ({"vision-2": "0"}, "vision-2"),
     ({"behaviours-6": "6"}, "behaviours-6"), ({"vision-1": "four"}, "vision-1")],
)  # fmt: skip
def test_bad_answers_give_400_naming_the_statement(client, staff, open_wave, change, field):
    client.force_login(staff["crp"])
    data = full_answer(open_wave)
    for key, value in change.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    response = client.post(reverse("culture:survey"), data)
    assert response.status_code == 400
    body = response.content.decode()
    text = next(item["text"] for item in open_wave.statements if item["key"] == field)
    assert f'href="#q-{field}"' in body and "Choose a score from 1 to 5." in body
    assert text.replace("'", "&#x27;") in body
    assert Response.objects.count() == 0 and Participation.objects.count() == 0


def test_people_who_are_not_customer_contact_staff_are_not_asked(client, staff, open_wave):
    client.force_login(staff["executive"])
    assert "customer-contact staff" in client.get(reverse("culture:survey")).content.decode()
    response = client.post(reverse("culture:survey"), full_answer(open_wave))
    assert response.status_code == 403
    assert Response.objects.count() == 0


def test_a_closed_wave_takes_no_answer(client, staff, open_wave):
    client.force_login(staff["crp"])
    open_wave.closed_on = datetime.date(2026, 9, 20)
    open_wave.save()
    assert client.post(reverse("culture:survey"), full_answer(open_wave)).status_code == 403
    assert Response.objects.count() == 0


def test_the_menu_offers_the_survey_until_answered(client, staff, open_wave):
    client.force_login(staff["crp"])
    assert "Culture survey" in client.get(reverse("today")).content.decode()
    client.post(reverse("culture:survey"), full_answer(open_wave))
    assert "Culture survey" not in client.get(reverse("today")).content.decode()


def test_admin_opens_and_closes_a_wave_with_own_statements(client, company, staff):
    client.force_login(staff["admin"])
    bad = client.post(reverse("culture:statements"), {"dimension": "mood", "text": "x"})
    assert bad.status_code == 400 and "dimension" in bad.context["form"].errors
    added = client.post(
        reverse("culture:statements"),
        {"dimension": "behaviours", "text": "Our teams share what customers tell them."},
    )
    assert added.status_code == 302
    own = OwnStatement.objects.get()
    response = client.post(reverse("culture:waves"), {"name": "Wave A"})
    assert response.status_code == 302
    wave = Wave.objects.get()
    assert wave.is_open and wave.invited == 2  # the CRP and the salesperson
    assert own.key in wave.dimension_of() and len(wave.statements) == 17
    second = client.post(reverse("culture:waves"), {"name": "Wave B"})
    assert second.status_code == 400 and "open already" in second.content.decode()
    assert Wave.objects.count() == 1
    client.post(reverse("culture:wave_close", args=[wave.pk]))
    wave.refresh_from_db()
    assert not wave.is_open


def test_admin_sets_targets_and_bad_targets_are_refused(client, company, staff):
    client.force_login(staff["admin"])
    bad = client.post(
        reverse("culture:targets"), {"vision": "6", "strategy": "4", "behaviours": "4"}
    )
    assert bad.status_code == 400 and "vision" in bad.context["form"].errors
    assert not CultureTarget.objects.exists()
    good = client.post(
        reverse("culture:targets"), {"vision": "4.5", "strategy": "3.5", "behaviours": "4"}
    )
    assert good.status_code == 302
    assert selectors.targets(company=company) == {
        "vision": 4.5,
        "strategy": 3.5,
        "behaviours": 4.0,
    }


# --- results --------------------------------------------------------------------------------


@pytest.fixture
def answered(company, staff):
    """A closed wave: sales (staff's sales team) 5 answers of 4.4/4/3, service (the CRP's team)
    5 of 2.6/3/4, and a four-person support team outside the manager's line."""
    wave = make_wave(company, name="Wave 1", opened_on=datetime.date(2026, 1, 5))
    add_answers(wave, staff["sales"].team, [(v, 4, 3) for v in (4, 4, 5, 5, 4)])
    add_answers(wave, staff["crp"].team, [(v, 3, 4) for v in (2, 3, 3, 2, 3)], open_answer="Hi")
    small = TeamFactory(company=company, name="Tiny Support", kind="support")
    add_answers(wave, small, [(1, 1, 1)] * 4, open_answer="Secret four")
    return wave


@pytest.mark.parametrize("key", ["scores", "gap", "distance", "trend"])
def test_each_csv_equals_the_table_on_the_page(client, staff, answered, key):
    client.force_login(staff["executive"])
    html = client.get(reverse("culture:results"), {"wave": answered.pk}).content.decode()
    on_page = html_table(html, key)
    export = client.get(reverse("culture:export"), {"wave": answered.pk, "table": key})
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert [["–" if cell == "" else cell for cell in row] for row in rows] == on_page
    assert len(rows) > 1


def test_results_show_hand_computed_gap_and_hide_the_small_team(client, staff, answered):
    client.force_login(staff["executive"])
    html = client.get(reverse("culture:results")).content.decode()
    gap = html_table(html, "gap")
    # |4.4 − 2.6| = 1.80 ; |4 − 3| = 1.00 ; |3 − 4| = 1.00
    assert gap[1] == ["Clarity of vision", "4.40", "2.60", "1.80", "4.00"]
    assert gap[2][3] == "1.00" and gap[3][3] == "1.00"
    small = next(row for row in html_table(html, "scores") if row[0] == "Tiny Support")
    assert small == ["Tiny Support", "Technical support", "fewer than 5", "–", "–", "–"]
    # Distance of the service team: 4.0 − 2.6 = +1.40 on vision
    service = next(row for row in html_table(html, "distance") if row[0] == "Client Service")
    assert service[2] == "+1.40"
    assert "Secret four" not in html and "Hi" in html
    assert "left out of every figure" in html


def test_a_filtered_view_cannot_reveal_the_small_team(client, company, staff, answered):
    """The manager's view (their line's teams) and the company view give the same gap, with or
    without the small team in the manager's line."""
    client.force_login(staff["executive"])
    company_gap = html_table(client.get(reverse("culture:results")).content.decode(), "gap")
    manager = staff["manager"]
    sales_person = PersonFactory(company=company, team=staff["sales"].team, manager=manager)
    client.force_login(manager)
    line_gap = html_table(client.get(reverse("culture:results")).content.decode(), "gap")
    small = Team.objects.get(company=company, name="Tiny Support")
    PersonFactory(company=company, team=small, manager=manager)
    with_small = client.get(reverse("culture:results")).content.decode()
    assert "Tiny Support" in with_small
    assert company_gap == line_gap == html_table(with_small, "gap")
    assert sales_person.team == staff["sales"].team


def test_a_manager_sees_only_their_line(client, company, staff, answered):
    client.force_login(staff["manager"])
    html = client.get(reverse("culture:results")).content.decode()
    assert [row[0] for row in html_table(html, "scores")[1:]] == ["Client Service"]
    # The manager's line has no sales team: the CRP side only, no gap.
    assert html_table(html, "gap")[1] == ["Clarity of vision", "–", "2.60", "–", "4.00"]


@pytest.mark.parametrize("role", ["crp", "sales"])
def test_crps_and_salespeople_never_see_results(client, staff, answered, role):
    client.force_login(staff[role])
    assert client.get(reverse("culture:results")).status_code == 403
    assert client.get(reverse("culture:export"), {"table": "gap"}).status_code == 403


@pytest.mark.parametrize("query", [{"wave": "abc"}, {"wave": "999999"}])
def test_a_bad_wave_in_the_url_is_a_400(client, staff, answered, query):
    client.force_login(staff["executive"])
    assert client.get(reverse("culture:results"), query).status_code == 400
    export = client.get(reverse("culture:export"), {**query, "table": "gap"})
    assert export.status_code == 400 and "wave" in export.content.decode()


def test_another_companys_wave_is_not_found_in_results(client, other_company, answered):
    outsider = PersonFactory(company=other_company, is_crp=False, is_executive=True)
    client.force_login(outsider)
    response = client.get(reverse("culture:results"), {"wave": answered.pk})
    assert response.status_code == 400
    assert "Wave 1" not in response.content.decode()


def test_a_csv_cell_never_runs_as_a_formula(client, company, staff):
    wave = make_wave(company, name="W", opened_on=datetime.date(2026, 1, 5))
    team = TeamFactory(company=company, name="=HYPERLINK(1)", kind="service")
    add_answers(wave, team, [(3, 3, 3)] * 5)
    client.force_login(staff["executive"])
    export = client.get(reverse("culture:export"), {"wave": wave.pk, "table": "scores"})
    assert "'=HYPERLINK(1)" in export.content.decode()
