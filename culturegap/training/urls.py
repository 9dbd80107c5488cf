from django.urls import path

from culturegap.training import pack_views

app_name = "training"

urlpatterns: list = [
    # content packs
    path("packs/", pack_views.pack_import, name="pack_import"),
    path("packs/export/", pack_views.pack_export, name="pack_export"),
]
