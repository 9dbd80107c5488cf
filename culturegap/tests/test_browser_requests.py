"""A browser test cannot end with a request in flight unnoticed, nor leave the live server
answering one after the test's database is gone."""

import threading
import time

import pytest

from culturegap.tests.browser import (
    BrowserRequests,
    ServerRequests,
    close_without_requests_in_flight,
)


def _wait_for(condition, what: str, page=None) -> None:
    for _ in range(250):
        if condition():
            return
        if page is not None:
            page.wait_for_timeout(20)  # lets the browser's events in
        else:
            time.sleep(0.02)
    pytest.fail(f"{what} never happened")


def _open(chromium, live_server):
    server = ServerRequests.install(live_server)
    context = chromium.new_context(base_url=live_server.url)
    browser = BrowserRequests(context, live_server.url)
    page = context.new_page()
    page.goto("/accounts/login/")
    return server, context, browser, page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_unanswered_request_is_reported_when_the_context_closes(chromium, live_server):
    server, context, browser, page = _open(chromium, live_server)
    held = []
    page.route("**/accounts/login/?held", lambda route: held.append(route))  # never let go
    page.evaluate("() => { fetch('/accounts/login/?held'); }")
    _wait_for(lambda: held, "the fetch", page)

    in_flight, stuck = close_without_requests_in_flight(context, browser, server)

    assert in_flight == ["GET /accounts/login/?held"]
    assert stuck == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_answered_requests_and_static_files_are_not_reported(chromium, live_server):
    server, context, browser, page = _open(chromium, live_server)
    held = []
    # A stylesheet that never arrives does no harm: static files never reach the database.
    page.route("**/static/**", lambda route: held.append(route))
    page.evaluate("() => { fetch('/static/culturegap/site.css?held'); }")
    _wait_for(lambda: held, "the fetch", page)
    with page.expect_response("**/accounts/login/?answered"):
        page.evaluate("() => { fetch('/accounts/login/?answered'); }")

    assert close_without_requests_in_flight(context, browser, server) == ([], [])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_closing_waits_for_the_server_to_finish_a_request_the_browser_gave_up(
    chromium, live_server
):
    server, context, browser, page = _open(chromium, live_server)
    inner = server.application
    gate, entered, finished_at = threading.Event(), threading.Event(), []

    def slow(environ, start_response):
        if environ.get("QUERY_STRING") == "slow":
            entered.set()
            gate.wait(timeout=10)
            finished_at.append(time.monotonic())
        return inner(environ, start_response)

    server.application = slow
    try:
        page.evaluate("() => { fetch('/accounts/login/?slow'); }")
        _wait_for(entered.is_set, "the request reaching the server", page)
        threading.Timer(0.5, gate.set).start()

        in_flight, stuck = close_without_requests_in_flight(context, browser, server)
        closed_at = time.monotonic()
    finally:
        gate.set()
        server.application = inner

    assert in_flight == ["GET /accounts/login/?slow"]
    assert stuck == []
    assert finished_at and finished_at[0] <= closed_at
    assert server.active() == []


def test_a_response_is_finished_only_once_the_server_closed_it():
    closed = []

    class Response(list):
        def close(self):
            closed.append(True)

    def application(environ, start_response):
        start_response("200 OK", [])
        return Response([b"ok"])

    server = ServerRequests(application)
    response = server({"REQUEST_METHOD": "GET", "PATH_INFO": "/x"}, lambda *args: None)
    assert list(response) == [b"ok"]
    assert server.active() == ["GET /x"]
    assert server.wait_until_idle(quiet=0, timeout=0.05) == ["GET /x"]
    response.close()
    assert closed == [True]
    assert server.active() == []
    assert server.wait_until_idle(quiet=0, timeout=1) == []
