"""Pages of the playbook: everyone reads and searches it; program admins start and publish a
draft (the draft itself is edited on the authoring site)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST

from culturegap.language import selectors, services
from culturegap.org.access import ANY_ROLE, roles_required
from culturegap.org.models import Role

STARTER_PACK_FALLBACK = "/learn/packs/"


def _pack_upload_url() -> str:
    for name in ("training:pack_upload", "training:pack_import"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return STARTER_PACK_FALLBACK


def _draft_url(playbook) -> str:
    return reverse("authoring:language_playbook_change", args=[playbook.pk])


def _admin_context(request, published) -> dict:
    """What a program admin sees above the playbook: the draft, if any, and what it changes."""
    if not request.user.is_program_admin:
        return {}
    draft = selectors.draft_playbook(company=request.user.company)
    return {
        "can_edit": True,
        "draft": draft,
        "draft_url": _draft_url(draft) if draft else "",
        "changes": selectors.playbook_changes(draft=draft, published=published) if draft else None,
        "pack_upload_url": _pack_upload_url(),
    }


def _playbook_context(request, playbook) -> dict:
    query = request.GET.get("q", "")
    context = {"playbook": playbook, "query": " ".join(selectors.search_terms(query))}
    if playbook is not None:
        context["page"] = selectors.playbook_page(playbook=playbook)
        if context["query"]:
            context["results"] = selectors.search_playbook(playbook=playbook, query=query)
    return context


@roles_required(*ANY_ROLE)
def playbook(request):
    published = selectors.published_playbook(company=request.user.company)
    context = _playbook_context(request, published) | _admin_context(request, published)
    return render(request, "language/playbook.html", context)


@roles_required(*ANY_ROLE)
def version_list(request):
    versions = selectors.playbook_versions(
        company=request.user.company, include_draft=request.user.is_program_admin
    )
    return render(request, "language/version_list.html", {"versions": versions})


@roles_required(*ANY_ROLE)
def version_detail(request, version: int):
    found = selectors.playbook_version(
        company=request.user.company,
        version=version,
        include_draft=request.user.is_program_admin,
    )
    if found is None:
        raise Http404("No such version of the playbook.")
    context = _playbook_context(request, found) | {"older": found.status != "published"}
    if found.status == "draft":
        context |= {"draft_url": _draft_url(found), "can_edit": True}
    return render(request, "language/playbook.html", context)


@roles_required(Role.ADMIN)
@require_POST
def start_draft(request):
    draft = services.start_draft(company=request.user.company, actor=request.user)
    messages.success(request, f"Draft version {draft.version} is ready to edit.")
    return redirect(_draft_url(draft))


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def publish(request):
    company = request.user.company
    published = selectors.published_playbook(company=company)
    context = _admin_context(request, published) | {"published": published}
    if request.method == "POST":
        try:
            playbook = services.publish_draft(company=company, actor=request.user)
        except services.PlaybookError as error:
            context["error"] = str(error)
            return render(request, "language/publish.html", context, status=400)
        messages.success(
            request, f"Version {playbook.version} is published; everyone reads it now."
        )
        return redirect("language:playbook")
    return render(request, "language/publish.html", context)
