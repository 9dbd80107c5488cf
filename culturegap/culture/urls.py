from django.urls import path

from culturegap.culture import views

app_name = "culture"

urlpatterns = [
    path("survey/", views.survey, name="survey"),
    path("results/", views.results, name="results"),
    path("results/export/", views.export, name="export"),
    path("waves/", views.waves, name="waves"),
    path("waves/<int:pk>/close/", views.wave_close, name="wave_close"),
    path("statements/", views.statements, name="statements"),
    path("statements/<int:pk>/toggle/", views.statement_toggle, name="statement_toggle"),
    path("targets/", views.targets, name="targets"),
]
