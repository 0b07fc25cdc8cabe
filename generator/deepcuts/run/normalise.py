"""Make output stable and machine-independent at capture time.

Two runs of the same snippet on two machines must produce the same page, so before anything is
stored: memory addresses in reprs (``at 0x7f3a...``) become numbered placeholders in order of first
appearance (the same address always gets the same number within one run), and absolute paths become
the snippet's path relative to ``snippets/``, ``<stdlib>`` or ``<scratch>``.
"""

from __future__ import annotations

import re

# CPython's default repr and most C types write " at 0x<hex>"; frames write "<frame at 0x...".
# We only touch that form: a bare 0x1f printed by hex() is data, not an address.
_ADDRESS_RE = re.compile(r"(?<=\bat )0x[0-9a-fA-F]+\b")
PLACEHOLDER = "0xADDR{}"


class Normaliser:
    """One per run: stdout, stderr and trace events share the address numbering."""

    def __init__(self, paths: list[tuple[str, str]]) -> None:
        # Longest prefix first so that /a/b/snippets wins over /a/b.
        self._paths = sorted(((p.rstrip("/"), r) for p, r in paths if p), key=lambda x: -len(x[0]))
        self._addresses: dict[str, str] = {}

    def _address(self, match: re.Match[str]) -> str:
        raw = match.group(0).lower()
        if raw not in self._addresses:
            self._addresses[raw] = PLACEHOLDER.format(len(self._addresses) + 1)
        return self._addresses[raw]

    def text(self, value: str) -> str:
        """Normalise one piece of text: paths, then addresses."""
        if "/" not in value and "0x" not in value:
            return value  # most reprs: nothing to do, and this is called per event field
        return self.addresses(self.path(value))

    def path(self, value: str) -> str:
        """Machine paths in ``value`` made relative (or named: ``<stdlib>``, ``<scratch>``)."""
        if "/" not in value:
            return value
        for prefix, replacement in self._paths:
            if prefix in value:
                bare = replacement.rstrip("/") or "."
                value = value.replace(prefix + "/", replacement).replace(prefix, bare)
        return value

    def addresses(self, value: str) -> str:
        """Memory addresses in ``value`` numbered, in the order this normaliser first met them."""
        if "0x" not in value:
            return value
        return _ADDRESS_RE.sub(self._address, value)
