"""The playbook pages for each role: read, search, versions, draft and publish."""

import pytest
from django.urls import reverse

from culturegap.language import services
from culturegap.language.models import Playbook
from culturegap.language.tests.factories import GlossaryTermFactory, playbook_with_content
from culturegap.org.models import Role

ROLES = Role.values
NOT_ADMINS = [role for role in ROLES if role != Role.ADMIN]


@pytest.fixture
def playbook(company):
    return playbook_with_content(company=company, version=2)


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_the_published_playbook(client, staff, playbook, role):
    client.force_login(staff[role])
    response = client.get(reverse("language:playbook"))
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "Our services fit together",
        "One shared customer record",
        "Here for the long term",
        "Someone who knows you",
        "Open the contact",
        "Good morning Ms Patel",
        "Thanks for making time today",
        "Uses the customer&#x27;s name in the first sentence.",
        "Active listening",
        'id="glossary-a"',
        'href="#step-discover"',
    ):
        assert text in body, text
    assert ("Edit a draft" in body) is (role == Role.ADMIN)
    assert ("/author/" in body) is (role == Role.ADMIN)


def test_steps_are_in_order_and_glossary_alphabetical(client, staff, playbook):
    client.force_login(staff["crp"])
    body = client.get(reverse("language:playbook")).content.decode()
    assert body.index("Open the contact") < body.index("Discover what matters")
    assert body.index("Discover what matters") < body.index("Hand over to a colleague")
    glossary = body[body.index('id="glossary-heading"') :]
    assert glossary.index("Active listening") < glossary.index("Need signal")
    assert glossary.index("Need signal") < glossary.index("Rapport")


def test_search_shows_grouped_results(client, staff, playbook):
    client.force_login(staff["sales"])
    response = client.get(reverse("language:playbook"), {"q": "rapport"})
    body = response.content.decode()
    assert "1 result for “rapport”" in body
    assert '<a href="#term-rapport"><mark>Rapport</mark></a>' in body


def test_search_input_is_escaped(client, staff, playbook):
    GlossaryTermFactory(playbook=playbook, term="Script", definition="<script>x</script>")
    client.force_login(staff["crp"])
    body = client.get(reverse("language:playbook"), {"q": "<script>"}).content.decode()
    assert "<script>x" not in body
    assert "&lt;script&gt;" in body


@pytest.mark.parametrize("query", ["", "x" * 5000, "\x00", "((", "%"])
def test_odd_searches_never_fail(client, staff, playbook, query):
    client.force_login(staff["crp"])
    assert client.get(reverse("language:playbook"), {"q": query}).status_code == 200


def test_empty_state_without_a_playbook(client, staff):
    client.force_login(staff["crp"])
    body = client.get(reverse("language:playbook")).content.decode()
    assert "No playbook yet" in body and "starter pack" not in body


def test_empty_state_offers_the_starter_pack_to_admins(client, staff):
    client.force_login(staff["admin"])
    body = client.get(reverse("language:playbook")).content.decode()
    assert "Load the starter pack" in body
    assert "Start an empty draft" in body


@pytest.mark.parametrize("role", ROLES)
def test_older_versions_are_listed_and_readable(client, staff, playbook, role):
    services.start_draft(company=playbook.company, actor=staff["admin"])
    draft = Playbook.objects.get(status="draft")
    draft.steps.filter(key="open").update(name="Greet the customer")
    services.publish_draft(company=playbook.company, actor=staff["admin"])
    client.force_login(staff[role])
    listing = client.get(reverse("language:version_list")).content.decode()
    assert 'href="/playbook/versions/2/"' in listing and 'href="/playbook/versions/3/"' in listing
    older = client.get(reverse("language:version_detail", args=[2])).content.decode()
    assert "This is an older version" in older and "Open the contact" in older
    current = client.get(reverse("language:playbook")).content.decode()
    assert "Greet the customer" in current and "Open the contact" not in current


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_admins_may_read_the_draft(client, staff, playbook, role):
    services.start_draft(company=playbook.company, actor=staff["admin"])
    client.force_login(staff[role])
    assert client.get(reverse("language:version_detail", args=[3])).status_code == 404
    assert (
        "/playbook/versions/3/" not in client.get(reverse("language:version_list")).content.decode()
    )
    client.force_login(staff["admin"])
    draft_page = client.get(reverse("language:version_detail", args=[3])).content.decode()
    assert "You are reading the draft" in draft_page


def test_an_unknown_version_is_404(client, staff, playbook):
    client.force_login(staff["crp"])
    assert client.get("/playbook/versions/99/").status_code == 404
    assert client.get("/playbook/versions/99999999999999999999/").status_code == 404


def test_admin_starts_a_draft_and_lands_on_the_authoring_page(client, staff, playbook):
    client.force_login(staff["admin"])
    response = client.post(reverse("language:start_draft"))
    draft = Playbook.objects.get(status="draft")
    assert response.status_code == 302
    assert response.url == f"/author/language/playbook/{draft.pk}/change/"
    page = client.get(reverse("language:playbook")).content.decode()
    assert "Draft version 3 is being edited" in page


def test_publish_page_summarises_the_changes(client, staff, playbook):
    draft = services.start_draft(company=playbook.company, actor=staff["admin"])
    draft.glossary.create(term="Proof point", definition="A checkable fact.")
    draft.steps.filter(key="open").delete()
    client.force_login(staff["admin"])
    body = client.get(reverse("language:publish")).content.decode()
    assert "Version 3 will replace version 2" in body
    assert "1 added" in body and "+ Proof point" in body
    assert "1 removed" in body and "− Open the contact" in body


def test_admin_publishes_the_draft(client, staff, playbook):
    services.start_draft(company=playbook.company, actor=staff["admin"])
    client.force_login(staff["admin"])
    response = client.post(reverse("language:publish"))
    assert response.status_code == 302 and response.url == reverse("language:playbook")
    playbook.refresh_from_db()
    assert playbook.status == "archived"
    assert Playbook.objects.get(status="published").version == 3


def test_publishing_an_empty_draft_is_a_clear_400(client, staff, company):
    services.start_draft(company=company, actor=staff["admin"])
    client.force_login(staff["admin"])
    response = client.post(reverse("language:publish"))
    assert response.status_code == 400
    assert "The draft is empty" in response.content.decode()
    assert Playbook.objects.get().status == "draft"


def test_publishing_without_a_draft_is_a_clear_400(client, staff, playbook):
    client.force_login(staff["admin"])
    response = client.post(reverse("language:publish"))
    assert response.status_code == 400 and "no draft" in response.content.decode()


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_non_admins_may_not_start_or_publish(client, staff, playbook, role):
    services.start_draft(company=playbook.company, actor=staff["admin"])
    client.force_login(staff[role])
    assert client.post(reverse("language:publish")).status_code == 403
    assert client.post(reverse("language:start_draft")).status_code == 403
    assert client.get(reverse("language:publish")).status_code == 403
    assert Playbook.objects.get(version=3).status == "draft"


def test_start_draft_is_post_only(client, staff, playbook):
    client.force_login(staff["admin"])
    assert client.get(reverse("language:start_draft")).status_code == 405
    assert not Playbook.objects.filter(status="draft").exists()


def test_another_companys_playbook_is_never_shown(client, staff, other_company):
    playbook_with_content(company=other_company, version=1, title="Their secret playbook")
    client.force_login(staff["crp"])
    assert "Their secret playbook" not in client.get(reverse("language:playbook")).content.decode()
    assert client.get(reverse("language:version_detail", args=[1])).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_menu_has_the_playbook_for_everyone_and_authoring_for_admins(client, staff, role):
    client.force_login(staff[role])
    body = client.get(reverse("today")).content.decode()
    assert 'href="/playbook/"' in body
    assert ('href="/author/"' in body) is (role == Role.ADMIN)


def test_the_page_costs_the_same_queries_however_long_the_playbook(
    client, staff, playbook, django_assert_max_num_queries
):
    for number in range(30):
        GlossaryTermFactory(playbook=playbook, term=f"Word {number}")
    client.force_login(staff["crp"])
    with django_assert_max_num_queries(12):
        client.get(reverse("language:playbook"), {"q": "word"})
    services.start_draft(company=playbook.company, actor=staff["admin"])
    client.force_login(staff["admin"])
    with django_assert_max_num_queries(16):
        client.get(reverse("language:playbook"), {"q": "word"})
