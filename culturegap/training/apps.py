from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "culturegap.training"
    label = "training"
    verbose_name = "Training"

    def ready(self) -> None:
        from culturegap.training import events

        events.connect()
