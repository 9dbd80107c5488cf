"""Locust users for ``bench/load.py``: learners doing their drill, managers reading dashboards,
a bare health-check probe and a bare signed-in probe.

The people sign in with sessions prepared by ``bench/load.py`` (a JSON file named by
``CULTUREGAP_LOAD_SESSIONS``): hashing a password costs about half a second of CPU by design,
which is a once-a-day cost, not the steady state measured here. The server runs with production
settings, so requests say they came through the TLS proxy (``X-Forwarded-Proto: https``) and
carry their cookies themselves (Secure cookies are not sent over plain HTTP by a client).
"""

import json
import os
import random
import re

import gevent
from locust import FastHttpUser, between, task

_PEOPLE = json.loads(open(os.environ["CULTUREGAP_LOAD_SESSIONS"]).read())
_FREE = {role: list(entries) for role, entries in _PEOPLE.items() if role != "csrf"}
CSRF = _PEOPLE["csrf"]
# Seconds a learner reads a question before answering (0 in the saturation phase).
THINK = float(os.environ.get("CULTUREGAP_LOAD_THINK", "1"))

_TOKEN = re.compile(r'name="token" value="([^"]+)"')
_OPTION = re.compile(r'name="option" value="(\d+)"')


def _headers(session_key: str, host: str) -> dict:
    return {
        "Cookie": f"sessionid={session_key}; csrftoken={CSRF}",
        "X-Forwarded-Proto": "https",
        "Origin": f"https://{host}",
        "X-CSRFToken": CSRF,
    }


class _Person(FastHttpUser):
    abstract = True
    role = ""

    def on_start(self):
        entry = _FREE[self.role].pop() if _FREE[self.role] else random.choice(_PEOPLE[self.role])
        self.entry = entry
        host = self.host.split("://", 1)[1].rstrip("/")
        self.headers = _headers(entry["session"], host)

    def get(self, path, name):
        return self.client.get(path, headers=self.headers, name=name)


class Learner(_Person):
    """Opens today's drill, reads the question, answers it (as htmx does), and starts another
    round when the drill is done and more cards are due."""

    role = "learner"
    weight = 10
    fixed_count = int(os.environ.get("CULTUREGAP_LOAD_LEARNERS", "0"))
    wait_time = between(0.5 * THINK, 1.5 * THINK)

    @task
    def drill(self):
        page = self.get("/drill/", "GET /drill/")
        body = page.text or ""
        token, options = _TOKEN.search(body), _OPTION.findall(body)
        if token and options:
            if THINK:
                gevent.sleep(random.uniform(0.5 * THINK, 1.5 * THINK))
            self.client.post(
                "/drill/answer/",
                data={
                    "token": token.group(1),
                    "option": random.choice(options),
                    "confidence": random.choice(["sure", "guess"]),
                    "csrfmiddlewaretoken": CSRF,
                },
                headers=self.headers | {"HX-Request": "true"},
                name="POST /drill/answer/",
            )
        elif "Another round" in body:
            self.client.post(
                "/drill/",
                data={"csrfmiddlewaretoken": CSRF},
                headers=self.headers,
                name="POST /drill/ (another round)",
                allow_redirects=False,
            )


class Manager(_Person):
    """Reads the team pages a manager opens: drills, learning, coaching, loyalty."""

    role = "manager"
    weight = 1
    fixed_count = int(os.environ.get("CULTUREGAP_LOAD_MANAGERS", "0"))
    wait_time = between(0.5 * THINK, 1.5 * THINK)

    @task(3)
    def retention_teams(self):
        self.get("/drill/teams/", "GET /drill/teams/")

    @task(3)
    def retention_team(self):
        self.get(f"/drill/teams/{self.entry['team']}/", "GET /drill/teams/<pk>/")

    @task(2)
    def learning_team(self):
        self.get("/learn/team/", "GET /learn/team/")

    @task(2)
    def coaching_team(self):
        self.get("/coaching/team/", "GET /coaching/team/")

    @task(2)
    def loyalty(self):
        self.get("/loyalty/", "GET /loyalty/")

    @task(2)
    def dashboard(self):
        if os.environ.get("CULTUREGAP_LOAD_DASHBOARD") == "1":
            self.get("/dashboard/", "GET /dashboard/")


class HealthProbe(FastHttpUser):
    """The bare Django view: one trivial query, no session, no template."""

    wait_time = between(0, 0)

    @task
    def healthz(self):
        self.client.get("/healthz", headers={"X-Forwarded-Proto": "https"}, name="GET /healthz")


class SignedInProbe(_Person):
    """The bare page behind sign-in (``/healthz/me``: the session and the person, no template):
    the fair baseline for the drill, which pays the same before doing its own work."""

    role = "learner"
    wait_time = between(0, 0)

    @task
    def me(self):
        self.get("/healthz/me", "GET /healthz/me")
