"""Upload pages for the people and customer CSV imports."""

from django.views.decorators.http import require_http_methods

from culturegap.org.access import roles_required
from culturegap.org.imports import CUSTOMER_COLUMNS, PEOPLE_COLUMNS, import_customers, import_people
from culturegap.org.models import Role
from culturegap.org.uploads import CsvUploadForm, ImportPage, import_page

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


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def import_people(request):
    return _import_page(request, PEOPLE)


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def import_customers(request):
    return _import_page(request, CUSTOMERS)


def _import_page(request, page: ImportPage):
    form = (
        CsvUploadForm(request.POST, request.FILES) if request.method == "POST" else CsvUploadForm()
    )
    return import_page(request, page, form, template="org/import.html")
