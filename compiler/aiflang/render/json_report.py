"""Diagnostics and reports as JSON: the versioned, Terraform-style envelope.

Output is deterministic: keys in model order, diagnostics sorted, no
timestamps, floats as Python prints them.
"""

from __future__ import annotations

import json
from typing import Any

from aiflang import report as rp


def dumps(model: rp.BaseModel | dict[str, Any]) -> str:
    data = model.model_dump(mode="json") if isinstance(model, rp.BaseModel) else model
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
