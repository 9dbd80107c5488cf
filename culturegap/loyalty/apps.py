from django.apps import AppConfig


class LoyaltyConfig(AppConfig):
    name = "culturegap.loyalty"
    label = "loyalty"
    verbose_name = "Customer loyalty"
