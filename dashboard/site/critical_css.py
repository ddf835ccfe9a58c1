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

The stylesheets are read by tinycss2 (CSS Syntax Level 3, escapes included) and the page by
the standard library's HTML parser.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

# Blocks whose rules are chosen one by one; any other at-rule (@keyframes) is kept whole.
_GROUPS = frozenset({"media", "supports", "container", "layer"})
# Statements that would fetch or re-declare the encoding: never inlined.
_DROPPED_STATEMENTS = frozenset({"import", "charset"})


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


class _Names(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.classes, self.ids, self.tags, self.attributes = set(), set(), set(), set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)  # the parser gives tag and attribute names in lower case
        for name, value in attrs:
            self.attributes.add(name)
            if name == "class" and value:
                self.classes.update(value.split())
            elif name == "id" and value:
                self.ids.add(value)

    handle_startendtag = handle_starttag


def used_by(html: str) -> Used:
    names = _Names()
    names.feed(html)
    names.close()
    return Used(frozenset(names.classes), frozenset(names.ids), frozenset(names.tags), frozenset(names.attributes))


def _is(token, kind: str, value: str | None = None) -> bool:
    return token.type == kind and (value is None or token.value == value)


def _split(prelude: list) -> list[list]:
    """A selector list's tokens split at its commas (blocks hold nested commas whole)."""
    selectors: list[list] = [[]]
    for token in prelude:
        if _is(token, "literal", ","):
            selectors.append([])
        else:
            selectors[-1].append(token)
    return selectors


def _needs(selector: list) -> tuple[frozenset, frozenset, frozenset, frozenset]:
    """The classes, ids, element and attribute names a compound selector requires. A name
    after ``:`` is a state or pseudo-element, a function after it (``:not()``) requires
    nothing; ``*`` and namespaces are not names."""
    if _namespaced(selector):  # a namespace (svg|a, [xlink|href]) is not read: kept whatever the page holds
        return frozenset(), frozenset(), frozenset(), frozenset()
    classes, ids, tags, attributes = set(), set(), set(), set()
    previous = None
    for token in selector:
        if token.type == "ident":
            if previous is not None and _is(previous, "literal", "."):
                classes.add(token.value)
            elif previous is None or not _is(previous, "literal", ":"):
                tags.add(token.value.lower())
        elif token.type == "hash":
            ids.add(token.value)
        elif token.type == "[] block":
            names = [t for t in token.content if t.type == "ident"]
            if names:
                attributes.add(names[0].value.lower())
        previous = token
    return frozenset(classes), frozenset(ids), frozenset(tags), frozenset(attributes)


def _namespaced(tokens) -> bool:
    """Whether a selector names a namespace: a ``|`` of its own (``|=`` is another token)."""
    return any(_is(token, "literal", "|") or (token.type == "[] block" and _namespaced(token.content))
               for token in tokens)


def _read(nodes) -> list[Rule]:
    import tinycss2

    rules: list[Rule] = []
    for node in nodes:
        if node.type == "qualified-rule":
            rules.append(Rule(node.serialize(), tuple(_needs(s) for s in _split(node.prelude))))
        elif node.type == "at-rule":
            keyword = node.lower_at_keyword
            if node.content is None:
                if keyword not in _DROPPED_STATEMENTS:
                    rules.append(Rule(node.serialize(), ()))
            elif keyword in _GROUPS:
                inner = tinycss2.parse_blocks_contents(node.content, skip_comments=True, skip_whitespace=True)
                rules.append(Rule(f"@{node.at_keyword}{tinycss2.serialize(node.prelude).rstrip()}", (),
                                  tuple(_read(inner))))
            else:
                rules.append(Rule(node.serialize(), ()))
        # Anything else (a parse error, a declaration outside a rule) a browser drops too.
    return rules


def parse(css: str) -> tuple[Rule, ...]:
    import tinycss2  # here, not with the module: the parse is done once per process

    return tuple(_read(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)))


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
            elif rule.text.lower().startswith("@layer") and rule.text[6:].strip():
                # A named layer keeps its place in the order of layers, which its first mention sets.
                out.append(f"{rule.text};")
        elif not rule.needs or any(_matches(needs, used) for needs in rule.needs):
            out.append(rule.text)
    return "".join(out)
@lru_cache(maxsize=16)
def _file_rules(path: Path, stamp: float) -> tuple[Rule, ...]:
    return parse(path.read_text(encoding="utf-8"))


def load_folder(folder: Path) -> None:
    """Parse every stylesheet of an assets folder now (as a worker starts), not in a visitor's
    request."""
    for sheet in sorted(Path(folder).glob("*.css")):
        _file_rules(sheet, sheet.stat().st_mtime)


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
