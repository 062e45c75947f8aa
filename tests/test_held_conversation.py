from rasa.shared.core.events import BotUttered, ConversationPaused, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.held_conversation import HELD, noted_since_pause


def tracker(*events):
    return DialogueStateTracker.from_events("someone", [UserUttered("转人工"), ConversationPaused(), *events])


def test_the_first_message_of_a_pause_is_not_noted_yet():
    assert not noted_since_pause(tracker(UserUttered("有人吗")))


def test_once_noted_or_once_staff_wrote_the_user_is_not_noted_again():
    assert noted_since_pause(tracker(BotUttered("您的消息已收到", metadata={"utter_action": HELD})))
    assert noted_since_pause(tracker(BotUttered("请补充起诉书", metadata={"staff": "值班工作人员"})))


def test_a_note_before_the_latest_pause_does_not_count():
    noted = BotUttered("您的消息已收到", metadata={"utter_action": HELD})
    assert not noted_since_pause(tracker(noted, ConversationPaused()))
