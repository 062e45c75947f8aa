"""Rasa component: a message that asks in so many words to register a dispute (or to report
unfair treatment) is that request, whatever story comes with it; one that gives a report id
asks for its status.

“货在汉堡港被海关扣了，说是侵权，帮忙登记下”: the story outweighs the short request in the
learned classifier, which files it as a question about disputes, and the user gets guidance
instead of the form. The words of the request are plain enough to read by rule; a question
about registering (怎么登记, 登记要什么材料), a refusal (不用登记了) and a status check
(登记的到哪一步了) are left to the classifier. Whether the request is in fact a question
about the service is decided afterwards, as for any report_dispute (actions/services.py).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from knowledge.core.requests import STATUS, requested_report

logger = logging.getLogger(__name__)

# Intents a request in words does not override: another service, control, a status check.
KEPT = {"request_expert", "request_human", "stop", STATUS}
# ...when the classifier is sure of them: below the fallback's threshold (config.yml), where
# the turn would fall back, the words win (再登记一个，这次是日本的, taken for stop at 0.37).
KEPT_MIN_CONFIDENCE = 0.4
REQUEST_CONFIDENCE = 0.9


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ServiceRequestClassifier(GraphComponent):
    """Makes a message that asks to register a dispute a report_dispute (unfair treatment:
    report_unfair_treatment)."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ServiceRequestClassifier:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            report = requested_report(message.get(TEXT) or "")
            kept = intent.get("name") in KEPT and (intent.get("confidence") or 0.0) >= KEPT_MIN_CONFIDENCE
            if report is None or (kept and intent.get("name") != report):
                continue
            # Words this plain are as sure as a confident classifier; the intent it chose
            # takes the request's old confidence, so the fallback sees no tie.
            ranking = message.get(INTENT_RANKING_KEY) or [intent]
            top = max(intent.get("confidence") or 0.0, REQUEST_CONFIDENCE)
            had = next((r["confidence"] for r in ranking if r["name"] == report), 0.0)
            chosen = {"name": report, "confidence": top}
            swapped = [{**r, "confidence": had} if r["name"] == intent.get("name") else r for r in ranking]
            rest = sorted((r for r in swapped if r["name"] != report), key=lambda r: -r["confidence"])
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen, *rest], add_to_output=True)
            logger.debug("a request to report: %s -> %s", intent.get("name"), report)
        return messages
