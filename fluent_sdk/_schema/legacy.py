"""Reading SDL written by older GraphQL tooling (the pre-2018 dialect), with each change recorded.

Older exports (graphql-js before 14, tools built on it) write two things today's parser reads
differently:

- ``type Article implements Node, Orchestrateable``: interfaces separated by commas or spaces.
  Commas are insignificant in GraphQL, so a current parser sees two names in a row and stops
  (``Unexpected Name 'Orchestrateable'``). Rewritten as ``implements Node & Orchestrateable``.
- ``#`` comment lines where descriptions go (the old ``commentDescriptions`` convention). A current
  parser ignores comments, and the SDK keeps no descriptions: they are dropped, and recorded so
  nobody wonders where they went. Real descriptions (``"..."``, ``\"\"\"...\"\"\"``) are untouched.

`normalize_legacy_sdl` is pure text-to-text over graphql-core's lexer (so strings and block
strings are never mistaken for syntax); `schema_from_text` calls it only when the SDL does not
parse as it is, and emits a `LegacySdlWarning` listing what it changed, each with its reason (as
`fixes` records schema fixes).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from graphql import GraphQLSyntaxError
from graphql.language import Lexer, Source, Token, TokenKind

__all__ = ["LegacySdlWarning", "SdlNormalization", "normalize_legacy_sdl"]

NormalizationKind = Literal["implements", "comment_description"]

_REASONS: dict[NormalizationKind, str] = {
    "implements": (
        "legacy SDL separates implemented interfaces with commas or spaces; "
        "the current syntax joins them with '&'"
    ),
    "comment_description": (
        "legacy SDL puts descriptions in '#' comments; the SDK keeps no descriptions"
    ),
}
_TYPE_KEYWORDS = frozenset({"type", "interface"})


@dataclass(frozen=True)
class SdlNormalization:
    """One change made to read a legacy SDL file: where, what, and why."""

    kind: NormalizationKind
    line: int
    before: str
    after: str | None  # None: the line was dropped

    @property
    def reason(self) -> str:
        return _REASONS[self.kind]

    def __str__(self) -> str:
        change = (
            f"{self.before!r} -> {self.after!r}"
            if self.after is not None
            else (f"dropped {self.before!r}")
        )
        return f"line {self.line}: {change} ({self.reason})"


class LegacySdlWarning(UserWarning):
    """A schema file was read as legacy SDL; ``normalizations`` lists each change."""

    def __init__(self, origin: str, normalizations: list[SdlNormalization]) -> None:
        self.origin = origin
        self.normalizations = list(normalizations)
        counts = Counter(n.kind for n in normalizations)
        parts = []
        if counts["implements"]:
            parts.append(f"{counts['implements']} 'implements A, B' rewritten as 'A & B'")
        if counts["comment_description"]:
            parts.append(f"{counts['comment_description']} '#' comment descriptions dropped")
        super().__init__(f"{origin}: read as legacy SDL: {'; '.join(parts)}")


def _tokens(text: str) -> list[Token]:
    lexer = Lexer(Source(text))
    while lexer.advance().kind != TokenKind.EOF:
        pass
    tokens: list[Token] = []
    token: Token | None = lexer.token
    while token is not None:
        tokens.append(token)
        token = token.prev
    tokens.reverse()
    return tokens  # SOF, ..., EOF, comments included


def _significant(tokens: list[Token], index: int, step: int) -> Token | None:
    index += step
    while 0 <= index < len(tokens):
        if tokens[index].kind != TokenKind.COMMENT:
            return tokens[index]
        index += step
    return None


_Edit = tuple[int, int, str, "SdlNormalization"]


def _implements_edits(text: str, tokens: list[Token]) -> list[_Edit]:
    edits = []
    for index, token in enumerate(tokens):
        if token.kind != TokenKind.NAME or token.value != "implements":
            continue
        type_name = _significant(tokens, index, -1)
        keyword = _significant(tokens, tokens.index(type_name), -1) if type_name else None
        if keyword is None or keyword.kind != TokenKind.NAME or keyword.value not in _TYPE_KEYWORDS:
            continue  # a field or argument called "implements"
        names: list[Token] = []
        ampersands = 0
        for following in tokens[index + 1 :]:
            if following.kind == TokenKind.NAME:
                names.append(following)
            elif following.kind == TokenKind.AMP:
                ampersands += 1
            elif following.kind != TokenKind.COMMENT:
                break
        if len(names) < 2 or ampersands >= len(names) - 1:
            continue
        start, end = names[0].start, names[-1].end
        joined = " & ".join(str(name.value) for name in names)
        change = SdlNormalization("implements", token.line, text[start:end], joined)
        edits.append((start, end, joined, change))
    return edits


def _comment_edits(text: str, tokens: list[Token]) -> list[_Edit]:
    edits = []
    for index, token in enumerate(tokens):
        if token.kind != TokenKind.COMMENT:
            continue
        line_start = text.rfind("\n", 0, token.start) + 1
        if text[line_start : token.start].strip():
            continue  # a comment at the end of a line of SDL: not a description
        if str(token.value).lstrip().startswith("@generated"):
            continue  # our own header
        following = _significant(tokens, index, 1)
        if following is None or following.kind not in (TokenKind.NAME, TokenKind.AT):
            continue  # not above a definition, field, argument or enum value
        line_end = text.find("\n", token.end)
        line_end = len(text) if line_end < 0 else line_end + 1
        before = text[token.start : token.end]
        edits.append(
            (
                line_start,
                line_end,
                "",
                SdlNormalization("comment_description", token.line, before, None),
            )
        )
    return edits


def normalize_legacy_sdl(text: str) -> tuple[str, list[SdlNormalization]]:
    """``text`` in the current SDL dialect, and the changes made (in file order)."""
    try:
        tokens = _tokens(text)
    except GraphQLSyntaxError:  # not even lexable: nothing to normalise, the parser reports it
        return text, []
    edits = _implements_edits(text, tokens) + _comment_edits(text, tokens)
    edits.sort(key=lambda edit: edit[0])
    result = []
    position = 0
    normalizations = []
    for start, end, replacement, normalization in edits:
        if start < position:  # overlapping (cannot happen: comments and names are disjoint)
            continue
        result.append(text[position:start])
        result.append(replacement)
        position = end
        normalizations.append(normalization)
    result.append(text[position:])
    return "".join(result), normalizations
