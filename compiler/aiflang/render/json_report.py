"""Diagnostics and reports as JSON: the versioned, Terraform-style envelope.

Output is deterministic: keys in model order, diagnostics sorted, no
timestamps, floats as Python prints them. Control and text-direction
characters are written as `\\uXXXX` escapes: the same data, safe to print.
"""

from __future__ import annotations

import json
from typing import Any

from aiflang import report as rp
from aiflang.diagnostics.characters import json_safe


def dumps(model: rp.ReportModel | dict[str, Any]) -> str:
    data = model.model_dump(mode="json") if isinstance(model, rp.ReportModel) else model
    return json_safe(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)) + "\n"
