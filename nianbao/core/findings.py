"""Validation findings: values with a stable code, a severity, a location and a message.

Every code lives in ``CATALOGUE`` with a Chinese title, a message template filled from the
finding's own fields, and a fix hint. Checks yield findings; nothing here raises.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Any

from nianbao.core.spec import Severity

E, W = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class Kind:
    """One entry of the findings catalogue."""

    code: str
    severity: Severity
    title: str
    template: str
    hint: str


_KINDS = (
    Kind(
        "file-unreadable",
        E,
        "无法读取文件",
        "文件“{file}”无法作为Excel工作簿读取：{actual}。",
        "请用Excel或WPS打开下发的模板，填写后另存为.xlsx格式（不加密码）重新报送。",
    ),
    Kind(
        "workbook-too-large",
        E,
        "工作簿过大，未读取",
        "文件“{file}”{actual}，超过上限{expected}，未读取。",
        "报表文件通常只有几十KB。请在下发的模板中只填写本表的数字和文字，不要粘贴大量数据或"
        "插入图片，保存后重新报送。",
    ),
    Kind(
        "sheets-ignored",
        W,
        "模板以外的工作表未读取",
        "工作簿中的工作表{actual}不属于模板，其内容未读取，也不计入汇总。",
        "请只在模板原有的工作表中填写；需要说明的情况请写在“五六、文字材料及联系人”工作表中。",
    ),
    Kind(
        "file-too-large",
        E,
        "文件过大，未读取",
        "文件“{file}”有{actual}，超过上限{expected}，未读取，不作为本单位的报送文件。",
        "报表文件通常只有几十KB。请用下发的模板重新填写，不要插入图片或粘贴大量数据，保存后重新报送。",
    ),
    Kind(
        "symlink-refused",
        E,
        "快捷方式（链接）未读取",
        "“{file}”是快捷方式（符号链接），{actual}；为安全起见不读取链接，不作为报送文件。",
        "请把报表文件本身（而不是快捷方式）复制到本单位文件夹中。",
    ),
    Kind(
        "unit-folder-refused",
        E,
        "单位文件夹是快捷方式（链接），未读取",
        "单位文件夹“{file}”是快捷方式（符号链接），{actual}；为安全起见其中的文件都未读取。",
        "请系统管理员把该单位的文件夹改为共享文件夹中的普通文件夹。",
    ),
    Kind(
        "folder-unreadable",
        E,
        "单位文件夹无法打开",
        "单位文件夹“{file}”无法打开：{actual}；其中的文件未读取，其他单位不受影响。",
        "请系统管理员检查该文件夹的访问权限。",
    ),
    Kind(
        "file-not-read",
        E,
        "文件无法打开",
        "“{file}”无法作为文件读取：{actual}，未处理。",
        "请把报表文件本身放入本单位文件夹；如仍有问题请联系系统管理员。",
    ),
    Kind(
        "subfolder-ignored",
        W,
        "子文件夹中的文件未读取",
        "单位文件夹中的子文件夹“{file}”未读取。",
        "请把报表文件直接放在本单位文件夹中，不要放在子文件夹里。",
    ),
    Kind(
        "file-arriving",
        W,
        "文件正在写入，下次汇总时处理",
        "文件正在写入，下次汇总时处理：“{file}”。本次汇总沿用本单位此前的报送情况。",
        "无需操作。如文件已复制完毕，下次汇总时会自动处理。",
    ),
    Kind(
        "unit-file-failed",
        E,
        "处理本单位文件时出错",
        "处理文件“{file}”时出错（{expected}）：{actual}。本次未处理该文件，其他单位不受影响。",
        "请联系系统维护人员；问题排除后下次汇总时会重新处理。",
    ),
    Kind(
        "metadata-missing",
        E,
        "模板标识缺失",
        "文件“{file}”中找不到模板标识（隐藏的“{sheet}”工作表），无法确认填报单位和年度。",
        "请使用本年度下发的模板填写，不要复制粘贴到其他工作簿。",
    ),
    Kind(
        "wrong-unit-folder",
        E,
        "文件放错了单位文件夹",
        "文件属于“{expected}”，却放在了“{actual}”的报送文件夹中。",
        "请把文件放入本单位自己的文件夹，或使用本单位的模板。",
    ),
    Kind(
        "unknown-unit",
        E,
        "单位不在名单中",
        "文件夹“{actual}”不是本年度报送名单中的单位，其中的文件未处理。",
        "请联系政务公开办确认单位代码。",
    ),
    Kind(
        "misplaced-file",
        W,
        "文件不在单位文件夹中",
        "文件“{file}”直接放在收件箱中，不在任何单位的文件夹里，未处理。",
        "请把文件放入 inbox 下本单位代码命名的文件夹。",
    ),
    Kind(
        "wrong-year",
        E,
        "报告年度不符",
        "模板的报告年度是{actual}年，本次汇总的是{expected}年度，可能误用了往年的模板。",
        "请使用{expected}年度模板重新填写，保存到本单位的报送文件夹。",
    ),
    Kind(
        "format-mismatch",
        E,
        "报告格式不符",
        "报表采用{actual}格式，本年度应采用{expected}格式。",
        "请使用本年度下发的模板重新填报。",
    ),
    Kind(
        "sheet-missing",
        E,
        "缺少工作表",
        "缺少工作表“{sheet}”。",
        "请勿删除或重命名模板中的工作表。",
    ),
    Kind(
        "label-changed",
        E,
        "表格结构被改动",
        "工作表“{sheet}”单元格{cell}应为“{expected}”，实为“{actual}”，表格的行列可能被插入、删除或移动。",
        "请勿在表格中插入或删除行列；请在下发的模板上重新填写。",
    ),
    Kind(
        "not-a-number",
        E,
        "不是数字",
        "“{labels}”（{sheet}!{cell}）应填数字，实为“{actual}”。",
        "请只填写阿拉伯数字，不要带单位或文字。",
    ),
    Kind(
        "not-an-integer",
        E,
        "不是整数",
        "“{labels}”（{sheet}!{cell}）应为整数，实为{actual}。",
        "件数、项数请填写整数。",
    ),
    Kind(
        "negative-value",
        E,
        "不能为负数",
        "“{labels}”（{sheet}!{cell}）不能为负数，实为{actual}。",
        "只有“本年增/减”可以填负数。",
    ),
    Kind(
        "blank-cell",
        W,
        "空白单元格按0计",
        "“{labels}”（{sheet}!{cell}）为空白，已按0计算。",
        "没有数据的单元格请填0。",
    ),
    Kind(
        "a1-balance",
        E,
        "收支不平衡（A1）",
        "“{columns}”列：一、本年新收 + 二、上年结转 = {expected}，"
        "（七）总计 + 四、结转下年度继续办理 = {actual}，两边应相等；“{short_side}”少了{gap}，"
        "很可能漏填了其中某项。",
        "请在少的一边补上漏填的数字（红色单元格；浅红色的一边可能是对的）。多为漏填某项办理结果："
        "补填在“三、本年度办理结果”的相应行，（七）总计自动计算；不要把差额填入“四、结转下年度继续办理”，"
        "结转只计年底尚未办结的申请。如是“一、本年新收 + 二、上年结转”少，请核对收到的申请数。",
    ),
    Kind(
        "a2-outcome-sum",
        E,
        "办理结果合计不符（A2）",
        "“{labels}”（{sheet}!{cell}）应等于各项办理结果之和{expected}，实为{actual}。",
        "请核对各项办理结果；总计单元格是公式，请勿手工改写。",
    ),
    Kind(
        "a3-applicant-sum",
        E,
        "申请人合计不符（A3）",
        "“{labels}”（{sheet}!{cell}）应等于各类申请人之和{expected}，实为{actual}。",
        "请核对本行各类申请人数量；总计单元格是公式，请勿手工改写。",
    ),
    Kind(
        "b1-review-sum",
        E,
        "复议诉讼合计不符（B1）",
        "“{labels}”（{sheet}!{cell}）应等于结果维持、结果纠正、其他结果、尚未审结之和{expected}，"
        "实为{actual}。",
        "请核对复议、诉讼各项结果数量。",
    ),
    Kind(
        "a6-carry-over",
        W,
        "上年结转与上年报表不一致（A6）",
        "“{labels}”（{sheet}!{cell}）应等于上年报表的“四、结转下年度继续办理”{expected}，实为{actual}。",
        "如因机构调整等原因确有变化，请在“说明”中写明原因。",
    ),
    Kind(
        "c1-item-continuity",
        W,
        "上一年项目数量与上年报表不一致（C1）",
        "“{labels}”（{sheet}!{cell}）应等于上年的上一年项目数量加本年增/减，即{expected}，实为{actual}。",
        "如因机构调整等原因确有变化，请在“说明”中写明原因。",
    ),
    Kind(
        "c3-in-force-continuity",
        W,
        "现行有效件数与上年不衔接（C3）",
        "“{labels}”（{sheet}!{cell}）应等于上年现行有效件数加本年制发件数减本年废止件数，"
        "即{expected}，实为{actual}。",
        "请核对现行有效件数；如有清理等原因，请在“说明”中写明。",
    ),
    Kind(
        "plausibility-year",
        W,
        "主要数字与上年相比变化异常",
        "{subject}“{labels}”（{sheet}!{cell}）本年为{actual}，上年为{expected}，{basis}；"
        "变化远超一般年度波动，可能多填或少填了位数。",
        "请核对这个数字；如确实如此（如机构调整、业务量变化），请在“说明”中写明原因。",
    ),
    Kind(
        "plausibility-peer",
        W,
        "主要数字与同类单位相比异常",
        "{subject}“{labels}”（{sheet}!{cell}）为{actual}，{basis}；"
        "明显偏离同类单位，可能多填或少填了位数。",
        "请核对这个数字；如确实如此（如本单位业务量特别大），请在“说明”中写明原因。",
    ),
    Kind(
        "plausibility-kind",
        W,
        "本类单位不应有此项数字",
        "{subject}在“{labels}”（{sheet}!{cell}）填了{actual}，但{basis}。",
        "请核对是否填错了行（如把规范性文件填在了规章一行）；如确有其事，请在“说明”中写明。",
    ),
    Kind(
        "format-detected",
        W,
        "模板标识缺失，已按表格内容识别",
        "文件中找不到模板标识，已根据表格标签识别为{actual}格式，填报单位按所在文件夹确定。",
        "请使用本年度下发的模板填写，不要复制粘贴到其他工作簿。",
    ),
    Kind(
        "narrative-sum-mismatch",
        W,
        "文字材料中的合计数与分项之和不符",
        "文字材料“{labels}”中“{actual}”与其后所列各项之和{expected}不符。",
        "请核对文字材料中的合计数和各分项数字。",
    ),
    Kind(
        "narrative-table-mismatch",
        W,
        "文字材料中的数字与报表不符",
        "文字材料“{labels}”中“{actual}”与报表数据{expected}不符。",
        "请核对文字材料中引用的数字，使其与报表一致。",
    ),
    Kind(
        "duplicate-file",
        W,
        "同一单位有多个文件",
        "本单位文件夹中有多个报送文件，采用最新的“{expected}”，未采用“{actual}”。",
        "每个单位只保留一个报送文件。",
    ),
    Kind(
        "total-mismatch",
        E,
        "汇总数据不一致",
        "汇总后单元格{cell}为{actual}，按各项重新计算应为{expected}。",
        "这是程序内部错误，请联系系统维护人员。",
    ),
    Kind(
        "breakdown-unreadable",
        E,
        "下级单位明细无法读取",
        "“{sheet}”工作表{cell}：{actual}，无法核对下级单位明细。",
        "“下级单位明细”由下级的 nianbao export-upward 生成，请不要手工修改；请下级重新导出后报送。",
    ),
    Kind(
        "breakdown-mismatch",
        E,
        "下级单位明细与报表数不符",
        "“{sheet}”工作表{cell}（{labels}）：各下级单位相加为{actual}，报表中为{expected}。",
        "“下级单位明细”由下级的 nianbao export-upward 生成，请不要手工修改；"
        "请下级核对后重新导出、报送。",
    ),
    Kind(
        "breakdown-altered",
        E,
        "下级单位明细被改动",
        "“{sheet}”工作表{cell}（{labels}）的数字与该行校验码不符，导出后被改动过。",
        "“下级单位明细”由下级的 nianbao export-upward 生成，请不要手工修改；请下级重新导出后报送。",
    ),
    Kind(
        "too-many-findings",
        W,
        "问题过多，仅列出部分",
        "本文件发现的问题超过{expected}条，其余未列出。",
        "请先改正已列出的问题后重新报送。",
    ),
)

CATALOGUE: dict[str, Kind] = {k.code: k for k in _KINDS}

# Plausibility warnings: figures that pass every identity but look wrong (against the unit's
# last year, its peers, its kind); computed over all units at consolidation, ranked by
# ``Finding.significance`` on the review list.
PLAUSIBILITY_CODES = frozenset({"plausibility-year", "plausibility-peer", "plausibility-kind"})
# Findings on a file the intake did not read (a link, too large, still being written, …):
# they are the run's findings on the unit (the board, status.json's top-level findings) and
# do not change its status; the file is no submission.
NOT_READ_CODES = frozenset(
    {
        "file-too-large",
        "symlink-refused",
        "unit-folder-refused",
        "folder-unreadable",
        "file-not-read",
        "subfolder-ignored",
        "file-arriving",
        "unit-file-failed",
    }
)
# Findings on a file that was not (or may not be) parsed: its original goes to quarantine.
UNREADABLE_CODES = frozenset({"file-unreadable", "workbook-too-large"})
# Findings after which a workbook's figures cannot be attributed to the unit and cycle.
IDENTITY_CODES = UNREADABLE_CODES | {
    "metadata-missing",
    "wrong-unit-folder",
    "wrong-year",
    "format-mismatch",
}


@dataclass(frozen=True)
class Finding:
    """One problem found in a submission (or in the consolidated totals)."""

    code: str
    unit: str = ""
    file: str = ""
    sheet: str = ""
    cell: str = ""
    row_path: tuple[str, ...] = ()
    column_path: tuple[str, ...] = ()
    expected: str = ""
    actual: str = ""
    explanation: str = ""  # the unit's own 说明, for a warning it has justified
    # For a broken identity: every cell of its equation on ``sheet`` (both sides), and the
    # ones on the side that probably holds the mistake (the short side; a typed-over total).
    cells: tuple[str, ...] = ()
    suspects: tuple[str, ...] = ()
    short_side: str = ""  # official labels of the short side, joined with " + "
    gap: str = ""  # by how much it is short
    # A plausibility warning: the unit as its message names it, why the figure is suspicious,
    # and how much (0 for every other finding; 1 at the check's threshold, more beyond).
    subject: str = ""
    basis: str = ""
    significance: float = 0.0

    @property
    def kind(self) -> Kind:
        """Catalogue entry."""
        return CATALOGUE[self.code]

    @property
    def severity(self) -> Severity:
        """Error or warning, from the catalogue."""
        return self.kind.severity

    @property
    def labels(self) -> str:
        """Official labels of the location, joined."""
        return " / ".join((*self.row_path, *self.column_path))

    @property
    def columns(self) -> str:
        """Official column labels of the location, joined."""
        return " / ".join(self.column_path)

    @property
    def message(self) -> str:
        """The Chinese message a clerk reads."""
        return render(self.kind.template, self)

    @property
    def hint(self) -> str:
        """How to fix it, in Chinese."""
        return render(self.kind.hint, self)

    def to_json(self) -> dict[str, Any]:
        """Serialisable form used in ``status.json``."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "sheet": self.sheet,
            "cell": self.cell,
            "row_path": list(self.row_path),
            "column_path": list(self.column_path),
            "expected": self.expected,
            "actual": self.actual,
            "message": self.message,
            "hint": self.hint,
            "explained": bool(self.explanation),
            "explanation": self.explanation,
            "cells": list(self.cells),
            "suspects": list(self.suspects),
            "significance": self.significance,
        }


def placeholders(template: str) -> set[str]:
    """Field names a message template uses."""
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def render(template: str, finding: Finding) -> str:
    """Fill a template from a finding's fields."""
    return template.format(**{p: getattr(finding, p) for p in placeholders(template)})


def has_errors(findings: tuple[Finding, ...] | list[Finding]) -> bool:
    """Whether any finding blocks acceptance."""
    return any(f.severity is Severity.ERROR for f in findings)
