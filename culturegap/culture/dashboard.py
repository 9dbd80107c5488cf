"""The culture section of the executive dashboard: the sales–CRP gap of each survey wave."""

from dataclasses import dataclass, field

from culturegap.culture.models import Dimension
from culturegap.culture.selectors import wave_gaps
from culturegap.org.figures import Scope, Table, rounded


@dataclass
class CultureSection:
    available: bool
    dimensions: list[tuple[str, str]] = field(default_factory=list)
    waves: list = field(default_factory=list)
    table: Table | None = None


def culture_section(scope: Scope) -> CultureSection:
    dimensions = list(Dimension.choices)
    if not dimensions:
        return CultureSection(available=False)
    waves = wave_gaps(scope.company, teams=scope.team_ids)
    table = Table(
        key="culture_gap",
        title="Culture gap by survey wave (|sales − CRP| on a 1–5 scale)",
        headers=["Wave", "Opened", "Respondents"] + [f"Gap: {label}" for _, label in dimensions],
        rows=[
            [wave.name, wave.opened_on.isoformat(), wave.respondents]
            + [rounded(wave.gap.get(key), 2) for key, _ in dimensions]
            for wave in waves
        ],
    )
    return CultureSection(available=True, dimensions=dimensions, waves=waves, table=table)
