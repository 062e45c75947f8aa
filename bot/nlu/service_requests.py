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
import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

logger = logging.getLogger(__name__)

REPORT, UNFAIR = "report_dispute", "report_unfair_treatment"
# A report id, whole or not (HW-20261124-ABCD, HW-2026-1): the message asks for a status.
STATUS, REPORT_ID = "check_report_status", re.compile(r"(?<![A-Za-z])HW[-_ ]?\d", re.I)
REGISTER = re.compile(
    r"(帮|给|替|请|麻烦|想|要|需要|能|可以|申请)\S{0,4}(登记|立案|报案|上报|备案|建档|报上去|报个案|报一下|反映)"
    r"|(登记|立案|报案|备案|反映)(一下|下|吧|上)|(登记|上报|报)(一[个起件])?(纠纷|案子|案件)"
)
# What makes the request one about unfair treatment rather than a dispute.
UNFAIR_WORDS = re.compile(r"不公平|不公正|区别对待|差别对待|歧视|刁难|双重标准|不平等|针对我们")
NOT_A_REQUEST = re.compile(
    r"(不用|不要|不想|不需要|别|无需|不必|先不|暂时不|没有?)\S{0,3}(登记|立案|报)"
    r"|进度|进展|到哪|哪一步|结果|编号|查询|查一下|状态"
    r"|(怎么|如何|在哪|哪里|去哪|流程|要什么|什么材料|收费|多少钱|多久|条件)\S{0,6}(登记|立案)"
    r"|(登记|立案)\S{0,6}(怎么|如何|流程|需要什么|要什么|材料|收费|要钱|免费|多久|条件|有什么用)"
)
# Intents a request in words does not override: another service, control, a status check.
KEPT = {"request_expert", "request_human", "stop", STATUS}




def requested_report(text: Text) -> Optional[Text]:
    """What the message asks for in so many words: a report's status (it gives an id), or to
    make a report (a dispute or unfair treatment); None when it asks for none of them."""
    if REPORT_ID.search(text):
        return STATUS
    if not REGISTER.search(text) or NOT_A_REQUEST.search(text):
        return None
    if UNFAIR_WORDS.search(text):
        return UNFAIR
    return REPORT if not re.search(r"反映", text) else None


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
            if intent.get("name") in KEPT or report is None or intent.get("name") == report:
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            confidence = max([intent.get("confidence") or 0.0, *[r["confidence"] for r in ranking]])
            chosen = {"name": report, "confidence": confidence}
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen, *[r for r in ranking if r["name"] != report]], add_to_output=True)
            logger.debug("a request to report: %s -> %s", intent.get("name"), report)
        return messages
