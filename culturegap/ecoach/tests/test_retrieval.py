"""The retrieval core, without a database: tokens, scores, confidence, sentences, saving."""

import math

import pytest

from culturegap.ecoach.retrieval import (
    CONFIDENCE_CENTRE,
    CONFIDENCE_SLOPE,
    KnowledgeIndex,
    Passage,
    confidence_from,
    sentences,
    tokenize,
)


def passage(id_, title, text, group=""):
    return Passage(id=id_, kind="glossary", title=title, text=text, url=f"/{id_}", group=group)


PASSAGES = [
    passage("glossary:warm-hand-over", "Warm hand-over", "Introduce the customer to a colleague."),
    passage("glossary:rapport", "Rapport", "The sense of ease and trust with a customer."),
    passage("glossary:teach-back", "Teach-back", "Ask the customer to say it in their words."),
    passage("lesson:say-no#intro", "Say no", "Refuse with a reason.", group="lesson:say-no"),
    passage("lesson:say-no#three-parts", "Three parts", "Offer what you can do.", "lesson:say-no"),
]


def test_spellings_and_stems_meet():
    assert tokenize(["handover"])[0] == tokenize(["hand-over"])[0] == ["hand", "over"]
    assert tokenize(["Clients"])[0] == tokenize(["customer"])[0]
    assert tokenize(["listening"])[0] == tokenize(["listen"])[0]


def test_no_and_not_are_kept_but_the_and_of_are_not():
    assert tokenize(["say no to the customer, not yes"])[0] == ["say", "no", "custom", "not", "yes"]


def test_confidence_is_a_logistic_squash_of_coverage():
    assert confidence_from(CONFIDENCE_CENTRE) == pytest.approx(0.5)
    # One unit of slope above the centre: 1 / (1 + e^-1) = 0.731
    assert confidence_from(CONFIDENCE_CENTRE + 1 / CONFIDENCE_SLOPE) == pytest.approx(0.7311, 1e-3)
    assert confidence_from(0.0) == pytest.approx(1 / (1 + math.exp(CONFIDENCE_SLOPE * 0.27)))


def test_the_passage_that_says_it_comes_first_and_is_sure():
    result = KnowledgeIndex(PASSAGES).search("What is a warm handover?", k=3)
    assert result.hits[0].passage.id == "glossary:warm-hand-over"
    assert result.confidence > 0.5
    assert result.hits == sorted(result.hits, key=lambda hit: -hit.score)


def test_coverage_is_the_score_over_the_question_information():
    index = KnowledgeIndex(PASSAGES)
    result = index.search("rapport", k=1)
    expected = result.hits[0].score / ((1 + index.GROUP_WEIGHT) * index.idf["rapport"])
    assert result.coverage == pytest.approx(expected)


def test_words_nobody_uses_lower_the_confidence():
    index = KnowledgeIndex(PASSAGES)
    plain = index.search("rapport", k=1)
    padded = index.search("rapport wifi password parking canteen", k=1)
    assert padded.hits[0].passage.id == "glossary:rapport"
    assert padded.confidence < plain.confidence


def test_a_question_about_nothing_known_has_no_hits_and_no_confidence():
    result = KnowledgeIndex(PASSAGES).search("wifi password", k=3)
    assert result.hits == [] and result.confidence == 0


def test_an_empty_index_answers_nothing():
    assert KnowledgeIndex([]).search("rapport").hits == []


def test_a_lesson_section_borrows_the_score_of_its_lesson():
    index = KnowledgeIndex(PASSAGES)
    # "refuse" is only in the intro, "offer" only in the three parts: the whole lesson holds
    # both, so each section scores above its own words alone.
    result = index.search("refuse offer", k=2)
    assert {hit.passage.id for hit in result.hits} == {
        "lesson:say-no#intro",
        "lesson:say-no#three-parts",
    }


def test_sentences_split_lines_and_full_stops():
    text = 'First line. Second "quoted." Third?\n- a list item\n\n1. Numbered: £1,200 a month.'
    assert sentences(text) == [
        "First line.",
        'Second "quoted."',
        "Third?",
        "- a list item",
        "1. Numbered: £1,200 a month.",
    ]


def test_a_phrase_in_quotation_marks_stays_whole():
    text = "What you might say:\n“Hello Ms Patel. This is Cara.”"
    assert sentences(text) == ["What you might say:", "“Hello Ms Patel. This is Cara.”"]


def test_best_sentences_are_those_sharing_the_rarest_words_in_order():
    text = "Greet them by name. Ask for permission before a hand-over. Thank them warmly."
    index = KnowledgeIndex([passage("step:x", "Hand over", text), *PASSAGES])
    result = index.search("permission for the hand-over", k=1)
    assert index.best_sentences(result.hits[0], result.tokens, limit=1) == [
        "Ask for permission before a hand-over."
    ]


def test_saved_and_loaded_it_answers_the_same():
    index = KnowledgeIndex(PASSAGES)
    loaded = KnowledgeIndex.from_bytes(index.to_bytes())
    assert loaded.passages == index.passages
    for question in ("warm hand over", "say no with a reason", "rapport and trust"):
        before, after = index.search(question), loaded.search(question)
        assert [h.passage.id for h in before.hits] == [h.passage.id for h in after.hits]
        assert [h.score for h in before.hits] == pytest.approx([h.score for h in after.hits])
        assert before.confidence == pytest.approx(after.confidence)
    assert KnowledgeIndex.from_bytes(KnowledgeIndex([]).to_bytes()).passages == []
