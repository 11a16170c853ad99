"""The assumption registry: every constant is known before any design is read,
and overriding any of them from an `assumptions {}` block changes the report.

The design below leaves out everything a default stands in for (node and
rack power, switch power and height, optics, MFU, model architecture, a
GPU's achieved fractions, an engine's limits, acceptance of draft tokens,
the size of a prefill pool, finance, site prices), so every registered
constant reaches a figure or a finding.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from aiflang.driver import build_reports, compile_file
from aiflang.models.assumptions import REGISTRY
from aiflang.models.defaults import DEFAULTS

DESIGN = """
# B200's datasheet figures without the achieved fractions its catalog entry gives.
gpu accel {
  vendor             = "NVIDIA"
  memory             = 180 GB
  memory_bandwidth   = 8 TB/s
  bf16               = 2250 TFLOPS
  fp8                = 4500 TFLOPS
  fp4                = 9000 TFLOPS
  tdp                = 1000 W
  scale_up           = nvlink
  scale_up_bandwidth = 1.8 TB/s
}

# An engine that gives its overheads and none of its limits.
engine bare {
  vendors         = "NVIDIA"
  step_overhead   = 2 ms
  kernel_overhead = 3 us
}

switch tor {
  technology = ethernet
  ports      = 64 x 400 Gbps
}

node air_node {
  gpus = 8 x accel
  cpus = 2 x Xeon_8570
  nics = [8 x CX7 for compute]
}

node tray {
  gpus = 4 x accel
  cpus = 2 x Grace
  nics = [4 x CX7 for compute]
}

rack air_rack {
  nodes   = 2 x air_node
  cooling = air
}

rack liquid_rack {
  nodes   = 4 x tray
  cooling = liquid 85%
}

# A storage appliance, stacked into storage racks.
appliance flash_2u {
  capacity  = 1 PB
  bandwidth = 50 GB/s
  power     = 1.5 kW
  height    = 2 U
}

factory "every-assumption" {
  site { pue = 1.2 }

  hall A {
    it_power   = 400 kW
    feeds      = 2 x 300 kW
    ups        = 5 x 100 kW
    redundancy = N+1
    cooling    = { liquid = 300 kW, air = 200 kW }
    positions  = 30
    racks      = [2 x air_rack, 2 x liquid_rack]
    batteries  = 1 x 15 kWh  # about 5.7 min at the hall's 159 kW: W407 once the floor is 7.5 min
  }

  # 30 x 2U of appliances: two 42U storage racks, one of 63U.
  storage bulk {
    appliances = 30 x flash_2u
    hall       = A
  }

  storage fast {
    capacity  = 1 PB
    bandwidth = 100 GB/s
    power     = 10 kW
    hall      = A
    price     = 1 million USD
  }

  fabric compute {
    technology = ethernet
    connects   = compute
    topology   = fat_tree
    tiers      = 2
    leaf       = tor
    spine      = tor
  }

  train "dense-bf16" {
    params    = 70 billion
    tokens    = 1 trillion
    precision = bf16
    storage   = fast
  }
  train "dense-fp8" {
    params    = 70 billion
    tokens    = 1 trillion
    precision = fp8
  }
  train "dense-fp4" {
    params    = 70 billion
    tokens    = 1 trillion
    precision = fp4
  }
  # a declared plan with tensor and expert parallelism, so their overlaps count
  train "moe" {
    model       = Mixtral_8x7B
    tokens      = 1 trillion
    gpus        = 16
    parallelism = { tp = 2, ep = 4 }
  }

  serve "chat" {
    params        = 405 billion
    precision     = fp8
    input_tokens  = 4096
    output_tokens = 1024
    user_rate     = 10 tokens/s
  }

  # Mixture of experts with latent attention, spread over two nodes, with
  # drafted tokens and a prefill pool sized to the load.
  serve "moe" {
    model         = DeepSeek_R1
    engine        = bare
    precision     = fp8
    input_tokens  = 2048
    output_tokens = 512
    tp            = 1
    dp            = 16
    ep            = 16
    disaggregated = true
    draft_tokens  = 2
    gpus          = 32
  }
  # overrides
}
"""

# Override values where doubling or halving the default would show nothing
# (the constant only sets a threshold), with the other overrides in force in
# both runs so the changed one is the only difference.
SPECIAL: dict[str, tuple[str, dict[str, str]]] = {
    "air_rack_limit_w": ("20 kW", {}),  # the air racks draw about 27 kW: E405
    "checkpoint_warn_s": ("1 s", {}),  # a 70B checkpoint at 100 GB/s takes 9.8 s: W501
    "pue_liquid_low": ("1.9", {}),  # the band's floor rises over the site's PUE: W403
    "pue_air_low": ("1.9", {}),
    "pue_liquid_high": ("2.5", {"pue_liquid_low": "1.9"}),  # read in W403's note
    "pue_air_high": ("3.5", {"pue_air_low": "1.9"}),
    "max_tensor_parallel": ("4", {}),
    "network_rack_usable_height_m": ("1 U", {}),
    "network_switch_default_height_m": ("20 U", {}),  # 3 switches: 2 racks, not 1
}


def _written(name: str, value_si: float) -> str:
    """A value of the assumption in its display unit, as a design writes it."""
    unit = REGISTRY[name].unit
    if unit == "%":
        return f"{value_si * 100:.6g}%"
    if unit == "":
        return f"{value_si:.6g}"
    from aiflang.units import parse_unit

    return f"{parse_unit(unit).from_reference(value_si):.6g} {unit}"


def _changed_value(name: str) -> str:
    if name in SPECIAL:
        return SPECIAL[name][0]
    assumption = REGISTRY[name]
    value = assumption.default * 1.5 if assumption.default else 1.0
    if assumption.maximum is not None and value > assumption.maximum:
        value = assumption.default * 0.5
    if assumption.minimum is not None and value < assumption.minimum:
        value = assumption.minimum
    return _written(name, value)


def _block(overrides: dict[str, str]) -> str:
    if not overrides:
        return ""
    lines = "\n".join(f"    {name} = {value}" for name, value in sorted(overrides.items()))
    return f"  assumptions {{\n{lines}\n  }}"


def _report(tmp_path: Path, overrides: dict[str, str]) -> dict[str, Any]:
    path = tmp_path / "design.aif"
    path.write_text(DESIGN.replace("  # overrides", _block(overrides)), encoding="utf-8")
    compilation = compile_file(path)
    (report,) = build_reports(compilation)
    data = report.model_dump(mode="json")
    assert not [d for d in data["diagnostics"] if d["code"] == "E208"], data["diagnostics"]
    return data


def _figures(data: dict[str, Any]) -> dict[str, Any]:
    """Everything but the list of assumptions, which names the override itself."""
    return {k: v for k, v in data.items() if k != "assumptions"}


def test_the_table_is_the_registry() -> None:
    assert [a.name for a in DEFAULTS] == list(REGISTRY)
    for assumption in DEFAULTS:
        assert len(assumption.source) > 10, assumption.name
        assert assumption.description, assumption.name
        low, high = assumption.minimum, assumption.maximum
        assert low is None or assumption.default >= low, assumption.name
        assert high is None or assumption.default <= high, assumption.name


def test_every_assumption_is_registered_in_a_fresh_process(tmp_path: Path) -> None:
    """A cold process reading its first design knows every constant (no E208)."""
    overrides = {name: _changed_value(name) for name in REGISTRY}
    path = tmp_path / "design.aif"
    path.write_text(DESIGN.replace("  # overrides", _block(overrides)), encoding="utf-8")
    script = (
        "import json, sys\n"
        "from aiflang.driver import build_reports, compile_file\n"
        "(report,) = build_reports(compile_file(__import__('pathlib').Path(sys.argv[1])))\n"
        "print(json.dumps(report.model_dump(mode='json')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
    )
    data = json.loads(done.stdout)
    assert [d["summary"] for d in data["diagnostics"] if d["code"] == "E208"] == []
    overridden = {a["name"] for a in data["assumptions"] if a["overridden"]}
    assert overridden == set(REGISTRY)


# Achieved training fractions fitted per GPU generation: the design's GPU has no
# generation, so it reads the per-precision ones; each fitted one is tested on a
# GPU of its generation below.
FITTED = sorted(
    name for name in REGISTRY if name.startswith("train_compute_fraction_") and name.count("_") > 3
)


@pytest.mark.parametrize("name", sorted(set(REGISTRY) - set(FITTED)))
def test_overriding_an_assumption_changes_the_report(tmp_path: Path, name: str) -> None:
    extra = SPECIAL.get(name, ("", {}))[1]
    baseline = _report(tmp_path, extra)
    changed = _report(tmp_path, {**extra, name: _changed_value(name)})
    (entry,) = [a for a in changed["assumptions"] if a["name"] == name]
    assert entry["overridden"]
    assert not math.isclose(entry["value"], entry["default"])
    assert _figures(changed) != _figures(baseline), f"overriding {name} changed nothing"


@pytest.mark.parametrize("name", FITTED)
def test_a_fitted_training_fraction_reaches_a_gpu_of_its_generation(
    tmp_path: Path, name: str
) -> None:
    generation = name.removeprefix("train_compute_fraction_").rsplit("_", 1)[0]
    vendor = '  vendor             = "NVIDIA"\n'
    line = f'  generation         = "{generation.replace("_", " ")}"\n'
    design = DESIGN.replace(vendor, vendor + line, 1)
    path = tmp_path / "design.aif"

    def train(overrides: dict[str, str]) -> list[Any]:
        path.write_text(design.replace("  # overrides", _block(overrides)), encoding="utf-8")
        (report,) = build_reports(compile_file(path))
        return [t.model_dump(mode="json") for t in report.train]

    baseline = train({})
    assert train({name: _changed_value(name)}) != baseline, f"overriding {name} changed nothing"
