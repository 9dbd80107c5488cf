"""Pages of the playbook: read and search it, older versions, and (for program admins) start
and publish a draft."""

from django.urls import path

from culturegap.language import views

app_name = "language"

urlpatterns = [
    path("", views.playbook, name="playbook"),
    path("versions/", views.version_list, name="version_list"),
    path("versions/<int:version>/", views.version_detail, name="version_detail"),
    path("draft/", views.start_draft, name="start_draft"),
    path("publish/", views.publish, name="publish"),
]
