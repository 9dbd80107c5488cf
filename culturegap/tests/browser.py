"""Signing in through the login page, as the browser tests do."""

from culturegap.org.tests.factories import PASSWORD


def sign_in(page, email: str, password: str = PASSWORD, *, wait: bool = True) -> None:
    """Signs ``email`` in on the login page, after signing out whoever was signed in. With
    ``wait`` it returns once the browser has left the login page, so the next step starts
    signed in; without it (a wrong password, say) right after the form is sent."""
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if wait:
        page.wait_for_url(lambda url: "/accounts/login" not in url)
