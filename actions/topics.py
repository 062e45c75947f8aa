"""Actions for the topic intents of the NLU contract.

At this stage the knowledge base holds no answers yet, so each action confirms the topic
it understood (with the entities it heard) and offers a person, and never states a fact.
Later work gives each action its full behaviour.
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


class ActionDisputeGuidance(TopicAction):
    intent = "ask_dispute_guidance"

    def name(self) -> Text:
        return "action_dispute_guidance"


class ActionCountryGuide(TopicAction):
    intent = "ask_country_guide"

    def name(self) -> Text:
        return "action_country_guide"


class ActionRiskWarning(TopicAction):
    intent = "ask_risk_warning"

    def name(self) -> Text:
        return "action_risk_warning"


class ActionCaseSearch(TopicAction):
    intent = "ask_case"

    def name(self) -> Text:
        return "action_case_search"


class ActionExhibition(TopicAction):
    intent = "ask_exhibition"

    def name(self) -> Text:
        return "action_exhibition"


class ActionInsurance(TopicAction):
    intent = "ask_insurance"

    def name(self) -> Text:
        return "action_insurance"


class ActionFunding(TopicAction):
    intent = "ask_funding"

    def name(self) -> Text:
        return "action_funding"


class ActionMediation(TopicAction):
    intent = "ask_mediation"

    def name(self) -> Text:
        return "action_mediation"


class ActionContact(TopicAction):
    intent = "ask_contact"

    def name(self) -> Text:
        return "action_contact"


class ActionTraining(TopicAction):
    intent = "ask_training"

    def name(self) -> Text:
        return "action_training"


class ActionLawUpdate(TopicAction):
    intent = "ask_law_update"

    def name(self) -> Text:
        return "action_law_update"


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
