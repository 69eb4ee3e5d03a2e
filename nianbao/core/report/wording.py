"""The draft's fixed wording (no figures), placeholders, and official labels as the draft
quotes them.

``WORDING`` entries may be overridden by the Word template (templates/report-template.docx);
sentences that state figures are not here: they are written by ``proactive``,
``applications``, ``unit_texts`` and ``notice``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from nianbao.core.report.types import Paragraph, ParagraphKind, Sentence

PLACEHOLDER_PREFIX = "【待填写："
PLACEHOLDER_SUFFIX = "】"

_LEADING_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+\.)")
TRAILING_NOTE = re.compile(r"（[^（）]*）$")

# Fixed wording of the draft, by key. ``{…}`` fields are filled from ``Report.fields``.
WORDING: dict[str, str] = {
    "intro": (
        "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《{格式名称}》（{文号}）要求，"
        "现公布{地区}{年度}年政府信息公开工作年度报告。本报告由{组成部分}{部分数}个部分组成。"
        "本报告中所列数据的统计时限为{年度}年1月1日至{年度}年12月31日。"
    ),
    "overview": "本年度政府信息公开工作总体情况，如贯彻落实上级部署、制定工作方案、组织推进等。",
    "proactive": "主动公开工作举措及成效，如重点领域信息公开、政策解读、回应关切等。",
    "management": "政府信息管理情况，如公开发布审查、保密审查、公开目录动态调整等。",
    "platform": "政府信息公开平台建设情况，如政府网站、政务新媒体、信息查阅点等。",
    "supervision": "监督保障情况，如工作考核、社会评议、责任追究、业务培训等。",
    "problems": "存在的主要问题及改进情况。",
    "problems_units": (
        "综合各单位报送的材料，归纳存在的主要问题及改进情况。以下为各单位报送原文，定稿前删除。"
    ),
    "other_units": (
        "综合各单位报送的材料，填写其他需要报告的事项。以下为各单位报送原文，定稿前删除。"
    ),
    "nothing": "无。",
}

# What each wording entry is for (shown beside it in the Word template).
WORDING_USES: dict[str, str] = {
    "intro": "标题后的引言",
    "overview": "一、总体情况：待填写提示",
    "proactive": "（一）主动公开：待填写提示",
    "management": "（三）政府信息管理：待填写提示",
    "platform": "（四）政府信息公开平台建设：待填写提示",
    "supervision": "（五）监督保障：待填写提示",
    "problems": "五、存在的主要问题及改进情况：无单位材料时的待填写提示",
    "problems_units": "五、存在的主要问题及改进情况：单位材料前的待填写提示",
    "other_units": "六、其他需要报告的事项：单位材料前的待填写提示",
    "nothing": "六、其他需要报告的事项：没有内容时",
}


class _KeepMissing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill_wording(template: str, fields: Mapping[str, str]) -> str:
    """A wording entry with its ``{…}`` fields filled; unknown fields are left as written."""
    try:
        return template.format_map(_KeepMissing(fields))
    except (ValueError, IndexError):  # stray braces typed in the template: keep as written
        return template


def wording(key: str, fields: Mapping[str, str] | None = None) -> Paragraph:
    """A generated paragraph of fixed wording."""
    return Paragraph((Sentence(fill_wording(WORDING[key], fields or {})),), key=key)


def placeholder(key: str) -> Paragraph:
    """A paragraph a person must write: ``【待填写：…】`` with the prompt ``WORDING[key]``."""
    text = f"{PLACEHOLDER_PREFIX}{WORDING[key]}{PLACEHOLDER_SUFFIX}"
    return Paragraph((Sentence(text),), ParagraphKind.PLACEHOLDER, key)


def strip_number(label: str) -> str:
    """An official label without its leading number: ``二、主动公开…`` -> ``主动公开…``."""
    return _LEADING_NUMBER.sub("", label, count=1)
