"""CSV import pages: the upload form, the example file and the page flow that the people,
customer and purchases imports share."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat

from culturegap.csvimport import ImportResult

# More rows than anyone reads on a page; the count of the rest is shown instead.
ERRORS_SHOWN = 500


@dataclass(frozen=True)
class ImportPage:
    kind: str
    title: str
    columns: tuple[str, ...]
    example: str  # the rows of the example file, after its header
    run: Callable[..., ImportResult]


class CsvUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        widget=forms.FileInput(attrs={"accept": ".csv"}),
        error_messages={
            "required": "Choose a CSV file to upload.",
            "empty": "The file is empty: its first line must be the header shown above.",
        },
    )

    def clean_file(self):
        return checked_upload(
            self.cleaned_data["file"],
            extensions=(".csv",),
            wrong_kind="is not a .csv file: save the sheet as “CSV UTF-8” first.",
            too_big="Split it or use the import command.",
        )


def checked_upload(upload, *, extensions: tuple[str, ...], wrong_kind: str, too_big: str):
    """The uploaded file if its name ends with one of ``extensions`` and it is within
    UPLOAD_MAX_BYTES; else a ValidationError naming the file (``wrong_kind`` follows its name)
    or its size (``too_big`` says what to do instead)."""
    if not upload.name.lower().endswith(extensions):
        raise forms.ValidationError(f"“{upload.name}” {wrong_kind}")
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise forms.ValidationError(
            f"The file is {filesizeformat(upload.size)}; the limit is "
            f"{filesizeformat(settings.UPLOAD_MAX_BYTES)}. {too_big}"
        )
    return upload


def import_page(request, page: ImportPage, form: CsvUploadForm, *, template: str) -> HttpResponse:
    """The response of an import page. ``?example`` on a GET: the example file. A POST with a
    valid ``form`` runs the import: if every row is right, a redirect back to the page with the
    summary as a message; else nothing is written and the page lists the rows' problems. Every
    other POST shows the form's errors. After a POST the page comes with status 400.

    The view binds ``form`` to the request's upload itself, so every view that takes a file
    says so."""
    if request.method == "GET" and "example" in request.GET:
        return example_csv(page)
    errors = []
    if request.method == "POST" and form.is_valid():
        result = page.run(company=request.user.company, data=form.cleaned_data["file"].read())
        if result.ok:
            messages.success(request, result.summary())
            return redirect(request.path)
        errors = result.errors
    context = {
        "page": page,
        "form": form,
        "header": ",".join(page.columns),
        "errors": errors[:ERRORS_SHOWN],
        "error_count": len(errors),
        "errors_not_shown": max(0, len(errors) - ERRORS_SHOWN),
        "max_bytes": settings.UPLOAD_MAX_BYTES,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, template, context, status=status)


def example_csv(page: ImportPage) -> HttpResponse:
    content = ",".join(page.columns) + "\n" + page.example
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{page.kind}-example.csv"'
    return response
