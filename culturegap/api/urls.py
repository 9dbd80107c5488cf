"""The JSON API under /api/v1/ (django-ninja): its operations, schema, docs and the docs'
scripts."""

from django.urls import path

from culturegap.api.api import api, docs_asset

app_name = "api"

urlpatterns = [
    *api.urls[0],
    path("docs/assets/<str:name>", docs_asset, name="docs_asset"),
]
