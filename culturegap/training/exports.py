"""Training's CSV export tables: enrollments, lesson progress and assessments."""

from django.db.models import Count, Q

from culturegap.org.exports_support import ExportTable, in_line
from culturegap.training.models import Assessment, Enrollment, LessonProgress

TABLES: tuple[ExportTable, ...] = (
    ExportTable(
        slug="enrollments",
        title="Enrollments and progress",
        about="Each person's run through a curriculum, with lessons completed.",
        columns=(
            ("id", "pk"),
            ("person_email", "person__email"),
            ("person_name", "person__name"),
            ("team", "person__team__name"),
            ("curriculum_key", "curriculum__key"),
            ("curriculum", "curriculum__title"),
            ("wave", "wave"),
            ("enrolled_at", "enrolled_at"),
            ("starts_on", "starts_on"),
            ("due_on", "due_on"),
            ("started_at", "started_at"),
            ("lessons_completed", "lessons_completed"),
            ("completed_at", "completed_at"),
            ("certified_at", "certified_at"),
        ),
        rows=lambda company: Enrollment.objects.filter(company=company).annotate(
            lessons_completed=Count("lessons", filter=Q(lessons__completed_at__isnull=False))
        ),
        date_field="enrolled_at",
        for_manager=in_line("person_id"),
    ),
    ExportTable(
        slug="lesson_progress",
        title="Lesson progress",
        about="Every lesson a learner opened, and when they completed it.",
        columns=(
            ("id", "pk"),
            ("enrollment_id", "enrollment_id"),
            ("person_email", "enrollment__person__email"),
            ("curriculum_key", "enrollment__curriculum__key"),
            ("lesson_key", "lesson__key"),
            ("lesson", "lesson__title"),
            ("started_at", "started_at"),
            ("completed_at", "completed_at"),
        ),
        rows=lambda company: LessonProgress.objects.filter(company=company),
        date_field="started_at",
        for_manager=in_line("enrollment__person_id"),
    ),
    ExportTable(
        slug="assessments",
        title="Assessments",
        about="Pre- and post-assessment sittings and their scores (percent right); a "
        "retaken final check shows its latest attempt and the attempt's number.",
        columns=(
            ("id", "pk"),
            ("enrollment_id", "enrollment_id"),
            ("person_email", "enrollment__person__email"),
            ("curriculum_key", "enrollment__curriculum__key"),
            ("kind", "kind"),
            ("started_at", "started_at"),
            ("completed_at", "completed_at"),
            ("score", "score"),
            ("attempt", "attempt"),
        ),
        rows=lambda company: Assessment.objects.filter(company=company),
        date_field="started_at",
        for_manager=in_line("enrollment__person_id"),
    ),
)
