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

from aiflang.records import record

_YEAR = 31_536_000.0  # 365 days, as in the unit table
_RACK_UNIT_M = 0.04445  # 1.75 in (EIA-310)


@record
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
    # Plant (aiflang.models.plant)
    Assumption(
        "storage_rack_units",
        42 * _RACK_UNIT_M,
        "U",
        "rack space one storage rack gives its appliances (positions = total height / this)",
        "EIA-310 rack unit (1.75 in); 42U is the common full-height data-center rack "
        "(e.g. Schneider Electric NetShelter SX 42U). Network switches and PDUs of the storage "
        "racks are not counted",
        minimum=_RACK_UNIT_M,
        maximum=60 * _RACK_UNIT_M,
    ),
    Assumption(
        "battery_runtime_min_s",
        300.0,
        "min",
        "ride-through a UPS battery plant should give at the hall's IT load",
        "NFPA 110 Level 1, Type 10: standby generators on load within 10 s (as data-center "
        "generator specifications such as the Cummins DQKAN data sheet cite); about 5 minutes "
        "at full load is the usual battery design point, leaving time for start retries "
        "(industry practice, secondary)",
        minimum=10.0,
        maximum=86_400.0,
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
    # Training: shapes (aiflang.models.training.shapes)
    Assumption(
        "train_sequence_length",
        8192.0,
        "",
        "tokens per training sequence when a train workload gives none",
        "Llama 3 Herd of Models (Meta, 2024), section 3.4.1: the 405B model was pre-trained on "
        "sequences of 8,192 tokens",
        minimum=128.0,
        maximum=10_000_000.0,
    ),
    Assumption(
        "train_global_batch_tokens",
        16e6,
        "",
        "tokens per optimizer step (global batch) when a train workload gives none",
        "Llama 3 Herd of Models (Meta, 2024), section 3.4.1: the batch grew from 4M to 8M to 16M "
        "tokens; 16M is the batch of most of the 405B run",
        minimum=1.0,
        maximum=1e12,
    ),
    # Training: memory (aiflang.models.training.memory)
    Assumption(
        "train_hbm_usable_fraction",
        0.90,
        "%",
        "share of a GPU's memory a training plan may fill with model states and activations",
        "estimate: CUDA context, NCCL buffers and allocator fragmentation take several GB; "
        "Megatron and NeMo performance recipes leave about a tenth of HBM free",
        minimum=0.3,
        maximum=1.0,
    ),
    # Training: step (aiflang.models.training.step)
    Assumption(
        "train_elementwise_bytes",
        102.0,
        "",
        "bytes of HBM traffic per hidden-state element per layer in the kernels between the "
        "GEMMs of a training step (norms, residual adds, activation functions, rotary, casts), "
        "forward and backward",
        "estimate from Korthikanti et al., 'Reducing Activation Recomputation in Large "
        "Transformer Models' (MLSys 2023), section 4.1: a layer keeps 34 bytes of activations "
        "per hidden-state element; the forward writes them, the backward reads them back and "
        "writes their gradients: 3 x 34 = 102",
        minimum=0.0,
        maximum=10_000.0,
    ),
    Assumption(
        "train_moe_copy_bytes",
        33.0,
        "",
        "bytes of HBM traffic per hidden-state element of each routed copy of a token in a "
        "mixture-of-experts layer of a training step, forward and backward",
        "estimate from Megatron-Core's MoE token dispatcher (docs/source/api-guide/moe.md: "
        "permute, grouped GEMM, unpermute): each of a token's k copies is permuted (read and "
        "written in BF16, 4 bytes an element), cast for the grouped GEMM (read 2, written 1) and "
        "unpermuted and combined (4): 11 bytes forward; the backward moves the gradients the "
        "same way twice (as for train_elementwise_bytes): 3 x 11 = 33",
        minimum=0.0,
        maximum=10_000.0,
    ),
    Assumption(
        "train_step_host_s",
        0.0468,
        "s",
        "seconds of each optimizer step that do not scale with its work: between one step's "
        "backward and the next step's forward the GPUs wait while the host reads the gradient "
        "norm back, then issues the optimizer and the next step",
        "calibrated (an intercept per step) on the calibration rows of docs/models.md that run "
        "one micro-batch a step, where it is largest against the step (MLPerf Training v5.1 "
        "Llama 3.1 8B on B200, B300, GB200, GB300, H100 and H200): the median error of that "
        "group is zero. The mechanism is Megatron-Core's up to 0.17 (the MLPerf v5.1 "
        "submissions pin 25.09-alpha): gradient clipping reads the global norm to the host "
        "(megatron/core/optimizer/clip_grads.py, get_grad_norm_fp32: total_norm.item()), and "
        "the optimizer and the next iteration are issued after it; from 0.18, with Transformer "
        "Engine's multi_tensor_scale_tensor, the norm stays on the GPU and the optimizer may "
        "run in a CUDA graph, so this is an upper bound there",
        minimum=0.0,
        maximum=10.0,
    ),
    Assumption(
        "train_host_s_per_local_expert",
        0.000569,
        "s",
        "host seconds to issue one local expert's kernels per MoE layer per micro-batch, "
        "forward and backward, outside CUDA graphs",
        "calibrated on the calibration rows of docs/models.md whose recipe runs the experts "
        "eagerly behind a host-synchronising dispatcher in a recipe other than FP8 current "
        "scaling (Megatron-Bridge 25.11 FP8-MX on DGX-B200: DeepSeek-V3, Qwen3-30B-A3B and "
        "Qwen3-235B-A22B; Megatron-Core's all-to-all dispatcher moves the per-expert token "
        "counts to the host each layer, and Transformer Engine's grouped linear layer issues "
        "each expert's quantisation and GEMM kernels in turn): the median error of that group "
        "is zero. BF16 issues no quantisation kernels, so for it this is an upper bound",
        minimum=0.0,
        maximum=1.0,
    ),
    Assumption(
        "train_host_s_per_local_expert_fp8_cs",
        0.001462,
        "s",
        "host seconds to issue one local expert's kernels per MoE layer per micro-batch, "
        "forward and backward, outside CUDA graphs, under FP8 with per-tensor current scaling",
        "calibrated on the calibration rows of docs/models.md whose recipe runs the experts "
        "eagerly behind a host-synchronising dispatcher in FP8 with current scaling "
        "(Megatron-Bridge 25.11 FP8-CS on DGX-H100: Qwen3-30B-A3B and Qwen3-235B-A22B): the "
        "median error of that group is zero. Transformer Engine's current scaling launches an "
        "amax kernel and a scale kernel before each cast (nvte_compute_amax, "
        "nvte_compute_scale_from_amax in transformer_engine/common/include/transformer_engine/"
        "recipe.h: 'primarily intended for FP8 current-scaling recipes'), where delayed and "
        "MXFP8 block scaling cast in one kernel; both rows are on DGX-H100 hosts, so the "
        "value holds the recipe and that host together",
        minimum=0.0,
        maximum=1.0,
    ),
    Assumption(
        "train_fp8_current_scaling",
        0.0,
        "",
        "1 when an FP8 run scales each tensor by its current amax (Transformer Engine's "
        "Float8CurrentScaling), 0 for delayed or MXFP8 block scaling",
        "Transformer Engine recipes (transformer_engine.common.recipe: DelayedScaling, "
        "Float8CurrentScaling, MXFP8BlockScaling); Megatron-Bridge 25.11 publishes FP8-CS runs "
        "on H100 and FP8-MX runs on Blackwell; 0 by default",
        minimum=0.0,
        maximum=1.0,
    ),
    Assumption(
        "train_moe_sync_dispatch",
        0.0,
        "",
        "1 when the MoE token dispatcher waits for the per-expert token counts on the host "
        "every layer, 0 when it does not",
        "Megatron-Core MoE (docs/source/api-guide/moe.md): the all-to-all dispatcher copies "
        "the token counts to the host to size its all-to-all; the DeepEP and HybridEP flex "
        "dispatchers, which current large-scale recipes use (Megatron-Bridge 25.11 performance "
        "recipes on GB200/GB300, DeepSeek-V3 on H100), do not; 0 by default",
        minimum=0.0,
        maximum=1.0,
    ),
    Assumption(
        "train_moe_cuda_graphs",
        0.0,
        "",
        "1 when the expert GEMMs run inside CUDA graphs (no host issue cost), 0 when eager",
        "Megatron-Core cuda_graph_scope: the Megatron-Bridge 25.11 performance recipes capture "
        "attention, the router and MoE preprocessing, not the experts, whose token counts "
        "vary per step; 0 by default",
        minimum=0.0,
        maximum=1.0,
    ),
    Assumption(
        "train_moe_activation_bytes",
        18.0,
        "",
        "bytes of HBM traffic per element of a routed expert's FFN width, for each routed copy "
        "of a token, in the activation between the expert GEMMs, forward and backward",
        "estimate: SwiGLU reads the gate and up projections (2 + 2 bytes) and writes their "
        "product (2): 6 bytes forward, 3 x 6 = 18 forward and backward (as for "
        "train_elementwise_bytes)",
        minimum=0.0,
        maximum=10_000.0,
    ),
    Assumption(
        "train_hbm_efficiency",
        0.81,
        "%",
        "achieved share of HBM bandwidth in the element-wise kernels of a training step",
        "measured on one H200 (2026-11-29): streaming reads of weights and KV cache at 3.9 of "
        "4.8 TB/s (81%), the GPU catalog's memory_efficiency",
        minimum=0.05,
        maximum=1.0,
    ),
    Assumption(
        "scale_up_efficiency",
        0.80,
        "%",
        "share of the scale-up (NVLink) bandwidth a training collective reaches",
        "estimate below DeepEP's measured 153-158 GB/s of H800's 160 GB/s NVLink for large "
        "messages (deepseek-ai/DeepEP README), because training collectives share the GPU with "
        "compute",
        minimum=0.05,
        maximum=1.0,
    ),
    Assumption(
        "scale_out_efficiency",
        0.80,
        "%",
        "share of a GPU's scale-out NIC bandwidth a training collective reaches",
        "estimate: DeepEP reaches 43-58 GB/s of logical RDMA bandwidth per 400 Gb/s (50 GB/s) "
        "ConnectX-7 on H800 (deepseek-ai/DeepEP README; its logical figure counts NVLink "
        "forwarding); training collectives share the GPU with compute, so 80% is assumed",
        minimum=0.05,
        maximum=1.0,
    ),
    Assumption(
        "train_dp_overlap",
        0.90,
        "%",
        "share of one micro-batch's compute that hides data-parallel gradient and weight traffic",
        "Megatron-LM overlap_grad_reduce and overlap_param_gather (distributed optimizer docs): "
        "gradients are reduce-scattered during the last micro-batch's backward, weights gathered "
        "during the first forward; estimate that a tenth of that window is lost to bucket edges",
        minimum=0.0,
        maximum=1.0,
    ),
    Assumption(
        "train_dp_bucket_params",
        40e6,
        "",
        "fewest parameters in a data-parallel gradient bucket",
        "Megatron-Core DistributedDataParallelConfig.bucket_size (megatron/core/distributed/"
        "distributed_data_parallel_config.py): by default max(40,000,000, 1,000,000 x "
        "data-parallel size) parameters, larger for more ranks so that ring collectives stay "
        "bandwidth-bound rather than latency-bound",
        minimum=1.0,
        maximum=1e12,
    ),
    Assumption(
        "train_dp_bucket_params_per_rank",
        1e6,
        "",
        "parameters a data-parallel gradient bucket grows by per data-parallel rank",
        "Megatron-Core DistributedDataParallelConfig.bucket_size (megatron/core/distributed/"
        "distributed_data_parallel_config.py): max(40,000,000, 1,000,000 x data-parallel size) "
        "parameters by default",
        minimum=0.0,
        maximum=1e12,
    ),
    Assumption(
        "train_tp_overlap",
        0.50,
        "%",
        "share of tensor-parallel traffic hidden under GEMMs",
        "estimate: Transformer Engine's userbuffer overlap (NeMo TP_COMM_OVERLAP) pipelines the "
        "all-gather and reduce-scatter with the neighbouring GEMMs (Wang et al., ASPLOS 2023, "
        "'Overlap Communication with Dependent Computation via Decomposition'); half is assumed "
        "hidden",
        minimum=0.0,
        maximum=1.0,
    ),
    Assumption(
        "train_cp_overlap",
        0.80,
        "%",
        "share of context-parallel (ring attention) traffic hidden under attention compute",
        "Megatron-Core context parallelism overlaps each K/V ring step with the attention of the "
        "previous chunk (Megatron-Core context_parallel docs; Liu et al., Ring Attention, 2023); "
        "estimate",
        minimum=0.0,
        maximum=1.0,
    ),
    Assumption(
        "train_pp_overlap",
        0.50,
        "%",
        "share of pipeline point-to-point traffic hidden under compute",
        "estimate: Megatron-LM's interleaved schedule overlaps sends and receives with the next "
        "micro-batch (Narayanan et al., SC 2021, section 4.1 scatter/gather optimisation)",
        minimum=0.0,
        maximum=1.0,
    ),
    Assumption(
        "train_ep_overlap",
        0.50,
        "%",
        "share of expert-parallel all-to-all traffic hidden under compute",
        "estimate: DeepSeek-V3's DualPipe hides nearly all of it by overlapping two micro-batches "
        "(DeepSeek-V3 Technical Report, section 3.2.1); stock Megatron-Core overlaps much less",
        minimum=0.0,
        maximum=1.0,
    ),
    # Training: goodput (aiflang.models.training.goodput)
    Assumption(
        "train_mtbf_per_gpu",
        54 * 24 * 3600 * 16384 / 419,
        "h",
        "GPU-hours of training per unexpected job interruption (the job's MTBF is this over its "
        "GPUs)",
        "Llama 3 Herd of Models (Meta, 2024), section 3.3.4 and Table 5: 419 unexpected "
        "interruptions in a 54-day snapshot of pre-training on 16,384 H100 GPUs",
        minimum=1.0,
    ),
    Assumption(
        "train_restart_s",
        600.0,
        "s",
        "time to detect a failure, relaunch the job and rebuild its collectives, before the "
        "checkpoint is read back",
        "MegaScale (Jiang et al., NSDI 2024), section 6.3: faults detected and diagnosed within 10 "
        "minutes on average on more than 10,000 GPUs",
        minimum=0.0,
    ),
    # Training: achieved compute fractions (aiflang.models.training.calibration); fitted on
    # the calibration runs of docs/models.md (Validation), never per run
    Assumption(
        "train_compute_fraction_ampere_bf16",
        0.547,
        "%",
        "achieved share of dense bf16 peak in training kernels on ampere GPUs",
        "fitted to Megatron-LM (Narayanan et al., SC 2021) Table 1 and MegaScale (Jiang et al., "
        "NSDI 2024) Table 2 runs on A100",
        minimum=0.01,
        maximum=1.0,
    ),
    Assumption(
        "train_compute_fraction_hopper_bf16",
        0.593,
        "%",
        "achieved share of dense bf16 peak in training kernels on hopper GPUs",
        "fitted to Llama 3 Herd of Models (Meta, 2024) Table 4 on H100",
        minimum=0.01,
        maximum=1.0,
    ),
    Assumption(
        "train_compute_fraction_hopper_fp8",
        0.514,
        "%",
        "achieved share of dense fp8 peak in training kernels on hopper GPUs",
        "fitted to MLPerf Training v4.0-v5.1 results on H100 and H200 (NVIDIA, Nebius, Cisco, "
        "HPE), the NVIDIA NeMo 24.07 performance summary and the NVIDIA Megatron-Bridge 25.11 "
        "performance summary (Llama 3, Qwen3 on DGX-H100)",
        minimum=0.01,
        maximum=1.0,
    ),
    Assumption(
        "train_compute_fraction_blackwell_fp8",
        0.44,
        "%",
        "achieved share of dense fp8 peak in training kernels on blackwell GPUs",
        "fitted to MLPerf Training v5.0-v5.1 results on GB200 (NVIDIA, IBM+CoreWeave+NVIDIA) "
        "and B200 (Dell, University of Florida, Verda) and the NVIDIA Megatron-Bridge "
        "25.11 performance summary",
        minimum=0.01,
        maximum=1.0,
    ),
    Assumption(
        "train_compute_fraction_blackwell_bf16",
        0.387,
        "%",
        "achieved share of dense bf16 peak in training kernels on blackwell GPUs",
        "fitted to the NVIDIA Megatron-Bridge 25.11 performance summary, DeepSeek-V3 BF16 on "
        "GB200 (a mixture of experts: the only published BF16 training run on this generation)",
        minimum=0.01,
        maximum=1.0,
    ),
    Assumption(
        "train_compute_fraction_blackwell_ultra_bf16",
        0.497,
        "%",
        "achieved share of dense bf16 peak in training kernels on blackwell_ultra GPUs",
        "fitted to the NVIDIA Megatron-Bridge 25.11 performance summary, DeepSeek-V3 and "
        "Qwen3-235B-A22B BF16 on GB300 (mixtures of experts: the only published BF16 training "
        "runs on this generation)",
        minimum=0.01,
        maximum=1.0,
    ),
    Assumption(
        "train_compute_fraction_blackwell_fp4",
        0.375,
        "%",
        "achieved share of dense fp4 peak in training kernels on blackwell GPUs",
        "fitted to MLPerf Training v5.1 NVFP4 results on GB200 (NVIDIA) and B200 (Nebius)",
        minimum=0.01,
        maximum=1.0,
    ),
    Assumption(
        "train_compute_fraction_blackwell_ultra_fp8",
        0.531,
        "%",
        "achieved share of dense fp8 peak in training kernels on blackwell_ultra GPUs",
        "fitted to MLPerf Training v5.1 results on GB300 (NVIDIA) and B300 (Dell, Supermicro) "
        "and the NVIDIA Megatron-Bridge 25.11 performance summary",
        minimum=0.01,
        maximum=1.0,
    ),
    Assumption(
        "train_compute_fraction_blackwell_ultra_fp4",
        0.362,
        "%",
        "achieved share of dense fp4 peak in training kernels on blackwell_ultra GPUs",
        "fitted to MLPerf Training v5.1 NVFP4 results on GB300 (NVIDIA) and B300 (Lenovo, Nebius)",
        minimum=0.01,
        maximum=1.0,
    ),
    Assumption(
        "train_compute_fraction_bf16",
        0.522,
        "%",
        "achieved share of dense bf16 peak in training, for GPU generations without calibration "
        "data of their own",
        "median of the fractions fitted per GPU generation at this precision (the "
        "train_compute_fraction_<generation>_<precision> assumptions)",
        minimum=0.01,
        maximum=1.0,
    ),
    Assumption(
        "train_compute_fraction_fp8",
        0.514,
        "%",
        "achieved share of dense fp8 peak in training, for GPU generations without calibration "
        "data of their own",
        "median of the fractions fitted per GPU generation at this precision (the "
        "train_compute_fraction_<generation>_<precision> assumptions)",
        minimum=0.01,
        maximum=1.0,
    ),
    Assumption(
        "train_compute_fraction_fp4",
        0.3685,
        "%",
        "achieved share of dense fp4 peak in training, for GPU generations without calibration "
        "data of their own",
        "median of the fractions fitted per GPU generation at this precision (the "
        "train_compute_fraction_<generation>_<precision> assumptions)",
        minimum=0.01,
        maximum=1.0,
    ),
    # Serving: architectures (aiflang.models.serving.architecture)
    Assumption(
        "kv_aspect_ratio",
        120.0,
        "",
        "model width over depth (d_model / layers), used to complete an architecture given only "
        "by its parameter count",
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
        "KV heads over query heads (grouped-query attention), used to complete an architecture "
        "given only by its parameter count",
        "Llama 3 70B (Meta, 2024): 8 KV heads for 64 query heads",
        minimum=0.001,
        maximum=1.0,
    ),
    Assumption(
        "small_kernels_per_layer",
        8.0,
        "",
        "small kernels one dense grouped-query-attention layer launches per step besides its GEMMs "
        "and attention (two norms, RoPE, KV append, two residual adds, activation, activation "
        "quantisation), each costing at least the engine's kernel_overhead",
        "estimate from the operator sequence of a Llama decoder layer (Touvron et al., "
        "arXiv:2307.09288, section 2.2); measured on one H200 (2026-11-29): 45-130 us of such "
        "kernels and gaps per eager Llama-2-70B layer, 8.2 us per eager launch",
        minimum=0.0,
        maximum=1000.0,
    ),
    Assumption(
        "small_kernels_moe_extra",
        8.0,
        "",
        "extra small kernels of a mixture-of-experts layer (router GEMM, top-k, token permute and "
        "unpermute or dispatch and combine, per-expert activation, shared-expert merge)",
        "estimate from the operator sequence of a DeepSeek-V3 MoE layer (arXiv:2412.19437, "
        "section 2.1.2) and Mixtral (arXiv:2401.04088, section 2)",
        minimum=0.0,
        maximum=1000.0,
    ),
    Assumption(
        "small_kernels_mla_extra",
        6.0,
        "",
        "extra small kernels of a multi-head latent attention layer (query and latent norms, the "
        "two absorbed projections, decoupled RoPE, latent append)",
        "estimate from the MLA operator sequence (DeepSeek-V2, arXiv:2405.04434, section 2.1)",
        minimum=0.0,
        maximum=1000.0,
    ),
    Assumption(
        "activation_width_passes",
        8.0,
        "",
        "model-width vectors each token's norms, residual adds, RoPE and activation quantisation "
        "read or write per layer (elementwise, memory-bound)",
        "estimate from the operator sequence of a pre-norm decoder layer (two RMSNorms reading "
        "and writing the width, two residual adds, RoPE on queries and keys) with the norm and "
        "residual fused, as TensorRT-LLM and vLLM fuse them",
        minimum=0.0,
        maximum=100.0,
    ),
    Assumption(
        "activation_ffn_passes",
        4.0,
        "",
        "FFN-width vectors each token's FFN activation reads or writes per layer (SwiGLU reads "
        "gate and up, writes the product, quantises it for the down projection)",
        "estimate from the SwiGLU FFN (Shazeer, arXiv:2002.05202) as fused activation-and-quantise "
        "kernels run it",
        minimum=0.0,
        maximum=100.0,
    ),
    Assumption(
        "activation_route_passes",
        4.0,
        "",
        "model-width vectors per routed expert each token's permute and unpermute (or dispatch and "
        "combine buffers) read or write per MoE layer",
        "estimate: a token is copied to each of its k experts and their outputs gathered back "
        "(write and read each way); DeepEP dispatch and combine buffers (deepseek-ai/DeepEP)",
        minimum=0.0,
        maximum=100.0,
    ),
    # Serving: achieved fractions and network (aiflang.models.serving.hardware, .step)
    Assumption(
        "serving_memory_efficiency",
        0.81,
        "%",
        "achieved share of HBM bandwidth when decode streams weights and KV cache, for a GPU "
        "whose catalog entry gives no memory_efficiency",
        "measured on one H200 (2026-11-29): Llama-2-70B-shaped decode GEMMs stream weights at "
        "3.9 TB/s of 4.8 (81%); attention reads KV at 4.2-4.4 TB/s once reads pass 1 GB",
        minimum=0.05,
        maximum=1.0,
    ),
    Assumption(
        "serving_compute_efficiency",
        0.65,
        "%",
        "achieved share of dense peak in large GEMMs, for a GPU and precision whose catalog entry "
        "gives no compute_efficiency",
        "measured on one H200 (2026-11-29): FP8 GEMM K=8192 N=28672 at 62-72% of peak for M 256 "
        "to 16384 (torch._scaled_mm); BF16 66-81%",
        minimum=0.05,
        maximum=1.0,
    ),
    Assumption(
        "serving_attention_efficiency",
        0.5,
        "%",
        "achieved share of dense BF16/FP8 peak in attention kernels (prefill and compute-bound "
        "decode), for a GPU whose catalog entry gives none",
        "measured on one H200 (2026-11-29): causal prefill attention (cuDNN SDPA, BF16) at 432 "
        "TFLOPS for 2K tokens and 593 for 8K, 44-60% of 989",
        minimum=0.05,
        maximum=1.0,
    ),
    Assumption(
        "serving_comm_efficiency",
        0.8,
        "%",
        "achieved share of link bandwidth (per direction) in collectives, for a GPU whose catalog "
        "entry gives none",
        "DeepEP (deepseek-ai/DeepEP README): 153-158 GB/s of about 160 GB/s NVLink and 43-58 GB/s "
        "of 50 GB/s RDMA on H800; nccl-tests doc/PERFORMANCE.md bus bandwidth is 75-90% of the "
        "link for large messages",
        minimum=0.05,
        maximum=1.0,
    ),
    Assumption(
        "gemm_half_efficiency_tokens",
        64.0,
        "",
        "rows (tokens) at which a GEMM reaches half its large-batch efficiency: the achieved "
        "fraction is the GPU's compute_efficiency x M / (M + this), M the tokens of one GEMM (of "
        "one expert, for routed experts)",
        "measured on one H200 (2026-11-29): GEMM K=8192 N=28672 at M=256 reaches 66% (BF16) and "
        "61% (FP8) of peak against 81% and 73% at large M: M / (M + 64) = 0.8",
        minimum=0.0,
        maximum=1e6,
    ),
    Assumption(
        "expert_kernel_efficiency",
        0.9,
        "%",
        "share of a GPU's GEMM and weight-streaming fractions that routed-expert (grouped) GEMMs "
        "achieve: many small per-expert matrices, token permutation and block scales",
        "calibrated on the throughput and curve rows of the serving validation table's "
        "calibration set (docs/models.md); measured on one H200 (2026-11-29): 32 DeepSeek-shaped "
        "FP8 experts in a CUDA graph stream weights at 83-86% of one dense FP8 GEMM's rate "
        "(docs/calibration/h200-moe-mla-timings.md)",
        minimum=0.05,
        maximum=1.0,
    ),
    Assumption(
        "latent_attention_efficiency",
        0.43,
        "%",
        "share of a GPU's attention fraction that multi-head latent attention decode achieves "
        "(absorbed projections against a shared 576-wide latent)",
        "calibrated on the throughput and curve rows of the serving validation table's "
        "calibration set (docs/models.md); between unfused absorbed MLA decode measured on one "
        "H200 (2026-11-29: 14-17% of BF16 peak, docs/calibration/h200-moe-mla-timings.md) and "
        "FlashMLA's 660 of 989 BF16 TFLOPS on H800 (deepseek-ai/FlashMLA README)",
        minimum=0.05,
        maximum=1.0,
    ),
    Assumption(
        "expert_load_imbalance",
        1.3,
        "",
        "tokens routed to the busiest GPU of an expert-parallel group over the mean: the busiest "
        "GPU paces the expert GEMMs and the dispatch and combine",
        "DeepSeek-V3 report (arXiv:2412.19437), section 3.4: redundant experts are deployed "
        "because per-GPU expert loads differ in serving; deepseek-ai/EPLB README; routing skew of "
        "1.2-1.8 max/mean is typical without replication (estimate)",
        minimum=1.0,
        maximum=10.0,
    ),
    Assumption(
        "network_latency_s",
        10e-6,
        "us",
        "latency of one collective or transfer step over the scale-out fabric (NIC to NIC)",
        "NCCL src/graph/tuning.cc: 9.6 us per network ring step (Simple protocol), 2.7 us (LL); "
        "DeepEP low-latency kernels: tens of microseconds per dispatch over RDMA",
        minimum=0.0,
        maximum=1.0,
    ),
    # Serving: requests, speculation, batches, queues (aiflang.models.serving.workload,
    # .capacity, .curve)
    Assumption(
        "draft_acceptance",
        0.85,
        "%",
        "probability that a drafted token (multi-token prediction, speculative decoding) is "
        "accepted, when the workload gives no acceptance length",
        "DeepSeek-V3 technical report (arXiv:2412.19437), section 5.4.3: the second token's "
        "acceptance rate is 85-90% across generation topics",
        minimum=0.0,
        maximum=0.999,
    ),
    Assumption(
        "draft_acceptance_decay",
        0.6,
        "",
        "each further draft token's acceptance (given the earlier ones were accepted) relative to "
        "the previous one's",
        "TensorRT-LLM blog 'Pushing Latency Boundaries: Optimizing DeepSeek-R1 Performance on "
        "NVIDIA B200 GPUs' (2025): three MTP drafts raise batch-1 speed from 111 to 253 tokens/s "
        "(2.28x), an acceptance length near 2.4, against 1.85 for one draft at the report's 85%",
        minimum=0.0,
        maximum=1.0,
    ),
    Assumption(
        "prefill_pool_utilization",
        0.7,
        "%",
        "utilisation a disaggregated prefill pool is sized for when the workload gives no "
        "prefill_gpus or prefill share",
        "queueing: at 70% an M/D/1 prefill server waits 1.17 service times on average (rho / "
        "(2 (1 - rho))), a common target that keeps TTFT near one prefill (DistServe, "
        "arXiv:2401.09670, section 3.2, sizes pools to the TTFT target)",
        minimum=0.05,
        maximum=0.99,
    ),
    Assumption(
        "serving_activation_vectors",
        16.0,
        "",
        "activation vectors of the model width per token of a step that an engine reserves as "
        "workspace (hidden states, residuals, norms, GEMM outputs)",
        "estimate: a transformer block keeps several width-sized BF16 tensors per token live at "
        "once; TensorRT-LLM sizes its activation workspace by max_num_tokens (TensorRT-LLM "
        "documentation, memory usage)",
        minimum=0.0,
        maximum=1000.0,
    ),
    Assumption(
        "request_length_scv",
        1.0,
        "",
        "squared coefficient of variation of request lengths (prompt and output tokens), for the "
        "queues in front of prefill and of a batch slot, and for the spread of time per output "
        "token across requests (a TPOT quantile)",
        "estimate: 1 is an exponential spread; the MLPerf Inference datasets span 2x to 10x "
        "between short and long requests (mlcommons/inference, language/ READMEs), fixed-length "
        "benchmarks are nearer 0",
        minimum=0.0,
        maximum=100.0,
    ),
    # Serving: engine defaults and replica shapes (aiflang.analyses.serving_inputs, .serving)
    Assumption(
        "hbm_usable_fraction",
        0.9,
        "%",
        "share of the HBM left after weights an engine fills with KV cache, for an engine that "
        "gives no memory_fraction",
        "TensorRT-LLM KvCacheConfig free_gpu_memory_fraction 0.9; vLLM gpu_memory_utilization 0.9",
        minimum=0.05,
        maximum=1.0,
    ),
    Assumption(
        "engine_default_max_batch",
        1024.0,
        "",
        "sequences per engine instance, for an engine that gives no max_batch",
        "vLLM engine arguments: max_num_seqs 1024 on GPUs with 70 GiB or more (docs.vllm.ai)",
        minimum=1.0,
        maximum=1e6,
    ),
    Assumption(
        "engine_default_token_budget",
        8192.0,
        "",
        "tokens per step (decodes plus prefill chunks), for an engine that gives no token_budget",
        "vLLM max_num_batched_tokens 8192 for online serving on GPUs with 70 GiB or more; "
        "TensorRT-LLM max_num_tokens 8192; SGLang chunked_prefill_size 8192 on H100/H200",
        minimum=1.0,
        maximum=1e7,
    ),
    Assumption(
        "graph_kernel_overhead_s",
        1.0e-6,
        "us",
        "time each small kernel of a step costs inside a whole CUDA graph (an engine's decode "
        "steps with full_graphs = decode)",
        "measured on one H200 (2026-11-29): 1.0 us per kernel replayed in a CUDA graph against "
        "8.2 us launched eagerly (the bracket of the engines' kernel_overhead)",
        minimum=0.0,
        maximum=1e-3,
    ),
    Assumption(
        "engine_default_collective_latency_s",
        10e-6,
        "us",
        "fixed time of one collective inside the scale-up domain, for an engine that gives none",
        "NCCL src/graph/tuning.cc: LL ring base latency 3.6 us plus 0.47 us per NVLink step "
        "(8 GPUs: about 10 us for an all-reduce)",
        minimum=0.0,
        maximum=1.0,
    ),
    Assumption(
        "max_tensor_parallel",
        8.0,
        "",
        "most GPUs one tensor-parallel group (attention, dense layers) spans; larger replicas add "
        "pipeline stages (dense) or data-parallel attention with expert parallelism (MoE)",
        "tensor parallelism pays an all-reduce per layer: MLPerf Inference Llama submissions on "
        "H100/H200/B200 use TP 1 to 8, Meta serves Llama 3.1 405B FP8 on one 8-GPU node, and "
        "wide DeepSeek-R1 deployments use attention data parallelism with expert parallelism "
        "(TensorRT-LLM and SGLang large-EP recipes)",
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
