"""Subscribing to, unsubscribing from and listing risk alerts, by country and/or industry; a
question about the alerts is answered."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import answer_question
from actions.knowledge_base import knowledge_base
from actions.labels import INTENT_LABELS, button
from actions.services import asks_about_service
from actions.tracker import channel_of, entity_values, question_text, typed_words
from knowledge.core.text import normalise
from knowledge.records import subscriptions

# Matched on the normalised text (simplified characters), so 別推了 and 取消訂閱 count too.
UNSUBSCRIBE = re.compile(
    r"退订|取消.{0,8}(订阅|推送|预警)|不想再收|不用再|别推|不要再推|停止推送|暂停推送|unsubscribe|cancel|\bstop\b", re.I
)
LIST = re.compile(
    r"订阅了(什么|哪些|啥)|订了(什么|哪些|啥)|订着(什么|哪些|啥)|订阅的?(列表|清单|内容)|我的订阅|"
    r"(查看|看看|看下|看一下).{0,4}订阅|订阅情况"
)


def describe(pairs: List[tuple], said: Optional[Dict[Text, Text]] = None) -> Text:
    """“美国（所有行业）、陶瓷行业（所有国家）”; an industry the user named in other words
    says them: “食品农产品行业（您说的“苹果”，所有国家）”."""
    parts = []
    for country, industry in pairs:
        words = (said or {}).get(industry)
        told = f"您说的“{words}”" if words else ""
        if country and industry:
            parts.append(f"{country}·{industry}行业" + (f"（{told}）" if told else ""))
        elif country:
            parts.append(f"{country}（所有行业）")
        else:
            parts.append(f"{industry}行业（{told + '，' if told else ''}所有国家）")
    return "、".join(parts)


class ActionSubscribeAlerts(Action):
    """Reads what the user wants from the message: list, unsubscribe, or subscribe."""

    def name(self) -> Text:
        return "action_subscribe_alerts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        text = normalise(question_text(tracker))
        countries = sorted(entity_values(tracker, "country"))
        industries = sorted(entity_values(tracker, "industry"))
        said = typed_words(tracker, "industry")
        engine, channel, sender = knowledge_base.engine(), channel_of(tracker), tracker.sender_id
        if LIST.search(text):
            pairs = await knowledge_base.run(subscriptions.subscriptions_of, engine, channel, sender)
            if pairs:
                dispatcher.utter_message(response="utter_subscriptions", subscriptions=describe(pairs))
            else:
                dispatcher.utter_message(response="utter_no_subscriptions")
            return []
        if UNSUBSCRIBE.search(text):
            removed = await knowledge_base.run(
                subscriptions.unsubscribe, engine, channel, sender, countries, industries
            )
            left = await knowledge_base.run(subscriptions.subscriptions_of, engine, channel, sender)
            if not removed:
                asked = describe([(c, "") for c in countries] + [("", i) for i in industries], said) or "任何"
                dispatcher.utter_message(
                    response="utter_nothing_unsubscribed", asked=asked, remaining=describe(left) if left else "无"
                )
                return []
            remaining = describe(left) if left else "无"
            removed_said = describe(removed, said)
            dispatcher.utter_message(response="utter_unsubscribed", removed=removed_said, remaining=remaining)
            return []
        if not countries and not industries and asks_about_service(text):
            # “市里会盯哪些海外动态发预警”: a question about the alerts, answered, with the service offered.
            events = await answer_question(dispatcher, tracker, "ask_risk_warning")
            label = INTENT_LABELS["subscribe_alerts"]
            dispatcher.utter_message(
                response="utter_offer_service", service=label, buttons=[button(label, "subscribe_alerts", {})]
            )
            return events
        if not countries and not industries:
            dispatcher.utter_message(response="utter_ask_subscription")
            return [SlotSet("pending_topic", "subscribe_alerts")]
        added = await knowledge_base.run(subscriptions.subscribe, engine, channel, sender, countries, industries)
        pairs = await knowledge_base.run(subscriptions.subscriptions_of, engine, channel, sender)
        dispatcher.utter_message(
            response="utter_subscribed" if added else "utter_already_subscribed",
            added=describe(added, said),
            subscriptions=describe(pairs),
        )
        return [SlotSet("pending_topic", None)]
