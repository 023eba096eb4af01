"""placeholder"""
from ..errors import CaseDefinitionError


class SchemaPathError(CaseDefinitionError):
    pass


def resolve_path(api, xpath, *, side="response"):
    return None


def resolve_body(api, body):
    return None
