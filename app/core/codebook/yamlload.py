"""Parsing a codebook's YAML without the features a codebook never needs.

* Anchors and aliases (``&orgs [...]`` then ``accepts: *orgs``) are allowed, but what they
  expand to is counted while the file is read, before anything is expanded: a file that would
  expand past `MAX_NODES` values (a "billion laughs" file) or that refers to itself is refused
  at its first alias too many, so it costs no more than its own size.
* A whole number is a number only when written plainly (``12``, ``-3``, at most 18 digits);
  ``010``, ``+3``, ``0x1f`` or ``1_000`` would silently become other text, so they are refused
  with the advice to quote them.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_PLAIN_INT = re.compile(r"-?(0|[1-9][0-9]{0,17})")


class CodebookYamlError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


MAX_NODES = 200_000
"""How many values (counted as expanded) a codebook file may hold: a large codebook has a few thousand."""


class _Loader(yaml.SafeLoader):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._nodes = 0
        self._sizes: dict[int, int] = {}
        self._open: set[str] = set()  # anchors whose node is being read: an alias to one is a loop

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open:
                mark = event.start_mark  # the parser always sets it
                line = mark.line + 1 if mark is not None else 0
                raise CodebookYamlError(line, f"the alias *{event.anchor} refers to itself")
            node = super().compose_node(parent, index)
            self._add(self._size(node, set(), event), event)
            return node
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._open.add(anchor)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._open.discard(anchor)
        self._add(1, event)
        return node

    def _add(self, count: int, event: Any) -> None:
        self._nodes += count
        if self._nodes > MAX_NODES:
            raise CodebookYamlError(event.start_mark.line + 1,
                                    f"the file expands to over {MAX_NODES:,} values (through its aliases); "
                                    "a codebook is far smaller")

    def _size(self, node: Any, path: set[int], event: Any) -> int:
        """How many values `node` stands for when expanded (memoised; a cycle is an error)."""
        key = id(node)
        if key in self._sizes:
            return self._sizes[key]
        if key in path:
            raise CodebookYamlError(event.start_mark.line + 1, f"the alias *{event.anchor} refers to itself")
        path.add(key)
        if isinstance(node, yaml.SequenceNode):
            size = 1 + sum(self._size(child, path, event) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            size = 1 + sum(self._size(k, path, event) + self._size(v, path, event) for k, v in node.value)
        else:
            size = 1
        path.discard(key)
        if size > MAX_NODES:  # stop early: the sum of a huge tree need not be finished
            raise CodebookYamlError(event.start_mark.line + 1,
                                    f"the file expands to over {MAX_NODES:,} values (through its aliases); "
                                    "a codebook is far smaller")
        self._sizes[key] = size
        return size

    def construct_yaml_int(self, node: Any) -> int:
        text = str(node.value)
        if not _PLAIN_INT.fullmatch(text):
            raise CodebookYamlError(node.start_mark.line + 1,
                                    f"{text[:40]!r} is not a plain whole number; put it in quotes to keep it as text")
        return int(text)


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def parse_yaml(text: str) -> Any:
    """The data of a codebook's YAML text (yaml.YAMLError or CodebookYamlError on a bad file)."""
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
