"""The documents' embedded font: Noto Sans (fontpkg-noto-sans, OFL), as static TTF instances.

The wheel ships Noto Sans as one variable font. fpdf2 can instance it itself, but that costs
seconds per document; so the Latin part (Bahasa Indonesia, "Rp", typographic punctuation)
is cut out once, instanced at the weights the documents use, and kept beside the system's
temporary files, named by the font's version: every later document reads two small files."""

from __future__ import annotations

import os
import tempfile
import threading
from importlib import metadata
from pathlib import Path

import fontpkg_noto_sans
from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

FAMILY = "NotoSans"
WEIGHTS = {"": 400, "B": 700}
"""fpdf2 style -> the variable font's `wght`."""
LATIN = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x250),
    *range(0x2000, 0x2070),
    0x20AC,
    0x2116,
    0x2122,
    0x25A0,
]
_LOCK = threading.Lock()


def _source() -> Path:
    return Path(fontpkg_noto_sans.ROOT) / "files" / "NotoSans[wdth,wght].ttf"


def _cache_dir() -> Path:
    version = metadata.version("fontpkg-noto-sans")
    return Path(tempfile.gettempdir()) / f"jumat-smart-fonts-{version}-{os.getuid()}"


def _latin() -> TTFont:
    font = TTFont(_source())
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    cutter = subset.Subsetter(options)
    cutter.populate(unicodes=LATIN)
    cutter.subset(font)
    return font


def _write(path: Path, font: TTFont) -> None:
    """Written under a temporary name, then renamed: a reader never sees half a font."""
    partial = path.with_suffix(f".{os.getpid()}.part")
    font.save(partial)
    partial.replace(path)


def font_files() -> dict[str, Path]:
    """fpdf2 style -> the TTF of that weight, made the first time they are needed."""
    folder = _cache_dir()
    wanted = {style: folder / f"{FAMILY}-{weight}.ttf" for style, weight in WEIGHTS.items()}
    if all(path.exists() for path in wanted.values()):
        return wanted
    with _LOCK:
        missing = {s: p for s, p in wanted.items() if not p.exists()}
        if missing:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            latin = _latin()
            for style, path in missing.items():
                axes = {"wght": WEIGHTS[style], "wdth": 100}
                _write(path, instancer.instantiateVariableFont(latin, axes, inplace=False))
    return wanted
