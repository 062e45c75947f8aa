"""Chinese names of intents and fields, and button payloads, for buttons and summaries."""

import json
from typing import Dict, List, Text

# Topics the assistant offers when it is unsure, and their button titles.
INTENT_LABELS: Dict[Text, Text] = {
    "ask_dispute_guidance": "纠纷应对指引",
    "ask_country_guide": "国别指南",
    "ask_risk_warning": "风险预警",
    "ask_case": "典型案例",
    "ask_exhibition": "境外参展服务",
    "ask_insurance": "知识产权保险",
    "ask_funding": "维权资助与互助基金",
    "ask_mediation": "调解与仲裁",
    "ask_contact": "联系方式",
    "ask_training": "培训与讲座",
    "ask_law_update": "法律政策动态",
    "report_dispute": "登记纠纷",
    "report_unfair_treatment": "反映不公平待遇",
    "check_report_status": "查询办理进度",
    "request_expert": "咨询专家",
    "request_human": "人工服务",
    "subscribe_alerts": "订阅风险预警",
    "ask_capabilities": "我能做什么",
}

# Slots and entities as the user reads them, in summaries, menus and “I understood…” lines.
FIELD_LABELS: Dict[Text, Text] = {
    "company_name": "企业名称",
    "phone": "联系电话",
    "country": "国家/地区",
    "ip_type": "知识产权类型",
    "dispute_type": "纠纷类型",
    "deadline": "应对截止日期",
    "description": "事情经过",
    "industry": "行业",
    "district": "区县",
    "report_id": "登记编号",
}


def entity_summary(entities: List[Dict[Text, Text]]) -> Text:
    """“（国家/地区：美国；知识产权类型：商标）” for the known entities of a message, or ""."""
    pairs: List[Text] = []
    for entity in entities:
        label = FIELD_LABELS.get(entity.get("entity", ""))
        pair = f"{label}：{entity.get('value')}"
        if label and pair not in pairs:
            pairs.append(pair)
    return f"（{'；'.join(pairs)}）" if pairs else ""


def payload(intent: Text, entities: Dict[Text, Text]) -> Text:
    """A button payload that sends `intent` with `entities`, as Rasa parses `/intent{...}`."""
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}" if entities else f"/{intent}"


def button(title: Text, intent: Text, entities: Dict[Text, Text]) -> Dict[Text, Text]:
    """A button sending `intent` with `entities`."""
    return {"title": title, "payload": payload(intent, entities)}
