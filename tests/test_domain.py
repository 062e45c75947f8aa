"""domain.yml, the rules and the action server agree with each other and the contract."""

import inspect

import yaml
from rasa_sdk import Action

import actions.answers
import actions.conversation
import actions.experts
import actions.fallback
import actions.forms
import actions.handoff
import actions.reports
import actions.services
import actions.subscriptions
from tests.nlu_data import ROOT, contract
from tests.validate_data import responses_uttered_by_code

DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
ALL_RULES = [
    rule
    for name in ("rules.yml", "forms.yml")
    for rule in yaml.safe_load((ROOT / "data" / name).read_text(encoding="utf-8"))["rules"]
]
# What the assistant does on hearing an intent, whatever else is going on.
RULES = [rule for rule in ALL_RULES if "condition" not in rule and "intent" in rule["steps"][0]]
MODULES = (
    actions.answers,
    actions.conversation,
    actions.experts,
    actions.fallback,
    actions.forms,
    actions.handoff,
    actions.reports,
    actions.services,
    actions.subscriptions,
)


def _server_actions():
    found = {}
    for module in MODULES:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Action) and not inspect.isabstract(cls) and cls.__module__ == module.__name__:
                found[cls().name()] = cls
    return found


BUTTON_ONLY_ENTITIES = {"item_id", "page", "field", "expert_id"}


def test_domain_intents_and_entities_are_the_contracts():
    assert set(DOMAIN["intents"]) == set(contract()["intents"])
    assert set(DOMAIN["entities"]) == set(contract()["entities"]) | BUTTON_ONLY_ENTITIES


def test_every_domain_action_is_served_and_every_served_action_is_declared():
    assert set(DOMAIN["actions"]) == set(_server_actions())


def test_every_response_an_action_utters_exists():
    assert responses_uttered_by_code() - set(DOMAIN["responses"]) == set()


def test_every_intent_has_exactly_one_rule_and_services_one_per_branch():
    from actions.services import STARTS

    intents = [step["intent"] for rule in RULES for step in rule["steps"] if "intent" in step]
    # A service intent has two: its form starts for a request; a question about it is answered.
    assert sorted(intents) == sorted([*contract()["intents"], "nlu_fallback", *STARTS])
    for intent in STARTS:
        branches = [
            r["steps"][2]["slot_was_set"][0]["service_question"] for r in RULES if r["steps"][0]["intent"] == intent
        ]
        assert sorted(branches) == [False, True], intent


def test_topic_intents_go_to_actions_and_small_talk_to_responses():
    # out_of_scope goes to an action: a prediction or someone else's case is told why not;
    # ask_capabilities too: a follow-up question is often mistaken for it.
    # bot_challenge too: “这是哪一级的平台” is taken for asking what the assistant is, and
    # greet: “这个上面能看到啥信息” is taken for a greeting.
    small_talk = {"goodbye", "thank"}
    for rule in RULES:
        intent, action = rule["steps"][0]["intent"], rule["steps"][1]["action"]
        if action == "action_triage_service":  # a form starts, or a question about it is answered
            then = rule["steps"][3]["action"]
            assert then == "action_listen" or then.endswith("_form"), rule["rule"]
            continue
        assert action.startswith("utter_" if intent in small_talk else "action_"), rule["rule"]


def test_validation_accepts_only_unused_responses_that_actions_utter():
    from tests.validate_data import unexpected_warnings

    output = "\n".join(
        [
            "UserWarning: The utterance 'utter_clarify' is not used in any story or rule.",
            "UserWarning: The utterance 'utter_forgotten' is not used in any story or rule.",
            "UserWarning: Intent 'greet' has only 2 training examples!",
            "INFO rasa.validator - Validating intents...",
        ]
    )
    assert unexpected_warnings(output, {"utter_clarify"}) == [
        "The utterance 'utter_forgotten' is not used in any story or rule.",
        "Intent 'greet' has only 2 training examples!",
    ]


def test_forms_ask_the_domains_slots_each_with_a_label_for_summaries_and_menus():
    from actions.forms import FINAL_CHOICES, form_fields
    from actions.labels import FIELD_LABELS

    for form, spec in DOMAIN["forms"].items():
        fields = form_fields(DOMAIN, form)
        assert fields == [s for s in spec["required_slots"] if s not in FINAL_CHOICES], form
        assert spec["required_slots"][-1] in FINAL_CHOICES, f"{form} ends with its confirmation or choice"
        assert all(field in FIELD_LABELS for field in fields), form
    assert form_fields(DOMAIN, "no_such_form") == []
