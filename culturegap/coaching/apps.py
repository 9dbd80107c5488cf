from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "culturegap.coaching"
    label = "coaching"
    verbose_name = "Coaching"
