"""Diagram layouts: each module turns a trace into plain data (boxes, bars, labels, positions in
CSS pixels) that a template of the same name draws as SVG. Layout never shrinks text; see
:mod:`deepcuts.render.diagrams.text`."""

from deepcuts.render.diagrams.cells import Cells, cells
from deepcuts.render.diagrams.depth import Depth, depth
from deepcuts.render.diagrams.lanes import Lanes, lanes
from deepcuts.render.diagrams.lifecycle import Lifecycle, lifecycle
from deepcuts.render.diagrams.snapshot import Snapshot, moment, snapshot
from deepcuts.render.diagrams.text import FONT, capped, width
from deepcuts.render.diagrams.timeline import Timeline, call_label, timeline
from deepcuts.render.diagrams.unwinding import Unwinding, unwinding

__all__ = [
    "FONT",
    "Cells",
    "Depth",
    "Lanes",
    "Lifecycle",
    "Snapshot",
    "Timeline",
    "Unwinding",
    "call_label",
    "capped",
    "cells",
    "depth",
    "lanes",
    "lifecycle",
    "moment",
    "snapshot",
    "timeline",
    "unwinding",
    "width",
]
