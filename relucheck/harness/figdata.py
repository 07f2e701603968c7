"""What figure functions read: the stored ``data`` payloads of one claim's check rows."""

from __future__ import annotations

import json
from typing import Any


def payloads(df: Any, claim_id: str, check_id: str) -> list[tuple[str, dict[str, Any]]]:
    """(instance name, data dict) for every stored row of ``claim_id``/``check_id``.

    ``data`` arrives as a dict from the runner and as JSON text from results.csv; rows
    without data are left out.
    """
    rows = df[(df["claim"] == claim_id) & (df["check"] == check_id)]
    out = []
    for _, row in rows.iterrows():
        data = row.get("data")
        if isinstance(data, str):
            data = json.loads(data)
        if isinstance(data, dict) and data:
            out.append((str(row.get("name", "")), data))
    return out
