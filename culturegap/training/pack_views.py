"""Pages for program admins to upload a content pack, load the starter pack and download the
company's content as a pack."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from culturegap.language.models import Playbook, PlaybookStatus
from culturegap.org.access import roles_required
from culturegap.org.models import Role
from culturegap.org.uploads import checked_upload
from culturegap.training.models import ContentPack, Curriculum
from culturegap.training.packs import (
    FORMAT,
    STARTER_PACK,
    UnknownCurriculum,
    dump_pack,
    export_pack,
    import_pack,
)

# More problems than anyone reads on a page; the count of the rest is shown instead.
ERRORS_SHOWN = 500
PACK_EXTENSIONS = (".yaml", ".yml", ".json")


class PackUploadForm(forms.Form):
    file = forms.FileField(
        label="Content pack file",
        widget=forms.FileInput(attrs={"accept": ",".join(PACK_EXTENSIONS)}),
        error_messages={
            "required": "Choose a pack file (.yaml, .yml or .json) to upload.",
            "empty": "The file is empty.",
        },
    )
    publish = forms.BooleanField(
        required=False,
        label="Publish the pack's playbook now",
        help_text="Otherwise it is published only if there is no published playbook yet, and "
        "becomes the draft if there is.",
    )

    def clean_file(self):
        return checked_upload(
            self.cleaned_data["file"],
            extensions=PACK_EXTENSIONS,
            wrong_kind="is not a content pack: upload a .yaml, .yml or .json file.",
            too_big="Use the import_pack command.",
        )


class _ErrorRow:
    """A problem as the error table shows it: the path may wrap after each step on a phone."""

    def __init__(self, error):
        self.line, self.message = error.line, error.message
        path = escape(error.where)
        self.breakable_where = mark_safe(path.replace(".", ".<wbr>"))


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def pack_import(request):
    company = request.user.company
    form = PackUploadForm()
    errors = []
    status = 200
    if request.method == "POST":
        if "starter" in request.POST:
            data, filename, publish = STARTER_PACK.read_bytes(), STARTER_PACK.name, None
        else:
            form = PackUploadForm(request.POST, request.FILES)
            data = None
            if form.is_valid():
                upload = form.cleaned_data["file"]
                data, filename = upload.read(), upload.name
                publish = True if form.cleaned_data["publish"] else None
        if data is not None:
            result = import_pack(
                company=company, data=data, filename=filename, publish=publish, actor=request.user
            )
            if result.ok:
                messages.success(request, result.summary())
                for item in result.retired[:20]:
                    messages.info(request, f"Kept, as learners have answered it: {item}")
                return redirect(request.path)
            errors = [_ErrorRow(error) for error in result.errors]
        status = 400
    context = {
        "form": form,
        "errors": errors[:ERRORS_SHOWN],
        "error_count": len(errors),
        "errors_not_shown": max(0, len(errors) - ERRORS_SHOWN),
        "max_bytes": settings.UPLOAD_MAX_BYTES,
        "format": FORMAT,
        "packs": ContentPack.objects.filter(company=company).select_related("imported_by"),
        "curricula": Curriculum.objects.filter(company=company).order_by("title", "key"),
        "published": Playbook.objects.filter(
            company=company, status=PlaybookStatus.PUBLISHED
        ).first(),
        "has_draft": Playbook.objects.filter(company=company, status=PlaybookStatus.DRAFT).exists(),
    }
    return render(request, "training/pack_import.html", context, status=status)


@roles_required(Role.ADMIN)
@require_GET
def pack_export(request):
    """The company's content as a pack file: ``?curriculum=KEY`` (repeatable) narrows it,
    ``?playbook=draft`` takes the draft playbook, ``?format=json`` gives JSON."""
    company = request.user.company
    keys = request.GET.getlist("curriculum") or None
    try:
        pack = export_pack(
            company=company,
            curriculum_keys=keys,
            draft=request.GET.get("playbook") == "draft",
        )
    except UnknownCurriculum as error:
        return HttpResponse(str(error), status=404, content_type="text/plain; charset=utf-8")
    as_json = request.GET.get("format") == "json"
    filename = f"{slugify(pack['key']) or 'pack'}.{'json' if as_json else 'yaml'}"
    response = HttpResponse(
        dump_pack(pack, filename=filename),
        content_type=("application/json" if as_json else "application/yaml") + "; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
