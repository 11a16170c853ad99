"""Elaborate: resolved syntax to the frozen design model, in SI units.

Afterwards each factory is a `Design`: every value typed and converted to SI,
defaults applied, node and rack power both declared and derived from parts,
scale-up domains sized, multiplicities kept as (type, count). Component
definitions outside any factory (a library file) are elaborated too, so
their errors are reported.

Needs: a resolved `Program` without blocking errors. Emits: E106, E201,
E203, E204, E205, E208, E210, E216 (values); E305, E306 (scale-up domains);
E401 (declared power below parts).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from aiflang import units
from aiflang.diagnostics import Related, Sink
from aiflang.model import design as dm
from aiflang.model.schema import BLOCKS, PRECISIONS, Form
from aiflang.models import power as power_model
from aiflang.models.assumptions import REGISTRY, Assumptions
from aiflang.passes.resolve import Definition, Program, Scope
from aiflang.passes.values import ValueReader
from aiflang.syntax import tree as ast


def _attributes(block: ast.Block) -> dict[str, ast.Attribute]:
    return {e.name: e for e in block.entries if isinstance(e, ast.Attribute)}


class _Reader:
    """Reads one block's attributes by the schema, collecting model fields."""

    def __init__(
        self, values: ValueReader, kind: str, attributes: dict[str, ast.Attribute]
    ) -> None:
        self.values = values
        self.spec = BLOCKS[kind]
        self.attributes = attributes
        self.ok = True

    def has(self, name: str) -> bool:
        return name in self.attributes

    def get(self, name: str) -> Any:
        attribute = self.attributes.get(name)
        if attribute is None:
            return None
        attr = self.spec.attrs[name]
        form = attr.form
        result: Any
        if form is Form.QUANTITY:
            assert attr.dimension is not None
            result = self.values.quantity_si(attribute, attr.dimension)
        elif form is Form.COUNT:
            result = self.values.count(attribute)
        elif form is Form.NUMBER:
            result = self.values.number(attribute)
        elif form is Form.FRACTION:
            result = self.values.fraction(attribute)
        elif form is Form.STRING:
            result = self.values.string(attribute)
        elif form is Form.CHOICE:
            result = self.values.choice(attribute, attr)
        elif form is Form.REF:
            result = self.values.ref(attribute)
        elif form is Form.PARTS:
            result = self.values.parts(attribute)
        elif form is Form.MODULES:
            assert attr.dimension is not None
            result = self.values.modules(attribute, attr.dimension)
        elif form is Form.RATIO:
            result = self.values.ratio(attribute)
        elif form is Form.REDUNDANCY:
            result = self.values.redundancy(attribute)
        elif form is Form.BOOL:
            result = self.values.boolean(attribute)
        else:
            raise AssertionError(f"form {form} is read by its block")
        if result is None:
            self.ok = False
        return result

    def span(self, name: str) -> Any:
        attribute = self.attributes.get(name)
        return attribute.value.span if attribute else None


class _Elaborator:
    def __init__(self, sink: Sink, scope: Scope, assumptions: Assumptions) -> None:
        self.sink = sink
        self.values = ValueReader(sink)
        self.scope = scope
        self.assumptions = assumptions
        self.components = dm.Components()
        self._gpus: dict[str, dm.Gpu | None] = {}
        self._cpus: dict[str, dm.Cpu | None] = {}
        self._nics: dict[str, dm.Nic | None] = {}
        self._switches: dict[str, dm.Switch | None] = {}
        self._transceivers: dict[str, dm.Transceiver | None] = {}
        self._nodes: dict[str, dm.ServerNode | None] = {}
        self._racks: dict[str, dm.Rack | None] = {}

    # Components ----------------------------------------------------------
    def _memo(
        self, cache: dict[str, Any], kind: str, name: str, build: Callable[[Definition], Any]
    ) -> Any:
        if name in cache:
            return cache[name]
        cache[name] = None  # guards against cycles
        definition = self.scope.lookup(name)
        if definition is None or definition.kind != kind:
            return None
        cache[name] = build(definition)
        return cache[name]

    def _common(self, definition: Definition, reader: _Reader) -> dict[str, Any]:
        return {
            "name": definition.name,
            "doc": definition.doc,
            "source": reader.get("source"),
            "price_usd": reader.get("price"),
            "price_source": reader.get("price_source"),
            "builtin": definition.builtin,
            "span": definition.block.name_span,
        }

    def gpu(self, name: str) -> dm.Gpu | None:
        def build(definition: Definition) -> dm.Gpu | None:
            r = _Reader(self.values, "gpu", definition.attributes)
            flops: dict[str, float] = {p: r.get(p) for p in PRECISIONS if r.has(p)}
            flops = {p: v for p, v in flops.items() if v is not None}
            if "fp16" not in flops and "bf16" in flops:
                flops["fp16"] = flops["bf16"]
            fields = dict(
                vendor=r.get("vendor"),
                generation=r.get("generation"),
                form_factor=r.get("form_factor"),
                memory_bytes=(r.get("memory") or 0) / 8,
                memory_bandwidth_bytes_per_s=(r.get("memory_bandwidth") or 0) / 8,
                flops=flops,
                tdp_w=r.get("tdp") or 0.0,
                scale_up=r.get("scale_up"),
                scale_up_bandwidth_bytes_per_s=_div(r.get("scale_up_bandwidth"), 8),
                max_scale_up=r.get("max_scale_up") or 8,
            )
            common = self._common(definition, r)
            if not r.ok:
                return None
            return dm.Gpu(**common, **fields)

        return self._memo(self._gpus, "gpu", name, build)

    def cpu(self, name: str) -> dm.Cpu | None:
        def build(definition: Definition) -> dm.Cpu | None:
            r = _Reader(self.values, "cpu", definition.attributes)
            fields = dict(vendor=r.get("vendor"), cores=r.get("cores"), tdp_w=r.get("tdp") or 0.0)
            common = self._common(definition, r)
            return dm.Cpu(**common, **fields) if r.ok else None

        return self._memo(self._cpus, "cpu", name, build)

    def nic(self, name: str) -> dm.Nic | None:
        def build(definition: Definition) -> dm.Nic | None:
            r = _Reader(self.values, "nic", definition.attributes)
            ports = r.get("ports") or (1, 0.0)
            fields = dict(
                kind=r.get("kind") or "nic",
                ports=ports[0],
                port_speed_bps=ports[1],
                power_w=r.get("power"),
            )
            common = self._common(definition, r)
            return dm.Nic(**common, **fields) if r.ok else None

        return self._memo(self._nics, "nic", name, build)

    def switch(self, name: str) -> dm.Switch | None:
        def build(definition: Definition) -> dm.Switch | None:
            r = _Reader(self.values, "switch", definition.attributes)
            ports = r.get("ports") or (1, 0.0)
            breakout = r.get("breakout")
            ways = 1
            if breakout is not None:
                ways = breakout[0]
                if abs(breakout[0] * breakout[1] - ports[1]) > 1e-6 * ports[1]:
                    self.sink.error(
                        "E210",
                        f"switch `{definition.name}`: breakout {breakout[0]} x "
                        f"{units.format_quantity(breakout[1], units.BANDWIDTH)} does not add up "
                        f"to its {units.format_quantity(ports[1], units.BANDWIDTH)} ports",
                        r.span("breakout"),
                        help="a port splits into lanes that add up to its speed",
                    )
                    r.ok = False
            fields = dict(
                technology=r.get("technology"),
                ports=ports[0],
                port_speed_bps=ports[1],
                breakout_ways=ways,
                power_w=r.get("power"),
                height_m=r.get("height"),
            )
            common = self._common(definition, r)
            return dm.Switch(**common, **fields) if r.ok else None

        return self._memo(self._switches, "switch", name, build)

    def transceiver(self, name: str) -> dm.Transceiver | None:
        def build(definition: Definition) -> dm.Transceiver | None:
            r = _Reader(self.values, "transceiver", definition.attributes)
            fields = dict(
                speed_bps=r.get("speed") or 0.0, power_w=r.get("power"), reach_m=r.get("reach")
            )
            common = self._common(definition, r)
            return dm.Transceiver(**common, **fields) if r.ok else None

        return self._memo(self._transceivers, "transceiver", name, build)

    def node(self, name: str) -> dm.ServerNode | None:
        def build(definition: Definition) -> dm.ServerNode | None:
            r = _Reader(self.values, "node", definition.attributes)
            gpus = r.get("gpus") or []
            cpus = r.get("cpus") or []
            nics = r.get("nics") or []
            gpu_w = cpu_w = nic_w = 0.0
            for part in gpus:
                gpu = self.gpu(part.name)
                gpu_w += (gpu.tdp_w if gpu else 0.0) * part.count
            for part in cpus:
                cpu = self.cpu(part.name)
                cpu_w += (cpu.tdp_w if cpu else 0.0) * part.count
            for part in nics:
                nic = self.nic(part.name)
                nic_w += ((nic.power_w or 0.0) if nic else 0.0) * part.count
            estimate = power_model.node_power(1, gpu_w, 1, cpu_w, nic_w, self.assumptions)
            declared = r.get("power")
            if declared is not None and declared < estimate.parts_w:
                self.sink.error(
                    "E401",
                    f"node `{definition.name}` declares {_w(declared)}, below the "
                    f"{_w(estimate.parts_w)} its parts draw",
                    r.span("power"),
                    notes=(
                        f"GPUs {_w(gpu_w)} + CPUs {_w(cpu_w)} + NICs {_w(nic_w)} = "
                        f"{_w(estimate.parts_w)}",
                    ),
                    help=f"raise power to at least {_w(estimate.parts_w)}",
                )
            common = self._common(definition, r)
            if not r.ok:
                return None
            return dm.ServerNode(
                **common,
                gpus=[dm.Part(name=p.name, count=p.count, role=p.role) for p in gpus],
                cpus=[dm.Part(name=p.name, count=p.count, role=p.role) for p in cpus],
                nics=[dm.Part(name=p.name, count=p.count, role=p.role) for p in nics],
                power=dm.Power(declared_w=declared, derived_w=estimate.node_w),
                height_m=r.get("height"),
                weight_kg=r.get("weight"),
            )

        return self._memo(self._nodes, "node", name, build)

    def rack(self, name: str) -> dm.Rack | None:
        def build(definition: Definition) -> dm.Rack | None:
            r = _Reader(self.values, "rack", definition.attributes)
            nodes = r.get("nodes") or []
            switches = r.get("switches") or []
            liquid = self.cooling(definition.attributes.get("cooling"))
            total_w = 0.0
            gpu_models: dict[str, int] = {}
            node_gpus: list[int] = []
            for part in nodes:
                node = self.node(part.name)
                if node is None:
                    continue
                total_w += node.power.used_w * part.count
                for gpu_part in node.gpus:
                    gpu_models[gpu_part.name] = gpu_models.get(gpu_part.name, 0) + (
                        gpu_part.count * part.count
                    )
                node_gpus.append(node.gpu_count)
            for part in switches:
                switch = self.switch(part.name)
                total_w += ((switch.power_w or 0.0) if switch else 0.0) * part.count
            declared = r.get("power")
            if declared is not None and declared < total_w * (1 - 1e-9):
                self.sink.error(
                    "E401",
                    f"rack `{definition.name}` declares {_w(declared)}, below the "
                    f"{_w(total_w)} its nodes and switches draw",
                    r.span("power"),
                    notes=tuple(
                        f"{p.count} x {p.name} at {_w(self._node_w(p.name))}" for p in nodes
                    ),
                    help=f"raise power to at least {_w(total_w)}, or remove parts",
                )
            scale_up, domain = self.scale_up(definition, gpu_models, node_gpus)
            common = self._common(definition, r)
            if not r.ok or liquid is None:
                return None
            return dm.Rack(
                **common,
                nodes=[dm.Part(name=p.name, count=p.count) for p in nodes],
                switches=[dm.Part(name=p.name, count=p.count) for p in switches],
                scale_up=scale_up,
                scale_up_domain=domain,
                power=dm.Power(declared_w=declared, derived_w=total_w),
                liquid_fraction=liquid,
                footprint_m2=r.get("footprint"),
                height_m=r.get("height"),
                weight_kg=r.get("weight"),
            )

        return self._memo(self._racks, "rack", name, build)

    def _node_w(self, name: str) -> float:
        node = self.node(name)
        return node.power.used_w if node else 0.0

    def _defined_here(self, name: str, message: str) -> tuple[Related, ...]:
        definition = self.scope.lookup(name)
        return (Related(definition.block.name_span, message),) if definition else ()

    def cooling(self, attribute: ast.Attribute | None) -> float | None:
        """The liquid share of a rack's heat: air = 0, liquid = 1, `liquid 85%`."""
        if attribute is None:
            return 0.0
        value = attribute.value
        if isinstance(value, ast.Ref) and value.name in ("air", "liquid"):
            return 1.0 if value.name == "liquid" else 0.0
        if (
            isinstance(value, ast.Tagged)
            and value.tag.name in ("air", "liquid")
            and isinstance(value.argument, ast.Quantity)
        ):
            share = self.values.fraction(attribute, value.argument)
            if share is None:
                return None
            return share if value.tag.name == "liquid" else 1 - share
        self.values.wrong_form(attribute, "air, liquid, or `liquid 85%`")
        return None

    def scale_up(
        self, definition: Definition, gpu_models: dict[str, int], node_gpus: list[int]
    ) -> tuple[str | None, int | None]:
        attribute = definition.attributes.get("scale_up")
        rack_gpus = sum(gpu_models.values())
        if attribute is None:
            return None, (max(node_gpus) if node_gpus else None)
        value = attribute.value
        technology: str | None = None
        domain: int | None = None
        if isinstance(value, ast.Ref):
            technology = value.name
            domain = rack_gpus
        elif isinstance(value, ast.Tagged) and isinstance(value.argument, ast.MapValue):
            technology = value.tag.name
            for entry in value.argument.entries:
                if entry.name == "domain":
                    domain = self.values.count(entry)
                else:
                    self.sink.error(
                        "E208",
                        f"scale_up has no attribute `{entry.name}`",
                        entry.name_span,
                        help="write `scale_up = nvlink { domain = 72 }`",
                    )
            if domain is None:
                return technology, None
        else:
            self.values.wrong_form(attribute, "`nvlink { domain = 72 }`")
            return None, None
        if technology not in ("nvlink", "infinity_fabric", "ualink", "none"):
            self.sink.error(
                "E210",
                f"unknown scale-up technology `{technology}`",
                value.span,
                help="use nvlink, infinity_fabric or ualink",
            )
        span = value.span
        if len(gpu_models) > 1:
            self.sink.error(
                "E306",
                f"rack `{definition.name}` puts {', '.join(sorted(gpu_models))} in one "
                "scale-up domain",
                span,
                help="a scale-up domain holds one GPU model; split the rack",
            )
        if domain is not None and rack_gpus and domain > rack_gpus:
            self.sink.error(
                "E305",
                f"scale-up domain of {domain} GPUs is larger than the {rack_gpus} GPUs in "
                f"rack `{definition.name}`",
                span,
                help=f"set domain to at most {rack_gpus}",
            )
        for model_name in gpu_models:
            gpu = self.gpu(model_name)
            if gpu is not None and domain is not None and domain > gpu.max_scale_up:
                self.sink.error(
                    "E305",
                    f"scale-up domain of {domain} GPUs exceeds the {gpu.max_scale_up} that "
                    f"{model_name} supports",
                    span,
                    related=self._defined_here(model_name, "max_scale_up set here"),
                    help=f"use domain = {gpu.max_scale_up} or a GPU built for larger domains "
                    "(GB200, GB300 in NVL72 racks)",
                )
        return technology, domain

    # Factory members -------------------------------------------------------
    def site(self, block: ast.Block | None) -> dm.Site:
        if block is None:
            return dm.Site()
        r = _Reader(self.values, "site", _attributes(block))
        pue = r.get("pue")
        if pue is not None and pue < 1:
            self.sink.error(
                "E210",
                f"pue = {pue:g} is below 1: a facility cannot use less power than its IT",
                r.span("pue"),
                help="PUE is facility power over IT power: 1.1-1.2 for hyperscale, "
                "1.55 on average (Uptime Institute)",
            )
            pue = None
        return dm.Site(
            utility_w=r.get("utility"),
            pue=pue or 1.0,
            power_price_usd_per_j=r.get("power_price"),
            build_cost_usd_per_w=r.get("build_cost"),
            location=r.get("location"),
            span=block.kind_span,
            attr_spans=_spans(block),
        )

    def hall(self, block: ast.Block) -> dm.Hall | None:
        r = _Reader(self.values, "hall", _attributes(block))
        liquid_w: float | None = None
        air_w: float | None = None
        cooling = r.attributes.get("cooling")
        if cooling is not None:
            if isinstance(cooling.value, ast.MapValue):
                for entry in cooling.value.entries:
                    amount = self.values.quantity_si(entry, units.POWER)
                    if entry.name == "liquid":
                        liquid_w = amount
                    elif entry.name == "air":
                        air_w = amount
                    else:
                        self.sink.error(
                            "E208",
                            f"cooling has no medium `{entry.name}`",
                            entry.name_span,
                            help="cooling = { liquid = 2.6 MW, air = 0.6 MW }",
                        )
            elif isinstance(cooling.value, ast.Tagged | ast.Ref):
                self.values.wrong_form(cooling, "a map such as { liquid = 2.6 MW, air = 0.6 MW }")
            else:
                air_w = self.values.quantity_si(cooling, units.POWER)
        racks = r.get("racks") or []
        for part in racks:
            self.rack(part.name)
        feeds = r.get("feeds")
        ups = r.get("ups")
        cdus = r.get("cdus")
        hall = dm.Hall(
            name=block.name or "",
            doc=block.doc,
            it_capacity_w=r.get("it_power") or 0.0,
            feeds=dm.Modules(count=feeds[0], size=feeds[1]) if feeds else None,
            ups=dm.Modules(count=ups[0], size=ups[1]) if ups else None,
            redundancy=r.get("redundancy") or "N",
            derating=r.get("derating"),
            liquid_capacity_w=liquid_w,
            air_capacity_w=air_w,
            cdus=dm.Modules(count=cdus[0], size=cdus[1]) if cdus else None,
            cdu_redundancy=r.get("cdu_redundancy") or "N",
            positions=r.get("positions") or 0,
            racks=[dm.Part(name=p.name, count=p.count) for p in racks],
            floor_loading_kg_per_m2=r.get("floor_loading"),
            span=block.name_span,
            attr_spans=_spans(block),
        )
        return hall if r.ok else None

    def storage(self, block: ast.Block) -> dm.Storage | None:
        r = _Reader(self.values, "storage", _attributes(block))
        storage = dm.Storage(
            name=block.name or "",
            doc=block.doc,
            capacity_bytes=_div(r.get("capacity"), 8),
            bandwidth_bytes_per_s=_div(r.get("bandwidth"), 8),
            power_w=r.get("power") or 0.0,
            hall=r.get("hall"),
            positions=r.get("positions") or 0,
            price_usd=r.get("price"),
            price_usd_per_byte=_mul(r.get("price_per_capacity"), 8),
            span=block.name_span,
        )
        return storage if r.ok else None

    def fabric(self, block: ast.Block) -> dm.Fabric | None:
        r = _Reader(self.values, "fabric", _attributes(block))
        declared: dict[str, int] = {}
        counts = r.attributes.get("switches")
        if counts is not None:
            if isinstance(counts.value, ast.MapValue):
                for entry in counts.value.entries:
                    if entry.name not in ("leaf", "spine", "core"):
                        self.sink.error(
                            "E208",
                            f"switch counts have no tier `{entry.name}`",
                            entry.name_span,
                            help="tiers are leaf, spine and core",
                        )
                        continue
                    count = self.values.count(entry)
                    if count is not None:
                        declared[entry.name] = count
            else:
                self.values.wrong_form(counts, "{ leaf = 32, spine = 16 }")
        tiers = r.get("tiers")
        if tiers is not None and tiers > 3:
            self.sink.error(
                "E210",
                f"tiers = {tiers}: fabrics have 1, 2 or 3 tiers",
                r.span("tiers"),
                help="use tiers = 3 (a core tier) for the largest fabrics",
            )
            tiers = None
        for tier in ("leaf", "spine", "core"):
            name = r.get(tier)
            if name is not None and self.switch(name) is None:
                r.ok = False
        transceiver = r.get("transceiver")
        if transceiver is not None:
            self.transceiver(transceiver)
        fabric = dm.Fabric(
            name=block.name or "",
            doc=block.doc,
            technology=r.get("technology"),
            connects=r.get("connects") or "",
            topology=r.get("topology") or "fat_tree",
            tiers=tiers,
            oversubscription=r.get("oversubscription") or 1.0,
            rails=r.get("rails"),
            leaf=r.get("leaf") or "",
            spine=r.get("spine"),
            core=r.get("core"),
            transceiver=transceiver,
            declared_switches=declared,
            hall=r.get("hall"),
            training=r.get("training"),
            span=block.name_span,
        )
        return fabric if r.ok else None

    def train(self, block: ast.Block) -> dm.Train | None:
        r = _Reader(self.values, "train", _attributes(block))
        params = r.get("params")
        active = r.get("active_params")
        self._check_active(params, active, r)
        train = dm.Train(
            name=block.name or "",
            doc=block.doc,
            params=params or 0.0,
            active_params=active or params or 0.0,
            tokens=r.get("tokens") or 0.0,
            precision=r.get("precision") or "bf16",
            mfu=r.get("mfu"),
            gpus=r.get("gpus"),
            fabric=r.get("fabric"),
            storage=r.get("storage"),
            span=block.name_span,
        )
        return train if r.ok else None

    def _check_active(self, params: float | None, active: float | None, r: _Reader) -> None:
        if params is not None and active is not None and active > params:
            self.sink.error(
                "E210",
                "active_params exceeds params",
                r.span("active_params"),
                help="params is the total; active_params the share each token uses (MoE)",
            )
            r.ok = False

    def serve(self, block: ast.Block) -> dm.Serve | None:
        r = _Reader(self.values, "serve", _attributes(block))
        params = r.get("params")
        active = r.get("active_params")
        self._check_active(params, active, r)
        serve = dm.Serve(
            name=block.name or "",
            doc=block.doc,
            params=params or 0.0,
            active_params=active or params or 0.0,
            precision=r.get("precision") or "fp8",
            input_tokens=r.get("input_tokens") or 1024,
            output_tokens=r.get("output_tokens") or 256,
            user_rate_tokens_per_s=r.get("user_rate"),
            share=r.get("share"),
            gpus=r.get("gpus"),
            layers=r.get("layers"),
            kv_heads=r.get("kv_heads"),
            head_dim=r.get("head_dim"),
            kv_precision=r.get("kv_precision"),
            gpus_per_replica=r.get("gpus_per_replica"),
            span=block.name_span,
        )
        return serve if r.ok else None

    def finance(self, block: ast.Block | None) -> dm.Finance:
        if block is None:
            return dm.Finance()
        r = _Reader(self.values, "finance", _attributes(block))
        lives = {}
        for category in ("systems", "network", "storage", "facility"):
            life = r.get(f"depreciation_{category}")
            if life is not None:
                lives[category] = life
        return dm.Finance(
            horizon_s=r.get("horizon"),
            software_license_usd_per_gpu_s=r.get("software_license"),
            utilization=r.get("utilization"),
            maintenance=r.get("maintenance"),
            depreciation_s=lives,
            span=block.kind_span,
        )

    def requirement(self, rule: ast.Require) -> dm.Requirement | None:
        value = rule.value
        if not isinstance(value, ast.Quantity):
            self.sink.error(
                "E216", "a `require` rule compares with a number or a quantity", value.span
            )
            return None
        fake = ast.Attribute("require", value, rule.span, rule.span)
        unit = self.values.unit(value, fake) if value.unit else None
        if value.unit and unit is None:
            return None
        number = self.values.finite(value.number, fake)
        if number is None:
            return None
        if unit is None:
            si, dimension = number, units.DIMENSIONLESS
        else:
            si, dimension = unit.to_reference(number), unit.dimension
        return dm.Requirement(
            path=[s.name for s in rule.path],
            operator=rule.operator,
            value=si,
            dimension=units.dimension_name(dimension),
            unit=value.unit,
            message=rule.message,
            span=rule.span,
        )

    def finish_components(self) -> dm.Components:
        def keep(cache: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in sorted(cache.items()) if v is not None}

        return dm.Components(
            gpus=keep(self._gpus),
            cpus=keep(self._cpus),
            nics=keep(self._nics),
            switches=keep(self._switches),
            transceivers=keep(self._transceivers),
            nodes=keep(self._nodes),
            racks=keep(self._racks),
        )

    def component(self, definition: Definition) -> None:
        builders: dict[str, Callable[[str], Any]] = {
            "gpu": self.gpu,
            "cpu": self.cpu,
            "nic": self.nic,
            "switch": self.switch,
            "transceiver": self.transceiver,
            "node": self.node,
            "rack": self.rack,
        }
        builders[definition.kind](definition.name)


def read_assumptions(block: ast.Block | None, sink: Sink) -> Assumptions:
    """The design's overrides of model constants, checked against the registry."""
    assumptions = Assumptions()
    if block is None:
        return assumptions
    values = ValueReader(sink)
    for entry in block.entries:
        if not isinstance(entry, ast.Attribute):
            continue
        known = REGISTRY.get(entry.name)
        if known is None:
            close = difflib.get_close_matches(entry.name, list(REGISTRY), n=3)
            sink.error(
                "E208",
                f"unknown assumption `{entry.name}`",
                entry.name_span,
                help=("did you mean " + " or ".join(f"`{c}`" for c in close) + "?")
                if close
                else "`aifc report --format json` lists every assumption and its default",
            )
            continue
        if known.unit == "%":
            value = values.fraction(entry)
        elif known.unit == "":
            value = values.quantity_si(entry, units.DIMENSIONLESS)
        else:
            value = values.quantity_si(entry, units.parse_unit(known.unit).dimension)
        if value is None:
            continue
        if (known.minimum is not None and value < known.minimum) or (
            known.maximum is not None and value > known.maximum
        ):
            sink.error(
                "E210",
                f"assumption `{entry.name}` is outside its range",
                entry.value.span,
                help=f"allowed: {known.minimum} to {known.maximum} (SI units)",
            )
            continue
        assumptions.overrides[entry.name] = value
    return assumptions


def elaborate(program: Program, sink: Sink) -> list[dm.Design]:
    """Elaborate every factory of the program (and check library definitions)."""
    designs: list[dm.Design] = []
    if program.file_scope is not None:
        # The file's own definitions are checked even when no factory uses them.
        library = _Elaborator(sink, program.file_scope, Assumptions())
        for definition in program.definitions:
            library.component(definition)
    for unit in program.factories:
        block = unit.block
        members = [e for e in block.entries if isinstance(e, ast.Block)]

        def first(kind: str, members: list[ast.Block] = members) -> ast.Block | None:
            return next((m for m in members if m.kind == kind), None)

        assumptions = read_assumptions(first("assumptions"), sink)
        elaborator = _Elaborator(sink, unit.scope, assumptions)
        for definition in unit.scope.symbols.values():
            elaborator.component(definition)
        site = elaborator.site(first("site"))
        if first("site") is None:
            sink.error(
                "E205",
                f'factory "{block.name}" has no `site` block',
                block.name_span,
                help="add `site { pue = 1.2, utility = 40 MW }`",
            )
        halls = [h for m in members if m.kind == "hall" and (h := elaborator.hall(m))]
        storage = [s for m in members if m.kind == "storage" and (s := elaborator.storage(m))]
        fabrics = [f for m in members if m.kind == "fabric" and (f := elaborator.fabric(m))]
        train = [t for m in members if m.kind == "train" and (t := elaborator.train(m))]
        serve = [w for m in members if m.kind == "serve" and (w := elaborator.serve(m))]
        requirements = [
            req
            for e in block.entries
            if isinstance(e, ast.Require) and (req := elaborator.requirement(e))
        ]
        _check_member_refs(sink, block, halls, storage, fabrics, train, serve)
        designs.append(
            dm.Design(
                name=block.name or "",
                file=unit.file,
                doc=block.doc,
                site=site,
                halls=halls,
                storage=storage,
                fabrics=fabrics,
                train=train,
                serve=serve,
                finance=elaborator.finance(first("finance")),
                assumptions=dict(sorted(assumptions.overrides.items())),
                requirements=requirements,
                components=elaborator.finish_components(),
                span=block.name_span,
            )
        )
    return designs


def _check_member_refs(
    sink: Sink,
    block: ast.Block,
    halls: list[dm.Hall],
    storage: list[dm.Storage],
    fabrics: list[dm.Fabric],
    train: list[dm.Train],
    serve: list[dm.Serve],
) -> None:
    hall_names = [h.name for h in halls]
    fabric_names = [f.name for f in fabrics]
    storage_names = [s.name for s in storage]

    def check(name: str | None, known: list[str], what: str, span: Any) -> None:
        if name is None or name in known:
            return
        close = difflib.get_close_matches(name, known, n=2)
        sink.error(
            "E201",
            f"unknown {what} `{name}`",
            span,
            help=("did you mean " + " or ".join(f"`{c}`" for c in close) + "?")
            if close
            else f"the factory's {what}s are: {', '.join(known) or 'none'}",
        )

    for item in storage:
        check(item.hall, hall_names, "hall", item.span)
    for fabric in fabrics:
        check(fabric.hall, hall_names, "hall", fabric.span)
    for workload in train:
        check(workload.fabric, fabric_names, "fabric", workload.span)
        check(workload.storage, storage_names, "storage", workload.span)


def _spans(block: ast.Block) -> dict[str, Any]:
    return {e.name: e.span for e in block.entries if isinstance(e, ast.Attribute)}


def _div(value: float | None, by: float) -> float | None:
    return None if value is None else value / by


def _mul(value: float | None, by: float) -> float | None:
    return None if value is None else value * by


def _w(watts: float) -> str:
    return units.format_quantity(watts, units.POWER)
