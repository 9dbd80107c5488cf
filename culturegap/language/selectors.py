"""Reading the playbook: the published version, older versions, search, and what a draft
changes. Pages and the API share these; each takes the company (or a company's playbook)."""

import re
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from culturegap.language.models import (
    CommunicationStep,
    GlossaryTerm,
    Playbook,
    PlaybookStatus,
    ValueProposition,
    ValuePropositionAbout,
)
from culturegap.org.models import Company

READABLE = [PlaybookStatus.PUBLISHED, PlaybookStatus.ARCHIVED]


def _with_contents(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("published_by").prefetch_related(
        Prefetch("value_propositions", queryset=ValueProposition.objects.order_by("order", "pk")),
        Prefetch("steps", queryset=CommunicationStep.objects.order_by("order", "pk")),
        Prefetch("glossary", queryset=GlossaryTerm.objects.order_by("term")),
    )


def published_playbook(*, company: Company) -> Playbook | None:
    """The version everyone reads, with its contents loaded; None before the first publish."""
    return _with_contents(
        Playbook.objects.filter(company=company, status=PlaybookStatus.PUBLISHED)
    ).first()


def draft_playbook(*, company: Company) -> Playbook | None:
    return Playbook.objects.filter(company=company, status=PlaybookStatus.DRAFT).first()


def playbook_versions(*, company: Company, include_draft: bool = False) -> QuerySet:
    """The company's versions, newest first: published and archived ones (and the draft, for
    the people who may edit it)."""
    statuses = [*READABLE, PlaybookStatus.DRAFT] if include_draft else READABLE
    return (
        Playbook.objects.filter(company=company, status__in=statuses)
        .select_related("published_by")
        .order_by("-version")
    )


def playbook_version(*, company: Company, version: int, include_draft: bool = False):
    """One version with its contents, or None when the company has no such readable version."""
    return _with_contents(
        playbook_versions(company=company, include_draft=include_draft).filter(version=version)
    ).first()


# --- the page -----------------------------------------------------------------------------


@dataclass
class PropositionGroup:
    about: str
    label: str
    propositions: list[ValueProposition]


@dataclass
class GlossaryLetter:
    letter: str
    anchor: str
    terms: list[tuple[GlossaryTerm, str]]  # (term, its anchor)


@dataclass
class PlaybookPage:
    playbook: Playbook
    propositions: list[PropositionGroup]
    steps: list[CommunicationStep]
    glossary: list[GlossaryLetter]

    @property
    def is_empty(self) -> bool:
        return not (self.propositions or self.steps or self.glossary)


def _sort_key(term: str) -> str:
    return term.casefold()


def glossary_anchors(terms) -> dict[int, str]:
    """A stable, unique ``id`` for each term, made from its words (``term-active-listening``)."""
    anchors: dict[int, str] = {}
    seen: set[str] = set()
    for term in sorted(terms, key=lambda t: (_sort_key(t.term), t.pk)):
        anchor = f"term-{slugify(term.term) or term.pk}"
        if anchor in seen:
            anchor = f"{anchor}-{term.pk}"
        seen.add(anchor)
        anchors[term.pk] = anchor
    return anchors


def _letter(term: str) -> str:
    first = term.strip()[:1].upper()
    return first if first.isalpha() else "#"


def playbook_page(*, playbook: Playbook) -> PlaybookPage:
    """The playbook laid out for reading: propositions grouped by what they are about, the
    steps in order, the glossary alphabetical under one heading per letter."""
    propositions = list(playbook.value_propositions.all())
    groups = [
        PropositionGroup(about, label, [p for p in propositions if p.about == about])
        for about, label in ValuePropositionAbout.choices
    ]
    terms = sorted(playbook.glossary.all(), key=lambda t: _sort_key(t.term))
    anchors = glossary_anchors(terms)
    letters: dict[str, GlossaryLetter] = {}
    for term in terms:
        letter = _letter(term.term)
        if letter not in letters:
            anchor = "glossary-" + ("other" if letter == "#" else letter.lower())
            letters[letter] = GlossaryLetter(letter, anchor, [])
        letters[letter].terms.append((term, anchors[term.pk]))
    return PlaybookPage(
        playbook=playbook,
        propositions=[group for group in groups if group.propositions],
        steps=list(playbook.steps.all()),
        glossary=list(letters.values()),
    )


# --- search -------------------------------------------------------------------------------

MAX_QUERY = 100
MAX_TERMS = 8
SNIPPET_WIDTH = 160
MAX_SNIPPETS = 3


@dataclass
class SearchHit:
    title: SafeString
    anchor: str
    snippets: list[SafeString] = field(default_factory=list)


@dataclass
class SearchGroup:
    title: str
    hits: list[SearchHit]


@dataclass
class SearchResults:
    query: str
    groups: list[SearchGroup]

    @property
    def count(self) -> int:
        return sum(len(group.hits) for group in self.groups)


def search_terms(query: str) -> list[str]:
    """The words of a search box entry, de-duplicated, at most ``MAX_TERMS``."""
    words: list[str] = []
    for word in (query or "")[:MAX_QUERY].split():
        if word.casefold() not in {w.casefold() for w in words}:
            words.append(word)
    return words[:MAX_TERMS]


def highlight(text: str, pattern: re.Pattern) -> SafeString:
    """``text`` escaped, with every match of ``pattern`` wrapped in ``<mark>``."""
    pieces = pattern.split(text)
    # re.split with one capturing group alternates text, match, text, match ...
    return mark_safe(
        "".join(
            f"<mark>{escape(piece)}</mark>" if index % 2 else escape(piece)
            for index, piece in enumerate(pieces)
        )
    )


def snippet(text: str, pattern: re.Pattern, width: int = SNIPPET_WIDTH) -> SafeString | None:
    """A window of about ``width`` characters around the first match, highlighted."""
    match = pattern.search(text)
    if match is None:
        return None
    if len(text) <= width:
        return highlight(text, pattern)
    start = max(0, match.start() - width // 3)
    if start:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space > start - 20 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.find(" ", end)
        end = space if 0 <= space < end + 20 else end
    body = highlight(text[start:end], pattern)
    return mark_safe(("… " if start else "") + body + (" …" if end < len(text) else ""))


def lead(text: str, width: int = SNIPPET_WIDTH) -> SafeString:
    """The start of ``text``, escaped, cut at a word near ``width`` characters."""
    if len(text) <= width:
        return escape(text)
    cut = text.rfind(" ", 0, width)
    return mark_safe(escape(text[: cut if cut > width // 2 else width]) + " …")


def _searchable(playbook: Playbook):
    """(group title, item title, anchor, texts) for every searchable item, in page order."""
    for item in playbook.value_propositions.all():
        texts = [item.statement, *item.proof_points]
        yield "Value propositions", item.title, f"vp-{item.key}", texts
    for item in playbook.steps.all():
        texts = [
            item.purpose,
            *item.what_to_do,
            *item.crp_phrases,
            *item.sales_phrases,
            item.observable_behaviour,
        ]
        yield "Communication model", item.name, f"step-{item.key}", texts
    terms = sorted(playbook.glossary.all(), key=lambda t: _sort_key(t.term))
    anchors = glossary_anchors(terms)
    for item in terms:
        yield "Glossary", item.term, anchors[item.pk], [item.definition]


def _word_start(term: str) -> str:
    """A pattern for ``term`` at the start of a word (``pay`` finds "payroll", not "repay")."""
    start = r"(?<!\w)" if re.match(r"\w", term) else ""
    return start + re.escape(term)


def search_playbook(*, playbook: Playbook, query: str) -> SearchResults:
    """Items of the playbook that contain every word of ``query`` (in any case, at the start of
    a word), grouped by section, each with the matching passages highlighted. An empty query
    finds nothing."""
    terms = search_terms(query)
    cleaned = " ".join(terms)
    if not terms:
        return SearchResults(query=cleaned, groups=[])
    ordered = sorted(terms, key=len, reverse=True)
    any_term = re.compile("(" + "|".join(_word_start(term) for term in ordered) + ")", re.I)
    each_term = [re.compile(_word_start(term), re.I) for term in terms]
    groups: dict[str, SearchGroup] = {}
    for group_title, title, anchor, texts in _searchable(playbook):
        haystack = "\n".join([title, *texts])
        if not all(term.search(haystack) for term in each_term):
            continue
        snippets = [s for s in (snippet(text, any_term) for text in texts) if s]
        if not snippets and texts:
            # Only the title matched: show the start of the item to say what it is.
            snippets = [lead(texts[0])]
        hit = SearchHit(highlight(title, any_term), anchor, snippets[:MAX_SNIPPETS])
        groups.setdefault(group_title, SearchGroup(group_title, [])).hits.append(hit)
    return SearchResults(query=cleaned, groups=list(groups.values()))


# --- what a draft changes -----------------------------------------------------------------


@dataclass
class SectionChange:
    section: str
    added: list[str]
    removed: list[str]
    changed: list[str]

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass
class PlaybookChanges:
    heading_changed: bool
    sections: list[SectionChange]

    @property
    def any(self) -> bool:
        return self.heading_changed or any(section.any for section in self.sections)


def _compare(section: str, before: dict, after: dict) -> SectionChange:
    """``before``/``after`` map an item's identity to (its name, its content)."""
    return SectionChange(
        section=section,
        added=[after[key][0] for key in after if key not in before],
        removed=[before[key][0] for key in before if key not in after],
        changed=[after[key][0] for key in after if key in before and before[key] != after[key]],
    )


def _contents(playbook: Playbook | None) -> tuple[dict, dict, dict]:
    if playbook is None:
        return {}, {}, {}
    propositions = {
        p.key: (p.title, (p.about, p.title, p.statement, list(p.proof_points)))
        for p in playbook.value_propositions.all()
    }
    steps = {
        s.key: (
            s.name,
            (
                s.name,
                s.purpose,
                list(s.what_to_do),
                list(s.crp_phrases),
                list(s.sales_phrases),
                s.observable_behaviour,
                s.order,
            ),
        )
        for s in playbook.steps.all()
    }
    terms = {t.term.casefold(): (t.term, (t.term, t.definition)) for t in playbook.glossary.all()}
    return propositions, steps, terms


def playbook_changes(*, draft: Playbook, published: Playbook | None) -> PlaybookChanges:
    """What publishing ``draft`` would change for readers of ``published``: items added,
    removed and changed per section (items are matched by key, glossary terms by their word)."""
    before = _contents(published)
    after = _contents(draft)
    heading_changed = published is None or (draft.title, draft.summary) != (
        published.title,
        published.summary,
    )
    names = ["Value propositions", "Communication model", "Glossary"]
    return PlaybookChanges(
        heading_changed=heading_changed,
        sections=[_compare(name, b, a) for name, b, a in zip(names, before, after, strict=True)],
    )


# --- skills -------------------------------------------------------------------------------


def skill_choices(*, company: Company) -> list[tuple[str, str]]:
    """The skills a question may train: the keys of the steps of the company's published
    version, then those only in its draft (labelled so), as (key, label) pairs."""
    steps = CommunicationStep.objects.filter(
        playbook__company=company,
        playbook__status__in=[PlaybookStatus.PUBLISHED, PlaybookStatus.DRAFT],
    ).values_list("key", "name", "playbook__status")
    published = [(key, name) for key, name, status in steps if status == PlaybookStatus.PUBLISHED]
    keys = {key for key, _ in published}
    draft_only = [
        (key, name)
        for key, name, status in steps
        if status == PlaybookStatus.DRAFT and key not in keys
    ]
    return [(key, f"{name} ({key})") for key, name in published] + [
        (key, f"{name} ({key}, in the draft only)") for key, name in draft_only
    ]
