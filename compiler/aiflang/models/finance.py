"""Finance defaults: what a design's `finance` block leaves out.

The cost model (`aiflang.models.cost`) takes the horizon, the utilization
and the software license rate as inputs. When a design's `finance` block
does not give them, the cost pass uses these registered defaults, which an
`assumptions` block can override like any other model constant.
"""

from __future__ import annotations

from aiflang.models.assumptions import register
from aiflang.models.cost import SECONDS_PER_YEAR

register(
    "finance_horizon",
    5 * SECONDS_PER_YEAR,
    "year",
    "period of the total cost of ownership when the finance block gives no horizon",
    "the depreciation life of GPU systems (`life_accelerated_systems`, 5 years: Amazon 10-K, "
    "2024 filing), so the TCO covers one generation of accelerated hardware",
    minimum=0.1 * SECONDS_PER_YEAR,
    maximum=60 * SECONDS_PER_YEAR,
)
register(
    "finance_utilization",
    0.8,
    "%",
    "average share of time the GPUs do paid work, when the finance block gives no utilization",
    "estimate: no primary source found; a well-run fleet with scheduled maintenance, failures "
    "and queue gaps; override it with the operator's figure",
    minimum=0.01,
    maximum=1.0,
)
register(
    "finance_software_license",
    4500.0 / SECONDS_PER_YEAR,
    "USD/GPU/year",
    "software licenses per GPU, when the finance block gives no software_license",
    "NVIDIA AI Enterprise subscription, 4,500 USD per GPU per year (NVIDIA Enterprise "
    "Licensing Guide, docs.nvidia.com/ai-enterprise; NVIDIA Q3 FY2024 earnings call, Nov 2023: "
    "'NVIDIA AI Enterprise is $4,500 per GPU per year'); a 1,000-GPU pod carries 4.5 million "
    "USD a year; set it to 0 for an open software stack",
    minimum=0.0,
)
