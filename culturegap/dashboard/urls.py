from django.urls import path

from culturegap.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.csv", views.export, name="export"),
]
