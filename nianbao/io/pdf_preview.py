"""PDF preview of a Word draft with LibreOffice headless (``soffice --convert-to pdf``).

The official fonts (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体) are rarely installed on Linux;
for the preview, fontconfig is told to use the nearest installed CJK font for each one that
is missing (Noto Serif CJK SC for the Song/FangSong styles, bold for the title, Noto Sans
CJK SC for 黑体), so the PDF shows the intended contrast between title, headings and body,
in Simplified Chinese glyph forms (the draft also marks its East Asian text zh-CN). The .docx
itself is never changed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from nianbao.io.staging import Staging

INSTALL_HINT = (
    "未找到 LibreOffice（soffice 命令），无法生成PDF预览。"
    "Debian/Ubuntu 请安装：sudo apt-get install -y libreoffice-writer fonts-noto-cjk"
    "（服务器上可用 libreoffice-writer-nogui）；Windows/macOS 请从 https://zh-cn.libreoffice.org "
    "下载安装，或直接用 Word/WPS 打开初稿查看。"
)

SERIF, SANS, KAI = "Noto Serif CJK SC", "Noto Sans CJK SC", "AR PL UKai CN"
SONG, HEI = ((SERIF,), False), ((SANS,), False)
# font named in a draft (ours, or an office's own template) -> (stand-ins in order of
# preference, embolden). The stand-ins are the Simplified Chinese (SC) faces: fontconfig's
# own fallback for a missing CJK font picks the Japanese (JP) face of the same collection.
STAND_INS: dict[str, tuple[tuple[str, ...], bool]] = {
    "方正小标宋简体": ((SERIF,), True),
    "方正小标宋_GBK": ((SERIF,), True),
    "仿宋_GB2312": SONG,
    "仿宋": SONG,
    "FangSong": SONG,
    "方正仿宋_GBK": SONG,
    "方正仿宋简体": SONG,
    "宋体": SONG,
    "SimSun": SONG,
    "楷体_GB2312": ((KAI, SERIF), False),
    "楷体": ((KAI, SERIF), False),
    "KaiTi": ((KAI, SERIF), False),
    "方正楷体_GBK": ((KAI, SERIF), False),
    "黑体": HEI,
    "SimHei": HEI,
    "方正黑体_GBK": HEI,
    "方正黑体简体": HEI,
    "微软雅黑": HEI,
    "Microsoft YaHei": HEI,
}


class PreviewError(RuntimeError):
    """LibreOffice is missing or failed (message in Chinese)."""


def find_soffice() -> str | None:
    """The LibreOffice executable, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def installed_families() -> set[str]:
    """Every font family fontconfig knows (each of a font's names: 宋体 and SimSun)."""
    out = subprocess.run(
        ["fc-list", ":", "family"], capture_output=True, text=True, check=False, timeout=30
    )
    return {name.strip() for line in out.stdout.splitlines() for name in line.split(",")}


def fontconfig(path: Path) -> Path | None:
    """Write a fontconfig file adding stand-ins for the missing official fonts; None when
    fontconfig is absent or nothing is missing."""
    if shutil.which("fc-list") is None or not Path("/etc/fonts/fonts.conf").is_file():
        return None
    rules = []
    installed = installed_families()
    for family, (stand_ins, bold) in STAND_INS.items():
        if family in installed:
            continue
        names = "".join(f"<string>{escape(s)}</string>" for s in stand_ins)
        weight = '<edit name="weight" mode="assign"><const>bold</const></edit>' if bold else ""
        rules.append(
            f'<match target="pattern"><test name="family"><string>{escape(family)}</string></test>'
            f'<edit name="family" mode="prepend" binding="strong">{names}</edit>{weight}</match>'
        )
    if not rules:
        return None
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        + "\n".join(rules)
        + "\n</fontconfig>\n",
        encoding="utf-8",
    )
    return path


def to_pdf(docx: Path, out_dir: Path, timeout: int = 300) -> Path:
    """Convert a .docx to PDF in ``out_dir`` (same stem); returns the PDF's path."""
    soffice = find_soffice()
    if soffice is None:
        raise PreviewError(INSTALL_HINT)
    pdf = out_dir / f"{docx.stem}.pdf"
    staging = Staging(out_dir)  # soffice writes there; renamed into place when complete
    staging.folder.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="nianbao-soffice-") as tmp:
        conf = fontconfig(Path(tmp) / "fonts.conf")
        # env(1) adds the variable to the inherited environment (settings.py alone reads it)
        prefix = [] if conf is None else ["env", f"FONTCONFIG_FILE={conf}"]
        profile = (Path(tmp) / "profile").as_uri()  # own profile: works beside a running office
        cmd = [
            *prefix,
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(staging.folder),
            str(docx),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            staging.discard()
            raise PreviewError(f"LibreOffice 转换超时（{timeout}秒）：{docx}") from exc
    written = staging.folder / pdf.name
    if proc.returncode != 0 or not written.is_file():
        staging.discard()
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise PreviewError(f"LibreOffice 转换失败：{detail[-1] if detail else proc.returncode}")
    staging.adopt(written, pdf)
    failed = staging.publish()
    if failed:
        path, error = failed[0]
        raise PreviewError(f"无法写入 {path}：{error}")
    return pdf
