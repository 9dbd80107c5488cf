from django.apps import AppConfig


class EcoachConfig(AppConfig):
    name = "culturegap.ecoach"
    label = "ecoach"
    verbose_name = "Ask the eCoach"

    def ready(self) -> None:
        from culturegap.ecoach import receivers

        receivers.connect()
