"""Prefill and time to first token, aggregated (chunked prefill) or disaggregated.

A prompt of s tokens costs 2 x active params x s GEMM FLOPs and its causal
attention (`Architecture.prefill_attention_flops`); it runs in chunks of
at most the engine's token budget, each chunk attending to the chunks
before it (Sarathi-Serve, arXiv:2403.02310).

Every request first waits for a free sequence slot of its decode replica:
the replica holds at most its batch limit of sequences (c slots), each
busy for output / a steps, so admission is an M/G/c queue at the
replica's request rate (service-time variability `request_length_scv`).

Aggregated serving (chunked prefill): every attention rank (dp of them;
one without attention data parallelism) has its own token budget per step
and spends what its B x q / dp decode tokens leave, C = budget - B x q /
dp, on prompt chunks; a prompt is prefilled by one rank. The ranks form a
queue of dp servers (M/G/c), each serving a prompt in S = s / C x t_full
(t_full: a step of the batch with every rank's chunk full), arrivals at
the replica's request rate lambda = B x a / (output x t_step). TTFT =
wait(lambda, S, dp) + the request's own chunks, ceil(s / C) steps of the
batch, each carrying its chunk and the other ranks' mean prefill share
(the step's mean prefill tokens lambda x s x t_step, x (dp - 1) / dp).

Attention-DP balancing (`Engine.balance_timeout_steps` > 0, dp > 1): the
engine releases prompts only when every rank has one, or after the
timeout; then, when every rank had one, `balance_batching_steps` more.
Prompts arrive lambda x t_step per step, so every rank has one after about
dp / (lambda x t_step) steps; the release cycle is that plus the batching
steps, or the timeout when that is shorter, and a prompt arriving at a
random moment waits for the next release: uniform over the cycle (mean
half of it), in place of waiting for the current step to end.

Disaggregated serving: each attention rank of a prefill replica runs
forwards of the token budget (several short prompts per forward, or one
chunk of a long one); a request alone takes the latency of its chunks back
to back, and a saturated replica, every rank's budget full, serves one
request per S = s x (forward time / tokens per forward). The
pool's replicas share one queue (c servers). The KV cache, s x KV bytes per
token, then moves to the decode replica over NVLink when both sit in one
scale-up domain and over the prefill replica's NICs otherwise.
TTFT = wait + prefill latency + KV transfer.

An engine that admits new prompts only every k steps
(`Engine.admission_interval_steps`: vLLM's multi-step scheduling,
`num_scheduler_steps`, one scheduler call per k forward steps; AMD's
MLPerf builds of vLLM hold prompts back for n decode steps after each
admission, k = n + 1) makes a prompt arriving at a random moment wait for
the next admission, uniform over the k-step cycle (mean k / 2 steps, in
place of half a step), and admits it with the lambda x k x t_step others
that arrived in the window (Poisson): they are prefilled together, first
come first served, in steps of the ranks' capacity, so a prompt's prefill
takes the steps of its own tokens and, on average, half of the others'.

An engine that prefills apart (`Engine.separate_prefill`, SGLang's
default) runs the prompts in a step of their own, without the decodes: a
rank's whole budget is room for prompts, and the request's prefill steps
are such steps.

Both add the engine's `request_overhead` (API server, tokenisation) unless
requests reach the engine in-process (`Setup.api_server` False, as
MLPerf's harnesses call it). An aggregated engine with an overlap scheduler
(`Engine.overlap_scheduler`: TensorRT-LLM's PyTorch executor launches step
n + 1 before it handles step n's outputs, "one extra decoding step";
SGLang's zero-overhead batch scheduler) hands the first token on a decode
step after the step that made it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from aiflang.models.serving.queueing import Wait, quantile_after_cycle, wait
from aiflang.models.serving.step import Replica, StepTime
from aiflang.records import field, record


@record
class Prefill:
    """One prefill replica's figures for one prompt length (seconds)."""

    latency_s: float  # a request alone on an idle replica
    service_s: float  # per request when the replica is saturated


def _chunk_attention(replica: Replica, prompt: float, start: float, size: float) -> float:
    return replica.arch.prefill_attention_flops(start + size, start)


def prefill(replica: Replica, prompt: int) -> Prefill:
    """Prefill latency and saturated service time of `prompt` tokens on `replica`.

    A prompt is prefilled by one attention rank, at most the engine's token
    budget per forward: alone on an idle replica it takes its chunks back to
    back. Saturated, every rank carries a full budget each forward (several
    short prompts, or one chunk of a long one), so a request costs the
    forward over the prompts the replica's dp budgets hold.
    """
    budget = replica.engine.token_budget
    ranks = replica.shape.dp
    if prompt <= 0:
        return Prefill(0.0, 0.0)
    latency = 0.0
    start = 0.0
    while start < prompt:
        size = min(float(budget), prompt - start)
        step = replica.decode_step(
            0.0,
            0.0,
            prefill_tokens=size,
            prefill_attention_flops=_chunk_attention(replica, prompt, start, size),
        )
        latency += step.total_s
        start += size
    if prompt >= budget:
        chunks = math.ceil(prompt / budget)
        full = replica.decode_step(
            0.0,
            0.0,
            prefill_tokens=ranks * prompt / chunks,
            prefill_attention_flops=ranks * replica.arch.prefill_attention_flops(prompt) / chunks,
        )
        return Prefill(latency, chunks * full.total_s / ranks)
    per_forward = ranks * max(1, budget // prompt)
    step = replica.decode_step(
        0.0,
        0.0,
        prefill_tokens=per_forward * prompt,
        prefill_attention_flops=per_forward * replica.arch.prefill_attention_flops(prompt),
    )
    return Prefill(latency, step.total_s / per_forward)


@record
class FirstToken:
    """Time to first token at a load: mean, 90th and 99th percentiles, and its parts (seconds).

    `admission` is the wait for a free batch slot, `wait` the wait for
    prefill capacity; a quantile adds the two waits' quantiles (an upper
    bound on the quantile of their sum) to the fixed parts. After a release
    cycle (attention-DP balancing, an admission interval), the cycle's
    uniform wait and the two waits are convolved instead
    (`queueing.quantile_after_cycle`).
    """

    mean_s: float
    p90_s: float
    p99_s: float
    wait: Wait
    prefill_s: float
    transfer_s: float
    fixed_s: float = 0.0  # request overhead (API server) and, aggregated, half a decode step
    admission: Wait = field(default_factory=lambda: Wait(0.0, 0.0, 0.0))
    balance_cycle_s: float = 0.0  # release cycle (balancing, admission interval); uniform wait

    def quantile(self, q: float) -> float:
        """The q-quantile of TTFT (see the class docstring)."""
        return _waits_quantile(q, self.admission, self.wait, self.balance_cycle_s) + (
            self.prefill_s + self.transfer_s + self.fixed_s
        )


def _waits_quantile(q: float, admission: Wait, queue: Wait, cycle_s: float) -> float:
    """The q-quantile of the waits before a prefill: the two queues' quantiles added; after a
    release cycle, the cycle's uniform wait and the queues' convolved
    (`queueing.quantile_after_cycle`)."""
    if cycle_s > 0:
        return quantile_after_cycle(q, cycle_s, (admission, queue))
    return admission.quantile(q) + queue.quantile(q)


def _first_token(
    queue: Wait,
    own_s: float,
    transfer_s: float,
    fixed_s: float,
    admission: Wait,
    balance_cycle_s: float = 0.0,
) -> FirstToken:
    """TTFT = fixed delays + waits (a slot, a release, then prefill) + own prefill + the KV
    transfer."""
    fixed = own_s + fixed_s + transfer_s
    return FirstToken(
        mean_s=admission.mean_s + queue.mean_s + balance_cycle_s / 2.0 + fixed,
        p90_s=_waits_quantile(0.9, admission, queue, balance_cycle_s) + fixed,
        p99_s=_waits_quantile(0.99, admission, queue, balance_cycle_s) + fixed,
        wait=queue,
        prefill_s=own_s,
        transfer_s=transfer_s,
        fixed_s=fixed_s,
        admission=admission,
        balance_cycle_s=balance_cycle_s,
    )


def balance_cycle_steps(
    engine_timeout: int, engine_batching: int, dp: int, arrivals: float
) -> float:
    """Steps between two releases of prompts by an attention-DP balancing engine (0 when it
    does not balance): until every one of `dp` ranks has a prompt, at `arrivals` prompts per
    step, plus the batching steps, or the timeout when that comes first."""
    if engine_timeout <= 0 or dp <= 1:
        return 0.0
    fill = dp / arrivals if arrivals > 0 else math.inf
    if fill >= engine_timeout:
        return float(engine_timeout)
    return fill + engine_batching


def aggregated_first_token(
    replica: Replica,
    batch: float,
    context: float,
    prompt: int,
    *,
    query_tokens: float,
    draft_passes: int,
    request_rate: float,
    prompt_scv: float,
    step_s: float,
    request_overhead_s: float,
    admission: Wait,
) -> FirstToken:
    """TTFT on a decode replica at `batch` that also prefills (see the module docstring).

    A request arrives on average half-way through a decode step (`step_s`)
    and waits for it to end before its first chunk can be scheduled (or,
    with attention-DP balancing, for the next release of prompts).
    """
    engine, dp = replica.engine, replica.shape.dp
    capacity = engine.token_budget - batch * query_tokens / dp  # per attention rank
    if engine.separate_prefill:  # prompt steps carry no decodes
        capacity = float(engine.token_budget)
    lag = step_s if engine.overlap_scheduler else 0.0  # the first token leaves a step late
    fixed = request_overhead_s + step_s / 2.0 + lag
    if prompt <= 0:
        return _first_token(wait(0.0, 0.0), 0.0, 0.0, fixed, admission)
    if capacity < 1:
        infinite = Wait(math.inf, 1.0, math.inf)
        return _first_token(infinite, math.inf, 0.0, fixed, admission)
    chunk = min(capacity, float(prompt))
    others = request_rate * prompt * step_s * (dp - 1) / dp  # the other ranks' mean chunks

    def step_with(tokens: float) -> StepTime:
        attention = replica.arch.prefill_attention_flops(prompt) * tokens / prompt
        if engine.separate_prefill:
            return replica.decode_step(
                0.0, 0.0, prefill_tokens=tokens, prefill_attention_flops=attention
            )
        return replica.decode_step(
            batch,
            context,
            query_tokens=query_tokens,
            draft_passes=draft_passes,
            prefill_tokens=tokens,
            prefill_attention_flops=attention,
        )

    full = step_with(capacity * dp).total_s
    service = prompt / capacity * full
    own = math.ceil(prompt / chunk) * step_with(chunk + others).total_s
    queue = wait(request_rate, service, dp, prompt_scv)
    cycle = balance_cycle_steps(
        engine.balance_timeout_steps, engine.balance_batching_steps, dp, request_rate * step_s
    )
    interval = engine.admission_interval_steps
    if interval > 1:
        own = _window_prefill(prompt, request_rate * step_s * interval, capacity * dp, step_with)
        cycle = max(cycle, float(interval))
    if cycle:
        fixed = request_overhead_s + lag  # the release cycle replaces the wait for the step's end
    return _first_token(queue, own, 0.0, fixed, admission, cycle * step_s)


def _window_prefill(
    prompt: int, arrivals: float, capacity: float, step_with: Callable[[float], StepTime]
) -> float:
    """Prefill time of a prompt admitted with the `arrivals` others of its admission window.

    The window's prompts are admitted together and prefilled first come,
    first served in steps of at most `capacity` prompt tokens (every
    rank's share): a prompt at a random place in the window has half of the
    others' tokens ahead of it on average, and the steps until it is done
    run full while the window's prompts last.
    """
    others = arrivals * prompt
    steps = max(1, math.ceil((prompt + others / 2.0) / capacity))
    return steps * step_with(min(capacity, prompt + others)).total_s


def kv_transfer_s(replica: Replica, prompt: int, same_domain: bool) -> float:
    """Moving one prompt's KV cache from a prefill replica to a decode replica, seconds."""
    values = replica.arch.kv_values(float(prompt))
    size = values * replica.kv_bytes_per_value
    net = replica.network
    per_gpu = net.scale_up_bandwidth if same_domain else net.scale_out_bandwidth
    bandwidth = per_gpu * replica.shape.gpus * replica.efficiency.comm
    latency = replica.engine.collective_latency_s + (
        0.0 if same_domain else net.scale_out_latency_s
    )
    return latency + (size / bandwidth if bandwidth > 0 else math.inf)


def disaggregated_first_token(
    prefill_replica: Replica,
    prompt: int,
    *,
    request_rate: float,
    prefill_replicas: float,
    prompt_scv: float,
    same_domain: bool,
    request_overhead_s: float,
    admission: Wait,
    figures: Prefill | None = None,
) -> FirstToken:
    """TTFT with a pool of `prefill_replicas` replicas at `request_rate` requests/s in total."""
    figures = figures or prefill(prefill_replica, prompt)
    servers = max(1, math.floor(prefill_replicas + 1e-9))
    queue = wait(request_rate, figures.service_s, servers, prompt_scv)
    transfer = kv_transfer_s(prefill_replica, prompt, same_domain)
    return _first_token(queue, figures.latency_s, transfer, request_overhead_s, admission)
