"""What is asked of a serving replica: request lengths, speculation, and the serving mode.

- `Request`: prompt and output tokens per request, and the spread of
  prompt lengths (squared coefficient of variation, 0 for one length).
- speculative decoding / multi-token prediction: `draft_tokens` g drafted
  per step, verified in one pass of g + 1 tokens per sequence; the
  acceptance length a (tokens emitted per step, the verified bonus token
  included) is given, or follows from the acceptance of each draft: the
  first is accepted with probability alpha (`draft_acceptance`), each later
  one, given its predecessors were, with alpha x delta^(i-1)
  (`draft_acceptance_decay`): a = 1 + sum over i of the product of the
  first i acceptances. With delta = 1 this is the i.i.d. form (1 -
  alpha^(g+1)) / (1 - alpha) of Leviathan et al., "Fast Inference from
  Transformers via Speculative Decoding" (arXiv:2211.17192), equation 1.
  Each drafted token costs one pass of one layer plus the module's
  projection and the output head it shares with the main model (a
  multi-token-prediction module is one transformer block between a
  hidden x 2 hidden projection and the shared head: DeepSeek-V3 report,
  section 2.2; `Replica.draft_head`).
- `Disaggregation`: prefill on its own pool of replicas (`prefill_gpus`
  out of the workload's GPUs, a prefill share, or sized to the load at
  `prefill_pool_utilization`), the KV cache sent to the decode replica.
"""

from __future__ import annotations

from aiflang.models.assumptions import Assumptions
from aiflang.models.serving.shape import ReplicaShape
from aiflang.records import record


@record
class Request:
    """Mean tokens per request: prompt and output."""

    input_tokens: int
    output_tokens: int

    def __post_init__(self) -> None:
        if self.input_tokens < 0 or self.output_tokens < 1:
            raise ValueError("a request needs input_tokens >= 0 and output_tokens >= 1")


@record
class Speculation:
    """Draft tokens per step and the tokens accepted per step (>= 1)."""

    draft_tokens: int = 0
    acceptance_length: float = 1.0

    def __post_init__(self) -> None:
        if self.draft_tokens < 0:
            raise ValueError("draft tokens cannot be negative")
        if not 1.0 <= self.acceptance_length <= self.draft_tokens + 1:
            raise ValueError(
                f"an acceptance length lies between 1 and draft tokens + 1 "
                f"({self.draft_tokens + 1}); got {self.acceptance_length:g}"
            )

    @property
    def query_tokens(self) -> int:
        return self.draft_tokens + 1


def speculation(
    draft_tokens: int, acceptance_length: float | None, assumptions: Assumptions
) -> Speculation:
    """Speculation with the given acceptance length, or the i.i.d. one at `draft_acceptance`."""
    if draft_tokens == 0:
        return Speculation()
    if acceptance_length is None:
        alpha = assumptions.value("draft_acceptance")
        decay = assumptions.value("draft_acceptance_decay")
        accepted, acceptance_length = 1.0, 1.0
        for position in range(draft_tokens):
            accepted *= alpha * decay**position
            acceptance_length += accepted
            if accepted < 1e-12:  # the rest adds nothing a float can hold
                break
    return Speculation(draft_tokens, acceptance_length)


@record
class Disaggregation:
    """A separate prefill pool. Give at most one of `prefill_gpus` and `prefill_share`.

    `prefill_gpus` counts GPUs out of the workload's `total_gpus`;
    `prefill_share` is the prefill GPUs' share of the workload's GPUs;
    with neither, the pool is sized to the load at `prefill_pool_utilization`.
    """

    shape: ReplicaShape
    prefill_gpus: int | None = None
    prefill_share: float | None = None
    total_gpus: int | None = None

    def __post_init__(self) -> None:
        if self.prefill_gpus is not None and self.prefill_share is not None:
            raise ValueError("give prefill_gpus or a prefill share, not both")
        if self.prefill_share is not None and not 0 < self.prefill_share < 1:
            raise ValueError("a prefill share lies strictly between 0 and 1")
