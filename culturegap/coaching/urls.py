from django.urls import path

from culturegap.coaching import views

app_name = "coaching"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("observations/<int:pk>/", views.observation_detail, name="observation_detail"),
    path("observe/", views.observe, name="observe"),
    path("self-assessment/", views.self_assess, name="self_assess"),
    path("customers/", views.customer_search, name="customer_search"),
    path("team/", views.team, name="team"),
    path("team/export.csv", views.team_export, name="team_export"),
    path("team/skills/", views.heatmap, name="heatmap"),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("scorecard/generate/", views.scorecard_generate, name="scorecard_generate"),
]
