"""The permission matrix's description of one URL (see test_permissions.py)."""

from dataclasses import dataclass, field


@dataclass
class Target:
    """How to fill a URL's arguments from the objects of the ``world`` fixture, and which
    statuses differ from the rule (allowed role → 200, other role → 403)."""

    kwargs: object = None  # callable(world) -> dict
    expect: dict[str, int] = field(default_factory=dict)
    public_status: int = 200
