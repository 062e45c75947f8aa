"""Confirming, saving and discarding reports, and telling reporters their status."""

from __future__ import annotations

import asyncio
import logging
import re
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import CONFIDENT_COVERAGE, answer_from_library, answer_question
from actions.fields import deadline_date, form_fields
from actions.followups import is_short, recalled
from actions.handoff import hand_off
from actions.knowledge_base import knowledge_base
from actions.labels import FIELD_LABELS, button
from actions.tracker import (
    channel_of,
    latest_intent,
    message_entities,
    question_text,
    slots_set_this_turn,
    transcript,
)
from knowledge.core.dates import china_time, today_in_china
from knowledge.core.validation import normalise_phone
from knowledge.library import answer_types, answers
from knowledge.library.limits import REASONS, beyond_reach
from knowledge.records import notifications, reports
from knowledge.records.models import CLOSED, DISPUTE, KIND_LABELS, UNFAIR_TREATMENT, Report

logger = logging.getLogger(__name__)

# What a saved report clears: the dispute itself. Who the enterprise is (company, phone)
# stays known for the next one, which says so when it starts. A discarded form clears all
# its fields.
FORGOTTEN_AFTER_REPORT = [
    "country",
    "ip_type",
    "dispute_type",
    "deadline",
    "deadline_candidate",
    "description",
    "description_draft",
    "report_confirmed",
    "form_misses",
]
SUMMARY_DESCRIPTION_CHARS = 120


def summary(tracker: Tracker, fields: List[Text]) -> Text:
    """One line per field, as the reporter gave it (a long description shortened)."""
    lines = []
    for field in fields:
        value = str(tracker.get_slot(field) or "")
        if field == "description" and len(value) > SUMMARY_DESCRIPTION_CHARS:
            value = f"{value[:SUMMARY_DESCRIPTION_CHARS]}…（共{len(value)}字，已完整保存）"
        lines.append(f"{FIELD_LABELS[field]}：{value}")
    return "\n".join(lines)


class ActionAskReportConfirmed(Action):
    """Shows the summary and asks to confirm; after a “no” that changed nothing, asks
    what to change."""

    def name(self) -> Text:
        return "action_ask_report_confirmed"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        fields = form_fields(domain, tracker.active_loop_name or "dispute_form")
        asked_again = tracker.get_slot("requested_slot") == "report_confirmed"
        if asked_again and latest_intent(tracker) == "deny" and not set(fields) & slots_set_this_turn(tracker):
            buttons = [button(FIELD_LABELS[f], "inform", {"field": f}) for f in fields]
            dispatcher.utter_message(response="utter_ask_field_to_edit", buttons=buttons)
            return []
        dispatcher.utter_message(
            response="utter_ask_report_confirmed",
            summary=summary(tracker, fields),
            buttons=[
                {"title": "确认提交", "payload": "/affirm"},
                {"title": "修改", "payload": "/deny"},
                {"title": "放弃", "payload": "/stop"},
            ],
        )
        return []


class SubmitReport(Action, ABC):
    """Saves the confirmed report in one transaction, then says so with its id."""

    kind: Text

    @abstractmethod
    def name(self) -> Text:
        """The action's name in domain.yml."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        draft = reports.ReportDraft(
            kind=self.kind,
            company_name=tracker.get_slot("company_name"),
            phone=tracker.get_slot("phone"),
            country=tracker.get_slot("country"),
            description=tracker.get_slot("description"),
            channel=channel_of(tracker),
            sender_id=tracker.sender_id,
            ip_type=tracker.get_slot("ip_type") if self.kind == DISPUTE else None,
            dispute_type=tracker.get_slot("dispute_type") if self.kind == DISPUTE else None,
            deadline=deadline_date(tracker.get_slot("deadline")) if self.kind == DISPUTE else None,
            transcript=transcript(tracker),
        )
        try:
            report = await knowledge_base.run(reports.create_report, knowledge_base.engine(), draft, today_in_china())
        except Exception:
            logger.exception("saving the %s report of %s failed", self.kind, tracker.sender_id)
            dispatcher.utter_message(response="utter_report_not_saved")
            return [SlotSet("report_confirmed", None)]
        forget = [SlotSet(slot, None) for slot in FORGOTTEN_AFTER_REPORT]
        if not report.urgent:
            response = "utter_dispute_saved" if self.kind == DISPUTE else "utter_feedback_saved"
            days = knowledge_base.settings.report_reply_days
            dispatcher.utter_message(response=response, report_id=report.id, days=days)
            return forget
        dispatcher.utter_message(
            response="utter_dispute_saved_urgent", report_id=report.id, reasons="；".join(report.urgency_reasons)
        )
        notify_staff_soon()
        return [*forget, *await hand_off(dispatcher, tracker, "urgent_report", urgent=True, report_id=report.id)]


def notify_staff_soon() -> None:
    """Sends due staff notifications in the background; the console retries failures."""
    url = knowledge_base.settings.staff_webhook_url
    task = asyncio.get_running_loop().run_in_executor(None, notifications.deliver_due, knowledge_base.engine(), url)
    task.add_done_callback(_log_failure)


def _log_failure(future: "asyncio.Future[Any]") -> None:
    if future.exception() is not None:
        logger.error("notifying staff failed; the console will retry", exc_info=future.exception())


class ActionSubmitDispute(SubmitReport):
    kind = DISPUTE

    def name(self) -> Text:
        return "action_submit_dispute"


class ActionSubmitUnfairTreatment(SubmitReport):
    kind = UNFAIR_TREATMENT

    def name(self) -> Text:
        return "action_submit_unfair_treatment"


class ActionDiscardForm(Action):
    """Ends the form without saving anything, after the user said so twice."""

    def name(self) -> Text:
        return "action_discard_form"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Dict[Text, Any]]:
        form = tracker.active_loop_name or ""
        dispatcher.utter_message(response="utter_form_discarded")
        cleared = set(FORGOTTEN_AFTER_REPORT) | set(form_fields(domain, form)) | {"expert_id"}
        return [ActiveLoop(None), SlotSet("requested_slot", None), *[SlotSet(s, None) for s in sorted(cleared)]]


# Words of a status check (of a report here); without them a short question after an answer
# is about that answer.
STATUS_WORDS = re.compile(r"进度|进展|状态|编号|登记|反映|处理到|到哪|结果|查一下|查询|HW-", re.I)


CASES = ("case",)
# How much of a question filed as a status check, without its words, the library must cover:
# less than for off-topic messages, since the question is about this service's matters.
UNWORDED_STATUS_COVERAGE = 0.3
# A case named by its parties (华为诉中兴那个案子, Samsung v. Apple): a public case, not a report.
NAMED_CASE = re.compile(r"[\u4e00-\u9fffA-Za-z]{2,}\s*(?:诉|告|v\.|vs\.?)\s*[\u4e00-\u9fffA-Za-z]{2,}", re.I)


# What is meant as a report id, whole or not (HW-2026-1, HW123).
MALFORMED_ID = re.compile(r"(?<![A-Za-z])HW[-_ ]?[0-9A-Za-z-]*(?<!-)", re.I)


def case_coverage(tracker: Tracker) -> float:
    """How much of a status question the cases must cover to answer it: a question that names
    a case by its parties and says nothing of a report is about that case, so a fair match is
    enough; otherwise only a good one, since most such questions are about a report."""
    text = question_text(tracker)
    named = NAMED_CASE.search(text) and not STATUS_WORDS.search(text)
    return answers.MIN_COVERAGE if named else CONFIDENT_COVERAGE


def followed_answer(tracker: Tracker) -> Optional[Dict[Text, Any]]:
    """The answer a short question that says nothing of a report follows, if any."""
    text = question_text(tracker)
    if is_short(text) and answer_types.is_question(text) and not STATUS_WORDS.search(text):
        return recalled(tracker)
    return None


class ActionReportStatus(Action):
    """A report's status and history, for the conversation that filed it or for whoever
    gives the phone number on it; an unknown id and someone else's get the same answer."""

    def name(self) -> Text:
        return "action_report_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        entities = message_entities(tracker)
        # What the classifier takes for an id is one only when it starts as one (not T- of T-Mobile).
        claimed = entities.get("report_id") if MALFORMED_ID.match(entities.get("report_id") or "") else None
        given = claimed or next(iter(MALFORMED_ID.findall(question_text(tracker))), "")
        if given and not reports.is_report_id(given):
            # Not a lookup: the format is told, and the id given next is looked up.
            dispatcher.utter_message(response="utter_report_id_malformed", value=given)
            return [SlotSet("report_id", None), SlotSet("pending_topic", "check_report_status")]
        stored = tracker.get_slot("report_id") or ""  # Rasa fills it from the entity too
        report_id = (claimed or (stored if MALFORMED_ID.match(stored) else "")).upper()
        channel, engine = channel_of(tracker), knowledge_base.engine()
        if not report_id:
            own = await knowledge_base.run(reports.reports_of, engine, tracker.sender_id, channel)
            if not own:
                return await self.without_id(dispatcher, tracker)
            for mine in own[:3]:
                self.utter_status(dispatcher, mine)
            return []
        phone = entities.get("phone") or normalise_phone(question_text(tracker))
        try:
            report: Optional[Report] = await knowledge_base.run(
                reports.find_for_requester,
                engine,
                report_id,
                tracker.sender_id,
                channel,
                phone,
                knowledge_base.settings.phone_checks_per_hour,
            )
        except reports.PhoneChecksExhausted as exhausted:
            dispatcher.utter_message(
                response="utter_report_checks_exhausted", report_id=report_id, retry_at=china_time(exhausted.retry_at)
            )
            return [SlotSet("report_id", None), SlotSet("pending_topic", None)]
        if report is not None:
            self.utter_status(dispatcher, report)
            return [SlotSet("report_id", None), SlotSet("pending_topic", None)]
        if phone:
            dispatcher.utter_message(response="utter_report_not_found", report_id=report_id)
            return [SlotSet("report_id", None), SlotSet("pending_topic", None)]
        dispatcher.utter_message(response="utter_ask_report_phone", report_id=report_id)
        return [SlotSet("report_id", report_id), SlotSet("pending_topic", "check_report_status")]

    @staticmethod
    async def without_id(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
        """No id and no report of this conversation: the progress of a matter elsewhere (an
        office's examination, a lawsuit) is not known; a short question just after an answer
        that says nothing of a report (“区县一级有没有”) follows that answer; “那个案子最后结果
        怎样” about a public case is answered from the cases, and a question without a status
        check's words that the library covers well from it; otherwise the id is asked for.
        Either way an id given next is looked up."""
        # The rules alone: a status check reads like the progress questions the classifier refuses.
        reason = beyond_reach(question_text(tracker), learned=False)
        if reason is not None:
            dispatcher.utter_message(
                response="utter_cannot_answer",
                reason=REASONS[reason],
                buttons=[button("咨询专家", "request_expert", {}), button("转人工", "request_human", {})],
            )
        elif (context := followed_answer(tracker)) is not None:
            return await answer_question(dispatcher, tracker, str(context["intent"]))
        elif (answered := await answer_from_library(dispatcher, tracker, case_coverage(tracker), CASES)) is not None:
            return answered
        elif not STATUS_WORDS.search(question_text(tracker)) and (
            answered := await answer_from_library(dispatcher, tracker, UNWORDED_STATUS_COVERAGE)
        ):
            return answered
        else:
            dispatcher.utter_message(response="utter_ask_report_id")
        return [SlotSet("pending_topic", "check_report_status")]

    @staticmethod
    def utter_status(dispatcher: CollectingDispatcher, report: Report) -> None:
        history = "\n".join(
            f"{china_time(event.at)} {event.status}{'：' + event.note if event.note else ''}"
            for event in report.history
        )
        dispatcher.utter_message(
            response="utter_report_status_closed" if report.status == CLOSED else "utter_report_status",
            report_id=report.id,
            kind=KIND_LABELS[report.kind],
            status=report.status,
            result=report.result or "",
            history=history,
        )
