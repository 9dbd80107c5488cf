"""The coaching pages: recording (bad input is a 400 naming the field, nothing written), who
sees which observation, the team table and its CSV, the heatmap and the scorecard editor."""

import csv
import datetime
import io
import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from culturegap.coaching import services
from culturegap.coaching.models import Observation, ObservationRating, Scorecard
from culturegap.coaching.selectors import readiness_of
from culturegap.coaching.tests.factories import ObservationFactory, published_playbook
from culturegap.org.scope import company_today
from culturegap.org.tests.factories import CustomerFactory, PersonFactory, TeamFactory


@pytest.fixture
def scorecard(company, staff):
    published_playbook(company)
    return services.generate_scorecard(company=company, actor=staff["admin"])


def _form(scorecard, subject=None, **overrides):
    data = {
        "channel": "phone",
        "observed_on": company_today(scorecard.company).isoformat(),
        "comment": "Warm opening.",
        "customer": "",
    }
    if subject is not None:
        data["person"] = str(subject.pk)
    for item, value in zip(scorecard.items.all(), ("3", "not-observed", "4"), strict=True):
        data[f"rating_{item.pk}"] = value
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _nothing_written():
    return not Observation.objects.exists() and not ObservationRating.objects.exists()


def test_a_manager_records_an_observation(client, company, staff, scorecard):
    customer = CustomerFactory(company=company, name="Harbour Bakery")
    client.force_login(staff["manager"])
    page = client.get(reverse("coaching:observe") + f"?person={staff['crp'].pk}")
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('<fieldset class="rating') == 3 and "<legend>" in body
    assert "Cara CRP" in body and "Sam Sales" not in body  # the reporting line only
    response = client.post(
        reverse("coaching:observe"), _form(scorecard, staff["crp"], customer=str(customer.pk))
    )
    observation = Observation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("coaching:observation_detail", args=[observation.pk])
    assert (observation.person, observation.observer, observation.customer) == (
        staff["crp"],
        staff["manager"],
        customer,
    )
    assert sorted(observation.ratings.values_list("rating", flat=True), key=str) == [3, 4, None]
    detail = client.get(response.url).content.decode()
    assert "3 · Consistent" in detail and "not observed" in detail and "Harbour Bakery" in detail


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"observed_on": "2999-01-01"}, "The date cannot be in the future."),
        ({"observed_on": "yesterday"}, "Give the date as year-month-day"),
        ({"channel": "carrier pigeon"}, "Choose phone, e-mail, meeting or ticket."),
        ({"customer": "999999"}, "Pick a customer of your company from the list."),
        ({"person": "abc"}, "You can observe only people in your reporting line."),
    ],
)
def test_bad_fields_are_a_400_that_names_them(client, staff, scorecard, change, message):
    client.force_login(staff["manager"])
    response = client.post(reverse("coaching:observe"), _form(scorecard, staff["crp"], **change))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _nothing_written()


def test_a_bad_or_missing_rating_names_the_behaviour(client, staff, scorecard):
    first = scorecard.items.first()
    client.force_login(staff["manager"])
    response = client.post(
        reverse("coaching:observe"), _form(scorecard, staff["crp"], **{f"rating_{first.pk}": "7"})
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "A rating is 1, 2, 3, 4 or not observed." in body
    assert f'href="#id_rating_{first.pk}-group"' in body  # the summary links to the item
    response = client.post(
        reverse("coaching:observe"), _form(scorecard, staff["crp"], **{f"rating_{first.pk}": None})
    )
    body = response.content.decode()
    assert response.status_code == 400
    # The summary names the behaviour by its step's short name; the whole paragraph stays in
    # the legend beside the ratings, once.
    assert f'<a href="#id_rating_{first.pk}-group">Open</a>' in body
    assert body.count(first.behaviour) == 1
    assert "Choose a rating, or “Not observed”." in body
    everything_unseen = {f"rating_{item.pk}": "not-observed" for item in scorecard.items.all()}
    response = client.post(
        reverse("coaching:observe"), _form(scorecard, staff["crp"], **everything_unseen)
    )
    assert response.status_code == 400
    assert "Rate at least one behaviour" in response.content.decode()
    assert _nothing_written()


def test_only_the_reporting_line_can_be_observed(client, company, staff, scorecard):
    client.force_login(staff["manager"])
    elsewhere = PersonFactory(company=company, manager=staff["executive"], name="Elsie Else")
    for person in (elsewhere, staff["manager"], PersonFactory(name="Out Sider")):
        response = client.post(reverse("coaching:observe"), _form(scorecard, person))
        assert response.status_code == 400
        assert "You can observe only people in your reporting line." in response.content.decode()
    # A CRP may not record observations at all.
    client.force_login(staff["crp"])
    assert (
        client.post(reverse("coaching:observe"), _form(scorecard, staff["crp"])).status_code == 403
    )
    assert _nothing_written()


def test_without_a_scorecard_the_page_says_so_and_posts_are_refused(client, staff):
    client.force_login(staff["manager"])
    page = client.get(reverse("coaching:observe"))
    assert page.status_code == 200 and "There is no scorecard yet" in page.content.decode()
    response = client.post(reverse("coaching:observe"), {"person": staff["crp"].pk})
    assert response.status_code == 400
    assert _nothing_written()


def test_a_crp_adds_a_self_assessment_and_sees_it_beside_the_observed_score(
    client, staff, scorecard
):
    ObservationFactory(person=staff["crp"], scorecard=scorecard, ratings={"open": 2})
    client.force_login(staff["crp"])
    response = client.post(reverse("coaching:self_assess"), _form(scorecard, staff["manager"]))
    own = Observation.objects.get(kind="self")
    assert response.status_code == 302
    # The person field is ignored: a self-assessment is always about oneself.
    assert (own.person, own.observer) == (staff["crp"], staff["crp"])
    page = client.get(reverse("coaching:mine")).content.decode()
    assert "Self-assessed (not counted)" in page
    # Observed (2−1)/3×100 = 33; self (3 and 4) = 83; readiness rests on the observation only.
    stats = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page))
    assert stats["Observed behaviour"] == "33"
    assert stats["Self-assessed (not counted)"] == "83"
    assert stats["Readiness index"] == "33"


def test_a_crp_sees_only_their_own_observations(client, company, staff, scorecard):
    own = ObservationFactory(person=staff["crp"], scorecard=scorecard, ratings={"open": 3})
    colleague = PersonFactory(company=company, team=staff["crp"].team, manager=staff["manager"])
    theirs = ObservationFactory(person=colleague, scorecard=scorecard, ratings={"open": 1})
    client.force_login(staff["crp"])
    assert client.get(reverse("coaching:observation_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("coaching:observation_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("coaching:person", args=[colleague.pk])).status_code == 404
    mine = client.get(reverse("coaching:mine")).content.decode()
    assert reverse("coaching:observation_detail", args=[own.pk]) in mine
    assert reverse("coaching:observation_detail", args=[theirs.pk]) not in mine


def test_a_manager_sees_only_their_reporting_line(client, company, staff, scorecard):
    other_manager = PersonFactory(company=company, is_manager=True, manager=staff["executive"])
    their_report = PersonFactory(company=company, manager=other_manager)
    theirs = ObservationFactory(person=their_report, scorecard=scorecard, ratings={"open": 2})
    ours = ObservationFactory(person=staff["crp"], scorecard=scorecard, ratings={"open": 2})
    client.force_login(staff["manager"])
    assert client.get(reverse("coaching:observation_detail", args=[ours.pk])).status_code == 200
    assert client.get(reverse("coaching:observation_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("coaching:person", args=[their_report.pk])).status_code == 404
    client.force_login(staff["admin"])
    assert client.get(reverse("coaching:observation_detail", args=[theirs.pk])).status_code == 200


def test_another_company_gets_404(client, staff, scorecard, other_company):
    observation = ObservationFactory(person=staff["crp"], scorecard=scorecard, ratings={"open": 3})
    outsider = PersonFactory(company=other_company, is_program_admin=True, is_manager=True)
    client.force_login(outsider)
    assert (
        client.get(reverse("coaching:observation_detail", args=[observation.pk])).status_code == 404
    )
    assert client.get(reverse("coaching:person", args=[staff["crp"].pk])).status_code == 404
    response = client.get(reverse("coaching:team") + f"?team={staff['crp'].team_id}")
    assert response.status_code == 400 and "Cara CRP" not in response.content.decode()


class _TableText(HTMLParser):
    """The text of each body row of the table with id ``team-table``."""

    def __init__(self):
        super().__init__()
        self.rows, self.inside, self.cell, self.in_body = [], False, None, False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == "team-table":
            self.inside = True
        elif self.inside and tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append([])
        elif self.in_body and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None
        elif tag == "table":
            self.inside = self.in_body = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def test_the_csv_holds_exactly_the_table(client, company, staff, scorecard):
    team = staff["crp"].team
    bob = PersonFactory(company=company, team=team, manager=staff["manager"], name="=Bob")
    ObservationFactory(person=staff["crp"], scorecard=scorecard, ratings={"open": 3, "propose": 4})
    ObservationFactory(
        person=bob,
        scorecard=scorecard,
        ratings={"discover": 2},
        observed_on=company_today(company) - datetime.timedelta(days=90),
    )
    client.force_login(staff["manager"])
    page = client.get(reverse("coaching:team") + f"?team={team.pk}")
    parser = _TableText()
    parser.feed(page.content.decode())
    export = client.get(reverse("coaching:team_export") + f"?team={team.pk}")
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][:2] == ["Person", "Readiness"]
    # A name a spreadsheet would run as a formula is neutralised in the file only.
    table = [[("'" + c if c.startswith("=") else c) for c in row] for row in parser.rows]
    assert rows[1:] == table
    assert table == [
        ["'=Bob", "33", "", "", "33", "", "behaviour", "1", rows[1][8], "yes"],
        ["Cara CRP", "83", "", "", "83", "", "behaviour", "1", rows[2][8], "no"],
    ]


def test_a_bad_team_is_a_400_not_a_500(client, staff):
    client.force_login(staff["manager"])
    for value in ("abc", "999999", "-1"):
        assert client.get(reverse("coaching:team") + f"?team={value}").status_code == 400
        assert client.get(reverse("coaching:heatmap") + f"?team={value}").status_code == 400
        assert client.get(reverse("coaching:team_export") + f"?team={value}").status_code == 400


def test_the_heatmap_page_has_a_chart_and_the_same_figures_in_a_table(client, staff, scorecard):
    ObservationFactory(person=staff["crp"], scorecard=scorecard, ratings={"open": 4, "discover": 1})
    client.force_login(staff["manager"])
    page = client.get(reverse("coaching:heatmap")).content.decode()
    assert "&quot;type&quot;:&quot;heatmap&quot;" in page and "vendor/plotly.min.js" in page
    table = page[page.index('id="heatmap-table"') :]
    cells = re.findall(r'<td class="num band-[a-z]+">([^<]+)</td>', table)
    # Rows open, discover, propose; one person: 100, 0, no evidence.
    assert cells == ["100", "0", "–"]
    assert "40 %" in page and "30 %" in page  # the weights are on the page


def test_admins_and_executives_pick_any_team(client, company, staff, scorecard):
    tax = TeamFactory(company=company, name="Tax")
    PersonFactory(company=company, team=tax, name="Tara Tax")
    for viewer in (staff["admin"], staff["executive"]):
        client.force_login(viewer)
        page = client.get(reverse("coaching:team") + f"?team={tax.pk}").content.decode()
        assert "Tara Tax" in page
    client.force_login(staff["manager"])
    assert client.get(reverse("coaching:team") + f"?team={tax.pk}").status_code == 400


def _formset(items, extra=()):
    data = {
        "items-TOTAL_FORMS": str(len(items) + len(extra)),
        "items-INITIAL_FORMS": str(len(items)),
    }
    data |= {"items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "30"}
    for n, row in enumerate([*items, *extra]):
        for key, value in row.items():
            data[f"items-{n}-{key}"] = value
    return data


def test_an_admin_builds_and_edits_the_scorecard(client, company, staff):
    published_playbook(company)
    client.force_login(staff["admin"])
    assert "Build the scorecard" in client.get(reverse("coaching:scorecard")).content.decode()
    assert client.post(reverse("coaching:scorecard_generate")).status_code == 302
    scorecard = Scorecard.objects.get(is_active=True)
    first, second, third = scorecard.items.all()
    rows = [
        {"item": first.pk, "skill": "open", "behaviour": "Greets by name.", "ORDER": "2"},
        {"item": second.pk, "skill": "discover", "behaviour": second.behaviour, "ORDER": "3",
         "DELETE": "on"},
        {"item": third.pk, "skill": "propose", "behaviour": third.behaviour, "ORDER": "1"},
    ]  # fmt: skip
    new = [{"skill": "discover", "behaviour": "Summarises the need back.", "ORDER": "4"}, {}]
    response = client.post(reverse("coaching:scorecard"), _formset(rows, new))
    assert response.status_code == 302
    assert [(i.skill, i.behaviour) for i in scorecard.items.all()] == [
        ("propose", third.behaviour),
        ("open", "Greets by name."),
        ("discover", "Summarises the need back."),
    ]


def test_bad_scorecard_edits_are_a_400_naming_the_field(client, company, staff, scorecard):
    before = list(scorecard.items.values_list("skill", "behaviour"))
    client.force_login(staff["admin"])
    item = scorecard.items.first()
    blank = _formset([{"item": item.pk, "skill": "open", "behaviour": "", "ORDER": "1"}])
    response = client.post(reverse("coaching:scorecard"), blank)
    assert response.status_code == 400
    assert "Describe what an observer sees or hears." in response.content.decode()
    unknown_step = _formset([{"item": item.pk, "skill": "haggle", "behaviour": "x", "ORDER": "1"}])
    response = client.post(reverse("coaching:scorecard"), unknown_step)
    assert response.status_code == 400
    assert "Choose one of the playbook&#x27;s steps." in response.content.decode()
    everything_removed = _formset(
        [{"item": i.pk, "skill": i.skill, "behaviour": i.behaviour, "DELETE": "on"}
         for i in scorecard.items.all()]
    )  # fmt: skip
    response = client.post(reverse("coaching:scorecard"), everything_removed)
    assert response.status_code == 400 and "at least one behaviour" in response.content.decode()
    assert client.post(reverse("coaching:scorecard"), {"junk": "1"}).status_code == 400
    foreign = _formset([{"item": "999999", "skill": "open", "behaviour": "x", "ORDER": "1"}])
    assert client.post(reverse("coaching:scorecard"), foreign).status_code == 400
    assert list(scorecard.items.values_list("skill", "behaviour")) == before
    assert Scorecard.objects.count() == 1


def test_no_published_playbook_no_scorecard_page_says_why(client, staff):
    client.force_login(staff["admin"])
    response = client.post(reverse("coaching:scorecard_generate"))
    assert response.status_code == 400
    assert "Publish the playbook first" in response.content.decode()


def test_the_manager_home_asks_for_an_observation_this_week(client, company, staff, scorecard):
    PersonFactory(company=company, team=staff["crp"].team, manager=staff["manager"])
    client.force_login(staff["manager"])
    home = client.get(reverse("today")).content.decode()
    assert "Observe a customer conversation this week" in home
    assert "2 people not observed in 60 days" in home
    ObservationFactory(
        person=staff["crp"],
        scorecard=scorecard,
        ratings={"open": 3},
        observed_on=company_today(company),
    )
    assert "1 person not observed in 60 days" in client.get(reverse("today")).content.decode()


def test_an_observation_moves_the_readiness_index(client, staff, scorecard):
    # Only observed behaviour so far: ratings 1 → 0.
    ObservationFactory(person=staff["crp"], scorecard=scorecard, ratings={"open": 1})
    assert readiness_of(person=staff["crp"]).value == 0
    client.force_login(staff["manager"])
    client.post(reverse("coaching:observe"), _form(scorecard, staff["crp"]))
    # Pooled ratings 1, 3, 4 → (0 + 66.67 + 100) / 3 = 55.56
    assert readiness_of(person=staff["crp"]).value == pytest.approx(500 / 9)


def test_a_big_company_offers_only_the_chosen_person_but_accepts_anyone(
    client, company, staff, scorecard, monkeypatch
):
    monkeypatch.setattr("culturegap.coaching.selectors.MAX_PERSON_OPTIONS", 2)
    client.force_login(staff["admin"])
    page = client.get(reverse("coaching:observe") + f"?person={staff['crp'].pk}").content.decode()
    options = re.findall(r'<option value="(\d+)"', page)
    assert options == [str(staff["crp"].pk)]
    assert "Pick the person from the" in page
    response = client.post(reverse("coaching:observe"), _form(scorecard, staff["sales"]))
    assert response.status_code == 302
    assert Observation.objects.get().person == staff["sales"]
