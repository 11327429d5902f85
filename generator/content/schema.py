"""Load a YAML file into typed, frozen dataclasses, with every problem located.

The dataclasses *are* the schema: field names are keys, type hints are types,
fields without a default are required. Supported hints: str, Markdown, int,
float, bool, date, list[X], X | None, Literal[...] and nested dataclasses.
Only safe YAML is read: no tags beyond the core schema, no anchors or aliases,
no duplicate keys.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import types
import typing
from pathlib import Path

import yaml

from generator.problems import Problems

MAX_BYTES = 1024 * 1024
"""A YAML data file is a few kilobytes; PyYAML reads about a megabyte a second."""
MAX_DEPTH = 20
"""No data file nests deeper than 3; PyYAML's parser slows quadratically with depth and its
composer recurses, so deeper nesting is refused while the events are read, before composing."""

_CORE_TAGS = {f"tag:yaml.org,2002:{t}" for t in
              ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}


class Markdown(str):
    """Authored, trusted Markdown: published as written (placeholders filled)."""


class Answer(str):
    """A choice written as text, kept as written: YAML would read an unquoted Yes or No as true/false."""


_SCALAR_NAMES = {str: "a string", Markdown: "Markdown text", Answer: "an answer", int: "a whole number",
                 float: "a number", bool: "true or false", dt.date: "a date (YYYY-MM-DD)"}


def load(path: Path, cls: type, problems: Problems, display: str | None = None):
    """Read `path` as an instance of dataclass `cls`; None when it has errors.

    Returns (instance, lines) where lines maps each key path to its line.
    """
    name = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            problems.add(name, "yaml.too-large", f"the file is {size:,} bytes; the limit for a YAML file is "
                         f"{MAX_BYTES:,}")
            return None, {}
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.add(name, "yaml.missing-file", "file not found; expected a YAML file here")
        return None, {}
    except UnicodeDecodeError as err:
        problems.add(name, "yaml.encoding", f"not UTF-8 text ({err.reason} at byte {err.start})")
        return None, {}
    except IsADirectoryError:
        problems.add(name, "yaml.not-a-file", "is a folder; expected a YAML file here")
        return None, {}
    except OSError as err:
        problems.add(name, "yaml.unreadable", f"cannot be read: {err.strerror or err}")
        return None, {}
    node = _compose(text, name, problems)
    if node is None or _has_surrogates(node, name, problems):
        return None, {}
    reader = _Reader(name, problems)
    before = len(problems.errors)
    value = reader.convert(node, cls, "")
    if len(problems.errors) > before:
        return None, reader.lines
    return value, reader.lines


# libyaml's parser where PyYAML was built with it (its wheels are): the same events and nodes as the
# pure-Python one, five times as fast, and the tags resolved by PyYAML's own resolver. A file it
# refuses is parsed again by the pure-Python one, whose messages say more ("found character '\\t'").
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose(text: str, name: str, problems: Problems):
    try:
        return _checked_node(text, name, problems, _FAST_LOADER)
    except yaml.YAMLError:
        pass
    try:
        return _checked_node(text, name, problems, yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 0
        problems.add(name, "yaml.syntax", f"not valid YAML: {err.problem or err.context}", line=line)
        return None
    except yaml.reader.ReaderError as err:  # a control character, which YAML does not allow in a file
        problems.add(name, "yaml.syntax", f"not valid YAML: the character U+{err.character:04X} is not allowed "
                     "in a YAML file; remove it", line=text.count("\n", 0, err.position) + 1)
        return None


def _checked_node(text: str, name: str, problems: Problems, loader_class):
    """The document's node, or None with a problem for an anchor, an alias, a nesting too deep or no document."""
    depth = 0
    for event in yaml.parse(text, Loader=loader_class):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            problems.add(name, "yaml.alias", "anchors and aliases (&name, *name) are not "
                         "supported; write the value out", line=_line(event))
            return None
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                problems.add(name, "yaml.too-deep", f"nested more than {MAX_DEPTH} levels deep, which no "
                             "data file needs", line=_line(event))
                return None
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if node is None:
        problems.add(name, "yaml.empty", "the file is empty; expected a mapping of keys")
    return node


_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogates(root, name: str, problems: Problems) -> bool:
    """Refuse escapes such as "\\ud800": a lone UTF-16 surrogate is no character and cannot be written."""
    found = False
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            m = _SURROGATE.search(node.value)
            if m:
                problems.add(name, "yaml.surrogate", f"holds the escape \\u{ord(m.group(0)):04x}, a lone UTF-16 "
                             "surrogate that is no character; write the character itself",
                             line=node.start_mark.line + 1)
                found = True
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return found


class _Reader:
    def __init__(self, name: str, problems: Problems):
        self.name = name
        self.problems = problems
        self.lines: dict[str, int] = {}
        self.constructor = yaml.SafeLoader("")

    def error(self, node, key: str, code: str, message: str) -> None:
        self.problems.add(self.name, code, message, line=node.start_mark.line + 1, key=key)

    def convert(self, node, hint, key: str):
        self.lines.setdefault(key, node.start_mark.line + 1)
        if node.tag not in _CORE_TAGS:
            self.error(node, key, "yaml.tag", f"the tag {node.tag!r} is not allowed; write plain YAML values")
            return None
        origin = typing.get_origin(hint)
        if origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(hint) if a is not type(None)]
            if node.tag == "tag:yaml.org,2002:null":
                return None
            return self.convert(node, options[0], key)
        if dataclasses.is_dataclass(hint):
            return self.record(node, hint, key)
        if origin is list:
            return self.sequence(node, typing.get_args(hint)[0], key)
        if origin is typing.Literal:
            return self.choice(node, typing.get_args(hint), key)
        return self.scalar(node, hint, key)

    def record(self, node, cls, key: str):
        if not isinstance(node, yaml.MappingNode):
            self.error(node, key, "yaml.type", f"expected a mapping of keys, found {_kind(node)}")
            return None
        hints = typing.get_type_hints(cls)
        fields = {f.name: f for f in dataclasses.fields(cls)}
        values, seen = {}, set()
        for key_node, value_node in node.value:
            name = key_node.value
            path = f"{key}.{name}" if key else name
            if name in seen:
                self.error(key_node, path, "yaml.duplicate-key", "this key is given twice")
                continue
            seen.add(name)
            if name not in fields:
                allowed = ", ".join(sorted(fields))
                self.error(key_node, path, "yaml.unknown-key",
                           f"unknown key; {did_you_mean(name, fields)}expected one of: {allowed}")
                continue
            self.lines.setdefault(path, key_node.start_mark.line + 1)  # a key's line, not its value's
            values[name] = self.convert(value_node, hints[name], path)
        for name, f in fields.items():
            if name not in seen and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                path = f"{key}.{name}" if key else name
                self.error(node, path, "yaml.missing-key",
                           f"required key is missing; expected {_describe(hints[name])}")
        try:
            return cls(**values)
        except TypeError:
            return None  # required keys missing: already reported

    def sequence(self, node, item, key: str):
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, key, "yaml.type", f"expected a list, found {_kind(node)}")
            return []
        return [self.convert(child, item, f"{key}[{i}]") for i, child in enumerate(node.value)]

    def choice(self, node, options, key: str):
        value = self.scalar(node, str, key)
        if value is not None and value not in options:
            wanted = ", ".join(repr(o) for o in options)
            self.error(node, key, "yaml.choice", f"expected one of {wanted}, found {value!r}")
        return value

    def scalar(self, node, hint, key: str):
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, key, "yaml.type", f"expected {_describe(hint)}, found {_kind(node)}")
            return None
        try:
            value = self.constructor.construct_object(node)
        except (yaml.constructor.ConstructorError, ValueError) as err:
            if node.tag == "tag:yaml.org,2002:timestamp":
                self.error(node, key, "yaml.date", f"not a real date ({err}): {node.value!r}; "
                           "expected YYYY-MM-DD")
            else:
                self.error(node, key, "yaml.tag", f"cannot read {node.value!r}: {err}")
            return None
        if hint in (str, Markdown, Answer):
            if node.tag.rsplit(":", 1)[-1] in ("str", "int", "float", "timestamp") or hint is Answer:
                return hint(node.value)
        elif hint is float and isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        elif hint is dt.date and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        elif hint is dt.date and node.tag == "tag:yaml.org,2002:str":
            return self.quoted_date(node, key)
        elif type(value) is hint:
            return value
        self.error(node, key, "yaml.type", f"expected {_describe(hint)}, found {_kind(node)} {node.value!r}")
        return None


    def quoted_date(self, node, key: str):
        """A date written in quotes, '2024-01-31', is still a date if it is a real one."""
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", node.value):
                return dt.date.fromisoformat(node.value)
            problem = "not a date"
        except ValueError as err:
            problem = f"not a real date ({err})"
        self.error(node, key, "yaml.date", f"{problem}: {node.value!r}; expected YYYY-MM-DD")
        return None


def closest(word: str, choices) -> str:
    """The one of `choices` closest to a misspelt `word` (difflib), or "" when none is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return close[0] if close else ""


def did_you_mean(word: str, choices, shown: str = "{!r}") -> str:
    """ "did you mean 'x'? " for the closest of `choices` (written as `shown` formats it), or "" when none is close."""
    close = closest(word, choices)
    return f"did you mean {shown.format(close)}? " if close else ""


def _describe(hint) -> str:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _describe([a for a in typing.get_args(hint) if a is not type(None)][0])
    if dataclasses.is_dataclass(hint):
        return "a mapping with keys " + ", ".join(f.name for f in dataclasses.fields(hint))
    if origin is list:
        return f"a list of {_describe(typing.get_args(hint)[0]).removeprefix('a ')}"
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(o) for o in typing.get_args(hint))
    return _SCALAR_NAMES.get(hint, getattr(hint, "__name__", str(hint)))


def _kind(node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    tag = node.tag.rsplit(":", 1)[-1]
    return {"str": "text", "int": "a number", "float": "a number", "bool": "true/false",
            "null": "nothing", "timestamp": "a date"}.get(tag, tag)


def _line(event: yaml.Event) -> int:
    """The 1-based line an event starts on (0 when the parser gives none)."""
    return event.start_mark.line + 1 if event.start_mark is not None else 0
