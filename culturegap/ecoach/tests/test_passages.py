"""What the eCoach answers from: ids, texts and links of the passages, and whose they are."""

from django.urls import reverse

from culturegap.ecoach.models import CoachQuestion
from culturegap.ecoach.passages import company_passages, lesson_sections, plain
from culturegap.language.tests.factories import GlossaryTermFactory, playbook_with_content


def test_every_part_of_the_published_playbook_and_lesson_is_a_passage(content):
    passages = {p.id: p for p in company_passages(company=content["playbook"].company)}
    playbook = reverse("language:playbook")
    assert passages["vp:services-fit-together"].url == f"{playbook}#vp-services-fit-together"
    assert "One shared customer record" in passages["vp:services-fit-together"].text
    assert passages["step:hand-over"].url == f"{playbook}#step-hand-over"
    assert "What to do:" in passages["step:hand-over"].text
    assert "Sam looks after payroll" in passages["step:hand-over"].text
    assert passages["glossary:need-signal"].url == f"{playbook}#term-need-signal"
    lesson_url = reverse("training:lesson", args=[content["lesson"].pk])
    intro = passages["lesson:make-a-warm-hand-over#intro"]
    assert (intro.title, intro.url) == ("Make a warm hand-over", lesson_url)
    assert intro.text.startswith("Hand a customer to a colleague")  # the objective first
    section = passages["lesson:make-a-warm-hand-over#five-parts-of-a-warm-hand-over"]
    assert (section.title, section.context) == (
        "Five parts of a warm hand-over",
        "Make a warm hand-over",
    )
    assert section.group == intro.group == "lesson:make-a-warm-hand-over"
    assert "lesson:make-a-warm-hand-over#worked-example" in passages


def test_glossary_anchors_are_those_of_the_playbook_page(client, staff, content):
    client.force_login(staff["crp"])
    page = client.get(reverse("language:playbook")).content.decode()
    for passage in company_passages(company=content["playbook"].company):
        if passage.id.startswith(("glossary:", "step:", "vp:")):
            assert f'id="{passage.url.split("#")[1]}"' in page, passage.id


def test_drafts_archives_and_other_companies_are_not_passages(company, other_company, content):
    playbook_with_content(company=company, version=2, status="draft", title="Draft")
    GlossaryTermFactory(
        playbook__company=company, playbook__version=3, playbook__status="archived", term="Old word"
    )
    theirs = playbook_with_content(company=other_company, version=1)
    GlossaryTermFactory(playbook=theirs, term="Their secret")
    ids = {p.id for p in company_passages(company=company)}
    assert "glossary:old-word" not in ids
    assert "glossary:their-secret" not in ids
    assert len([i for i in ids if i.startswith("glossary:")]) == 3


def test_only_published_answers_of_coaches_are_passages(company, other_company, staff, content):
    def question(company, **fields):
        return CoachQuestion.objects.create(company=company, text="Q?", **fields)

    published = question(company, status="answered", answer_text="A.", published=True)
    question(company, status="answered", answer_text="Private.", published=False)
    question(company)  # open
    question(other_company, status="answered", answer_text="Theirs.", published=True)
    coach = [p for p in company_passages(company=company) if p.kind == "coach answer"]
    assert [p.id for p in coach] == [f"coach:{published.pk}"]
    assert coach[0].url == reverse("ecoach:coach_answer", args=[published.pk])


def test_lesson_markdown_becomes_sections_of_plain_text():
    body = "Intro **bold**.\n\n## First part\n- one\n- two\n\n## Second part ##\n1. *three*\n"
    assert lesson_sections(body) == [
        ("", "Intro **bold**."),
        ("First part", "- one\n- two"),
        ("Second part", "1. *three*"),
    ]
    assert plain("- one\n- **two** and `code`\n\n### Sub\n1. *three*") == (
        "one\ntwo and code\nSub\nthree"
    )
