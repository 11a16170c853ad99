"""Replica shapes: how one copy of a model is laid over GPUs, and the shapes worth trying.

A replica has `pp` pipeline stages of `tp x dp` GPUs each. Attention runs
tensor-parallel over `tp` GPUs, in `dp` data-parallel groups (DP attention:
each group owns its own sequences and KV cache); routed experts are spread
over `ep` GPUs of the stage, each expert split `tp x dp / ep` ways (expert
tensor parallelism). A dense model has dp = ep = 1. Layers split evenly
over the stages.

`candidate_shapes` lists the shapes a search tries: powers of two (and the
domain size) up to the scale-up domain, and whole multiples of the domain
when the design has a scale-out fabric; for a mixture of experts every
split of the stage into tp x dp with experts over all of it; pipeline
stages only when a model does not fit one stage.
"""

from __future__ import annotations

from aiflang.records import record


@record(order=True)
class ReplicaShape:
    """Tensor (attention), data-parallel attention, expert and pipeline sizes."""

    tp: int = 1
    dp: int = 1
    ep: int = 1
    pp: int = 1

    def __post_init__(self) -> None:
        if min(self.tp, self.dp, self.ep, self.pp) < 1:
            raise ValueError("tp, dp, ep and pp are at least 1")
        if self.stage_gpus % self.ep:
            raise ValueError(
                f"ep = {self.ep} must divide the {self.stage_gpus} GPUs of a stage (tp x dp)"
            )

    @property
    def stage_gpus(self) -> int:
        """GPUs of one pipeline stage: tp x dp."""
        return self.tp * self.dp

    @property
    def gpus(self) -> int:
        """GPUs of the replica: tp x dp x pp."""
        return self.stage_gpus * self.pp

    @property
    def expert_tp(self) -> int:
        """Ways each routed expert is split: stage GPUs / ep."""
        return self.stage_gpus // self.ep

    def label(self) -> str:
        """`TP8`, `TP1 DP8 EP8`, `TP8 PP2`: the form engine configurations use."""
        parts = [f"TP{self.tp}"]
        if self.dp > 1:
            parts.append(f"DP{self.dp}")
        if self.ep > 1:
            parts.append(f"EP{self.ep}")
        if self.pp > 1:
            parts.append(f"PP{self.pp}")
        return " ".join(parts)


def _powers_up_to(limit: int) -> list[int]:
    return [1 << i for i in range(limit.bit_length()) if 1 << i <= limit]


def stage_sizes(domain: int, *, scale_out: bool, max_gpus: int) -> list[int]:
    """GPUs per stage worth trying: powers of two and the domain, then domain multiples.

    Beyond the scale-up domain a stage grows only when a scale-out fabric
    joins the domains, in powers of two times the domain (two 8-GPU nodes,
    four, ...), up to `max_gpus`.
    """
    sizes = {s for s in _powers_up_to(domain) if s <= max_gpus}
    if domain <= max_gpus:
        sizes.add(domain)
    if scale_out:
        multiple = 2
        while domain * multiple <= max_gpus:
            sizes.add(domain * multiple)
            multiple *= 2
    return sorted(sizes) or [1]


def candidate_shapes(
    *,
    moe: bool,
    domain: int,
    scale_out: bool,
    max_gpus: int,
    max_tp: int,
    max_pp: int = 1,
    experts: int = 0,
) -> list[ReplicaShape]:
    """Shapes a replica search tries, smallest first.

    Dense models: tp over the stage (at most `max_tp`), pipeline stages up
    to `max_pp`. Mixtures of experts: every tp x dp split of a stage (tp at
    most `max_tp`, a power of two) with the experts over all of its GPUs,
    as long as every GPU holds at least one expert (stage <= `experts`).
    """
    shapes: set[ReplicaShape] = set()
    for stage in stage_sizes(domain, scale_out=scale_out, max_gpus=max_gpus):
        for pp in _powers_up_to(max_pp):
            if stage * pp > max_gpus:
                continue
            if not moe:
                if stage <= max_tp:
                    shapes.add(ReplicaShape(tp=stage, pp=pp))
                continue
            if experts and stage > experts:
                continue
            for tp in _powers_up_to(min(stage, max_tp)):
                if stage % tp == 0:
                    shapes.add(ReplicaShape(tp=tp, dp=stage // tp, ep=stage, pp=pp))
    return sorted(shapes, key=lambda s: (s.gpus, s.pp, s.tp, s.dp, s.ep))
