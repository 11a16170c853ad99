"""Time per output token across requests: its spread and a quantile of it.

A request's TPOT is the mean gap between its output tokens, (latency -
TTFT) / (output tokens - 1), the figure MLPerf Inference limits at its 99th
percentile over requests (MLPerf Inference rules, LLM latency
constraints). The model's step is the mean over requests; this module
gives the spread around it, from the mechanism:

- a step's time is a fixed part (weights read at batch 1, per-step floor,
  collective latency), a part that grows with the batch's decode work
  (`decode_s`: the step at the batch less the step at batch 1, without
  prefill) and a part that grows with the prompt tokens the step carries
  (`prefill_s`: the step with its mean prefill less the step without);
- a request's TPOT averages the steps of its own life, S = n steps (n =
  its output tokens / acceptance length, u = n / mean n);
- the decode work follows the number of requests in the system, Poisson
  with mean B (an M/G/infinity view of continuous batching); its time
  average over a window u S has variance B g(u), g(u) = 1 - u / 3 for u <= 1
  and (1 - 1 / (3 u)) / u beyond (the autocovariance B (1 - tau / S) of
  requests that each stay S);
- the prefill work is the prompts that arrive during the life: Poisson with
  mean B u (Little's law, lambda S = B), each of P tokens with squared
  coefficient of variation c: variance B u (1 + c) P^2;
- relative variance of TPOT for a request of u times the mean output:
  sigma(u)^2 = (decode_s^2 g(u) + prefill_s^2 (1 + c) / u) / (B step^2),
  with u at least one gap (1 / n);
- output lengths u: gamma with mean 1 and squared coefficient of variation
  c (`request_length_scv`; 1 is exponential, 0 every request alike),
  TPOT normal given u. The q-quantile of TPOT is step x (1 + x_q) with
  E_u[P(Z sigma(u) > x_q)] = 1 - q, over fixed probability bins of u
  (log-spaced towards the short outputs, where the tail comes from).

Not held: a spread of the acceptance length of speculative decoding, and
steps slowed by preemption or by swapping KV out.
"""

from __future__ import annotations

import functools
import itertools
import math

from aiflang.models.distributions import normal_quantile
from aiflang.records import record

_BINS = 24  # probability bins of u, log-spaced from 1e-6 to 1
_ITERATIONS = 60  # Newton steps at most (a few reach the tolerance)
_TOLERANCE = 1e-9  # relative step at which the quantile counts as found
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


@record
class TpotSpread:
    """The terms of one point's TPOT spread (seconds per step, and the batch)."""

    step_s: float  # the mean step
    decode_s: float  # the part of the step that grows with the batch's decode work
    prefill_s: float  # the part that comes from the prompt tokens the step carries
    batch: float
    output_steps: float  # steps of a request of the mean output length
    scv: float  # squared coefficient of variation of prompt and output lengths

    def relative_sd(self, u: float) -> float:
        """Standard deviation of TPOT relative to the mean, for a request of u x the mean."""
        if self.batch <= 0 or self.step_s <= 0:
            return 0.0
        u = max(u, 1.0 / max(self.output_steps, 1.0))
        g = 1.0 - u / 3.0 if u <= 1.0 else (1.0 - 1.0 / (3.0 * u)) / u
        variance = self.decode_s**2 * g + self.prefill_s**2 * (1.0 + self.scv) / u
        return math.sqrt(max(variance, 0.0) / self.batch) / self.step_s

    def quantile_factor(self, q: float) -> float:
        """The q-quantile of TPOT over requests, relative to the mean TPOT (1 at q <= 0.5)."""
        if q <= 0.5:
            return 1.0
        tail = 1.0 - q
        nodes = [(w, 1.0 / sd) for u, w in _output_nodes(self.scv) if (sd := self.relative_sd(u))]
        if not nodes:
            return 1.0
        # Newton's method on the tail's excess, from 0: a sum of normal tails is convex and
        # falling for x > 0, so the iterates rise to the root without passing it
        x = 0.0
        for _ in range(_ITERATIONS):
            excess = -tail
            slope = 0.0
            for w, inverse in nodes:
                z = x * inverse
                excess += w * 0.5 * math.erfc(z * _SQRT_HALF)
                slope -= w * inverse * math.exp(-0.5 * z * z) * _INV_SQRT_2PI
            if excess <= 0.0 or slope >= 0.0:
                break
            step = excess / -slope
            x += step
            if step <= _TOLERANCE * x:
                break
        return 1.0 + x


@functools.lru_cache(maxsize=16)
def _output_nodes(scv: float) -> tuple[tuple[float, float], ...]:
    """(u, probability) nodes of output length over its mean: gamma of mean 1 and `scv`.

    Bins of probability log-spaced from 1e-6 to 1 (the tail of TPOT comes
    from short outputs), each at its probability midpoint's quantile:
    exact for the exponential (scv 1), Wilson-Hilferty otherwise.
    """
    if scv <= 0.0:
        return ((1.0, 1.0),)
    edges = [0.0] + [10.0 ** (-6.0 + 6.0 * i / _BINS) for i in range(_BINS + 1)]
    nodes = []
    for lo, hi in itertools.pairwise(edges):
        nodes.append((_gamma_quantile((lo + hi) / 2.0, scv), hi - lo))
    return tuple(nodes)


def _gamma_quantile(p: float, scv: float) -> float:
    """The p-quantile of a gamma distribution of mean 1 and squared coefficient `scv`."""
    if abs(scv - 1.0) < 1e-12:
        return -math.log1p(-p)
    shape = 1.0 / scv
    z = normal_quantile(p)
    cube = 1.0 - 1.0 / (9.0 * shape) + z / (3.0 * math.sqrt(shape))
    return max(cube, 1e-9) ** 3
