"""What each block kind may contain: attributes, their value forms and dimensions.

This table drives name checks (unknown attribute, did you mean), type and
unit checks (E203, E216), required attributes (E205) and the language
reference in docs/language.md. Adding an attribute here makes the parser's
output accept it; the elaborate pass decides what it means.
"""

from __future__ import annotations

from aiflang import units
from aiflang.syntax.attrs import (
    DATE,
    FOOTPRINT,
    HEIGHT,
    POWER,
    PRICE,
    PROVENANCE,
    SOURCE,
    STATUS,
    URL,
    VENDOR,
    WEIGHT,
    Attr,
    BlockSpec,
    Form,
    attrs,
)
from aiflang.syntax.plant_schema import PLANT_BLOCKS

# Facility plant and storage building blocks a hall, rack or storage system names.
PLANT_KINDS = tuple(spec.kind for spec in PLANT_BLOCKS)

__all__ = ["BLOCKS", "COMPONENT_KINDS", "PLANT_KINDS", "PRECISIONS", "Attr", "BlockSpec", "Form"]

PRECISIONS = ("fp64", "tf32", "bf16", "fp16", "fp8", "fp6", "fp4")
MEDIA = ("multimode", "singlemode", "lpo", "dac", "acc", "aec")
ROLES_DOC = "a NIC role such as compute, frontend or storage"
# Scale-up interconnects: NVIDIA NVLink, AMD Infinity Fabric, UALink, Google's
# TPU inter-chip interconnect (ICI) and AWS NeuronLink.
SCALE_UP_TECHNOLOGIES = ("nvlink", "infinity_fabric", "ualink", "ici", "neuronlink", "none")


def _plant(
    name: str, doc: str, kind: str, example: str = "", unit: units.Dimension = units.POWER
) -> Attr:
    return Attr(name, Form.PLANT, doc, unit, ref_kind=(kind,), example=example)


def _flops(precision: str) -> Attr:
    return Attr(precision, Form.QUANTITY, f"dense {precision} peak", units.COMPUTE_RATE)


BLOCKS: dict[str, BlockSpec] = {
    spec.kind: spec
    for spec in (
        BlockSpec(
            "gpu",
            "an accelerator model",
            attrs(
                VENDOR,
                Attr("generation", Form.STRING, "architecture generation"),
                Attr("form_factor", Form.STRING, "SXM, OAM, Superchip, ..."),
                Attr(
                    "memory",
                    Form.QUANTITY,
                    "HBM capacity",
                    units.DATA,
                    required=True,
                    example="memory = 80 GB",
                ),
                Attr(
                    "memory_bandwidth",
                    Form.QUANTITY,
                    "HBM bandwidth",
                    units.BANDWIDTH,
                    required=True,
                    example="memory_bandwidth = 3.35 TB/s",
                    positive=True,
                ),
                *(_flops(p) for p in PRECISIONS),
                Attr(
                    "tdp",
                    Form.QUANTITY,
                    "thermal design power (left out where unpublished)",
                    units.POWER,
                    example="tdp = 700 W",
                ),
                Attr(
                    "scale_up",
                    Form.CHOICE,
                    "scale-up interconnect",
                    choices=SCALE_UP_TECHNOLOGIES,
                ),
                Attr(
                    "scale_up_bandwidth",
                    Form.QUANTITY,
                    "scale-up bandwidth per GPU",
                    units.BANDWIDTH,
                ),
                Attr("max_scale_up", Form.COUNT, "largest scale-up domain the GPU supports"),
                Attr(
                    "memory_efficiency",
                    Form.FRACTION,
                    "achieved share of memory_bandwidth when decode streams weights and KV",
                    example="memory_efficiency = 81%",
                    positive=True,
                ),
                Attr(
                    "compute_efficiency",
                    Form.PRECISION_FRACTIONS,
                    "achieved share of dense peak in large GEMMs, by precision",
                    example="compute_efficiency = { fp8 = 65%, bf16 = 72% }",
                ),
                Attr(
                    "weight_memory_efficiency",
                    Form.PRECISION_FRACTIONS,
                    "achieved share of memory_bandwidth when decode GEMMs stream weights stored "
                    "at a precision (precisions not listed take memory_efficiency)",
                    example="weight_memory_efficiency = { fp8 = 69% }",
                ),
                Attr(
                    "attention_efficiency",
                    Form.FRACTION,
                    "achieved share of dense peak in attention kernels",
                    example="attention_efficiency = 50%",
                    positive=True,
                ),
                Attr(
                    "mla_decode_efficiency",
                    Form.PRECISION_FRACTIONS,
                    "achieved share of 16-bit dense peak in latent-attention (MLA) decode, by "
                    "KV-cache precision (others take attention_efficiency x "
                    "latent_attention_efficiency)",
                    example="mla_decode_efficiency = { bf16 = 67% }",
                ),
                Attr(
                    "block_fp8_efficiency",
                    Form.FRACTION,
                    "achieved share of the FP8 dense peak in GEMMs whose FP8 weights carry a scale "
                    "per 128 x 128 block (a model with fp8_scales = block; absent: the fp8 "
                    "compute_efficiency)",
                    example="block_fp8_efficiency = 20%",
                    positive=True,
                ),
                Attr(
                    "comm_efficiency",
                    Form.FRACTION,
                    "achieved share of link bandwidth in collectives",
                    example="comm_efficiency = 80%",
                    positive=True,
                ),
                Attr("efficiency_source", Form.STRING, "where the achieved fractions come from"),
                *PROVENANCE,
            ),
            component=True,
        ),
        BlockSpec(
            "cpu",
            "a host processor",
            attrs(
                VENDOR,
                Attr("cores", Form.COUNT, "cores"),
                Attr(
                    "tdp",
                    Form.QUANTITY,
                    "thermal design power (left out where unpublished)",
                    units.POWER,
                    example="tdp = 350 W",
                ),
                *PROVENANCE,
            ),
            component=True,
        ),
        BlockSpec(
            "nic",
            "a network adapter or DPU",
            attrs(
                Attr("kind", Form.CHOICE, "nic or dpu", choices=("nic", "dpu", "supernic")),
                Attr(
                    "ports",
                    Form.MODULES,
                    "ports and their speed",
                    units.BANDWIDTH,
                    required=True,
                    example="ports = 1 x 400 Gbps",
                    positive=True,
                ),
                POWER,
                *PROVENANCE,
            ),
            component=True,
        ),
        BlockSpec(
            "switch",
            "a network switch",
            attrs(
                Attr(
                    "technology",
                    Form.CHOICE,
                    "fabric technology (nvlink for NVLink switch trays)",
                    choices=("infiniband", "ethernet", "nvlink"),
                ),
                Attr(
                    "ports",
                    Form.MODULES,
                    "ports and their speed",
                    units.BANDWIDTH,
                    required=True,
                    example="ports = 64 x 800 Gbps",
                    positive=True,
                ),
                Attr(
                    "breakout",
                    Form.BREAKOUTS,
                    "what one port can split into: one split or the list the vendor publishes",
                    units.BANDWIDTH,
                    example="breakout = [2 x 400 Gbps, 4 x 200 Gbps, 8 x 100 Gbps]",
                    positive=True,
                ),
                Attr(
                    "co_packaged_optics",
                    Form.BOOL,
                    "optics on the switch package: its power includes them, no pluggable modules",
                ),
                POWER,
                HEIGHT,
                WEIGHT,
                *PROVENANCE,
            ),
            component=True,
        ),
        BlockSpec(
            "transceiver",
            "an optical module or a cable",
            attrs(
                Attr(
                    "speed",
                    Form.QUANTITY,
                    "module speed",
                    units.BANDWIDTH,
                    required=True,
                    example="speed = 800 Gbps",
                    positive=True,
                ),
                POWER,
                Attr("reach", Form.QUANTITY, "longest link it spans", units.LENGTH),
                Attr(
                    "media",
                    Form.CHOICE,
                    "multimode, singlemode or lpo optics; dac, acc or aec copper cables "
                    "(one per link, power per end)",
                    choices=MEDIA,
                ),
                Attr(
                    "end",
                    Form.CHOICE,
                    "the end it fits: switch (twin-port cages), nic, or any",
                    choices=("switch", "nic", "any"),
                ),
                *PROVENANCE,
            ),
            component=True,
        ),
        BlockSpec(
            "node",
            "a server or compute tray",
            attrs(
                Attr("gpus", Form.PARTS, "GPUs", ref_kind=("gpu",), example="gpus = 8 x H100"),
                Attr("cpus", Form.PARTS, "CPUs", ref_kind=("cpu",)),
                Attr(
                    "nics",
                    Form.PARTS,
                    "NICs with their roles",
                    ref_kind=("nic",),
                    example="nics = [8 x CX7 for compute, 2 x BF3 for frontend]",
                ),
                POWER,
                HEIGHT,
                WEIGHT,
                *PROVENANCE,
            ),
            component=True,
        ),
        BlockSpec(
            "rack",
            "a rack type",
            attrs(
                Attr(
                    "nodes",
                    Form.PARTS,
                    "nodes in the rack",
                    ref_kind=("node",),
                    required=True,
                    example="nodes = 18 x gb200_tray",
                ),
                Attr(
                    "switches",
                    Form.PARTS,
                    "switches inside the rack (e.g. NVLink trays)",
                    ref_kind=("switch",),
                ),
                Attr(
                    "power_shelves",
                    Form.PARTS,
                    "power shelves feeding the rack's bus bar",
                    ref_kind=("power_shelf",),
                    example="power_shelves = 8 x ORv3_Shelf_33kW",
                ),
                Attr("shelf_redundancy", Form.REDUNDANCY, "redundancy of the power shelves: N, 2N"),
                Attr("scale_up", Form.SCALE_UP, "scale-up domain: nvlink { domain = 72 }"),
                POWER,
                Attr("cooling", Form.COOLING, "air, liquid, or liquid with a share: liquid 85%"),
                FOOTPRINT,
                HEIGHT,
                WEIGHT,
                *PROVENANCE,
            ),
            component=True,
        ),
        BlockSpec(
            "model",
            "a neural network's architecture, as its model card or config.json gives it",
            attrs(
                Attr(
                    "params",
                    Form.NUMBER,
                    "parameters (total)",
                    required=True,
                    example="params = 70.6 billion",
                ),
                Attr("active_params", Form.NUMBER, "parameters one token reads (MoE)"),
                Attr(
                    "layers",
                    Form.COUNT,
                    "transformer layers",
                    required=True,
                    example="layers = 80",
                ),
                Attr(
                    "hidden",
                    Form.COUNT,
                    "model width (d_model)",
                    required=True,
                    example="hidden = 8192",
                ),
                Attr("heads", Form.COUNT, "query heads", required=True, example="heads = 64"),
                Attr("kv_heads", Form.COUNT, "key-value heads (grouped-query attention)"),
                Attr("head_dim", Form.COUNT, "dimension of a query/key head (MLA: without RoPE)"),
                Attr("v_head_dim", Form.COUNT, "dimension of a value head, when it differs"),
                Attr(
                    "attention",
                    Form.CHOICE,
                    "attention kind: grouped-query or multi-head latent",
                    choices=("gqa", "mla"),
                ),
                Attr("kv_lora_rank", Form.COUNT, "MLA: width of the cached latent"),
                Attr("rope_head_dim", Form.COUNT, "MLA: width of the decoupled RoPE key"),
                Attr("ffn", Form.COUNT, "FFN intermediate size of a dense layer"),
                Attr("experts", Form.COUNT, "routed experts per MoE layer"),
                Attr("experts_per_token", Form.COUNT, "routed experts each token uses"),
                Attr("shared_experts", Form.COUNT, "shared experts per MoE layer"),
                Attr("expert_ffn", Form.COUNT, "FFN intermediate size of one expert"),
                Attr("dense_layers", Form.COUNT, "leading layers with a dense FFN (MoE)"),
                Attr("vocab", Form.COUNT, "vocabulary size"),
                Attr("context_length", Form.COUNT, "longest context the model supports"),
                Attr("sliding_window", Form.COUNT, "window of the sliding-window layers"),
                Attr("sliding_layers", Form.COUNT, "layers that attend within the window"),
                Attr("mtp_layers", Form.COUNT, "multi-token-prediction modules shipped"),
                Attr(
                    "fp8_scales",
                    Form.CHOICE,
                    "how its FP8 weights are scaled: one scale per tensor, or per 128 x 128 block"
                    " (DeepSeek-V3's FP8 checkpoints)",
                    choices=("tensor", "block"),
                ),
                STATUS,
                DATE,
                URL,
                SOURCE,
            ),
            component=True,
        ),
        BlockSpec(
            "engine",
            "a serving engine's overheads and limits",
            attrs(
                Attr("version", Form.STRING, "the release the figures describe"),
                Attr("vendors", Form.STRING, 'GPU vendors it runs on, e.g. "NVIDIA, AMD"'),
                Attr(
                    "step_overhead",
                    Form.QUANTITY,
                    "host time per step (scheduling, sampling), overlapped with the GPU",
                    units.TIME,
                    required=True,
                    example="step_overhead = 1 ms",
                ),
                Attr(
                    "kernel_overhead",
                    Form.QUANTITY,
                    "least time of one small kernel (norm, RoPE, routing), launch gap included",
                    units.TIME,
                    required=True,
                    example="kernel_overhead = 4 us",
                ),
                Attr(
                    "sequence_overhead",
                    Form.QUANTITY,
                    "host time per sequence per step of one scheduler",
                    units.TIME,
                ),
                Attr(
                    "request_overhead",
                    Form.QUANTITY,
                    "time per request before its prefill (API server, tokenisation)",
                    units.TIME,
                ),
                Attr(
                    "layer_overhead",
                    Form.QUANTITY,
                    "time per layer per step outside the captured graph (piecewise graphs)",
                    units.TIME,
                ),
                Attr(
                    "collective_latency",
                    Form.QUANTITY,
                    "fixed time of one collective inside the scale-up domain",
                    units.TIME,
                ),
                Attr("max_batch", Form.COUNT, "sequences per engine instance"),
                Attr("token_budget", Form.COUNT, "tokens per step (decodes plus prefill chunks)"),
                Attr(
                    "balance_timeout",
                    Form.COUNT,
                    "steps a prompt may wait for every attention-DP rank to have one (absent: off)",
                ),
                Attr(
                    "balance_batching",
                    Form.COUNT,
                    "further steps prompts wait once every attention-DP rank has one",
                ),
                Attr(
                    "admission_interval",
                    Form.COUNT,
                    "steps between two admissions of new prompts (absent: every step)",
                ),
                Attr(
                    "memory_fraction",
                    Form.FRACTION,
                    "share of the HBM left after weights it fills",
                    example="memory_fraction = 90%",
                    positive=True,
                ),
                Attr("comm_overlap", Form.FRACTION, "share of communication hidden under compute"),
                Attr(
                    "kv_reserve",
                    Form.CHOICE,
                    "KV held per sequence: the whole sequence from admission, or what it reached",
                    choices=("full", "used"),
                ),
                Attr(
                    "prefill",
                    Form.CHOICE,
                    "prompts prefilled in the decode steps, or in steps of their own that pause"
                    " decoding",
                    choices=("mixed", "separate"),
                ),
                Attr(
                    "full_graphs",
                    Form.CHOICE,
                    "steps run as one whole CUDA graph: none, or those without prompt tokens"
                    " (vLLM's FULL_AND_PIECEWISE)",
                    choices=("none", "decode"),
                ),
                Attr(
                    "scheduler",
                    Form.CHOICE,
                    "a token leaves with its step (sync), or a step later while the host"
                    " schedules the next step during this one (overlap)",
                    choices=("sync", "overlap"),
                ),
                STATUS,
                DATE,
                URL,
                SOURCE,
            ),
            component=True,
        ),
        BlockSpec(
            "factory",
            "one facility (a design)",
            {},
            children=(
                "site",
                "hall",
                "storage",
                "fabric",
                "train",
                "serve",
                "finance",
                "assumptions",
                "gpu",
                "cpu",
                "nic",
                "switch",
                "transceiver",
                "node",
                "rack",
                "model",
                "engine",
                *PLANT_KINDS,
            ),
        ),
        BlockSpec(
            "site",
            "the facility envelope",
            attrs(
                Attr("utility", Form.QUANTITY, "utility feed capacity", units.POWER),
                Attr(
                    "pue",
                    Form.NUMBER,
                    "power usage effectiveness (>= 1)",
                    required=True,
                    example="pue = 1.2",
                ),
                Attr("power_price", Form.QUANTITY, "energy price", units.MONEY_PER_ENERGY),
                Attr(
                    "build_cost",
                    Form.QUANTITY,
                    "facility build cost per critical IT power",
                    units.MONEY_PER_POWER,
                ),
                Attr("location", Form.STRING, "where the site is"),
            ),
            named=False,
        ),
        BlockSpec(
            "hall",
            "a data hall",
            attrs(
                Attr(
                    "it_power",
                    Form.QUANTITY,
                    "critical IT capacity",
                    units.POWER,
                    required=True,
                    example="it_power = 3 MW",
                ),
                Attr("feeds", Form.MODULES, "utility feeds (A/B)", units.POWER),
                _plant(
                    "ups", "UPS modules, by size or by model", "ups", "ups = 6 x Galaxy_VXL_1250"
                ),
                Attr("redundancy", Form.REDUNDANCY, "UPS redundancy: N, N+1, 2N, 3/2"),
                Attr("derating", Form.FRACTION, "continuous-load derating of breakers"),
                Attr("cooling", Form.MEDIA, "cooling capacity by medium"),
                _plant("cdus", "coolant distribution units", "cdu", "cdus = 4 x CoolChip_CDU_2300"),
                Attr("cdu_redundancy", Form.REDUNDANCY, "CDU redundancy"),
                _plant("chillers", "chillers", "chiller"),
                Attr("chiller_redundancy", Form.REDUNDANCY, "chiller redundancy"),
                _plant("dry_coolers", "dry coolers", "dry_cooler"),
                Attr("dry_cooler_redundancy", Form.REDUNDANCY, "dry cooler redundancy"),
                _plant("generators", "standby generators", "generator"),
                Attr("generator_redundancy", Form.REDUNDANCY, "generator redundancy"),
                _plant(
                    "batteries",
                    "UPS batteries, by energy or by model",
                    "battery",
                    unit=units.ENERGY,
                ),
                _plant("busways", "busway runs", "busway"),
                Attr(
                    "plant_area",
                    Form.QUANTITY,
                    "floor area of the rooms holding the hall's UPS, batteries and facility CDUs",
                    units.AREA,
                ),
                Attr(
                    "positions",
                    Form.COUNT,
                    "rack positions",
                    required=True,
                    example="positions = 40",
                ),
                Attr(
                    "racks",
                    Form.PARTS,
                    "racks placed in the hall",
                    ref_kind=("rack",),
                    example="racks = 16 x nvl72",
                ),
                Attr("floor_loading", Form.QUANTITY, "rated floor loading", units.MASS_PER_AREA),
            ),
        ),
        BlockSpec(
            "storage",
            "a storage system",
            attrs(
                Attr(
                    "appliances",
                    Form.PARTS,
                    "storage appliances it is built from (capacity, bandwidth, power and "
                    "rack units are summed)",
                    ref_kind=("appliance",),
                    example="appliances = 20 x VAST_Ceres_DBox",
                ),
                Attr("capacity", Form.QUANTITY, "usable capacity", units.DATA),
                Attr("bandwidth", Form.QUANTITY, "aggregate bandwidth", units.BANDWIDTH),
                POWER,
                Attr("hall", Form.REF, "the hall it stands in", ref_kind=("hall",)),
                Attr("positions", Form.COUNT, "rack positions it takes"),
                PRICE,
                Attr(
                    "price_per_capacity",
                    Form.QUANTITY,
                    "price per byte",
                    units.Dimension(money=1, data=-1),
                ),
            ),
        ),
        BlockSpec(
            "fabric",
            "a network",
            attrs(
                Attr(
                    "technology",
                    Form.CHOICE,
                    "infiniband or ethernet",
                    choices=("infiniband", "ethernet"),
                ),
                Attr(
                    "connects", Form.STRING, ROLES_DOC, required=True, example="connects = compute"
                ),
                Attr(
                    "topology",
                    Form.CHOICE,
                    "fat_tree or rail_optimized",
                    choices=("fat_tree", "rail_optimized"),
                ),
                Attr("tiers", Form.COUNT, "switch tiers (1, 2 or 3); derived when left out"),
                Attr("oversubscription", Form.RATIO, "leaf oversubscription, e.g. 1:1"),
                Attr("rails", Form.COUNT, "rails (rail-optimized); derived from NICs per node"),
                Attr(
                    "leaf",
                    Form.REF,
                    "leaf switch",
                    ref_kind=("switch",),
                    required=True,
                    example="leaf = QM9700",
                ),
                Attr("spine", Form.REF, "spine switch", ref_kind=("switch",)),
                Attr("core", Form.REF, "core switch", ref_kind=("switch",)),
                Attr("transceiver", Form.REF, "optical module", ref_kind=("transceiver",)),
                Attr(
                    "distance",
                    Form.QUANTITY,
                    "longest cable run between a switch and what it connects; picks the optics "
                    "when no transceiver is named",
                    units.LENGTH,
                ),
                Attr("switches", Form.SWITCH_COUNTS, "declared switch counts per tier"),
                Attr(
                    "hall", Form.REF, "hall holding the spine and core switches", ref_kind=("hall",)
                ),
                Attr("training", Form.BOOL, "carries training traffic (default: compute role)"),
            ),
        ),
        BlockSpec(
            "train",
            "a training workload",
            attrs(
                Attr(
                    "params",
                    Form.NUMBER,
                    "parameters (total); or name a `model`",
                    example="params = 405 billion",
                ),
                Attr("active_params", Form.NUMBER, "active parameters per token (MoE)"),
                Attr(
                    "model",
                    Form.REF,
                    "the model trained (a `model` definition)",
                    ref_kind=("model",),
                ),
                Attr(
                    "tokens",
                    Form.NUMBER,
                    "training tokens",
                    required=True,
                    example="tokens = 15.6 trillion",
                ),
                Attr("precision", Form.CHOICE, "compute precision", choices=PRECISIONS),
                Attr("mfu", Form.FRACTION, "model FLOPs utilization"),
                Attr("gpus", Form.COUNT, "GPUs used (default: all)"),
                Attr("fabric", Form.REF, "fabric it runs on", ref_kind=("fabric",)),
                Attr("storage", Form.REF, "checkpoint storage", ref_kind=("storage",)),
                Attr("sequence_length", Form.COUNT, "tokens per training sequence"),
                Attr("global_batch", Form.COUNT, "sequences per optimizer step"),
                Attr(
                    "parallelism",
                    Form.PARALLELISM,
                    "parallelism plan (any part; the rest is searched)",
                    example="parallelism = { tp = 8, pp = 16, zero = 1 }",
                ),
            ),
        ),
        BlockSpec(
            "serve",
            "an inference workload",
            attrs(
                Attr("params", Form.NUMBER, "parameters (total); or name a `model`"),
                Attr("active_params", Form.NUMBER, "active parameters per token (MoE)"),
                Attr("precision", Form.CHOICE, "weight and compute precision", choices=PRECISIONS),
                Attr("input_tokens", Form.COUNT, "prompt tokens per request"),
                Attr("output_tokens", Form.COUNT, "generated tokens per request"),
                Attr(
                    "user_rate",
                    Form.QUANTITY,
                    "decode rate each user sees",
                    units.TOKEN_RATE,
                    example="user_rate = 30 tokens/s",
                    positive=True,
                ),
                Attr("share", Form.FRACTION, "share of the fleet (default: all, split evenly)"),
                Attr("gpus", Form.COUNT, "GPUs used"),
                Attr("layers", Form.COUNT, "transformer layers"),
                Attr("kv_heads", Form.COUNT, "key-value heads"),
                Attr("head_dim", Form.COUNT, "dimension of a head"),
                Attr("kv_precision", Form.CHOICE, "KV-cache precision", choices=PRECISIONS),
                Attr("gpus_per_replica", Form.COUNT, "GPUs per replica (derived when left out)"),
                Attr(
                    "model",
                    Form.REF,
                    "the model served (a `model` definition)",
                    ref_kind=("model",),
                ),
                Attr("engine", Form.REF, "the serving engine", ref_kind=("engine",)),
                Attr(
                    "ttft_limit",
                    Form.QUANTITY,
                    "time to first token each request must meet (90th percentile)",
                    units.TIME,
                ),
                Attr("tpot_limit", Form.QUANTITY, "mean time per output token", units.TIME),
                Attr("tp", Form.COUNT, "tensor-parallel GPUs per stage (attention)"),
                Attr("dp", Form.COUNT, "data-parallel attention groups per stage"),
                Attr("ep", Form.COUNT, "expert-parallel GPUs per stage"),
                Attr("pp", Form.COUNT, "pipeline stages"),
                Attr(
                    "parallelism",
                    Form.PARALLELISM,
                    "replica shape in one map",
                    example="parallelism = { tp = 8, ep = 8 }",
                ),
                Attr("disaggregated", Form.BOOL, "prefill on a separate pool of replicas"),
                Attr("prefill_gpus", Form.COUNT, "GPUs of the prefill pool (disaggregated)"),
                Attr(
                    "prefill_share", Form.FRACTION, "share of the GPUs that prefill (disaggregated)"
                ),
                Attr("draft_tokens", Form.COUNT, "tokens drafted per step (MTP, speculative)"),
                Attr("acceptance_length", Form.NUMBER, "tokens accepted per step, bonus included"),
            ),
        ),
        BlockSpec(
            "finance",
            "money over time",
            attrs(
                Attr(
                    "horizon",
                    Form.QUANTITY,
                    "period of the total cost of ownership",
                    units.TIME,
                    example="horizon = 5 years",
                    positive=True,
                ),
                Attr(
                    "software_license",
                    Form.QUANTITY,
                    "software per GPU per year",
                    units.MONEY_PER_GPU_TIME,
                ),
                Attr("utilization", Form.FRACTION, "average share of time the GPUs work"),
                Attr("maintenance", Form.FRACTION, "yearly maintenance as a share of hardware"),
                Attr(
                    "depreciation_systems", Form.QUANTITY, "life of accelerated systems", units.TIME
                ),
                Attr("depreciation_network", Form.QUANTITY, "life of network gear", units.TIME),
                Attr("depreciation_storage", Form.QUANTITY, "life of storage", units.TIME),
                Attr("depreciation_facility", Form.QUANTITY, "life of the facility", units.TIME),
            ),
            named=False,
        ),
        BlockSpec("assumptions", "overrides of model constants", {}, named=False),
        *PLANT_BLOCKS,
    )
}

COMPONENT_KINDS = tuple(k for k, s in BLOCKS.items() if s.component)

# A sweep varies what `--set` sets: the factory's members and every kind of part, so
# its children follow the table above (a new kind of part is sweepable without an edit).
BLOCKS["sweep"] = BlockSpec(
    "sweep",
    "a design-space search of the file's factory (`aifc sweep`): inside it, blocks "
    "named as in the factory give each varied attribute a list of alternatives, a "
    "range, a distribution or steps(LOW, HIGH, STEP); `require` rules are its "
    "constraints",
    attrs(
        Attr("samples", Form.COUNT, "samples of the continuous inputs"),
        Attr(
            "method",
            Form.CHOICE,
            "how continuous inputs are sampled",
            choices=("lhs", "random"),
        ),
        Attr("seed", Form.NUMBER, "seed of the sampling (a whole number, default 0)"),
        Attr(
            "maximize",
            Form.STRING,
            "figures to maximise: key figure names or quoted report paths, or a list",
        ),
        Attr(
            "minimize",
            Form.STRING,
            "figures to minimise: key figure names or quoted report paths, or a list",
        ),
    ),
    children=(
        *("site", "hall", "storage", "fabric", "train", "serve", "finance", "assumptions"),
        *COMPONENT_KINDS,
    ),
)
