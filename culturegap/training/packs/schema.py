"""The content pack format: its name and the JSON schema a pack file is checked against."""

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

FORMAT = "culturegap-pack/1"
SCHEMA_PATH = Path(__file__).with_name("pack.schema.json")


@cache
def pack_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def schema_validator() -> Draft202012Validator:
    schema = pack_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)
