"""The demo's answers, drawn from a generator seeded by institution, cycle and rubric.

Pure (no Django): the same inputs give the same answers on every installation. The
draws and their order are those of the former ``seed_demo`` command, so databases
seeded before and after the move show the same scores.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence
from typing import Any


def _rng(*parts: str) -> random.Random:
    # crc32 rather than hash(): str hashes are salted per process, the demo must not be.
    return random.Random(zlib.crc32("|".join(parts).encode()))


def demo_responses(
    content: dict[str, Any],
    *,
    rubric: str,
    institution: str,
    cycle: str,
    maturity: float,
    drift: float,
    justifications: Sequence[str],
    na_share: float,
    na_justification: str,
) -> dict[str, dict[str, Any]]:
    """Every criterion's answer, in rubric order, as the portable file's ``responses``.

    ``maturity`` (0 to 3) plus ``drift`` places the institution on the scale; each domain
    is shifted by a per-institution offset so profiles differ, and each answer by noise.
    """
    rng = _rng(institution, cycle, rubric)
    scale = [level["value"] for level in content["scale"]]
    top = scale[-1]
    responses: dict[str, dict[str, Any]] = {}
    for domain_index, domain in enumerate(content["domains"]):
        # Seeded without the cycle: a domain's strength persists from one cycle to the next.
        offset = _rng(institution, domain["code"]).uniform(-0.6, 0.6)
        offset += 0.2 if domain_index % 3 == 0 else 0
        for criterion in domain["criteria"]:
            if criterion["allow_na"] and rng.random() < na_share:
                responses[criterion["code"]] = {"value": "na", "justification": na_justification}
                continue
            target = (maturity + drift + offset) * top / 3 + rng.gauss(0, 0.6 * top / 3)
            value = _nearest(scale, target)
            responses[criterion["code"]] = {
                "value": value,
                "justification": rng.choice(justifications),
            }
    return responses


def lowered_review(
    responses: dict[str, dict[str, Any]], scale: Sequence[Any]
) -> dict[str, dict[str, Any]]:
    """The reviewer's one change: the highest-rated criterion (the first of equals) one
    level lower, or nothing when no answer is above the bottom of the scale."""
    rated = [(code, r["value"]) for code, r in responses.items() if r["value"] != "na"]
    rated = [(code, value) for code, value in rated if value > scale[0]]
    if not rated:
        return {}
    best = max(value for _code, value in rated)
    code = next(code for code, value in rated if value == best)
    lower = max(level for level in scale if level < best)
    return {code: {"value": lower}}


def _nearest(scale: list[float], target: float) -> float:
    """The level of ``scale`` closest to ``target`` (the lower one on a tie)."""
    return min(scale, key=lambda level: abs(level - target))
