from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "culturegap.training"
    label = "training"
    verbose_name = "Training"
