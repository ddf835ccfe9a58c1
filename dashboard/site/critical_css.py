"""The stylesheet rules a page's own HTML can use, to inline in its head.

A stylesheet linked in the head holds the first paint until it has been fetched and parsed,
and every rule in it is matched against every element: Bootstrap's is 230 kB, of which a
page drawn by the server (``first_paint``) uses about a tenth. The page instead carries the
rules that could apply to its own elements, in a ``<style>`` of its head, and the stylesheets
themselves are added once it has painted (``index.LOADER``), before Dash draws anything they
style.

A rule is kept unless one of its selectors' classes, ids, element names or attribute names
is absent from the page, for every selector of the rule: what a selector says inside
``:not()``, ``:is()``, ``:has()`` and other functional pseudo-classes is not required, nor
are states (``:hover``), so a kept rule may match nothing, but a rule that matches something
is never left out. The rules keep their order and their ``@media`` blocks, and the full
stylesheets come after them, so the cascade is the same with both as with the stylesheets
alone: the page looks the same before and after they arrive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_FUNCTIONAL = re.compile(r"::?[\w-]+\(")
_ATTRIBUTE = re.compile(r"\[\s*([\w-]+)[^\]]*\]")
_PSEUDO = re.compile(r"::?[\w-]+")
_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_ID = re.compile(r"#(-?[_a-zA-Z][\w-]*)")
_TYPE = re.compile(r"(?:^|[\s>+~])([a-zA-Z][\w-]*)")
# Blocks whose rules are chosen one by one; any other at-rule (@keyframes) is kept whole.
_GROUPS = ("@media", "@supports", "@container", "@layer")

# A page's elements: tag names, and the attributes of each (class and id included).
_TAG = re.compile(r"<([a-zA-Z][\w-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTR = re.compile(r"([^\s=/>\"']+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")


@dataclass(frozen=True)
class Rule:
    text: str  # the rule as written, or a group's prelude
    needs: tuple[tuple[frozenset, frozenset, frozenset, frozenset], ...]  # one per selector; () for always
    inner: tuple[Rule, ...] | None = None  # a group's rules


@dataclass(frozen=True)
class Used:
    """What a page's HTML holds: the names a selector can ask for."""

    classes: frozenset
    ids: frozenset
    tags: frozenset
    attributes: frozenset


def used_by(html: str) -> Used:
    classes, ids, tags, attributes = set(), set(), set(), set()
    for tag, rest in _TAG.findall(html):
        tags.add(tag.lower())
        for name, value in _ATTR.findall(rest):
            name = name.lower()
            attributes.add(name)
            value = value.strip("\"'")
            if name == "class":
                classes.update(value.split())
            elif name == "id":
                ids.add(value)
    return Used(frozenset(classes), frozenset(ids), frozenset(tags), frozenset(attributes))


def _without_functional(selector: str) -> str:
    """The selector less every functional pseudo-class and its argument, nested included."""
    parts, at = [], 0
    while (found := _FUNCTIONAL.search(selector, at)) is not None:
        parts.append(selector[at:found.start()])
        depth, at = 1, found.end()
        while depth and at < len(selector):
            depth += {"(": 1, ")": -1}.get(selector[at], 0)
            at += 1
    parts.append(selector[at:])
    return "".join(parts)


def _needs(selector: str) -> tuple[frozenset, frozenset, frozenset, frozenset]:
    plain = _without_functional(selector)
    attributes = frozenset(name.lower() for name in _ATTRIBUTE.findall(plain))
    plain = _PSEUDO.sub("", _ATTRIBUTE.sub("", plain))
    return (frozenset(_CLASS.findall(plain)), frozenset(_ID.findall(plain)),
            frozenset(t.lower() for t in _TYPE.findall(plain)), attributes)


def _split(selectors: str) -> list[str]:
    """A selector list split at its top-level commas."""
    parts, depth, start = [], 0, 0
    for at, char in enumerate(selectors):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(selectors[start:at])
            start = at + 1
    parts.append(selectors[start:])
    return parts


def parse(css: str) -> tuple[Rule, ...]:
    css = _COMMENT.sub("", css)

    def block(at: int) -> tuple[list[Rule], int]:
        rules: list[Rule] = []
        while at < len(css):
            while at < len(css) and css[at] in " \t\r\n;":
                at += 1
            if at >= len(css):
                break
            if css[at] == "}":
                return rules, at + 1
            brace, semicolon = css.find("{", at), css.find(";", at)
            if brace == -1:
                break
            if semicolon != -1 and semicolon < brace:  # a statement (@charset, @import): not a rule
                at = semicolon + 1
                continue
            prelude = css[at:brace].strip()
            if prelude.startswith(_GROUPS):
                inner, at = block(brace + 1)
                rules.append(Rule(prelude, (), tuple(inner)))
                continue
            depth, end = 1, brace + 1
            while depth and end < len(css):
                depth += {"{": 1, "}": -1}.get(css[end], 0)
                end += 1
            text = css[at:end]  # as the file writes it
            # An escaped name could hide a requirement: such a rule is always kept.
            always = prelude.startswith("@") or "\\" in prelude
            rules.append(Rule(text, () if always else tuple(_needs(s) for s in _split(prelude))))
            at = end
        return rules, at

    return tuple(block(0)[0])


def _matches(needs, used: Used) -> bool:
    classes, ids, tags, attributes = needs
    return classes <= used.classes and ids <= used.ids and tags <= used.tags and attributes <= used.attributes


def select(rules: tuple[Rule, ...], used: Used) -> str:
    out = []
    for rule in rules:
        if rule.inner is not None:
            inner = select(rule.inner, used)
            if inner:
                out.append(f"{rule.text}{{{inner}}}")
        elif not rule.needs or any(_matches(needs, used) for needs in rule.needs):
            out.append(rule.text)
    return "".join(out)


@lru_cache(maxsize=16)
def _file_rules(path: Path, stamp: float) -> tuple[Rule, ...]:
    return parse(path.read_text(encoding="utf-8"))


def load(path: Path) -> None:
    """Parse a stylesheet now (at start-up), not in a visitor's request."""
    _file_rules(path, path.stat().st_mtime)


@lru_cache(maxsize=8)
def _rules(paths: tuple[Path, ...], stamps: tuple[float, ...]) -> tuple[Rule, ...]:
    return tuple(rule for path, stamp in zip(paths, stamps) for rule in _file_rules(path, stamp))


@lru_cache(maxsize=256)
def _chosen(paths: tuple[Path, ...], stamps: tuple[float, ...], used: Used) -> str:
    return select(_rules(paths, stamps), used)


def critical_css(paths: list[Path], html: str) -> str:
    """The rules of the stylesheets at ``paths`` (in the order the page links them) that
    ``html`` can use, or "" if they could not sit in a ``<style>`` element. Parsed once per
    process and file version; the choice is kept per set of names used (pages of one kind
    share it)."""
    paths_ = tuple(paths)
    stamps = tuple(path.stat().st_mtime for path in paths_)
    chosen = _chosen(paths_, stamps, used_by(html))
    return "" if "</" in chosen else chosen
