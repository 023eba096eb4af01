"""The compliance model and its writers. Pure functions over recorded case results."""

from .record import SCHEMA_VERSION, build_record, requirement_verdict, write_json

__all__ = ["SCHEMA_VERSION", "build_record", "requirement_verdict", "write_json"]
