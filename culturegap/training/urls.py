from django.urls import path

from culturegap.training import pack_views, views

app_name = "training"

urlpatterns: list = [
    # content packs
    path("packs/", pack_views.pack_import, name="pack_import"),
    path("packs/export/", pack_views.pack_export, name="pack_export"),
    # learner and rollout
    path("", views.my_learning, name="my_learning"),
    path("curricula/<int:pk>/", views.curriculum_detail, name="curriculum"),
    path("curricula/<int:pk>/starting-check/", views.pre_assessment, name="pre_assessment"),
    path("curricula/<int:pk>/final-check/", views.post_assessment, name="post_assessment"),
    path(
        "curricula/<int:pk>/final-check/retake/",
        views.retake_final_check,
        name="retake_final_check",
    ),
    path("curricula/<int:pk>/results/", views.results, name="results"),
    path("lessons/<int:pk>/", views.lesson, name="lesson"),
    path("lessons/<int:pk>/answer/", views.answer, name="answer"),
    path("certificates/<uuid:code>/", views.certificate, name="certificate"),
    path("team/", views.team_progress, name="team"),
    path("team/export.csv", views.team_progress_csv, name="team_csv"),
    path("rollout/", views.rollout, name="rollout"),
    path("rollout/assign/", views.assign, name="assign"),
]
