"""Questions about a service versus requests for it.

“专家咨询收费吗”, “有没有地方可以登记纠纷？” ask about a service: they are answered from the
content, with the service offered as a button. “帮我找个专家”, “我要登记” ask for it: the
service's form starts. A dispute of one's own told with nothing asked (我们店铺的钱被冻了，急！！)
gets its guidance, and the dispute form is offered by starting it. The rules branch on the
`service_question` slot this action sets.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import answer_question
from actions.followups import follow_up
from actions.forms import is_question
from actions.labels import INTENT_LABELS, button
from actions.tracker import is_payload, latest_intent, message_entities, question_text
from knowledge.core.requests import requested_report, story_alone
from knowledge.library.limits import beyond_reach

SLOT = "service_question"
# The service intents and what each says when its form starts.
STARTS = {
    "report_dispute": "utter_start_dispute_form",
    "report_unfair_treatment": "utter_start_unfair_form",
    "request_expert": "utter_start_expert_form",
}
# Questions about a service are answered from the guidance and the local service network.
ANSWERED_AS = "ask_dispute_guidance"
# Words of someone asking for the service itself, even in a question's form (“能帮我登记吗”).
REQUEST = re.compile(
    r"帮我|帮忙|帮我们|给我(找|安排|介绍|联系|推荐|登记|转)|我要|我想|我们想|我们要|想要|请帮|麻烦|预约|安排|"
    r"(找|要|需要|联系)(一位|一个|个)|登记一下|反映一下|现在就|马上|(能|可以)\S{0,3}(登记|立案)(不|吗|么|嘛)"
)

# Asking whether anyone provides the service is a question even in a request's words (“有人帮忙吗”).
EXISTS = re.compile(r"有(没有)?(人|地方|机构|部门|专家|谁)\S{0,6}(帮|管|负责|处理|协助)|谁(能|可以|会)?(帮|管)")


# Asking for someone with a given skill, or for help with one's own matter, is a request even
# in a question's words (“有没有懂德国展会纠纷的专家”, “有没有专家能帮忙看看”).
PARTICULAR = re.compile(
    r"(懂|熟悉|擅长|做过|专做|精通)\S{0,14}(专家|律师|老师)|帮(忙|我|我们)?(看看|看一下|看下|分析|把关|评估|出出主意)"
)


# Asking what the service costs is a question even beside a request (“想找个专家，收费吗”):
# the answer says, and the button starts it.
COST = re.compile(r"收费|费用|多少钱|免费|要钱|收钱|花钱|付费|贵不贵|贵吗")


def asks_about_service(text: Text) -> bool:
    """A question about the service (whether it exists, its cost, who provides it, how it
    works) rather than a request for it."""
    if COST.search(text):
        return is_question(text)
    if PARTICULAR.search(text):
        return False
    return is_question(text) and (EXISTS.search(text) is not None or not REQUEST.search(text))


class ActionTriageService(Action):
    """Starts the service's form for a request; answers a question about the service. A
    question no knowledge base can answer (“你能保证专家帮我们打赢吗”) is told so, and a
    follow-up of the answer before (“那中国呢”) is answered on its topic: neither is a request."""

    def name(self) -> Text:
        return "action_triage_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        intent, text = latest_intent(tracker), question_text(tracker)
        # A button, or the service asked for in so many words (帮我登记下, 推荐个专家), is a
        # request whatever the story around it says, unless it asks what the service costs.
        asks_cost = is_question(text) and COST.search(text) is not None
        requested = is_payload(tracker) or (requested_report(text) == intent and not asks_cost)
        unreachable = beyond_reach(text, learned=False)
        if not requested and (
            unreachable or (not REQUEST.search(text) and follow_up(tracker, text, message_entities(tracker)))
        ):
            # answer_question tells the first so and answers the second on its topic.
            return [*await answer_question(dispatcher, tracker, ANSWERED_AS), SlotSet(SLOT, True)]
        if requested or not asks_about_service(text):
            if intent == "report_dispute" and not is_payload(tracker) and story_alone(text):
                # A dispute told and nothing asked (收到法院传票了，说我们专利侵权): its guidance,
                # then the form, offered rather than asked for.
                events = await answer_question(dispatcher, tracker, ANSWERED_AS)
                dispatcher.utter_message(response="utter_start_dispute_form_offered")
                return [*events, SlotSet(SLOT, False)]
            dispatcher.utter_message(response=STARTS.get(intent, "utter_start_dispute_form"))
            return [SlotSet(SLOT, False)]
        events = await answer_question(dispatcher, tracker, ANSWERED_AS)
        topical = {k: v for k, v in message_entities(tracker).items() if k in ("country", "ip_type", "dispute_type")}
        label = INTENT_LABELS.get(intent, INTENT_LABELS["report_dispute"])
        offer = [button(label, intent, topical)]
        dispatcher.utter_message(response="utter_offer_service", service=label, buttons=offer)
        return [*events, SlotSet(SLOT, True)]
