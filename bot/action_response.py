"""How the Rasa server checks each action-server response: against a schema checked once.

Rasa validates every response of the action server with `jsonschema.validate(response,
schema)` (`RemoteAction._validate_action_result`), and `validate` first checks the schema
itself against JSON Schema's meta-schema: about 17 ms of CPU per action call on this
machine, for a schema that never changes (`RemoteAction.action_response_format_spec`
builds it from Rasa's module constants), against 0.5 ms for the response. A profile put more
than half of the Rasa server's busy time there. `install` (run at the Rasa server's start,
`bot/rasa_server.py`) makes the validator once, from the same schema and the same
validator class `validate` chooses, checked once as `validate` checks it, and validates
every response with it. A response it finds invalid is handed to Rasa's own function,
which raises exactly what it always raised (the `ValidationError` with Rasa's message),
so acceptance and errors are Rasa's by construction; only valid responses skip the work.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Text

from jsonschema import exceptions, validators
from rasa.core.actions import action as rasa_action

logger = logging.getLogger(__name__)

# Rasa's own, which `install` replaces and which still judges every invalid response.
RASA_VALIDATE = rasa_action.RemoteAction._validate_action_result
RASA_SPEC = rasa_action.RemoteAction.action_response_format_spec


def checked_validator(schema: Dict[Text, Any]) -> Any:
    """A validator of `schema` made as `jsonschema.validate` makes one (the class the
    schema asks for, the latest draft when it names none), after checking the schema as it
    does (SchemaError when it is no valid schema)."""
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def install() -> None:
    """Validates every action-server response of this process with one validator of Rasa's
    response schema, made now."""
    validator = checked_validator(RASA_SPEC())

    def validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
        # An action class with a schema of its own (none in Rasa 3.6) gets Rasa's way.
        if type(self).action_response_format_spec is not RASA_SPEC:
            return RASA_VALIDATE(self, result)
        if exceptions.best_match(validator.iter_errors(result)) is None:
            return True
        return RASA_VALIDATE(self, result)  # raises Rasa's ValidationError, message and all

    rasa_action.RemoteAction._validate_action_result = validate_action_result
