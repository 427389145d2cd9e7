"""The Chinese font files are set in (the deck, the 情况汇报 and 成效评估 PDFs): fontconfig is asked for one, Noto
Sans CJK SC from fonts-noto-cjk first, and without one a Chinese message names the package (boxes instead of
glyphs would be worse than no file)."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from tracker.i18n import t

#: Preferred Chinese fonts, best first. The first is what fonts-noto-cjk installs on Debian.
PREFERRED_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "Source Han Sans CN",
                   "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC")
#: Where the preferred font lives when fontconfig's tools are missing.
KNOWN_FONT_FILES = {
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc": "Noto Sans CJK SC",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc": "Noto Sans CJK SC",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc": "Noto Sans CJK SC",
}


class FontNotFound(RuntimeError):
    """No font with Chinese glyphs: the files would show boxes."""


@dataclass(frozen=True)
class CjkFont:
    family: str
    path: str


def _fontconfig_fonts() -> list[tuple[list[str], str]]:
    """(families, file) of every font fontconfig knows that covers Chinese."""
    try:
        out = subprocess.run(["fc-list", "-f", "%{family}\t%{file}\n", ":lang=zh-cn"], capture_output=True,
                             text=True, timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    fonts = []
    for line in out.splitlines():
        if "\t" in line:
            families, path = line.split("\t", 1)
            fonts.append(([f.strip() for f in families.split(",") if f.strip()], path.strip()))
    return fonts


def find_cjk_font(lang: str = "zh") -> CjkFont:
    """The Chinese font the files are set in, e.g. Noto Sans CJK SC in /usr/share/fonts/opentype/noto/."""
    fonts = _fontconfig_fonts()
    for wanted in PREFERRED_FONTS:
        for families, path in fonts:
            if wanted in families:
                return CjkFont(wanted, path)
    for path, family in KNOWN_FONT_FILES.items():
        if Path(path).exists():
            return CjkFont(family, path)
    for families, path in fonts:   # any other font that covers Simplified Chinese
        if families and "Mono" not in families[0]:
            return CjkFont(families[0], path)
    raise FontNotFound(t("brief.no_font", lang))
