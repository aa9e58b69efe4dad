"""An entity's orchestration audit as a timeline: what `Events.audit` returns. No I/O here.

Fluent records what orchestration did as ``ORCHESTRATION_AUDIT`` events whose
``context.sourceEvents`` names the event being processed; their ``category`` says what each is
(``ruleSet``, ``rule``, ``ACTION``, ``exception``, ``snapshot``, ``CUSTOM``). `AuditTimeline`
groups them by source event, oldest first, and nests each group as a tree: rulesets, the
rules each ran, the actions and exceptions of each rule::

    timeline = client.events.audit("ORDER", ref="WEB-1001")
    print(timeline)               # a text tree
    timeline.failures()           # exceptions, FAILED and NO_MATCH entries, with messages
    timeline.to_pandas()          # one row per entry

The shape of audit events is only partly documented, so reading is lenient: attributes may be
a list of ``{name, value, type}``, an object or null; durations come from ``startTimer`` /
``stopTimer`` (epoch milliseconds) or a ``duration`` attribute when present; a rule is placed
under the ruleset its attributes name, else under the ruleset before it (or, when a ruleset
is logged after its rules, the next one).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import KW_ONLY, dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal

from fluent_sdk._display import records_to_pandas
from fluent_sdk._redact import redact
from fluent_sdk.rest._event_batch import entity_label

if TYPE_CHECKING:
    import pandas

    from fluent_sdk.rest.events import EventRecord

__all__ = ["AuditEntry", "AuditGroup", "AuditKind", "AuditNode", "AuditTimeline"]

#: What an entry is: ``event`` is a source event itself (the ``ORCHESTRATION`` event that was
#: processed); the others are audit categories.
AuditKind = Literal[
    "event", "ruleset", "rule", "action", "exception", "snapshot", "custom", "other"
]

_KINDS: dict[str, AuditKind] = {
    "ruleset": "ruleset",
    "rule": "rule",
    "action": "action",
    "exception": "exception",
    "snapshot": "snapshot",
    "custom": "custom",
}
_FAILED_STATUSES = frozenset({"FAILED", "NO_MATCH"})
_MESSAGE_KEYS = ("message", "errorMessage", "exceptionMessage", "error", "reason", "description")
_RULESET_KEYS = ("ruleSet", "ruleset", "lastRuleSet", "ruleSetName")
_RULE_KEYS = ("rule", "lastRule", "ruleName")
#: Attributes that are plumbing, not worth a line of the text tree.
_QUIET = frozenset({"startTimer", "stopTimer", "duration", "durationMs", *_MESSAGE_KEYS})
_MAX_DETAIL = 100


_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


def _utc(moment: datetime | None) -> datetime | None:
    """Aware, so that times compare: a time without offset is taken as UTC (Fluent's)."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _message(attributes: Mapping[str, Any]) -> str | None:
    for key in _MESSAGE_KEYS:
        text = _text(attributes.get(key))
        if text is not None:
            return text
    exception = attributes.get("exception")
    if isinstance(exception, Mapping):
        for key in ("message", "localizedMessage", "detailMessage"):
            text = _text(exception.get(key))
            if text is not None:
                return text
    return _text(exception) if isinstance(exception, str) else None


def _duration(attributes: Mapping[str, Any]) -> float | None:
    """Seconds, from ``startTimer``/``stopTimer`` or a ``duration`` in milliseconds."""
    start, stop = _number(attributes.get("startTimer")), _number(attributes.get("stopTimer"))
    if start is not None and stop is not None and stop >= start:
        return (stop - start) / 1000
    for key in ("duration", "durationMs"):
        millis = _number(attributes.get(key))
        if millis is not None and millis >= 0:
            return millis / 1000
    return None


@dataclass(frozen=True)
class AuditEntry:
    """One event of the log: an audit entry (ruleset, rule, action, exception, …) or, with
    ``kind="event"``, the source event a group of entries belongs to."""

    id: str
    kind: AuditKind
    category: str | None
    name: str | None
    status: str | None
    generated_on: str | None
    at: datetime | None
    entity_type: str | None
    entity_id: str | None
    entity_ref: str | None
    source_events: tuple[str, ...] = ()
    attributes: Mapping[str, Any] = field(default_factory=dict)
    #: The entry's message (an exception's, or what did not match), when it has one.
    message: str | None = None
    #: Seconds the ruleset / rule took, when Fluent recorded it.
    duration: float | None = None

    @classmethod
    def from_record(cls, record: EventRecord, *, source: bool = False) -> AuditEntry:
        context = record.context
        attributes = record.attribute_map
        category = _text(record.category)
        kind: AuditKind = "event" if source else _KINDS.get((category or "").lower(), "other")
        return cls(
            id=record.id,
            kind=kind,
            category=category,
            name=record.name,
            status=_text(record.event_status),
            generated_on=record.generated_on,
            at=_utc(record.generated_at),
            entity_type=_text(context.entity_type) if context else None,
            entity_id=context.entity_id if context else None,
            entity_ref=context.entity_ref if context else None,
            source_events=tuple(str(s) for s in context.source_events) if context else (),
            attributes=attributes,
            message=_message(attributes),
            duration=_duration(attributes),
        )

    @property
    def failed(self) -> bool:
        """An exception, or an entry that ``FAILED`` or matched nothing (``NO_MATCH``)."""
        return self.kind == "exception" or (self.status or "").upper() in _FAILED_STATUSES

    @property
    def entity(self) -> str:
        return entity_label(self.entity_type, self.entity_id, self.entity_ref)

    @property
    def label(self) -> str:
        """``ruleSet BookOrder``, ``rule ACME.custom.Check``, ``event BookOrder``."""
        return f"{self.category or self.kind} {self.name or '(unnamed)'}"

    def detail(self) -> str | None:
        """The message, else the attributes worth showing (``status=BOOKED``), shortened."""
        if self.message:
            text = self.message
        else:
            shown = [
                f"{key}={value if isinstance(value, str) else json.dumps(value, default=str)}"
                for key, value in self.attributes.items()
                if key not in _QUIET and value not in (None, "", [], {})
            ]
            text = ", ".join(shown)
        text = " ".join(text.split())
        if len(text) > _MAX_DETAIL:
            text = text[: _MAX_DETAIL - 1] + "…"
        return text or None

    def describe(self) -> str:
        """One line: what, status, message, entity and time (used in errors)."""
        parts = [self.label]
        if self.status:
            parts.append(self.status)
        text = " ".join(parts)
        if self.message:
            text += f": {self.message}"
        return f"{text} ({self.entity}, {self.generated_on or 'time unknown'})"

    def to_row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "category": self.category,
            "name": self.name,
            "status": self.status,
            "generated_on": self.generated_on,
            "duration_s": self.duration,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "entity_ref": self.entity_ref,
            "message": self.message,
            "failed": self.failed,
        }


@dataclass
class AuditNode:
    """An entry and what happened under it (a ruleset's rules, a rule's actions)."""

    entry: AuditEntry
    children: list[AuditNode] = field(default_factory=list)

    def walk(self, depth: int = 0) -> Iterator[tuple[int, AuditEntry]]:
        yield depth, self.entry
        for child in self.children:
            yield from child.walk(depth + 1)

    @property
    def has_failure(self) -> bool:
        return any(entry.failed for _, entry in self.walk())

    def failures(self) -> list[AuditEntry]:
        """The deepest failed entries: a FAILED ruleset whose rule failed with an exception
        counts once, as the exception (which has the message)."""
        below = [entry for child in self.children for entry in child.failures()]
        if below:
            return below
        return [self.entry] if self.entry.failed else []


@dataclass
class AuditGroup:
    """One source event and the tree of what orchestration did with it."""

    source_id: str | None
    #: The processed event itself, when the event log returned it.
    source: AuditEntry | None
    nodes: list[AuditNode] = field(default_factory=list)

    @property
    def name(self) -> str:
        if self.source is not None and self.source.name:
            return self.source.name
        # Without the source event, its ruleset's name: Fluent names rulesets after events.
        for node in self.nodes:
            if node.entry.kind == "ruleset" and node.entry.name:
                return node.entry.name
        return "(unknown event)"

    @property
    def status(self) -> str | None:
        """The source event's status, else FAILED when an entry failed."""
        if self.source is not None and self.source.status:
            return self.source.status
        return "FAILED" if self.has_failure else None

    @property
    def at(self) -> datetime | None:
        times = [entry.at for entry in self.entries() if entry.at is not None]
        if self.source is not None and self.source.at is not None:
            times.append(self.source.at)
        return min(times) if times else None

    @property
    def has_failure(self) -> bool:
        return any(node.has_failure for node in self.nodes) or (
            self.source is not None and self.source.failed
        )

    def entries(self) -> list[AuditEntry]:
        """The audit entries, in tree order."""
        return [entry for node in self.nodes for _, entry in node.walk()]

    def failures(self) -> list[AuditEntry]:
        """The deepest failed entries (`AuditNode.failures`); the source event itself when it
        failed without any."""
        failed = [entry for node in self.nodes for entry in node.failures()]
        if not failed and self.source is not None and self.source.failed:
            return [self.source]
        return failed

    def heading(self) -> str:
        parts = [f"event {self.name}"]
        if self.status:
            parts.append(self.status)
        if self.source is not None and self.source.generated_on:
            parts.append(self.source.generated_on)
        elif self.source_id is not None:
            parts.append(f"(source {self.source_id})")
        return "  ".join(parts)


def _named(nodes: list[AuditNode], keys: tuple[str, ...], entry: AuditEntry) -> AuditNode | None:
    """The latest node whose entry's name is the one ``entry``'s attributes give under
    ``keys`` (``lastRule``, ``ruleSet``…)."""
    for key in keys:
        wanted = _text(entry.attributes.get(key))
        if wanted is None:
            continue
        for node in reversed(nodes):
            if node.entry.name == wanted:
                return node
    return None


def _tree(entries: list[AuditEntry]) -> list[AuditNode]:
    """Rulesets at the top, rules under their ruleset, the rest under their rule."""
    top: list[AuditNode] = []
    rulesets: list[AuditNode] = []
    rules: list[AuditNode] = []
    waiting: list[AuditNode] = []  # rules logged before any ruleset: the next one takes them
    rule: AuditNode | None = None
    for entry in entries:
        node = AuditNode(entry)
        if entry.kind == "ruleset":
            node.children.extend(waiting)
            waiting.clear()
            top.append(node)
            rulesets.append(node)
            rule = None
        elif entry.kind == "rule":
            parent = _named(rulesets, _RULESET_KEYS, entry) or (rulesets[-1] if rulesets else None)
            (parent.children if parent is not None else waiting).append(node)
            rules.append(node)
            rule = node
        elif entry.kind in ("action", "exception", "custom"):
            owner = _named(rules, _RULE_KEYS, entry) or rule
            if owner is None:
                owner = _named(rulesets, _RULESET_KEYS, entry) or (
                    rulesets[-1] if rulesets else None
                )
            (owner.children if owner is not None else top).append(node)
        else:
            top.append(node)
    top.extend(waiting)
    return top


def _in_time_order(records: Iterable[EventRecord], *, source: bool) -> list[AuditEntry]:
    # The event log answers newest first: reversed, equal timestamps keep the logged order.
    entries = [AuditEntry.from_record(record, source=source) for record in records]
    entries.reverse()
    ordered = sorted(
        enumerate(entries),
        key=lambda item: (item[1].at is None, item[1].at or _EARLIEST, item[0]),
    )
    return [entry for _, entry in ordered]


@dataclass(eq=False, repr=False)
class AuditTimeline:
    """What orchestration did to an entity (and its children): the groups, oldest first.

    ``len(timeline)`` counts audit entries; iterating yields `AuditGroup` s. ``str()`` is the
    text tree the CLI prints; in Jupyter it is a collapsible tree with failures highlighted.
    """

    entity_type: str
    entity_id: str | None
    entity_ref: str | None
    groups: list[AuditGroup]
    _: KW_ONLY
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def build(
        cls,
        entity_type: str,
        entity_id: str | None,
        entity_ref: str | None,
        audit: Iterable[EventRecord],
        sources: Iterable[EventRecord] = (),
        *,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> AuditTimeline:
        """A timeline from the event log's ``ORCHESTRATION_AUDIT`` records and (for naming
        each group) the ``ORCHESTRATION`` events they came from, in any order."""
        by_source: dict[str | None, list[AuditEntry]] = {}
        for entry in _in_time_order(audit, source=False):
            key = entry.source_events[0] if entry.source_events else None
            by_source.setdefault(key, []).append(entry)
        known = {entry.id: entry for entry in _in_time_order(sources, source=True)}
        groups = [
            AuditGroup(source_id, known.get(source_id or ""), _tree(entries))
            for source_id, entries in by_source.items()
        ]
        # Source events that left no audit at all (say NO_MATCH on a real account) still show.
        groups.extend(
            AuditGroup(source_id, entry)
            for source_id, entry in known.items()
            if source_id not in by_source
        )
        groups.sort(key=lambda group: (group.at is None, group.at or _EARLIEST))
        return cls(entity_type, entity_id, entity_ref, groups, since=since, until=until)

    # ---- reading -----------------------------------------------------------------------------
    @property
    def entity(self) -> str:
        return entity_label(self.entity_type, self.entity_id, self.entity_ref)

    def entries(self) -> list[AuditEntry]:
        """Every audit entry, group by group in tree order."""
        return [entry for group in self.groups for entry in group.entries()]

    def failures(self) -> list[AuditEntry]:
        """What failed, with its message (`AuditEntry.message`): exceptions, and entries that
        ``FAILED`` or matched nothing (``NO_MATCH``). Each failure counts once, at its deepest
        entry (the exception rather than the rule and ruleset above it); a source event that
        failed without audit entries counts too."""
        return [entry for group in self.groups for entry in group.failures()]

    def __len__(self) -> int:
        return sum(len(group.entries()) for group in self.groups)

    def __iter__(self) -> Iterator[AuditGroup]:
        return iter(self.groups)

    def __bool__(self) -> bool:
        return bool(self.groups)

    # ---- rows --------------------------------------------------------------------------------
    def to_records(self) -> list[dict[str, Any]]:
        """One row per entry (the source event of each group first, at depth 0), with the
        group's ``source_event_id`` / ``source_event`` and the entry's ``depth`` in the tree."""
        rows: list[dict[str, Any]] = []
        for group in self.groups:
            common = {"source_event_id": group.source_id, "source_event": group.name}
            if group.source is not None:
                rows.append({**common, "depth": 0, **group.source.to_row()})
            for node in group.nodes:
                for depth, entry in node.walk(1):
                    rows.append({**common, "depth": depth, **entry.to_row()})
        return rows

    def to_pandas(self) -> pandas.DataFrame:
        return records_to_pandas(self.to_records())

    # ---- display -----------------------------------------------------------------------------
    def _headline(self) -> str:
        failures = len(self.failures())
        return (
            f"{self.entity}: {len(self.groups)} source event{'' if len(self.groups) == 1 else 's'}"
            f", {len(self)} audit entr{'y' if len(self) == 1 else 'ies'}"
            f", {failures} failure{'' if failures == 1 else 's'}"
        )

    def _is_the_entity(self, entry: AuditEntry) -> bool:
        if entry.entity_type != self.entity_type:
            return False
        return bool(
            (self.entity_id and entry.entity_id == self.entity_id)
            or (self.entity_ref and entry.entity_ref == self.entity_ref)
        )

    def _line(self, entry: AuditEntry) -> str:
        parts = [("✗ " if entry.failed else "") + entry.label]
        if entry.status:
            parts.append(entry.status)
        if entry.duration is not None:
            parts.append(f"{entry.duration * 1000:.0f} ms")
        if not self._is_the_entity(entry) and (entry.entity_id or entry.entity_ref):
            parts.append(f"[{entry.entity}]")  # a child: a fulfilment of the order...
        detail = entry.detail()
        line = "  ".join(parts)
        return f"{line}: {detail}" if detail else line

    def to_text(self) -> str:
        """The timeline as a text tree (what ``fluent-sdk events audit`` prints)."""
        lines = [self._headline()]
        if not self.groups:
            lines.append("(no orchestration audit events in the window)")
        for number, group in enumerate(self.groups):
            last_group = number == len(self.groups) - 1
            lines.append(("└── " if last_group else "├── ") + group.heading())
            _tree_lines(lines, group.nodes, "    " if last_group else "│   ", self._line)
        return redact("\n".join(lines))

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return (
            f"<AuditTimeline {self.entity} groups={len(self.groups)} entries={len(self)} "
            f"failures={len(self.failures())}>"
        )

    def _repr_html_(self) -> str:
        failures = len(self.failures())
        head = html.escape(redact(self._headline()))
        if failures:
            head = f"<span style='color:#b00020'>{head}</span>"
        body = "".join(self._group_html(group) for group in self.groups)
        if not self.groups:
            body = "<p><i>no orchestration audit events in the window</i></p>"
        return f"<div class='fluent-sdk fluent-audit'><b>{head}</b>{body}</div>"

    def _group_html(self, group: AuditGroup) -> str:
        summary = _escaped(group.heading())
        if group.has_failure:
            summary = f"<span style='{_FAILED_STYLE}'>{summary}</span>"
        items = "".join(self._node_html(node) for node in group.nodes)
        return f"<details open><summary>{summary}</summary><ul>{items}</ul></details>"

    def _node_html(self, node: AuditNode) -> str:
        text = _escaped(self._line(node.entry))
        if node.entry.failed:
            text = f"<span style='{_FAILED_STYLE}'>{text}</span>"
        if not node.children:
            return f"<li>{text}</li>"
        items = "".join(self._node_html(child) for child in node.children)
        return f"<li><details open><summary>{text}</summary><ul>{items}</ul></details></li>"


_FAILED_STYLE = "background:#fde7e9;color:#b00020;font-weight:bold"


def _escaped(text: str) -> str:
    return html.escape(redact(text))


def _tree_lines(
    lines: list[str], nodes: list[AuditNode], prefix: str, line: Callable[[AuditEntry], str]
) -> None:
    for number, node in enumerate(nodes):
        last = number == len(nodes) - 1
        lines.append(prefix + ("└── " if last else "├── ") + line(node.entry))
        _tree_lines(lines, node.children, prefix + ("    " if last else "│   "), line)
