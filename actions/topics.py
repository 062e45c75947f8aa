"""Actions for the intents whose full behaviour (forms, records, handoff) comes later.

Until then each action confirms the topic it understood (with the entities it heard) and
offers a person, and never states a fact. Knowledge questions are in answers.py.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.labels import INTENT_LABELS, entity_summary
from knowledge import settings


class TopicAction(Action, ABC):
    """Acknowledges a topic question; subclasses name the action and its intent."""

    intent: Text

    @abstractmethod
    def name(self) -> Text:
        """The action's name in domain.yml."""

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(
            response="utter_topic_pending",
            topic=INTENT_LABELS[self.intent],
            details=entity_summary(tracker.latest_message.get("entities") or []),
        )
        return []


class ActionReportDispute(TopicAction):
    intent = "report_dispute"

    def name(self) -> Text:
        return "action_report_dispute"


class ActionReportUnfairTreatment(TopicAction):
    intent = "report_unfair_treatment"

    def name(self) -> Text:
        return "action_report_unfair_treatment"


class ActionReportStatus(TopicAction):
    intent = "check_report_status"

    def name(self) -> Text:
        return "action_report_status"


class ActionRequestExpert(TopicAction):
    intent = "request_expert"

    def name(self) -> Text:
        return "action_request_expert"


class ActionSubscribeAlerts(TopicAction):
    intent = "subscribe_alerts"

    def name(self) -> Text:
        return "action_subscribe_alerts"


class ActionRequestHuman(Action):
    """Points to the hotline while online handoff does not exist; invents no number."""

    def name(self) -> Text:
        return "action_request_human"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        config = settings.load()
        if config.hotline_phone:
            dispatcher.utter_message(
                response="utter_human_with_hotline",
                hotline_phone=config.hotline_phone,
                hotline_hours=config.hotline_hours,
            )
        else:
            dispatcher.utter_message(response="utter_human_without_hotline")
        return []
