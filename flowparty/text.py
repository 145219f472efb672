"""Text on a terminal by its width in columns, and where a line may break: never inside a 身份证号, a date, a path,
an option or a command (a run of narrow characters), a value in double quotes or a ［…］ note; a line never
starts with a closing sign. Help pages (usage) and messages (ui) wrap by the same rules.
"""

from __future__ import annotations

import re

_NO_LINE_START = set("，。、；：！？）》」』”’】〕］,.;:!?)]}…/／")
_NO_LINE_END = set("（《「『“‘【〔［")


# The wide (two-column) ranges of East Asian scripts and full-width forms, after Markus Kuhn's wcwidth.
_WIDE = re.compile("[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
                   "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]")


def _wide(char: str) -> bool:
    return _WIDE.match(char) is not None


def display_width(text: str) -> int:
    """Columns the text takes on a terminal: a Chinese character or full-width sign takes two (one regex, not
    char by char: export measures every cell of a big workbook with it)."""
    return len(text) if text.isascii() else len(text) + len(_WIDE.findall(text))


_WHOLE = {'"': '"', "［": "］"}  # a value in double quotes and a ［默认：…］ note: never broken


def _atoms(text: str) -> list[list]:
    """[piece, space before] in order: a line may break between pieces, never inside one. A run of narrow
    characters (a 身份证号, a date, a path, an option) is one piece, and so is a value in double quotes or a
    ［…］ note; each Chinese character is one; a closing sign keeps to what it closes and an opening one to what
    it opens."""
    atoms: list[list] = []
    space, closer = False, None
    for char in text:
        if closer:  # inside "…" or ［…］: everything up to the closing sign stays with the opening one
            atoms[-1][0] += char
            closer = None if char == closer else closer
            continue
        if char.isspace():
            space = True
            continue
        joins = atoms and not space and (char in _NO_LINE_START or atoms[-1][0][-1] in _NO_LINE_END
                                         or not _wide(char) and not _wide(atoms[-1][0][-1]))
        if joins:
            atoms[-1][0] += char
        else:
            atoms.append([char, space])
        space, closer = False, _WHOLE.get(char)
    return atoms


def wrap(text: str, width: int, initial: str = "", subsequent: str = "") -> str:
    """The text in lines of at most width columns (indents included); a piece wider than a line stands alone."""
    lines: list[str] = []
    line, empty = initial, True
    for atom, space in _atoms(text):
        piece = (" " if space and not empty else "") + atom
        if not empty and display_width(line + piece) > width:
            lines.append(line)
            line = subsequent + atom
        else:
            line += piece
        empty = False
    lines.append(line)
    return "\n".join(lines)
