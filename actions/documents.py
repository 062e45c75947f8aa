"""A pasted document (longer than the classifier reads) is read, not refused.

The reply says what kind of document it is and what it is about, names the deadlines it
sets and who complains under which right for how much, gives the overview of the guidance for
that kind (or the passage with the fact the user's own question asks), and offers to register
the dispute with what was found pre-filled; the whole text is kept as the dispute's description.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import answer_action
from actions.followups import Question, remember
from actions.knowledge_base import knowledge_base
from actions.labels import button, entity_summary
from knowledge.library import answer_types, documents
from knowledge.library.answers import Answer

GUIDANCE_INTENT = "ask_dispute_guidance"


async def answer_document(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
    """Reads the latest message as a pasted document and answers it."""
    text = tracker.latest_message.get("text") or ""
    reading = documents.read(text)
    about = entity_summary([{"entity": k, "value": v} for k, v in reading.entities.items()])
    if reading.deadlines:
        dispatcher.utter_message(
            response="utter_document_read", kind=reading.kind_label, about=about, deadlines="；".join(reading.deadlines)
        )
    else:
        dispatcher.utter_message(response="utter_document_read_no_deadline", kind=reading.kind_label, about=about)
    if reading.facts:
        named = "；".join(f"{name} {value}" for name, value in reading.facts)
        dispatcher.utter_message(response="utter_document_facts", facts=named)
    if reading.emails:
        dispatcher.utter_message(response="utter_document_emails", emails="、".join(reading.emails))
    # What to do about a document of a known kind is its guidance's overview (the user's own
    # question is most often “what is this, what do we do”), unless that question asks for a
    # fact (要赔多少) a passage of the kind's guidance has; a text of no known kind is
    # answered on the user's question, and without one gets no guidance: any would be a guess.
    guidance = f"{reading.dispute_type or ''} {reading.kind_label} 怎么办"
    question = Question(GUIDANCE_INTENT, f"{reading.question} {guidance}", reading.entities, None)
    if reading.dispute_type or reading.question:
        action = answer_action(GUIDANCE_INTENT)
        assert action is not None
        index = await knowledge_base.index()
        if reading.dispute_type:
            found = None
            # A deadline the document sets answers “多久要回”; another fact asked is looked up.
            if not reading.deadlines and answer_types.asked(reading.question) not in (None, answer_types.DEFINITION):
                specific = action.find(index, f"{reading.dispute_type} {reading.question}", question.entities)
                found = specific if specific is not None and not specific.missing else None
            if found is None:
                found = action.find(index, guidance, question.entities)
                if found is not None and not found.missing:
                    found = Answer(found.item, found.item.passages[:1], None, found.coverage)
        else:
            found = action.find(index, question.text, question.entities)
        action.utter_answer(dispatcher, found, question.entities)
    dispatcher.utter_message(
        response="utter_offer_report_document",
        buttons=[
            button("登记纠纷", "report_dispute", reading.entities),
            button("咨询专家", "request_expert", reading.entities),
            button("转人工", "request_human", {}),
        ],
    )
    return [SlotSet("description", text), remember(tracker, question)]
