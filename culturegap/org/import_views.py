"""Upload pages for the people and customer CSV imports."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.http import require_http_methods

from culturegap.access import roles_required
from culturegap.org.imports import (
    CUSTOMER_COLUMNS,
    PEOPLE_COLUMNS,
    ImportResult,
    import_customers,
    import_people,
)
from culturegap.org.models import Role

# More rows than anyone reads on a page; the count of the rest is shown instead.
ERRORS_SHOWN = 500


@dataclass(frozen=True)
class ImportPage:
    kind: str
    title: str
    columns: tuple[str, ...]
    example: str  # the rows of the example file, after its header
    run: Callable[..., ImportResult]


PEOPLE = ImportPage(
    kind="people",
    title="Import people",
    columns=PEOPLE_COLUMNS,
    example="""\
ana.lima@example.com,Ana Lima,Leadership,other,executive;admin,
ben.okafor@example.com,Ben Okafor,Client Service,service,manager;crp,ana.lima@example.com
cara.ng@example.com,Cara Ng,Client Service,service,crp,ben.okafor@example.com
dan.fox@example.com,Dan Fox,Business Development,sales,sales,ana.lima@example.com
""",
    run=import_people,
)

CUSTOMERS = ImportPage(
    kind="customers",
    title="Import customers",
    columns=CUSTOMER_COLUMNS,
    example="""\
C-1001,Harbour Bakery Ltd,dan.fox@example.com,BOOKKEEPING;PAYROLL,2019-04-01
C-1002,"Mills & Daughters, Opticians",,TAX,2022-11-15
""",
    run=import_customers,
)


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
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(
                f"“{upload.name}” is not a .csv file: save the sheet as “CSV UTF-8” first."
            )
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; the limit is "
                f"{filesizeformat(settings.UPLOAD_MAX_BYTES)}. Split it or use the "
                "import command."
            )
        return upload


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def import_people(request):
    return _import_page(request, PEOPLE)


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def import_customers(request):
    return _import_page(request, CUSTOMERS)


def _import_page(request, page: ImportPage):
    if request.method == "GET" and "example" in request.GET:
        return _example_csv(page)
    form = CsvUploadForm()
    errors = []
    if request.method == "POST":
        form = CsvUploadForm(request.POST, request.FILES)
        if form.is_valid():
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
    return render(request, "org/import.html", context, status=status)


def _example_csv(page: ImportPage) -> HttpResponse:
    content = ",".join(page.columns) + "\n" + page.example
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{page.kind}-example.csv"'
    return response
