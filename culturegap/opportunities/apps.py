from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "culturegap.opportunities"
    label = "opportunities"
    verbose_name = "Opportunities"

    def ready(self) -> None:
        from culturegap.opportunities import receivers

        receivers.connect()
