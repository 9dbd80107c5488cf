"""Loading a content pack into a company: all of it or nothing, and again without changes.

The playbook becomes a new version of the company's playbook; curricula are matched by key and
updated in place, so learners' progress and answers survive a re-import. See
docs/content-packs.md for the rules in full.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import DataError, IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from culturegap.language.models import (
    CommunicationStep,
    GlossaryTerm,
    Playbook,
    PlaybookStatus,
    ValueProposition,
)
from culturegap.org.models import Company, Person
from culturegap.training import events
from culturegap.training.models import (
    Answer,
    AssessmentItem,
    ContentPack,
    Curriculum,
    Lesson,
    LessonProgress,
    Module,
    Option,
    Question,
)
from culturegap.training.packs.exporter import playbook_as_dict
from culturegap.training.packs.reader import PackError, read_pack

# The kinds of content counted in a result, in the order they are reported.
KINDS = ("curriculum", "module", "lesson", "question")
_PLURALS = {"curriculum": "curricula"}

BATCH_SIZE = 500


@dataclass
class PackImportResult:
    """What an import did, or why it did nothing (``errors``)."""

    filename: str = ""
    errors: list[PackError] = field(default_factory=list)
    pack_key: str = ""
    pack_title: str = ""
    curricula: list[str] = field(default_factory=list)  # the pack's curriculum keys, in order
    # kind → {"created": n, "updated": n, "unchanged": n, "deleted": n}
    counts: dict[str, Counter] = field(default_factory=lambda: {k: Counter() for k in KINDS})
    # What the playbook became: "" (no playbook in the pack), or a sentence.
    playbook: str = ""
    playbook_changed: bool = False
    playbook_published: bool = False  # a new published version (what everyone reads)
    # Content missing from the pack but kept because learners have answered or taken it.
    retired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def total(self, outcome: str) -> int:
        return sum(counter[outcome] for counter in self.counts.values())

    @property
    def created(self) -> int:
        return self.total("created")

    @property
    def updated(self) -> int:
        return self.total("updated")

    @property
    def unchanged(self) -> int:
        return self.total("unchanged")

    @property
    def deleted(self) -> int:
        return self.total("deleted")

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted or self.playbook_changed)

    def summary(self) -> str:
        text = (
            f"Content pack “{self.pack_title}”: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.deleted} deleted."
        )
        if self.playbook:
            text += f" Playbook: {self.playbook}."
        if self.retired:
            text += (
                f" {len(self.retired)} item(s) no longer in the pack were kept because learners "
                "have answered them."
            )
        return text

    def details(self) -> list[str]:
        """One line per kind of content, for the command's output."""
        lines = []
        for kind in KINDS:
            counter = self.counts[kind]
            name = _PLURALS.get(kind, kind + "s")
            lines.append(
                f"{name}: {counter['created']} created, {counter['updated']} updated, "
                f"{counter['unchanged']} unchanged, {counter['deleted']} deleted"
            )
        lines += [f"kept (answered by learners): {item}" for item in self.retired]
        return lines


def published_skills(company: Company) -> set[str]:
    """The skills of the company's published playbook: the keys of its communication steps."""
    return set(
        CommunicationStep.objects.filter(
            playbook__company=company, playbook__status=PlaybookStatus.PUBLISHED
        ).values_list("key", flat=True)
    )


def import_pack(
    *,
    company: Company,
    data: bytes,
    filename: str,
    publish: bool | None = None,
    actor: Person | None = None,
) -> PackImportResult:
    """Check the pack in ``data`` and load it into ``company``; a bad pack writes nothing.

    The playbook is published when ``publish`` is true or the company has no published playbook
    yet (``publish=False`` always makes it the draft); otherwise it replaces the draft. Content
    already the same is left untouched, so importing a pack twice changes nothing the second
    time.
    """
    result = PackImportResult(filename=filename)
    pack, errors = read_pack(data, filename=filename, fallback_skills=published_skills(company))
    if errors:
        result.errors = errors
        return result
    result.pack_key, result.pack_title = pack["key"], pack["title"]
    result.curricula = [curriculum["key"] for curriculum in pack["curricula"]]
    now = timezone.now()
    try:
        with transaction.atomic():
            if "playbook" in pack:
                _import_playbook(
                    company=company,
                    spec=pack["playbook"],
                    publish=publish,
                    actor=actor,
                    now=now,
                    result=result,
                )
            for spec in pack["curricula"]:
                _import_curriculum(company=company, spec=spec, result=result)
            if result.created or result.updated or result.deleted or result.playbook_published:
                # A bulk import saves no single lesson, so no lesson save tells anyone.
                events.content_published.send(sender=ContentPack, company=company)
            ContentPack.objects.update_or_create(
                company=company,
                key=pack["key"],
                defaults={
                    "title": pack["title"],
                    "description": pack["description"],
                    "curriculum_keys": [c["key"] for c in pack["curricula"]],
                    "filename": filename[:255],
                    "imported_at": now,
                    "imported_by": actor,
                },
            )
    except (IntegrityError, DataError) as error:
        # Content authored by hand can clash with a pack (say, one key twice in a curriculum);
        # the transaction is rolled back and the clash reported, never a crash.
        fresh = PackImportResult(filename=filename, pack_key=pack["key"], pack_title=pack["title"])
        fresh.errors = [
            PackError("", f"The pack clashes with content already in {company.name}: {error}")
        ]
        return fresh
    return result


# ---------------------------------------------------------------------------------------------
# Playbook


def _import_playbook(*, company, spec, publish, actor, now, result) -> None:
    playbooks = Playbook.objects.select_for_update().filter(company=company)
    published = playbooks.filter(status=PlaybookStatus.PUBLISHED).first()
    draft = playbooks.filter(status=PlaybookStatus.DRAFT).first()
    if published is not None and playbook_as_dict(published) == spec:
        result.playbook = f"unchanged (the same as published version {published.version})"
        return
    to_publish = publish is True or (publish is None and published is None)
    next_version = (playbooks.aggregate(top=Max("version"))["top"] or 0) + 1
    result.playbook_changed = True

    if not to_publish:
        if draft is not None and playbook_as_dict(draft) == spec:
            result.playbook_changed = False
            result.playbook = f"unchanged (the same as draft version {draft.version})"
            return
        if draft is None:
            draft = Playbook.objects.create(
                company=company,
                version=next_version,
                status=PlaybookStatus.DRAFT,
                title=spec["title"],
                summary=spec["summary"],
                created_at=now,
            )
            result.playbook = f"saved as draft version {draft.version}"
        else:
            draft.title, draft.summary = spec["title"], spec["summary"]
            draft.save(update_fields=["title", "summary"])
            for related in (draft.value_propositions, draft.glossary, draft.steps):
                related.all().delete()
            result.playbook = f"replaced the draft (version {draft.version})"
        _create_playbook_content(draft, spec)
        return

    if published is not None:
        published.status = PlaybookStatus.ARCHIVED
        published.save(update_fields=["status"])
    result.playbook_published = True
    if draft is not None and playbook_as_dict(draft) == spec:
        # The draft already says what the pack says: publish it rather than copy it.
        draft.status = PlaybookStatus.PUBLISHED
        draft.published_at, draft.published_by = now, actor
        draft.save(update_fields=["status", "published_at", "published_by"])
        result.playbook = f"published the matching draft as version {draft.version}"
        return
    playbook = Playbook.objects.create(
        company=company,
        version=next_version,
        status=PlaybookStatus.PUBLISHED,
        title=spec["title"],
        summary=spec["summary"],
        created_at=now,
        published_at=now,
        published_by=actor,
    )
    _create_playbook_content(playbook, spec)
    result.playbook = f"published as version {playbook.version}"
    if published is not None:
        result.playbook += f" (version {published.version} archived)"


def _create_playbook_content(playbook: Playbook, spec: dict) -> None:
    ValueProposition.objects.bulk_create(
        ValueProposition(playbook=playbook, order=order, **item)
        for order, item in enumerate(spec["value_propositions"])
    )
    GlossaryTerm.objects.bulk_create(
        GlossaryTerm(playbook=playbook, order=order, **item)
        for order, item in enumerate(spec["glossary"])
    )
    CommunicationStep.objects.bulk_create(
        CommunicationStep(playbook=playbook, order=order, **step)
        for order, step in enumerate(spec["communication_model"])
    )


# ---------------------------------------------------------------------------------------------
# Curricula


def _assign(obj, values: dict) -> list[str]:
    """Set ``values`` on ``obj``; the names of the fields that changed."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


class _Level:
    """Matching one level (modules, lessons or questions) of a curriculum against the pack:
    existing rows by key, new rows to create, changed rows to update."""

    def __init__(self, model, kind: str, existing, parent_field: str, result: PackImportResult):
        self.model, self.kind, self.parent_field, self.result = model, kind, parent_field, result
        self.pool: dict[str, list] = defaultdict(list)
        for row in existing:
            self.pool[row.key].append(row)
        self.new: list = []
        self.changed: dict[int, object] = {}
        self.fields: set[str] = set()

    def take(self, *, key: str, parent_id: int, values: dict, build) -> tuple[object, bool]:
        """The row for ``key`` (preferring one already under this parent), updated with
        ``values``; or a new unsaved row from ``build()``. Returns (row, is_new)."""
        candidates = self.pool.get(key) or []
        row = next((r for r in candidates if getattr(r, self.parent_field) == parent_id), None)
        if row is None and candidates:
            row = candidates[0]
        if row is None:
            row = build()
            self.new.append(row)
            self.result.counts[self.kind]["created"] += 1
            return row, True
        candidates.remove(row)
        changed = _assign(row, {self.parent_field: parent_id, **values})
        if changed:
            self.changed[row.pk] = row
            self.fields.update(changed)
        return row, False

    def count_unchanged_or_updated(self, row, *, also_changed: bool = False) -> None:
        if row.pk in self.changed or also_changed:
            self.result.counts[self.kind]["updated"] += 1
        else:
            self.result.counts[self.kind]["unchanged"] += 1

    def save(self) -> None:
        self.model.objects.bulk_create(self.new, batch_size=BATCH_SIZE)
        if self.changed:
            self.model.objects.bulk_update(
                list(self.changed.values()), sorted(self.fields), batch_size=BATCH_SIZE
            )

    def leftovers(self) -> list:
        return [row for rows in self.pool.values() for row in rows]


def _import_curriculum(*, company: Company, spec: dict, result: PackImportResult) -> None:
    values = {
        "title": spec["title"],
        "description": spec["description"],
        "pass_mark": spec["pass_mark"],
    }
    curriculum = Curriculum.objects.filter(company=company, key=spec["key"]).first()
    if curriculum is None:
        curriculum = Curriculum.objects.create(company=company, key=spec["key"], **values)
        result.counts["curriculum"]["created"] += 1
    elif _assign(curriculum, values):
        curriculum.save(update_fields=list(values))
        result.counts["curriculum"]["updated"] += 1
    else:
        result.counts["curriculum"]["unchanged"] += 1

    modules = _Level(
        Module, "module", Module.objects.filter(curriculum=curriculum), "curriculum_id", result
    )
    module_rows = []
    for order, module_spec in enumerate(spec["modules"]):
        fields = {"title": module_spec["title"], "summary": module_spec["summary"], "order": order}
        row, is_new = modules.take(
            key=module_spec["key"],
            parent_id=curriculum.pk,
            values=fields,
            build=lambda s=module_spec, f=fields: Module(
                company=company, curriculum=curriculum, key=s["key"], **f
            ),
        )
        module_rows.append((row, is_new, module_spec))
    modules.save()
    for row, is_new, _ in module_rows:
        if not is_new:
            modules.count_unchanged_or_updated(row)

    lessons = _Level(
        Lesson,
        "lesson",
        Lesson.objects.filter(module__curriculum=curriculum),
        "module_id",
        result,
    )
    lesson_rows = []
    for module, _, module_spec in module_rows:
        for order, lesson_spec in enumerate(module_spec["lessons"]):
            fields = {
                "title": lesson_spec["title"],
                "objective": lesson_spec["objective"],
                "minutes": lesson_spec["minutes"],
                "body": lesson_spec["body"],
                "order": order,
            }
            row, is_new = lessons.take(
                key=lesson_spec["key"],
                parent_id=module.pk,
                values=fields,
                build=lambda s=lesson_spec, f=fields, m=module: Lesson(
                    company=company, module=m, key=s["key"], **f
                ),
            )
            lesson_rows.append((row, is_new, lesson_spec))
    lessons.save()
    for row, is_new, _ in lesson_rows:
        if not is_new:
            lessons.count_unchanged_or_updated(row)

    existing_questions = list(Question.objects.filter(lesson__module__curriculum=curriculum))
    options_of: dict[int, list[Option]] = defaultdict(list)
    for option in Option.objects.filter(question__in=existing_questions).order_by("order", "pk"):
        options_of[option.question_id].append(option)
    questions = _Level(Question, "question", existing_questions, "lesson_id", result)
    question_rows = []
    for lesson, _, lesson_spec in lesson_rows:
        for order, question_spec in enumerate(lesson_spec["questions"]):
            fields = {
                "skill": question_spec["skill"],
                "audience": question_spec["role"],
                "scenario": question_spec["scenario"],
                "order": order,
            }
            row, is_new = questions.take(
                key=question_spec["key"],
                parent_id=lesson.pk,
                values=fields,
                build=lambda s=question_spec, f=fields, n=lesson: Question(
                    company=company, lesson=n, key=s["key"], **f
                ),
            )
            question_rows.append((row, is_new, question_spec))
    questions.save()

    new_options: list[Option] = []
    changed_options: list[Option] = []
    stale_options: list[int] = []
    for row, is_new, question_spec in question_rows:
        wanted = question_spec["options"]
        if is_new:
            new_options += [_option(row, order, spec) for order, spec in enumerate(wanted)]
            continue
        plan = _plan_options(row, options_of.get(row.pk, []), wanted)
        new_options += plan.new
        changed_options += plan.changed
        stale_options += plan.stale
        questions.count_unchanged_or_updated(row, also_changed=plan.any_change)
    Option.objects.filter(pk__in=stale_options).delete()
    Option.objects.bulk_update(
        changed_options, ["is_correct", "feedback", "order"], batch_size=BATCH_SIZE
    )
    Option.objects.bulk_create(new_options, batch_size=BATCH_SIZE)

    _remove_leftovers(
        curriculum=curriculum,
        questions=questions.leftovers(),
        lessons=lessons.leftovers(),
        modules=modules.leftovers(),
        result=result,
    )


def _option(question: Question, order: int, spec: dict) -> Option:
    return Option(
        question=question,
        text=spec["text"],
        is_correct=spec["correct"],
        feedback=spec["feedback"],
        order=order,
    )


@dataclass
class _OptionPlan:
    new: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    stale: list = field(default_factory=list)

    @property
    def any_change(self) -> bool:
        return bool(self.new or self.changed or self.stale)


def _plan_options(question: Question, existing: list[Option], wanted: list[dict]) -> _OptionPlan:
    """Options are matched by their text: a kept option keeps its id, so answers that point at
    it still do; only options whose text is gone are deleted (answers keep their recorded
    correctness). Nothing happens when the options are already as the pack says."""
    plan = _OptionPlan()
    by_text = {}
    for option in existing:
        by_text.setdefault(option.text, option)
    used = set()
    for order, spec in enumerate(wanted):
        option = by_text.get(spec["text"])
        if option is None:
            plan.new.append(_option(question, order, spec))
            continue
        used.add(option.pk)
        if _assign(
            option, {"is_correct": spec["correct"], "feedback": spec["feedback"], "order": order}
        ):
            plan.changed.append(option)
    plan.stale = [option.pk for option in existing if option.pk not in used]
    return plan


def _remove_leftovers(*, curriculum, questions, lessons, modules, result) -> None:
    """Delete content the pack no longer has, unless learners have answered or taken it: that
    is kept (and reported) so nobody's history disappears."""
    question_ids = [q.pk for q in questions]
    answered = set(
        Answer.objects.filter(question_id__in=question_ids).values_list("question_id", flat=True)
    ) | set(
        AssessmentItem.objects.filter(question_id__in=question_ids).values_list(
            "question_id", flat=True
        )
    )
    deletable = [q.pk for q in questions if q.pk not in answered]
    Question.objects.filter(pk__in=deletable).delete()
    result.counts["question"]["deleted"] += len(deletable)
    for question in questions:
        if question.pk in answered:
            result.retired.append(f"{curriculum.key}: question {question.key}")

    lesson_ids = [lesson.pk for lesson in lessons]
    busy = set(
        Question.objects.filter(lesson_id__in=lesson_ids).values_list("lesson_id", flat=True)
    ) | set(
        LessonProgress.objects.filter(lesson_id__in=lesson_ids).values_list("lesson_id", flat=True)
    )
    deletable = [pk for pk in lesson_ids if pk not in busy]
    Lesson.objects.filter(pk__in=deletable).delete()
    result.counts["lesson"]["deleted"] += len(deletable)
    for lesson in lessons:
        if lesson.pk in busy:
            result.retired.append(f"{curriculum.key}: lesson {lesson.key}")

    module_ids = [module.pk for module in modules]
    busy = set(Lesson.objects.filter(module_id__in=module_ids).values_list("module_id", flat=True))
    deletable = [pk for pk in module_ids if pk not in busy]
    Module.objects.filter(pk__in=deletable).delete()
    result.counts["module"]["deleted"] += len(deletable)
    for module in modules:
        if module.pk in busy:
            result.retired.append(f"{curriculum.key}: module {module.key}")
