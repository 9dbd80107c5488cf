"""Signing in as a person: the signed-in person comes with their company and team."""

from django.contrib.auth.backends import ModelBackend

from culturegap.org.models import Person


class PersonBackend(ModelBackend):
    """Django's model backend, except that loading the signed-in person also loads their
    company and team: every page reads both (the company's time zone, the header, the menu),
    so this saves two queries on each request."""

    def get_user(self, user_id):
        person = (
            Person._default_manager.select_related("company", "team").filter(pk=user_id).first()
        )
        return person if person is not None and self.user_can_authenticate(person) else None
