"""Reading scenario files: safe YAML with line numbers, and ``extends`` inheritance.

This is the only module that reads scenario files. It returns plain data (dicts,
lists, numbers, strings) merged over the ``extends`` chain, a map from every path to
the file and line it came from, and the files read with their content hashes.

YAML is read with libyaml's C parser where PyYAML has it (about fifty times faster than
the Python parser on base.yaml), with YAML 1.2 numbers (``1e3`` is 1000). A file is
refused with a message, before any node tree is built, when it exceeds the limits below
(size, nesting, aliases, values, keys in a mapping): a hostile file costs a scan of its
events, never a crash, a hang or unbounded memory.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from finmodel.model.errors import Problem, ScenarioError
from finmodel.model.paths import Key, format_path

__all__ = ["SENTENCES", "Origin", "SourceFile", "declared_language", "read_scenario_data",
           "resolve_scenario"]

#: A scenario file is a few kilobytes; these bound what a hostile or broken file can cost
#: (time and memory) before it is refused with a message.
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 20
MAX_ALIASES = 100
MAX_VALUES = 10_000
MAX_KEYS = 1_000

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_FLOAT_TAG = "tag:yaml.org,2002:float"
# libyaml's C parser where PyYAML was built with it (about ten times faster), else Python's.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_NOT_INHERITED = ("name", "description")

#: The sentence of each problem this module reports, by its code: a view says it again in
#: another language from the catalogue's ``err.<code>`` and the problem's values. Whole
#: numbers in the values are counts, written with thousands separators.
SENTENCES = {
    "cannot_read": "cannot read: {reason}",
    "file_too_big": "is {size} bytes; a scenario file may be at most {limit} bytes",
    "not_utf8": "not UTF-8 text: {reason}",
    "empty_file": "is empty; expected a mapping",
    "not_mapping": "must be a mapping of keys, got {got}",
    "extends_name": "must be a file name, got {got}",
    "extends_cycle": "cycle: {loop}",
    "extends_missing": "no such file {parent}",
    "too_deep": "nested more than {limit} levels deep; a scenario needs far fewer",
    "too_many_aliases": "more than {limit} aliases (*name); write the values out",
    "too_many_values": "more than {limit} values; a scenario needs far fewer",
    "too_many_keys": "more than {limit} keys or items in one mapping or list",
    "too_many_expanded": "more than {limit} values (after expanding aliases); a scenario "
                         "needs far fewer",
    "tag_not_allowed": "tag '{tag}' is not allowed: only plain values (numbers, text, "
                       "true/false, lists, mappings)",
    "merge_key": "YAML merge keys (<<) are not supported; use extends",
    "yaml_syntax": "{detail} (column {column})",
    "key_type": "keys must be names or years, got {got}",
    "duplicate_key": "duplicate key",
    "remove_missing": "cannot remove: the parent scenario has no item of that name",
    "no_scenario": "no such scenario file",
    "no_scenario_named": "no such scenario file (nor scenarios/{name}.yaml)",
}


def _problem(file: str, line: int, path: str, code: str, **values: Any) -> Problem:
    """A problem of code ``code``: its English sentence from :data:`SENTENCES`.

    >>> str(_problem("s.yaml", 1, "(file)", "file_too_big", size=2_000_000, limit=1_000_000))
    's.yaml:1: (file): is 2,000,000 bytes; a scenario file may be at most 1,000,000 bytes'
    """
    said = {k: f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else v
            for k, v in values.items()}
    return Problem(file, line, path, SENTENCES[code].format(**said), code,
                   tuple(values.items()))


class _Refused(yaml.constructor.ConstructorError):
    """A node the walker refuses: the problem's code and values, at ``mark``."""

    def __init__(self, code: str, mark: Any, **values: Any) -> None:
        super().__init__(None, None, SENTENCES[code].format(**values), mark)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class SourceFile:
    """A file read for a scenario, as displayed in messages, with its SHA-256."""

    path: str
    sha256: str


@dataclass(frozen=True)
class Origin:
    """Where a value was written: display path of the file and 1-based line.

    ``written`` is the source text of a plain number as typed (``58.000``), kept so that
    likely typing mistakes can be warned about; it takes no part in comparisons.
    """

    file: str
    line: int
    written: str | None = field(default=None, compare=False)


@dataclass
class _Parsed:
    data: dict[str, Any]
    origins: dict[str, Origin] = field(default_factory=dict)
    files: list[SourceFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_scenario_data(path: str | os.PathLike[str]) -> tuple[
        dict[str, Any], dict[str, Origin], tuple[SourceFile, ...], list[Problem]]:
    """Read a scenario file and its ``extends`` chain into merged plain data.

    Returns the merged data (without ``extends``; ``name`` defaulting to the file stem),
    the origin of every path, the files read (the scenario first, then its parents), and
    problems that do not stop reading (duplicate keys and names), to report with the
    validation's. Raises :class:`ScenarioError` for a missing file, YAML errors, disallowed tags,
    duplicate keys, a cycle in ``extends`` or a bad merge.
    """
    parsed = _load(str(path), ())
    parsed.data.setdefault("name", Path(path).stem)
    return parsed.data, parsed.origins, tuple(parsed.files), parsed.problems


def declared_language(path: str | os.PathLike[str]) -> str | None:
    """The ``language:`` (``en`` or ``nl``) a scenario file declares at its top level (or
    inherits through ``extends``), when the file reads that far; else None.

    For the file's own errors: a file that does not validate has no scenario yet, but
    its errors should still be said in the language it asks for. A file that cannot be
    read or parsed as YAML, or that declares no or an unknown language, gives None.

    >>> declared_language("scenarios/base.yaml") is None, declared_language("missing.yaml")
    (True, None)
    """
    try:
        value = read_scenario_data(path)[0].get("language")
    except ScenarioError:
        return None
    code = value.strip().lower() if isinstance(value, str) else None
    return code if code in ("en", "nl") else None


def _load(display: str, chain: tuple[str, ...]) -> _Parsed:
    try:
        raw = Path(display).read_bytes()
    except OSError as exc:
        raise ScenarioError([_problem(display, 1, "(file)", "cannot_read",
                                      reason=exc.strerror, error=exc.errno)]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError([_problem(display, 1, "(file)", "file_too_big", size=len(raw),
                                      limit=MAX_FILE_BYTES)])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([_problem(display, 1, "(file)", "not_utf8",
                                      reason=exc.reason)]) from None
    data, walker = _parse(text, display)
    problems = walker.problems
    origins = {path: Origin(display, line, walker.written.get(path))
               for path, line in walker.lines.items()}
    source = SourceFile(display, hashlib.sha256(raw).hexdigest())
    parent_name = data.pop("extends", None)
    if parent_name is None:
        return _Parsed(_reject_removals(data, origins, display), origins, [source], problems)
    parent = _load_parent(display, parent_name, origins.get("extends", Origin(display, 1)), chain)
    for key in _NOT_INHERITED:
        parent.data.pop(key, None)
    merge_problems: list[Problem] = []
    merged = _merge(parent.data, data, (), parent.origins, origins, merge_problems)
    if merge_problems:
        raise ScenarioError(merge_problems)
    parent.origins.update(origins)
    return _Parsed(merged, parent.origins, [source, *parent.files], problems + parent.problems)


def _load_parent(display: str, name: Any, where: Origin, chain: tuple[str, ...]) -> _Parsed:
    if not isinstance(name, str) or not name:
        raise ScenarioError([_problem(where.file, where.line, "extends", "extends_name",
                                      got=repr(name))])
    parent = os.path.normpath(os.path.join(os.path.dirname(display), name))
    here = os.path.realpath(display)
    seen = (*chain, here)
    if os.path.realpath(parent) in seen:
        loop = " -> ".join([*(os.path.basename(p) for p in seen), os.path.basename(parent)])
        raise ScenarioError([_problem(where.file, where.line, "extends", "extends_cycle",
                                      loop=loop)])
    if not Path(parent).is_file():
        raise ScenarioError([_problem(where.file, where.line, "extends", "extends_missing",
                                      parent=repr(parent))])
    return _load(parent, seen)


# --- YAML with line numbers -------------------------------------------------------------

class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe YAML (libyaml's C parser where installed) with YAML 1.2 numbers: ``1e3`` is 1000.

    PyYAML follows YAML 1.1, where a float needs a dot and a signed exponent, so ``1e3``
    would be the text "1e3"; a controller means a number.
    """


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."))


def _parse(text: str, display: str) -> tuple[dict[str, Any], _Walker]:
    try:
        _check_shape(text, display)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise ScenarioError([_problem(display, 1, "(file)", "empty_file")])
            walker = _Walker(loader, display)
            data = walker.value(node, ())
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        code, values = _yaml_problem(exc)
        if code == "yaml_syntax":  # the column finds the stray character on a long line
            values["column"] = mark.column + 1 if mark else 1
        raise ScenarioError([_problem(display, line, "(yaml)", code, **values)]) from None
    if not isinstance(data, dict):
        raise ScenarioError([_problem(display, node.start_mark.line + 1, "(file)",
                                      "not_mapping", got=type(data).__name__)])
    return data, walker


def _check_shape(text: str, display: str) -> None:
    """Refuse deep nesting, many aliases, many values or keys, before building anything.

    Runs over the parser's events (a flat stream, no recursion), so a file of ten
    thousand nested brackets or a hundred thousand junk keys costs a scan, not a crash.
    Limits: :data:`MAX_DEPTH`, :data:`MAX_ALIASES`, :data:`MAX_VALUES` (as written;
    :class:`_Walker` counts again after expanding aliases) and :data:`MAX_KEYS` keys in
    one mapping.
    """
    loader = _Loader(text)
    stack: list[int] = []  # per open collection: its items so far (mapping: keys + values)
    aliases = values = 0
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, yaml.CollectionEndEvent):
                stack.pop()
                continue
            if not isinstance(event, yaml.ScalarEvent | yaml.AliasEvent
                              | yaml.CollectionStartEvent):
                continue
            values += 1
            aliases += isinstance(event, yaml.AliasEvent)
            if stack:
                stack[-1] += 1
            refused = _shape_refusal(len(stack), aliases, values,
                                     stack[-1] if stack else 0, event)
            if refused:
                raise ScenarioError([_problem(display, _line(event), "(yaml)", refused[0],
                                              limit=refused[1])])
            if isinstance(event, yaml.CollectionStartEvent):
                stack.append(0)
    finally:
        loader.dispose()


def _shape_refusal(depth: int, aliases: int, values: int, items: int,
                   event: yaml.Event) -> tuple[str, int] | None:
    """The code of the limit the file exceeds at ``event`` and that limit, if any."""
    if isinstance(event, yaml.CollectionStartEvent) and depth >= MAX_DEPTH:
        return "too_deep", MAX_DEPTH
    if aliases > MAX_ALIASES:
        return "too_many_aliases", MAX_ALIASES
    if values > MAX_VALUES:
        return "too_many_values", MAX_VALUES
    if items > 2 * MAX_KEYS:  # in a list, items; in a mapping, keys and values
        return "too_many_keys", MAX_KEYS
    return None


def _line(event: yaml.Event) -> int:
    return event.start_mark.line + 1 if event.start_mark is not None else 1


def _yaml_problem(exc: yaml.MarkedYAMLError) -> tuple[str, dict[str, Any]]:
    """The code and values of a YAML error: a refusal of the walker's, a tag, or the
    parser's own words (``context`` and ``problem``, which a view may say again)."""
    if isinstance(exc, _Refused):
        return exc.code, exc.values
    tag = re.search(r"tag '([^']+)'", str(exc.problem))
    if isinstance(exc, yaml.constructor.ConstructorError) and tag:
        return "tag_not_allowed", {"tag": tag.group(1)}
    return "yaml_syntax", {"detail": " ".join(part for part in (exc.context, exc.problem)
                                              if part),
                           "context": exc.context or "", "problem": exc.problem or ""}


class _Walker:
    """Turns a composed YAML node tree into plain data, recording each path's line."""

    def __init__(self, loader: Any, display: str) -> None:
        self.loader = loader
        self.display = display
        self.lines: dict[str, int] = {}
        self.written: dict[str, str] = {}
        self.problems: list[Problem] = []
        self.count = 0

    def value(self, node: yaml.Node, path: tuple[Key, ...]) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:  # aliases can repeat a subtree exponentially often
            raise _Refused("too_many_expanded", node.start_mark, limit=MAX_VALUES)
        where = format_path(path)
        self.lines.setdefault(where, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            self._check_tag(node, _MAP_TAG, path)
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            self._check_tag(node, _SEQ_TAG, path)
            return self._sequence(node, path)
        if node.tag == _FLOAT_TAG and not getattr(node, "style", None):
            self.written[where] = node.value
        return self.loader.construct_object(node, deep=True)

    def _check_tag(self, node: yaml.Node, expected: str, path: tuple[Key, ...]) -> None:
        if node.tag != expected:
            raise _Refused("tag_not_allowed", node.start_mark, tag=node.tag)

    def _sequence(self, node: yaml.SequenceNode, path: tuple[Key, ...]) -> list[Any]:
        out: list[Any] = []
        first_line: dict[str, int] = {}
        for i, item in enumerate(node.value):
            key = _selector(item, i)
            line = item.start_mark.line + 1
            if isinstance(key, str) and key in first_line:
                self.problems.append(Problem(
                    self.display, line, format_path((*path, key)),
                    f"duplicate name (first on line {first_line[key]}): names in a list "
                    "must differ", "duplicate_item", (("first", first_line[key]),)))
                key = i
            elif isinstance(key, str):
                first_line[key] = line
            out.append(self.value(item, (*path, key)))
        return out

    def _mapping(self, node: yaml.MappingNode, path: tuple[Key, ...]) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused("merge_key", key_node.start_mark)
            key = self.loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int) or isinstance(key, bool):
                self.problems.append(_problem(self.display, key_node.start_mark.line + 1,
                                              format_path(path) or "(file)", "key_type",
                                              got=repr(key)))
                continue
            sub = (*path, str(key))
            if key in out:
                self.problems.append(_problem(self.display, key_node.start_mark.line + 1,
                                              format_path(sub), "duplicate_key"))
                continue
            self.lines[format_path(sub)] = key_node.start_mark.line + 1
            out[key] = self.value(value_node, sub)
        return out


def _selector(node: yaml.Node, index: int) -> Key:
    """``[name]`` for a mapping item with a string name, else the position."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if (getattr(key_node, "value", None) == "name"
                    and isinstance(value_node, yaml.ScalarNode)
                    and value_node.tag == "tag:yaml.org,2002:str"):
                return f"[{value_node.value}]"
    return index


# --- extends: merge ---------------------------------------------------------------------

def _is_named_list(value: Any) -> bool:
    return (isinstance(value, list) and bool(value)
            and all(isinstance(item, dict) and isinstance(item.get("name"), str)
                    for item in value))


def _merge(parent: Any, child: Any, path: tuple[Key, ...], parent_origins: dict[str, Origin],
           child_origins: dict[str, Origin], problems: list[Problem]) -> Any:
    """Merge ``child`` over ``parent``; drops parent origins of what the child replaces."""
    if isinstance(parent, dict) and isinstance(child, dict):
        out = dict(parent)
        for key, value in child.items():
            sub = (*path, str(key))
            out[key] = (_merge(parent[key], value, sub, parent_origins, child_origins, problems)
                        if key in parent
                        else _reject_removals_in(value, sub, child_origins, problems))
        return out
    if _is_named_list(child) and (_is_named_list(parent) or parent == []):
        return _merge_named(parent, child, path, parent_origins, child_origins, problems)
    _forget(parent_origins, format_path(path))
    if _is_named_list(child):
        return _reject_removals_in(child, path, child_origins, problems)
    return child


def _merge_named(parent: list[dict[str, Any]], child: list[dict[str, Any]], path: tuple[Key, ...],
                 parent_origins: dict[str, Origin], child_origins: dict[str, Origin],
                 problems: list[Problem]) -> list[dict[str, Any]]:
    out = {item["name"]: item for item in parent}
    for item in child:
        name = item["name"]
        sub = (*path, f"[{name}]")
        remove = item.get("remove", False)
        if remove is True:
            if name not in out:
                where = child_origins[format_path(sub)]
                problems.append(_problem(where.file, where.line, format_path(sub),
                                         "remove_missing"))
                continue
            del out[name]
            _forget(parent_origins, format_path(sub))
            _forget(child_origins, format_path(sub))
            continue
        if name in out:
            out[name] = _merge(out[name], {k: v for k, v in item.items() if k != "remove"}, sub,
                               parent_origins, child_origins, problems)
        else:
            out[name] = _reject_removals_in(item, sub, child_origins, problems)
    return list(out.values())


def _forget(origins: dict[str, Origin], prefix: str) -> None:
    for key in [k for k in origins if k == prefix or k.startswith((prefix + ".", prefix + "["))]:
        del origins[key]


def _reject_removals(data: dict[str, Any], origins: dict[str, Origin],
                     display: str) -> dict[str, Any]:
    problems: list[Problem] = []
    result = _reject_removals_in(data, (), origins, problems)
    if problems:
        raise ScenarioError(problems)
    assert isinstance(result, dict)
    return result


def _reject_removals_in(value: Any, path: tuple[Key, ...], origins: dict[str, Origin],
                        problems: list[Problem]) -> Any:
    """``remove: true`` with nothing to remove is an error; ``remove: false`` is dropped."""
    if isinstance(value, dict):
        if value.get("remove") is True and path and str(path[-1]).startswith("["):
            where = origins.get(format_path(path), Origin("?", 1))
            problems.append(_problem(where.file, where.line, format_path(path),
                                     "remove_missing"))
        return {k: _reject_removals_in(v, (*path, str(k)), origins, problems)
                for k, v in value.items() if not (k == "remove" and isinstance(v, bool)
                                                  and path and str(path[-1]).startswith("["))}
    if isinstance(value, list):
        return [_reject_removals_in(item, (*path, _item_key(item, i)), origins, problems)
                for i, item in enumerate(value)]
    return value


def _item_key(item: Any, index: int) -> Key:
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        return f"[{item['name']}]"
    return index


def resolve_scenario(spec: str) -> Path:
    """A scenario file path, or a bare name looked up as ``scenarios/NAME.yaml``.

    Examples
    --------
    >>> resolve_scenario("base").as_posix()
    'scenarios/base.yaml'
    """
    path = Path(spec)
    if path.is_file():
        return path
    bare = not path.suffix and path.name == spec
    if bare:
        for suffix in (".yaml", ".yml"):
            candidate = Path("scenarios") / f"{spec}{suffix}"
            if candidate.is_file():
                return candidate
    raise ScenarioError([_problem(spec, 1, "(file)", "no_scenario_named", name=spec) if bare
                         else _problem(spec, 1, "(file)", "no_scenario")])
