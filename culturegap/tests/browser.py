"""What the browser tests share: signing in, and knowing which requests are still in flight."""

import contextlib
import threading
import time
import weakref
from urllib.parse import urlsplit

from django.conf import settings
from playwright.sync_api import Error as PlaywrightError

from culturegap.org.tests.factories import PASSWORD

# Longer than any htmx trigger's delay (a search waits 200 ms after the last key).
QUIET_MILLISECONDS = 300
# How long a test's teardown waits for the live server to finish what the browser left behind.
DRAIN_SECONDS = 15.0
# A request the browser sent just before its context closed (an htmx search whose delay ran out
# meanwhile) reaches the server a moment later.
QUIET_SECONDS = 0.05


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


def reaches_django(path: str) -> bool:
    """Static files are served before Django's middleware and views, so they never touch the
    database; every other request does (sessions, the signed-in person)."""
    return not path.startswith("/" + settings.STATIC_URL.lstrip("/"))


class ServerRequests:
    """Wraps the live server's WSGI application to know which requests it is answering, from
    the call of the application to the close of the response (where Django's
    ``request_finished`` signal still uses the database connection)."""

    def __init__(self, application):
        self.application = application
        self._changed = threading.Condition()
        self._active: list[str] = []
        self.last_finished = 0.0

    @classmethod
    def install(cls, live_server) -> "ServerRequests":
        """The counter of ``live_server``, put in front of its application on first use."""
        httpd = live_server.thread.httpd
        application = httpd.get_app()
        if not isinstance(application, cls):
            application = cls(application)
            httpd.set_app(application)
        return application

    def __call__(self, environ, start_response):
        query = environ.get("QUERY_STRING")
        label = f"{environ['REQUEST_METHOD']} {environ.get('PATH_INFO', '')}"
        label += f"?{query}" if query else ""
        with self._changed:
            self._active.append(label)
        try:
            result = self.application(environ, start_response)
        except BaseException:
            self._finished(label)
            raise
        return _ClosedThenFinished(result, lambda: self._finished(label))

    def _finished(self, label: str) -> None:
        with self._changed:
            self._active.remove(label)
            self.last_finished = time.monotonic()
            self._changed.notify_all()

    def active(self) -> list[str]:
        with self._changed:
            return list(self._active)

    def wait_until_idle(self, *, quiet: float, timeout: float) -> list[str]:
        """Waits until no request has been answered for ``quiet`` seconds from now; returns the
        requests still being answered when ``timeout`` ran out (none when all is well)."""
        start = time.monotonic()
        deadline = start + timeout
        with self._changed:
            while True:
                now = time.monotonic()
                if now >= deadline:
                    return list(self._active)
                if not self._active:
                    calm_until = max(self.last_finished, start) + quiet
                    if now >= calm_until:
                        return []
                    self._changed.wait(min(calm_until, deadline) - now)
                else:
                    self._changed.wait(deadline - now)


class _ClosedThenFinished:
    """A WSGI response that reports itself finished once the server has closed it."""

    def __init__(self, result, finished):
        self._result = result
        self._finished = finished

    def __iter__(self):
        return iter(self._result)

    def close(self) -> None:
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            self._finished()


class BrowserRequests:
    """The requests a browser context sent to ``base_url`` that have no answer yet: neither the
    response's headers nor a failure. (Once the headers are in, the view has run; the server
    side of what is left is waited for by ``ServerRequests``.)"""

    _of_context = weakref.WeakKeyDictionary()

    def __init__(self, context, base_url: str):
        self.origin = urlsplit(base_url)[:2]
        self._pending: dict[object, str] = {}
        self.sent = 0
        self._of_context[context] = self
        context.on("request", self._sent)
        context.on("response", lambda response: self._done(response.request))
        context.on("requestfailed", self._done)

    def _sent(self, request) -> None:
        url = urlsplit(request.url)
        if url[:2] == self.origin and reaches_django(url.path):
            query = f"?{url.query}" if url.query else ""
            self._pending[request] = f"{request.method} {url.path}{query}"
            self.sent += 1

    def _done(self, request) -> None:
        self._pending.pop(request, None)

    def pending(self) -> list[str]:
        return list(self._pending.values())

    @classmethod
    def of(cls, context) -> "BrowserRequests":
        return cls._of_context[context]


def wait_for_answers(page, *, timeout_ms: int = 10_000) -> None:
    """Returns once the page has had every request answered and sent none for a while, so
    that a search typed into a box (and any search it sets off later) has landed.

    Playwright's ``wait_for_load_state("networkidle")`` does not do this after the page has
    loaded: it returns at once when the page was idle once since its last navigation."""
    requests = BrowserRequests.of(page.context)
    waited = quiet = 0
    sent = requests.sent
    while quiet < QUIET_MILLISECONDS:
        if waited >= timeout_ms:
            raise AssertionError(f"no answer after {timeout_ms} ms to {requests.pending()}")
        page.wait_for_timeout(25)  # lets the browser's request events in
        waited += 25
        quiet = 0 if requests.pending() or requests.sent != sent else quiet + 25
        sent = requests.sent


def close_without_requests_in_flight(
    context, browser: BrowserRequests, server: ServerRequests
) -> tuple[list[str], list[str]]:
    """Closes ``context`` and returns once the live server has stopped answering its requests,
    so that no request uses a test's database after the test. Returns the requests the browser
    had sent and not yet seen answered when this was called, and those the server was still
    answering when it gave up waiting, each as "METHOD /path?query".

    Closing the context stops the pages' timers (an htmx search waiting out its delay) and
    aborts what the browser still waits for, but the server may have begun answering an
    aborted request all the same: hence the wait on the server."""
    for page in context.pages:
        # A round trip to the page, so that request events the browser sent before it are seen.
        with contextlib.suppress(PlaywrightError):  # a page in the middle of navigating
            page.evaluate("0")
            break
    in_flight = browser.pending()
    context.close()
    stuck = server.wait_until_idle(quiet=QUIET_SECONDS, timeout=DRAIN_SECONDS)
    return in_flight, stuck


def follow_menu(page, name: str, *, exact: bool = True) -> None:
    """Clicks the main menu's link ``name``, first opening the phone's "Menu" fold and the
    "More" list where the link is folded away."""
    menu = page.get_by_role("navigation", name="Main")
    link = menu.get_by_role("link", name=name, exact=exact)
    for fold in ("Menu", "More"):
        if link.is_visible():
            break
        summary = menu.locator("summary", has_text=fold).first
        if summary.is_visible():
            summary.click()
    link.click()
