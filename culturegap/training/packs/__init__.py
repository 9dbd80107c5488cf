"""Content packs: a company's playbook and curricula in one documented YAML or JSON file.

The format is described in docs/content-packs.md and by ``pack.schema.json`` next to this file;
``starter.yaml`` is the starter pack that ships with the product. ``read_pack`` checks a file,
``import_pack`` loads it into a company (all or nothing, idempotent), ``export_pack`` and
``dump_pack`` write a company's content back out in the same format.
"""

from pathlib import Path

from culturegap.training.packs.exporter import (
    UnknownCurriculum,
    dump_pack,
    export_pack,
    playbook_as_dict,
)
from culturegap.training.packs.importer import PackImportResult, import_pack, published_skills
from culturegap.training.packs.reader import (
    FORMAT,
    SCHEMA_PATH,
    PackError,
    format_path,
    normalise_pack,
    pack_schema,
    read_pack,
)

STARTER_PACK = Path(__file__).with_name("starter.yaml")


def import_starter_pack(*, company, publish: bool | None = None, actor=None) -> PackImportResult:
    """Load the starter pack that ships with the product into ``company``."""
    return import_pack(
        company=company,
        data=STARTER_PACK.read_bytes(),
        filename=STARTER_PACK.name,
        publish=publish,
        actor=actor,
    )


__all__ = [
    "FORMAT",
    "SCHEMA_PATH",
    "STARTER_PACK",
    "PackError",
    "PackImportResult",
    "UnknownCurriculum",
    "dump_pack",
    "export_pack",
    "format_path",
    "import_pack",
    "import_starter_pack",
    "normalise_pack",
    "pack_schema",
    "playbook_as_dict",
    "published_skills",
    "read_pack",
]
