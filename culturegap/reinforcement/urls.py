from django.urls import path

from culturegap.reinforcement import views

app_name = "reinforcement"

urlpatterns = [
    path("", views.drill, name="drill"),
    path("answer/", views.answer, name="answer"),
    path("retention/", views.retention, name="retention"),
    path("retention/<int:pk>/", views.retention, name="person_retention"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("preferences/", views.preferences, name="preferences"),
    path("settings/", views.company_settings, name="settings"),
]
