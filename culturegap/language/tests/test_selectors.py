"""Reading the playbook: the page layout, search and what a draft changes."""

import pytest

from culturegap.language import selectors, services
from culturegap.language.tests.factories import (
    GlossaryTermFactory,
    PlaybookFactory,
    playbook_with_content,
)


@pytest.fixture
def playbook(company):
    return playbook_with_content(company=company, version=1)


def test_published_playbook_is_the_companys_own(playbook, other_company):
    playbook_with_content(company=other_company, version=1)
    assert selectors.published_playbook(company=playbook.company) == playbook
    assert selectors.published_playbook(company=other_company) != playbook


def test_no_published_playbook_is_none(company):
    PlaybookFactory(company=company, status="draft")
    assert selectors.published_playbook(company=company) is None


def test_versions_hide_the_draft_unless_asked(playbook, staff):
    services.start_draft(company=playbook.company, actor=staff["admin"])
    assert [p.version for p in selectors.playbook_versions(company=playbook.company)] == [1]
    with_draft = selectors.playbook_versions(company=playbook.company, include_draft=True)
    assert [p.version for p in with_draft] == [2, 1]
    assert selectors.playbook_version(company=playbook.company, version=2) is None


def test_page_groups_propositions_and_orders_the_glossary(playbook):
    GlossaryTermFactory(playbook=playbook, term="active voice", definition="…")
    GlossaryTermFactory(playbook=playbook, term="24-hour promise", definition="…")
    page = selectors.playbook_page(playbook=playbook)
    assert [g.about for g in page.propositions] == ["services", "company", "people"]
    assert [s.key for s in page.steps] == ["open", "discover", "hand-over"]
    assert [letter.letter for letter in page.glossary] == ["#", "A", "N", "R"]
    a_terms = [term.term for term, _ in page.glossary[1].terms]
    assert a_terms == ["Active listening", "active voice"]
    assert page.glossary[1].anchor == "glossary-a"
    assert page.glossary[1].terms[0][1] == "term-active-listening"


def test_search_finds_a_phrase_in_a_step(playbook):
    results = selectors.search_playbook(playbook=playbook, query="MAY I ASK")
    assert results.count == 1
    (group,) = results.groups
    assert group.title == "Communication model"
    hit = group.hits[0]
    assert hit.anchor == "step-hand-over"
    assert any("<mark>may</mark> <mark>I</mark> <mark>ask</mark>" in s for s in hit.snippets)


def test_search_finds_a_glossary_term_case_insensitively(playbook):
    results = selectors.search_playbook(playbook=playbook, query="rapport")
    glossary = [g for g in results.groups if g.title == "Glossary"]
    assert glossary and glossary[0].hits[0].title == "<mark>Rapport</mark>"
    assert glossary[0].hits[0].anchor == "term-rapport"


def test_search_looks_in_proof_points(playbook):
    results = selectors.search_playbook(playbook=playbook, query="relationship length")
    (group,) = results.groups
    assert group.title == "Value propositions"
    assert group.hits[0].anchor == "vp-here-for-the-long-term"


def test_search_needs_every_word(playbook):
    assert selectors.search_playbook(playbook=playbook, query="rapport payroll").count == 0


def test_empty_or_blank_query_finds_nothing(playbook):
    assert selectors.search_playbook(playbook=playbook, query="   ").groups == []


def test_search_escapes_what_it_highlights(playbook):
    GlossaryTermFactory(
        playbook=playbook, term="<script>alert(1)</script>", definition="A <b>bold</b> claim."
    )
    results = selectors.search_playbook(playbook=playbook, query="<b>")
    hit = results.groups[0].hits[0]
    assert "<script>" not in hit.title
    assert hit.snippets == ["A <mark>&lt;b&gt;</mark>bold&lt;/b&gt; claim."]


def test_regex_characters_in_the_query_are_plain_text(playbook):
    assert selectors.search_playbook(playbook=playbook, query="(.*").count == 0
    assert selectors.search_playbook(playbook=playbook, query="?").count >= 1


def test_long_texts_are_cut_around_the_match():
    import re

    text = "word " * 100 + "needle " + "word " * 100
    cut = selectors.snippet(text, re.compile("(needle)", re.I))
    assert cut.startswith("… ") and cut.endswith(" …")
    assert "<mark>needle</mark>" in cut and len(cut) < 250


def test_changes_count_added_removed_and_changed_items(playbook, staff):
    draft = services.start_draft(company=playbook.company, actor=staff["admin"])
    assert not selectors.playbook_changes(draft=draft, published=playbook).any
    draft.steps.filter(key="open").update(name="Greet the customer")
    draft.steps.filter(key="discover").delete()
    draft.glossary.create(term="Proof point", definition="A checkable fact.")
    draft.value_propositions.filter(key="here-for-the-long-term").update(proof_points=[])
    changes = selectors.playbook_changes(draft=draft, published=playbook)
    sections = {s.section: s for s in changes.sections}
    assert changes.any and not changes.heading_changed
    assert sections["Communication model"].changed == ["Greet the customer"]
    assert sections["Communication model"].removed == ["Discover what matters"]
    assert sections["Glossary"].added == ["Proof point"]
    assert sections["Value propositions"].changed == ["Here for the long term"]


def test_skill_choices_list_published_then_draft_only_steps(playbook, staff):
    draft = services.start_draft(company=playbook.company, actor=staff["admin"])
    draft.steps.create(key="follow-up", name="Follow up", purpose="…", observable_behaviour="…")
    choices = selectors.skill_choices(company=playbook.company)
    assert [key for key, _ in choices] == ["open", "discover", "hand-over", "follow-up"]
    assert "draft only" in choices[-1][1]


def test_a_title_only_match_shows_the_start_of_the_item(playbook):
    hit = selectors.search_playbook(playbook=playbook, query="rapport").groups[0].hits[0]
    assert hit.snippets == [
        "The sense of ease and trust that makes an honest conversation possible."
    ]
