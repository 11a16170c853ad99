"""Every model constant, in one table: default, unit, description and source.

This is the one place constants are defined. `aiflang.models.assumptions`
builds its registry from `DEFAULTS` when it is imported, so every constant
is known before any design is read, whichever analyses have been imported:
an `assumptions { name = value }` block can override any of them.

Defaults are in SI base units (watts, seconds, bits, USD, ...); `unit` is
the unit a default is written and displayed in (a unit expression the unit
table understands, "" for a plain number, "%" for a fraction). `minimum`
and `maximum` bound an override, in SI.
"""

from __future__ import annotations

from dataclasses import dataclass

_YEAR = 31_536_000.0  # 365 days, as in the unit table
_RACK_UNIT_M = 0.04445  # 1.75 in (EIA-310)


@dataclass(frozen=True, slots=True)
class Assumption:
    """One documented model constant."""

    name: str
    default: float  # SI
    unit: str  # display unit expression, "" for a plain number, "%" for a fraction
    description: str
    source: str
    minimum: float | None = None
    maximum: float | None = None
    # The range the source publishes (SI), when it gives one: `aifc report --uncertainty`
    # samples the constant over it unless the design sets it. It holds the default.
    low: float | None = None
    high: float | None = None

    @property
    def published_range(self) -> tuple[float, float] | None:
        return (self.low, self.high) if self.low is not None and self.high is not None else None


DEFAULTS: tuple[Assumption, ...] = (
    # Power (aiflang.models.power)
    Assumption(
        "breaker_derating",
        0.8,
        "%",
        "continuous load a breaker, busway or feeder may carry, as a fraction of its rating",
        "NEC (NFPA 70) 210.19(A)(1) and 215.2(A)(1): conductors and overcurrent devices are sized "
        "at 125% of the continuous load, i.e. a continuous load of at most 80% of the rating",
        minimum=0.5,
        maximum=1.0,
    ),
    Assumption(
        "air_rack_limit_w",
        50e3,
        "kW",
        "heat an air-cooled rack can reject (the air share of a rack's power)",
        "Chatsworth Products (2026), 'When do you need liquid cooling for AI infrastructure': "
        "liquid is evaluated from about 30 kW per cabinet and becomes the practical choice at "
        "40-50 kW; CoolNet (2025): 20-30 kW is achievable with optimized air and containment. "
        "The default takes the top of the 40-50 kW band because NVIDIA's DGX H100 SuperPOD "
        "reference architecture deploys air-cooled racks of 4 systems (40.8 kW) with hot-aisle "
        "containment; above 50 kW air alone is not a credible design",
        minimum=5e3,
        maximum=150e3,
        low=40e3,
        high=50e3,
    ),
    Assumption(
        "node_overhead",
        1.5,
        "",
        "air-cooled node power over the sum of its GPU, CPU and NIC ratings",
        "derived: DGX H100 10.2 kW max / (8 x 700 W GPUs + 2 x 350 W Xeon 8480C + about 350 W "
        "of NICs = 6.65 kW) = 1.53; DGX B200 14.3 kW / (8 x 1000 W + 2 x 350 W + 350 W = 9.05 kW) "
        "= 1.58 (NVIDIA DGX H100 and DGX B200 user guides; Intel ARK)",
        minimum=1.0,
        maximum=3.0,
    ),
    Assumption(
        "node_overhead_liquid",
        1.25,
        "",
        "liquid-cooled node power over the sum of its GPU, CPU and NIC ratings, used for a node "
        "without a declared power in a rack that sends at least half its heat to liquid",
        "derived: a GB200 NVL72 rack is rated 132 kW (NVIDIA GB200 NVL72 specifications; "
        "Supermicro power shelves, 132 kW of output); less its 9 NVLink switch trays (3.6 kW, "
        "Supermicro's GB300 NVL72 breakdown as tabulated by Introl, 2025) that leaves 128.4 kW for "
        "18 compute trays whose parts add up to 102.6 kW (72 x 1200 W GB200, MLPerf system "
        "descriptions; 36 x 250 W Grace, half the 500 W Grace CPU Superchip module; 72 x 25 W "
        "ConnectX-7; 36 x 150 W BlueField-3): 128.4 / 102.6 = 1.25",
        minimum=1.0,
        maximum=3.0,
    ),
    Assumption(
        "pue_liquid_low",
        1.05,
        "",
        "lowest plausible PUE for a facility cooled entirely by direct liquid cooling",
        "NREL, 'High-Performance Computing Data Center Power Usage Effectiveness' (Energy Systems "
        "Integration Facility): a chiller-less data center with component-level warm-water liquid "
        "cooling, designed for an annualized PUE of 1.06 or better, measured 1.036; 1.05 keeps "
        "a little above that best measured case",
        minimum=1.0,
        maximum=2.0,
    ),
    Assumption(
        "pue_liquid_high",
        1.15,
        "",
        "typical upper PUE for a facility cooled entirely by direct liquid cooling",
        "estimate: between the 1.036 measured at NREL's warm-water liquid-cooled ESIF data center "
        "and the 1.2 or less that NREL gives for data centers focused on efficiency (NREL, "
        "'High-Performance Computing Data Center Power Usage Effectiveness')",
        minimum=1.0,
        maximum=3.0,
    ),
    Assumption(
        "pue_air_low",
        1.1,
        "",
        "lowest plausible PUE for an air-cooled facility (best hyperscale practice)",
        "Google, 'Data center efficiency' (google.com/about/datacenters/efficiency): fleet-wide "
        "trailing twelve-month PUE of about 1.10 across its large data centers",
        minimum=1.0,
        maximum=2.0,
    ),
    Assumption(
        "pue_air_high",
        1.58,
        "",
        "typical upper PUE for an air-cooled facility (industry average)",
        "Uptime Institute Intelligence, 'Large data centers are mostly more efficient, analysis "
        "confirms' (Nov 2023), from the Global Data Center Survey: industry-average annual PUE "
        "1.58 in 2023, between 1.55 and 1.59 since 2020",
        minimum=1.0,
        maximum=4.0,
        low=1.55,
        high=1.59,
    ),
    # Fabric sizing (aiflang.models.fabric)
    Assumption(
        "fabric_switch_transceiver_links",
        2,
        "",
        "links carried by one switch-side transceiver: a twin-port OSFP (two 400 Gb/s links "
        "in one 800 Gb/s module on Quantum-2 and Spectrum-4 cages)",
        "NVIDIA QM97X0 manual (64 x 400 Gb/s ports in 32 OSFP cages) and NVIDIA LinkX "
        "transceiver pages (800G twin-port OSFP = 2 x 400G)",
        minimum=1,
        maximum=8,
    ),
    Assumption(
        "fabric_switch_transceiver_power_w",
        15.0,
        "W",
        "power of one switch-side transceiver (800G twin-port OSFP, multimode; 17 W single-mode)",
        "NVIDIA LinkX transceiver pages: 800G twin-port OSFP 15 W multimode, 17 W single-mode",
        minimum=0.0,
        maximum=60.0,
        low=15.0,
        high=17.0,
    ),
    Assumption(
        "fabric_nic_transceiver_power_w",
        9.0,
        "W",
        "power of one NIC-side transceiver (400G OSFP)",
        "NVIDIA LinkX transceiver pages: 400G OSFP (NIC side) 9 W max",
        minimum=0.0,
        maximum=40.0,
    ),
    Assumption(
        "fabric_switch_power_per_bps",
        30e-12,
        "W/Tbps",
        "switch system power (without optics) per unit of switching capacity, used when a "
        "switch declares no power; an estimate",
        "estimate: a 51.2 Tb/s switch (Tomahawk 5 or Spectrum-4 class, chip about 450-500 W) "
        "draws about 1.5 kW as a system without optics; switch system power is rarely published",
        minimum=0.0,
    ),
    # Cost (aiflang.models.cost)
    Assumption(
        "maintenance_fraction",
        0.04,
        "%",
        "yearly hardware maintenance and support, as a fraction of hardware capex",
        "estimate: vendor support contracts for servers and switches are commonly priced at a few "
        "percent of the purchase price per year (3% to 5%); no primary source found, so override "
        "it with the contract figure",
        minimum=0.0,
        maximum=0.5,
        low=0.03,
        high=0.05,
    ),
    Assumption(
        "life_accelerated_systems",
        5 * _YEAR,
        "year",
        "depreciation life of GPU systems (nodes and racks)",
        "Amazon 10-K (2024 filing): useful life of a subset of servers shortened from six to five "
        "years from 2025, citing the pace of AI hardware; Meta 5.5 years, Microsoft and Alphabet 6 "
        "years for servers (10-K filings)",
        minimum=1 * _YEAR,
        maximum=15 * _YEAR,
        low=5 * _YEAR,
        high=6 * _YEAR,
    ),
    Assumption(
        "life_network",
        6 * _YEAR,
        "year",
        "depreciation life of network equipment (switches, transceivers, cables)",
        "Amazon 10-K (2022): networking equipment five to six years; Microsoft 10-Q (2022) and "
        "Alphabet 10-K (2022): server and network equipment six years",
        minimum=1 * _YEAR,
        maximum=15 * _YEAR,
        low=5 * _YEAR,
        high=6 * _YEAR,
    ),
    Assumption(
        "life_storage",
        5 * _YEAR,
        "year",
        "depreciation life of storage systems",
        "treated as servers: Amazon 10-K (2024 filing), five years for the AI server subset",
        minimum=1 * _YEAR,
        maximum=15 * _YEAR,
    ),
    Assumption(
        "life_facility",
        20 * _YEAR,
        "year",
        "depreciation life of the facility (power and cooling plant, fit-out, shell)",
        "estimate: most of an AI facility's build cost is electrical and mechanical plant, "
        "commonly depreciated over 15 to 25 years; data-center REITs depreciate shells over up to "
        "40 years (Digital Realty, Equinix 10-K filings)",
        minimum=1 * _YEAR,
        maximum=60 * _YEAR,
        low=15 * _YEAR,
        high=25 * _YEAR,
    ),
    # Site prices: what a design's `site` block leaves out (aiflang.analyses.cost)
    Assumption(
        "site_build_cost",
        17.5,
        "USD/MW",
        "facility build cost per MW of critical IT power, when the site gives no build_cost",
        "Cushman & Wakefield, Data Center Development Cost Guide 2025: 9.3 to 15.0 million USD "
        "per MW of critical load across 19 US markets (average 11.7 million) for conventional "
        "builds, before owner-furnished equipment, land and soft costs; Giga Energy, 'How much "
        "does it cost to build an AI data center?' (2026): AI-optimized facilities cost 20 "
        "million USD per MW or more. The default is the middle of the 15 to 20 million USD per "
        "MW band of AI-optimized (liquid-cooled, high-density) builds",
        minimum=0.0,
        low=15.0,
        high=20.0,
    ),
    Assumption(
        "site_power_price",
        0.0892 / 3.6e6,
        "USD/kWh",
        "energy price, when the site gives no power_price",
        "U.S. Energy Information Administration, Electric Power Annual (data for 2023, released "
        "October 2024), average revenue per kWh from industrial customers by state: 8.92 cents "
        "in Virginia, the largest data-center market (5.75 to 18.98 cents across the "
        "contiguous states)",
        minimum=0.0,
    ),
    # Finance: what a design's `finance` block leaves out (aiflang.analyses.cost)
    Assumption(
        "finance_horizon",
        5 * _YEAR,
        "year",
        "period of the total cost of ownership when the finance block gives no horizon",
        "the depreciation life of GPU systems (`life_accelerated_systems`, 5 years: Amazon 10-K, "
        "2024 filing), so the TCO covers one generation of accelerated hardware",
        minimum=0.1 * _YEAR,
        maximum=60 * _YEAR,
    ),
    Assumption(
        "finance_utilization",
        0.8,
        "%",
        "average share of time the GPUs do paid work, when the finance block gives no utilization",
        "estimate: no primary source found; a well-run fleet with scheduled maintenance, failures "
        "and queue gaps; override it with the operator's figure",
        minimum=0.01,
        maximum=1.0,
    ),
    Assumption(
        "finance_software_license",
        4500.0 / _YEAR,
        "USD/GPU/year",
        "software licenses per GPU, when the finance block gives no software_license",
        "NVIDIA AI Enterprise subscription, 4,500 USD per GPU per year (NVIDIA Enterprise "
        "Licensing Guide, docs.nvidia.com/ai-enterprise; NVIDIA Q3 FY2024 earnings call, Nov 2023: "
        "'NVIDIA AI Enterprise is $4,500 per GPU per year'); a 1,000-GPU pod carries 4.5 million "
        "USD a year; set it to 0 for an open software stack",
        minimum=0.0,
    ),
    # Training (aiflang.models.training)
    Assumption(
        "mfu_default_bf16",
        0.40,
        "%",
        "model FLOPs utilization of a BF16/FP16 training run, against the dense BF16 peak",
        "Llama 3 Herd of Models (Meta, 2024), Table 4: 38-43% BF16 MFU on 8,192 to 16,384 H100 "
        "GPUs; 40% is the middle of that range",
        minimum=0.01,
        maximum=1.0,
        low=0.38,
        high=0.43,
    ),
    Assumption(
        "mfu_default_fp8",
        0.30,
        "%",
        "model FLOPs utilization of an FP8 training run, against the dense FP8 peak",
        "estimate: FP8 training runs 1.3x to 1.5x faster than BF16 on the same GPUs (NVIDIA NeMo / "
        "Megatron-Bridge performance summaries, DGX-H100 BF16 vs FP8 model TFLOP/s per GPU) while "
        "the FP8 peak is 2x the BF16 one, so 0.40 x 1.5 / 2 = 0.30",
        minimum=0.01,
        maximum=1.0,
        low=0.26,
        high=0.30,
    ),
    Assumption(
        "mfu_default_fp4",
        0.20,
        "%",
        "model FLOPs utilization of an FP4 training run, against the dense FP4 peak",
        "estimate: FP4 pre-training is experimental (NVIDIA NVFP4 training studies, 2025); the "
        "same halving logic as FP8 applied once more: 0.30 x 1.33 / 2 = 0.20",
        minimum=0.01,
        maximum=1.0,
    ),
    Assumption(
        "checkpoint_size_per_param",
        14 * 8.0,
        "B",
        "checkpoint size per parameter: BF16 weights plus FP32 master weights, Adam momentum and "
        "variance",
        "ZeRO (Rajbhandari et al., SC 2020), section 3.1: mixed-precision Adam keeps 2 + 2 + 12 = "
        "16 bytes per parameter; a checkpoint leaves out the 2 bytes of gradients: 14 bytes",
        minimum=8,
        maximum=32 * 8,
    ),
    Assumption(
        "checkpoint_warn_s",
        60.0,
        "s",
        "checkpoint write time above which a design gets a warning",
        "estimate: Llama 3 405B pre-training saw 419 unexpected interruptions in 54 days (one "
        "every 3.1 h, Llama 3 Herd of Models, section 3.3.4); by Young's formula (interval = "
        "sqrt(2 x write time x MTBF), overhead about sqrt(2 x write time / MTBF)) a blocking write "
        "longer than 60 s then costs more than 10% of run time",
        minimum=1.0,
    ),
    # Inference (aiflang.models.inference)
    Assumption(
        "hbm_usable_fraction",
        0.9,
        "%",
        "share of HBM an inference engine can fill with weights and KV cache",
        "vLLM engine argument gpu_memory_utilization, default 0.9 (vLLM documentation); the rest "
        "holds activations, CUDA graphs and the runtime",
        minimum=0.1,
        maximum=1.0,
    ),
    Assumption(
        "decode_memory_efficiency",
        0.8,
        "%",
        "achieved share of peak HBM bandwidth while decoding",
        "Microsoft Azure ND GB200 v6 benchmarks (2025): 7.35 TB/s measured of 8 TB/s (92%) in a "
        "bandwidth microbenchmark; decode kernels reach less, so 80% (estimate)",
        minimum=0.05,
        maximum=1.0,
    ),
    Assumption(
        "decode_compute_efficiency",
        0.55,
        "%",
        "achieved share of dense peak compute in decode steps that are compute bound",
        "Microsoft Azure ND GB200 v6 benchmarks (2025): 2,744 TFLOPS sustained FP8 GEMM of 5,000 "
        "dense peak (55%)",
        minimum=0.05,
        maximum=1.0,
    ),
    Assumption(
        "prefill_compute_efficiency",
        0.55,
        "%",
        "achieved share of dense peak compute during prefill",
        "Microsoft Azure ND GB200 v6 benchmarks (2025): 2,744 TFLOPS sustained FP8 GEMM of 5,000 "
        "dense peak (55%)",
        minimum=0.05,
        maximum=1.0,
    ),
    Assumption(
        "kv_aspect_ratio",
        120.0,
        "",
        "model width over depth (d_model / layers), used to approximate the KV cache when a model "
        "gives no layers, kv_heads or head_dim",
        "Llama 3 (Meta, 2024): 8192/80 = 102 (70B), 16384/126 = 130 (405B); DeepSeek-V3 "
        "(2024): 7168/61 = 118",
        minimum=10.0,
        maximum=1000.0,
        low=102.0,
        high=130.0,
    ),
    Assumption(
        "kv_gqa_fraction",
        0.125,
        "%",
        "KV heads over query heads (grouped-query attention), used to approximate the KV cache "
        "when a model gives no architecture",
        "Llama 3 70B (Meta, 2024): 8 KV heads for 64 query heads",
        minimum=0.001,
        maximum=1.0,
    ),
    Assumption(
        "max_tensor_parallel_dense",
        8.0,
        "",
        "most GPUs one replica of a dense model spans when its weights fit in fewer; a mixture of "
        "experts may span the whole scale-up domain (expert parallelism)",
        "tensor parallelism splits attention heads and pays an all-reduce per layer, so dense "
        "models are served at TP <= 8: MLPerf Inference Llama 2 70B submissions on H100/H200/B200 "
        "use TP 1 to 8; Meta serves Llama 3.1 405B FP8 on one 8-GPU node; NVIDIA's NVL72 "
        "inference results scale DeepSeek-R1 (MoE) with wide expert parallelism instead",
        minimum=1.0,
        maximum=1024.0,
    ),
    # Network racks (aiflang.analyses.fabrics)
    Assumption(
        "network_rack_usable_height_m",
        42 * _RACK_UNIT_M,
        "U",
        "rack units of one network rack available for switches",
        "EIA-310 19-inch rack, 1 U = 1.75 in; 42 U is the common full-height data-center rack "
        "(an assumption: patch panels and cable managers would lower it)",
        minimum=_RACK_UNIT_M,
    ),
    Assumption(
        "network_switch_default_height_m",
        1 * _RACK_UNIT_M,
        "U",
        "height of a switch that declares none",
        "assumption: 1 U, the height of most 51.2 Tb/s top-of-rack and leaf switches",
        minimum=_RACK_UNIT_M,
    ),
)
