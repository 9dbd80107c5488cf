"""The demo company, Harbourline Partners, put together from every app's demo chapter.

The organisation's chapter (``culturegap.org.demo``) creates the company, its teams, people,
services and customers; each capability then adds its part (content, history) with a function
``seed(*, company, rng, today, progress)`` that writes rows of its own app. Each chapter gets
its own seeded random generator, so adding a chapter does not change the earlier ones.
"""

import datetime
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from culturegap.coaching import demo as coaching_demo
from culturegap.culture import demo as culture_demo
from culturegap.loyalty import demo as loyalty_demo
from culturegap.opportunities import demo as opportunities_demo
from culturegap.org import demo as org_demo
from culturegap.org.demo import DEMO_PASSWORD, DemoResult, demo_logins
from culturegap.reinforcement import demo as reinforcement_demo
from culturegap.training import demo as training_demo

# In this order: the later chapters read what the earlier ones wrote (cards come from the
# training history, coaching follows the training waves).
DEMO_CHAPTERS: list[Callable[..., object]] = [
    training_demo.seed,
    opportunities_demo.seed,
    loyalty_demo.seed,
    reinforcement_demo.seed,
    coaching_demo.seed,
    culture_demo.seed,
]


def seed_demo_company(
    *,
    people: int = 200,
    customers: int | None = None,
    seed: int = 7,
    progress: bool = False,
    today: datetime.date | None = None,
) -> DemoResult:
    """Create Harbourline Partners with about ``people`` staff and ``customers`` clients
    (default ten per member of staff, at most ``org.demo.MAX_CUSTOMERS``), then every chapter.

    Raises DemoCompanyExists if it is already there, ValueError for too few people.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        result = org_demo.seed_organisation(
            people=people, customers=customers, seed=seed, today=today, progress=progress
        )
        for index, chapter in enumerate(DEMO_CHAPTERS):
            chapter(
                company=result.company,
                rng=random.Random(f"{seed}:{index}"),
                today=today,
                progress=progress,
            )
    return result


def remove_demo_company() -> bool:
    """Delete the demo company and everything in it; False when there was none."""
    with transaction.atomic():
        company = org_demo.demo_company()
        if company is None:
            return False
        # Answers first, in pieces (see training.demo.remove), then the rest by cascade.
        training_demo.remove(company=company)
        org_demo.remove(company=company)
        return True


def login_lines() -> list[str]:
    """The demo logins as lines to print: role, e-mail and password."""
    return [
        f"  {label:<36} {email:<32} password: {DEMO_PASSWORD}" for label, email in demo_logins()
    ]
