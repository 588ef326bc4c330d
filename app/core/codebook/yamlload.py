"""Parsing a codebook's YAML without the features a codebook never needs.

* Aliases (``*name``) and anchors (``&name``) are refused where they are met, before anything is expanded, so a
  "billion laughs" file costs no more than its own size.
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


class _Loader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise CodebookYamlError(event.start_mark.line + 1,
                                    f"aliases (*{event.anchor}) are not allowed in a codebook file")
        if getattr(event, "anchor", None) is not None:
            raise CodebookYamlError(event.start_mark.line + 1,
                                    f"anchors (&{event.anchor}) are not allowed in a codebook file")
        return super().compose_node(parent, index)

    def construct_yaml_int(self, node: Any) -> int:  # type: ignore[override]
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
