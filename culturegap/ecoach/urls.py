"""Pages of the eCoach: ask, your questions, published coach answers, and the coach queue."""

from django.urls import path

from culturegap.ecoach import views

app_name = "ecoach"

urlpatterns = [
    path("", views.ask, name="ask"),
    path("ask-a-coach/", views.ask_a_coach, name="ask_a_coach"),
    path("questions/", views.my_questions, name="my_questions"),
    path("answers/<int:pk>/", views.coach_answer, name="coach_answer"),
    path("queue/", views.queue, name="queue"),
    path("queue/<int:pk>/", views.answer_question, name="answer_question"),
    path("queue/threshold/", views.threshold, name="threshold"),
]
