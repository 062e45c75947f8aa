"""The WeChat channel's parts without servers: signatures and crypto against wechatpy's
published vectors (and everything that must be refused), replies as WeChat text, the shared
store of deliveries, options and the access token. The channel through the real Rasa server
is tested in tests/e2e/test_wechat.py."""

import time
import xml.etree.ElementTree as ElementTree
from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import pytest
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto

from bot.channels import wechat as channel
from bot.channels.wechat_menu import click_payloads, published_menu
from bot.channels.wechat_replies import MAX_TEXT_BYTES, as_wechat, cdata, chosen, split, text_xml
from bot.database import create_schema
from knowledge.core import settings as settings_module
from knowledge.records import wechat as records

# wechatpy's tests/test_crypto.py and tests/test_utils.py.
VECTOR = dict(token="123456", aes_key="kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", app_id="wx49f0ab532d5d035a")
ENCRYPTED = """<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>
<Encrypt><![CDATA[RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=]]></Encrypt>
<AgentID><![CDATA[1]]></AgentID>
</xml>"""
ENCRYPTED_QUERY = dict(
    msg_signature="74d92dfeb87ba7c714f89d98870ae5eb62dff26d", timestamp="1411525903", nonce="461056294"
)


def wechat_settings(tmp_path, **changes):
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
        "WECHAT_TOKEN": VECTOR["token"],
        "WECHAT_APP_ID": VECTOR["app_id"],
        "WECHAT_APP_SECRET": "secret",
        "WECHAT_ENCODING_AES_KEY": VECTOR["aes_key"],
        **changes,
    }
    return settings_module.load({k: v for k, v in env.items() if v is not None})


def request(body="", **args):
    return SimpleNamespace(args=args, body=body.encode())


def test_the_plaintext_signature_matches_wechatpys_vector():
    assert channel.signature_of("test", "1410685589", "test") == "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff"


def test_a_fresh_correctly_signed_request_is_taken_and_every_other_refused(tmp_path):
    wechat = channel.WeChatInput(wechat_settings(tmp_path))
    now = str(int(time.time()))
    good = channel.signature_of(VECTOR["token"], now, "n1")
    assert wechat.signed(request(timestamp=now, nonce="n1", signature=good))
    stale = str(int(time.time()) - 600)
    refused = [
        # One hex digit changed (a "0" when it was not one: 1 signature in 16 ends in 0).
        dict(timestamp=now, nonce="n1", signature=good[:-1] + ("1" if good.endswith("0") else "0")),
        dict(timestamp=now, nonce="n2", signature=good),
        dict(timestamp=stale, nonce="n1", signature=channel.signature_of(VECTOR["token"], stale, "n1")),
        dict(timestamp="soon", nonce="n1", signature=channel.signature_of(VECTOR["token"], "soon", "n1")),
        dict(timestamp=now, nonce="n1"),
        {},
    ]
    for args in refused:
        assert not wechat.signed(request(**args)), args


def test_safe_mode_decrypts_wechatpys_vector(tmp_path):
    wechat = channel.WeChatInput(wechat_settings(tmp_path))
    xml = wechat.message_xml(request(ENCRYPTED, encrypt_type="aes", **ENCRYPTED_QUERY))
    message = parse_message(xml)
    assert (message.content, message.source) == ("test", "messense")


@pytest.mark.parametrize(
    "change",
    [
        dict(msg_signature="0" * 40),
        dict(body=ENCRYPTED.replace("RgqE", "RgqF")),
        dict(app_id="wx0000000000000000"),
        dict(encrypt_type=None),
    ],
)
def test_safe_mode_refuses_a_wrong_signature_a_tampered_text_another_app_or_plaintext(tmp_path, change):
    wechat = channel.WeChatInput(wechat_settings(tmp_path, WECHAT_APP_ID=change.get("app_id", VECTOR["app_id"])))
    args = {
        **ENCRYPTED_QUERY,
        "encrypt_type": "aes",
        **{k: v for k, v in change.items() if k not in ("body", "app_id")},
    }
    assert wechat.message_xml(request(change.get("body", ENCRYPTED), **{k: v for k, v in args.items() if v})) is None


def test_a_reply_in_safe_mode_is_encrypted_signed_and_decrypts_to_the_text(tmp_path):
    wechat = channel.WeChatInput(wechat_settings(tmp_path))
    sent = wechat.passive(
        request(encrypt_type="aes", timestamp="1411525903", nonce="461056294"), "user", "gh", "您好]]>"
    )
    assert "您好" not in sent and "<MsgSignature>" in sent
    root = ElementTree.fromstring(sent)
    crypto = WeChatCrypto(VECTOR["token"], VECTOR["aes_key"], VECTOR["app_id"])
    plain = crypto.decrypt_message(
        sent, root.findtext("MsgSignature"), root.findtext("TimeStamp"), root.findtext("Nonce")
    )
    assert parse_message(plain).content == "您好]]>"


def test_buttons_become_numbered_options_and_a_number_picks_one():
    reply = as_wechat(
        [
            {
                "text": "请选择：",
                "buttons": [
                    {"title": "更多细节", "payload": "/more"},
                    {"title": "转人工", "payload": "/request_human"},
                ],
            },
            {"text": "详见[官网](https://www.cnipa.gov.cn)"},
        ]
    )
    assert reply.parts == [
        '请选择：\n回复 1：更多细节\n回复 2：转人工\n详见<a href="https://www.cnipa.gov.cn">官网</a>'
    ]
    assert chosen("2", reply.options) == "/request_human" and chosen(" 1。", reply.options) == "/more"
    assert (
        chosen("3", reply.options) is None
        and chosen("12", reply.options) is None
        and chosen("1号", reply.options) is None
    )


def test_long_replies_are_cut_below_the_limit_at_line_ends_in_order():
    text = "\n".join(f"第{n}行" + "字" * 300 for n in range(12))
    parts = split(text)
    assert all(len(p.encode("utf-8")) <= MAX_TEXT_BYTES for p in parts) and len(parts) > 1
    assert "\n".join(parts) == text
    one_line = "字" * 2000
    assert "".join(split(one_line)) == one_line


def test_cdata_survives_its_own_terminator():
    xml = text_xml("to", "from", "a]]>b<c>", now=1)
    assert parse_message(xml).content == "a]]>b<c>"
    assert cdata("]]>") == "<![CDATA[]]]]><![CDATA[>]]>"


def test_the_menu_maps_each_click_key_to_a_payload_and_publishes_without_them():
    payloads = click_payloads()
    assert payloads["REPORT_DISPUTE"] == "/report_dispute" and payloads["HUMAN"] == "/request_human"
    menu = published_menu()
    assert len(menu["button"]) <= 3 and all(len(b.get("sub_button", [])) <= 5 for b in menu["button"])
    assert "payload" not in str(menu)


@pytest.fixture
def engine(tmp_path):
    return create_schema(f"sqlite:///{tmp_path / 'r.db'}")


def test_a_message_is_taken_once_its_retries_get_its_reply_and_a_reused_nonce_is_a_replay(engine):
    assert records.take_message(engine, "msg:1", "n1").kind == records.NEW
    assert records.take_message(engine, "msg:1", "n2") == records.Delivery(records.RETRY, None)
    records.keep_reply(engine, "msg:1", "<xml>reply</xml>")
    assert records.take_message(engine, "msg:1", "n3") == records.Delivery(records.RETRY, "<xml>reply</xml>")
    assert records.take_message(engine, "msg:2", "n1").kind == records.REPLAY


def test_options_and_held_parts_are_kept_per_user(engine):
    records.seen(engine, "o1", ["/a", "/b"])
    assert records.options_of(engine, "o1") == ["/a", "/b"] and records.options_of(engine, "o2") == []
    records.hold(engine, "o1", ["第一段"])
    records.hold(engine, "o1", ["第二段"])
    assert records.take_held(engine, "o1") == ["第一段", "第二段"] and records.take_held(engine, "o1") == []


def test_one_process_at_a_time_refreshes_the_access_token(engine):
    assert records.cached_token(engine, "app", timedelta(minutes=5)) is None
    assert records.lease_refresh(engine, "app", timedelta(seconds=30)) is True
    assert records.lease_refresh(engine, "app", timedelta(seconds=30)) is False
    records.store_token(engine, "app", "t1", 7200)
    assert records.cached_token(engine, "app", timedelta(minutes=5)) == "t1"
    assert records.cached_token(engine, "app", timedelta(hours=3)) is None  # expires within 3 h
    records.expire_token(engine, "app", "t1")
    assert records.cached_token(engine, "app", timedelta(minutes=5)) is None
    assert records.lease_refresh(engine, "app", timedelta(seconds=30)) is True


@pytest.mark.parametrize(
    "env, missing",
    [
        ({"WECHAT_APP_ID": "wx1"}, "WECHAT_TOKEN"),
        ({"WECHAT_TOKEN": "t"}, "WECHAT_APP_ID"),
        ({"WECHAT_TOKEN": "t", "WECHAT_APP_ID": "wx1"}, "WECHAT_APP_SECRET"),
        (
            {"WECHAT_TOKEN": "t", "WECHAT_APP_ID": "wx1", "WECHAT_APP_SECRET": "s", "WECHAT_ENCODING_AES_KEY": "short"},
            "WECHAT_ENCODING_AES_KEY",
        ),
        ({"WECHAT_ALERT_TEMPLATE_ID": "x"}, "WECHAT_TOKEN"),
        (
            {"WECHAT_TOKEN": "t", "WECHAT_APP_ID": "wx1", "WECHAT_PASSIVE_ONLY": "1", "WECHAT_ALERT_TEMPLATE_ID": "x"},
            "WECHAT_PASSIVE_ONLY=0",
        ),
    ],
)
def test_a_partial_wechat_configuration_is_refused_naming_what_is_missing(env, missing):
    with pytest.raises(settings_module.SettingsError, match=missing):
        settings_module.load(env)


def test_without_a_token_the_channel_is_off_and_a_passive_account_needs_no_secret(tmp_path):
    assert settings_module.load({}).wechat_token == ""
    passive = settings_module.load({"WECHAT_TOKEN": "t", "WECHAT_APP_ID": "wx1", "WECHAT_PASSIVE_ONLY": "1"})
    assert passive.wechat_passive_only and passive.wechat_app_secret == ""
    off = channel.WeChatInput(replace(settings_module.load({}), database_url=f"sqlite:///{tmp_path / 'x.db'}"))
    assert off.engine is None and off.get_output_channel() is None
