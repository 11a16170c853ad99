"""Model shapes and clusters the training-model tests share (published figures)."""

from __future__ import annotations

from aiflang.models.training import Cluster, ModelShape

# Llama 3 8B and 70B (Meta's model cards: 8.03B and 70.6B parameters, GQA with 8 KV heads).
LLAMA_8B = ModelShape(
    params=8.03e9, active_params=8.03e9, layers=32, hidden=4096, heads=32, kv_heads=8
)
LLAMA_70B = ModelShape(
    params=70.6e9, active_params=70.6e9, layers=80, hidden=8192, heads=64, kv_heads=8
)
# Llama 3.1 405B (Meta's model card: 405B parameters; Llama 3 Herd of Models, table 3: 126
# layers, width 16,384, 128 heads, 8 KV heads).
LLAMA_405B = ModelShape(
    params=405e9, active_params=405e9, layers=126, hidden=16384, heads=128, kv_heads=8
)
# DeepSeek-V3 (its technical report: 671B total, 37B active, 256 routed experts, 8 a token;
# config.json: MLA query/key heads 128 + 64 RoPE wide, value heads 128).
DEEPSEEK_V3 = ModelShape(
    params=671e9,
    active_params=37e9,
    layers=61,
    hidden=7168,
    heads=128,
    kv_heads=128,
    vocab=129_280,
    experts=256,
    experts_per_token=8,
    moe_layers=58,
    qk_head_dim=192,
    v_head_dim=128,
)


def h100s(gpus: int, **extra: float) -> Cluster:
    """H100 SXM in 8-GPU NVLink domains with one 400 Gb/s NIC each (989.4 TFLOPS dense BF16,
    80 GB, 450 GB/s NVLink a direction)."""
    return Cluster(
        gpus=gpus,
        family="Hopper",
        peak_flops=989.4e12,
        memory_bits=80e9 * 8,
        scale_up_domain=8,
        scale_up_bps=450e9 * 8,
        scale_out_bps=400e9,
        **extra,  # type: ignore[arg-type]
    )


def blackwells(
    gpus: int,
    peak_flops: float,
    memory_gb: float,
    domain: int,
    nic_bps: float = 400e9,
    **extra: float,
) -> Cluster:
    """Blackwell GPUs at `peak_flops` (dense, the run's precision) in NVLink domains of
    `domain` (900 GB/s a direction), one NIC of `nic_bps` each: B200 180 GB, GB200 186 GB."""
    return Cluster(
        gpus=gpus,
        family="Blackwell",
        peak_flops=peak_flops,
        memory_bits=memory_gb * 1e9 * 8,
        scale_up_domain=domain,
        scale_up_bps=900e9 * 8,
        scale_out_bps=nic_bps,
        **extra,  # type: ignore[arg-type]
    )
