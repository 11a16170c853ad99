"""Elaborate: resolved syntax to the frozen design model, in SI units.

Afterwards each factory is a `Design`: every value typed and converted to SI,
defaults applied, node and rack power both declared and derived from parts,
scale-up domains sized, multiplicities kept as (type, count). Component
definitions outside any factory (a library file) are elaborated too, so
their errors are reported. Components are built by `aiflang.frontend.components`;
this module reads the factory's own blocks (site, halls, storage, fabrics,
workloads, finance, assumptions, requirements).

Needs: a resolved `Program` without blocking errors. Emits: E106, E201,
E203, E204, E205, E208, E210, E216 (values); E305, E306 (scale-up domains);
E401 (declared power below parts).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar

from aiflang import units
from aiflang.diagnostics import Sink, codes, did_you_mean, get_close_matches, replacements
from aiflang.frontend import design as dm
from aiflang.frontend.components import (
    NVIDIA_ENGINE,
    OTHER_ENGINE,
    BlockReader,
    ComponentBuilder,
    attributes_of,
)
from aiflang.frontend.plant import UNIT_SIZE
from aiflang.frontend.resolve import FactoryUnit, Program
from aiflang.frontend.storage import build_storage
from aiflang.frontend.values import ValueReader
from aiflang.models.assumptions import REGISTRY, Assumptions
from aiflang.syntax import tree as ast

TRAIN_PLAN_SIZES = ("tp", "pp", "vp", "cp", "ep", "dp", "zero", "micro_batch")
# The sizes a serving replica takes, alone (`tp = 8`) or in `parallelism = { ... }`.
SERVE_PLAN_SIZES = ("tp", "dp", "ep", "pp")


class _Elaborator(ComponentBuilder):
    """Component building plus the factory's own blocks."""

    # Factory members -------------------------------------------------------
    def site(self, block: ast.Block | None) -> dm.Site:
        if block is None:
            return dm.Site()
        r = BlockReader(self.values, "site", attributes_of(block))
        pue = r.get("pue")
        if pue is not None and pue < 1:
            self.sink.error(
                codes.E210,
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
        r = BlockReader(self.values, "hall", attributes_of(block))
        liquid_w: float | None = None
        air_w: float | None = None
        cooling = r.attributes.get("cooling")
        if cooling is not None:
            if isinstance(cooling.value, ast.MapValue):
                for entry in cooling.value.entries:
                    amount = self.values.quantity_si(entry, units.POWER, kind="hall")
                    if entry.name == "liquid":
                        liquid_w = amount
                    elif entry.name == "air":
                        air_w = amount
                    else:
                        self.sink.error(
                            codes.E208,
                            f"cooling has no medium `{entry.name}`",
                            entry.name_span,
                            help="cooling = { liquid = 2.6 MW, air = 0.6 MW }",
                        )
            elif isinstance(cooling.value, ast.Tagged | ast.Ref):
                self.values.wrong_form(
                    cooling,
                    "a map such as { liquid = 2.6 MW, air = 0.6 MW }",
                    example="cooling = { liquid = 2.6 MW, air = 0.6 MW }",
                )
            else:
                air_w = self.values.quantity_si(cooling, units.POWER, kind="hall")
        racks = r.get("racks") or []
        for part in racks:
            rack = self.rack(part.name)
            if rack is not None and not rack.power.known:
                self._unknown_power(rack, r.attributes["racks"].value.span)
        feeds = r.get("feeds")
        plant = {
            attribute: self.plant_modules(r, attribute, kind)
            for attribute, kind in HALL_PLANT.items()
        }
        hall = dm.Hall(
            name=block.name or "",
            doc=block.doc,
            it_capacity_w=r.get("it_power") or 0.0,
            feeds=dm.Modules(count=feeds[0], size=feeds[1]) if feeds else None,
            redundancy=r.get("redundancy") or "N",
            derating=r.get("derating"),
            liquid_capacity_w=liquid_w,
            air_capacity_w=air_w,
            cdu_redundancy=r.get("cdu_redundancy") or "N",
            chiller_redundancy=r.get("chiller_redundancy") or "N",
            dry_cooler_redundancy=r.get("dry_cooler_redundancy") or "N",
            generator_redundancy=r.get("generator_redundancy") or "N",
            plant_area_m2=r.get("plant_area"),
            **plant,
            positions=r.get("positions") or 0,
            racks=[dm.Part(name=p.name, count=p.count) for p in racks],
            floor_loading_kg_per_m2=r.get("floor_loading"),
            span=block.name_span,
            attr_spans=_spans(block),
        )
        return hall if r.ok else None

    def plant_modules(self, r: BlockReader, attribute: str, kind: str) -> dm.Modules | None:
        """`4 x 1 MW` as it stands, or `6 x Galaxy_VXL_1250` sized by the part's rating."""
        value = r.get(attribute)
        if value is None:
            return None
        count, size, name = value
        if name is not None:
            item = self.plant(kind, name)
            if item is None:
                return None  # resolve reported the name; elaboration the part's values
            size = UNIT_SIZE[kind](item)
        return dm.Modules(count=count, size=size or 0.0, part=name, span=r.span(attribute))

    def _unknown_power(self, rack: dm.Rack, span: Any) -> None:
        parts = sorted(
            {
                part.name
                for node_part in rack.nodes
                if (node := self.node(node_part.name)) is not None and not node.power.known
                for part, found in [
                    *((p, self.gpu(p.name)) for p in node.gpus),
                    *((p, self.cpu(p.name)) for p in node.cpus),
                ]
                if found is not None and found.tdp_w is None
            }
        )
        self.sink.error(
            codes.E410,
            f"rack `{rack.name}` has no power figure: it declares none, and the power of "
            f"{', '.join(parts) or 'some of its parts'} is not published",
            span,
            related=self._defined_here(rack.name, "rack defined here"),
            help=f"give the power you plan for: `rack my_rack extends {rack.name} "
            "{ power = ... }`, and place that rack",
        )

    def storage(self, block: ast.Block) -> dm.Storage | None:
        r = BlockReader(self.values, "storage", attributes_of(block))
        built = build_storage(self, block.name or "", r)
        storage = dm.Storage(
            name=block.name or "",
            doc=block.doc,
            appliances=built.parts,
            capacity_bytes=built.capacity_bytes,
            bandwidth_bytes_per_s=built.bandwidth_bytes_per_s,
            power_w=built.power_w,
            hall=r.get("hall"),
            positions=built.positions,
            price_usd=built.price_usd,
            price_usd_per_byte=_mul(r.get("price_per_capacity"), 8),
            span=block.name_span,
            attr_spans=_spans(block),
        )
        return storage if r.ok else None

    def fabric(self, block: ast.Block) -> dm.Fabric | None:
        r = BlockReader(self.values, "fabric", attributes_of(block))
        declared: dict[str, int] = {}
        counts = r.attributes.get("switches")
        if counts is not None:
            if isinstance(counts.value, ast.MapValue):
                for entry in counts.value.entries:
                    if entry.name not in ("leaf", "spine", "core"):
                        self.sink.error(
                            codes.E208,
                            f"switch counts have no tier `{entry.name}`",
                            entry.name_span,
                            help="tiers are leaf, spine and core",
                        )
                        continue
                    count = self.values.count(entry)
                    if count is not None:
                        declared[entry.name] = count
            else:
                self.values.wrong_form(
                    counts,
                    "{ leaf = 32, spine = 16 }",
                    example="switches = { leaf = 32, spine = 16 }",
                )
        tiers = r.get("tiers")
        if tiers is not None and tiers > 3:
            self.sink.error(
                codes.E210,
                f"tiers = {tiers}: fabrics have 1, 2 or 3 tiers",
                r.span("tiers"),
                help="use tiers = 3 (a core tier) for the largest fabrics",
            )
            tiers = None
        for tier in ("leaf", "spine", "core"):
            name = r.get(tier)
            switch = self.switch(name) if name is not None else None
            if name is not None and switch is None:
                r.ok = False
            elif switch is not None and switch.technology == "nvlink":
                # An NVLink switch tray is a rack part: the scale-up domain, not a fabric.
                self.sink.error(
                    codes.E202,
                    f"`{tier}` expects a network switch, but `{name}` is an NVLink switch tray",
                    r.span(tier),
                    help="list NVLink switch trays in a rack's `switches`; a fabric's switches "
                    "are infiniband or ethernet",
                )
                r.ok = False
        transceiver = r.get("transceiver")
        if transceiver is not None:
            self.transceiver(transceiver)
        elif r.has("distance"):
            # The fabric pass picks the optics by distance among every part in scope.
            for name, definition in self.scope.names():
                if definition.kind == "transceiver":
                    self.transceiver(name)
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
            distance_m=r.get("distance"),
            declared_switches=declared,
            hall=r.get("hall"),
            training=r.get("training"),
            span=block.name_span,
            attr_spans=_spans(block),
        )
        return fabric if r.ok else None

    def train(self, block: ast.Block) -> dm.Train | None:
        r = BlockReader(self.values, "train", attributes_of(block))
        model_name, _model, params, active = self._workload_model(
            block, r, example_model="Llama3_1_405B", example_params="405 billion"
        )
        parallelism = self._train_parallelism(r)
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
            model=model_name,
            sequence_length=r.get("sequence_length"),
            global_batch=r.get("global_batch"),
            parallelism=parallelism,
            span=block.name_span,
            attr_spans=_spans(block),
        )
        return train if r.ok else None

    def _train_parallelism(self, r: BlockReader) -> dict[str, int]:
        """The declared parts of a training plan, from the `parallelism` map."""
        return self._parallel_map(
            r,
            {},
            allowed=TRAIN_PLAN_SIZES,
            example="parallelism = { tp = 8, pp = 16 }",
            help="sizes are tp (tensor), pp (pipeline), vp (virtual stages), cp "
            "(context), ep (expert), dp (data), zero (0 to 3) and micro_batch "
            "(sequences per micro-batch)",
        )

    def _parallel_map(
        self,
        r: BlockReader,
        alone: dict[str, int],
        *,
        allowed: Collection[str],
        example: str,
        help: str,
    ) -> dict[str, int]:
        """The sizes given `alone`, with those of the `parallelism` map added.

        E208 for a size the workload has no use for; E210 for one given both
        alone and in the map; `zero` is read as a ZeRO stage, the rest as counts.
        """
        sizes = dict(alone)
        mapped = r.attributes.get("parallelism")
        if mapped is None:
            return sizes
        if not isinstance(mapped.value, ast.MapValue):
            self.values.wrong_form(mapped, "a map of parallel sizes", example=example)
            r.ok = False
            return sizes
        for entry in mapped.value.entries:
            if entry.name not in allowed:
                self.sink.error(
                    codes.E208,
                    f"parallelism has no size `{entry.name}`",
                    entry.name_span,
                    help=help,
                )
                r.ok = False
                continue
            if entry.name in alone:
                self.sink.error(
                    codes.E210,
                    f"`{entry.name}` is given both alone and in `parallelism`",
                    entry.name_span,
                    help="keep one of them",
                )
                r.ok = False
                continue
            value = self._zero_stage(entry) if entry.name == "zero" else self.values.count(entry)
            if value is None:
                r.ok = False
                continue
            sizes[entry.name] = value
        return sizes

    def _zero_stage(self, entry: ast.Attribute) -> int | None:
        node = entry.value
        value = None
        if isinstance(node, ast.Quantity) and node.unit is None:
            value = self.values.finite(node.number, entry)
        if value is None or value not in (0, 1, 2, 3):
            self.sink.error(
                codes.E210,
                "zero is a ZeRO stage: 0, 1, 2 or 3 (3 shards the weights too, as FSDP)",
                entry.name_span,
                help="use zero = 1 (sharded optimizer state) or zero = 3 (sharded weights)",
            )
            return None
        return int(value)

    def _workload_model(
        self, block: ast.Block, r: BlockReader, *, example_model: str, example_params: str
    ) -> tuple[str | None, dm.Model | None, float | None, float | None]:
        """A train or serve workload's model and its (total, active) parameters.

        Written `params`/`active_params` win over the named model's; E205 when a
        workload has neither (unless `params` is written with a value error, which
        is reported already); E210 when the active parameters exceed the total.
        """
        params = r.get("params")
        active = r.get("active_params")
        model_name = r.get("model")
        model = self.model(model_name) if model_name is not None else None
        if model_name is not None and model is None:
            r.ok = False
        if params is None and model is not None:
            params = model.params
            active = active if active is not None else model.active_params
        if params is None and model_name is None and r.has("params"):
            r.ok = False  # `params` is written, and its value error is reported
        elif params is None and model_name is None:
            self.sink.error(
                codes.E205,
                f'{block.kind} "{block.name}" needs `params` or a `model`',
                block.name_span,
                help=f"name a model (`model = {example_model}`, see `aifc catalog`) or give "
                f"`params = {example_params}`",
            )
            r.ok = False
        self._check_active(params, active, r)
        return model_name, model, params, active

    def _check_active(self, params: float | None, active: float | None, r: BlockReader) -> None:
        if params is not None and active is not None and active > params:
            self.sink.error(
                codes.E210,
                "active_params exceeds params",
                r.span("active_params"),
                help="params is the total; active_params the share each token uses (MoE)",
            )
            r.ok = False

    def serve(self, block: ast.Block) -> dm.Serve | None:
        r = BlockReader(self.values, "serve", attributes_of(block))
        model_name, model, params, active = self._workload_model(
            block, r, example_model="Llama3_1_70B", example_params="70 billion"
        )
        engine = r.get("engine")
        if engine is not None and self.engine(engine) is None:
            r.ok = False
        if engine is None:
            self.engine(NVIDIA_ENGINE)
            self.engine(OTHER_ENGINE)
        parallelism = self._parallelism(r)
        prefill_gpus = r.get("prefill_gpus")
        prefill_share = r.get("prefill_share")
        if prefill_gpus is not None and prefill_share is not None:
            self.sink.error(
                codes.E210,
                "give prefill_gpus or prefill_share, not both",
                r.span("prefill_share"),
                help="prefill_share = 25% is a 1:3 split of prefill to decode GPUs",
            )
            r.ok = False
        if prefill_share is not None and not 0.0 < prefill_share < 1.0:
            self.sink.error(
                codes.E210,
                f"`prefill_share` must lie strictly between 0% and 100%, found "
                f"{prefill_share * 100:g}%",
                r.span("prefill_share"),
                help="the rest of the workload's GPUs decode: prefill_share = 25% is a 1:3 split",
            )
            r.ok = False
        draft = r.get("draft_tokens") or 0
        acceptance = r.get("acceptance_length")
        if acceptance is not None and not 1.0 <= acceptance <= draft + 1:
            self.sink.error(
                codes.E210,
                f"acceptance_length {acceptance:g} is outside 1 to draft_tokens + 1 ({draft + 1})",
                r.span("acceptance_length"),
                help="the acceptance length counts the tokens each step emits, the verified "
                "bonus token included: at most draft_tokens + 1",
            )
            r.ok = False
        input_tokens = r.get("input_tokens") or 1024
        output_tokens = r.get("output_tokens") or 256
        context = model.context_length if model is not None else None
        if context is not None and input_tokens + output_tokens > context:
            self.sink.warning(
                codes.W503,
                f'serve "{block.name}" asks for {input_tokens + output_tokens:,} tokens '
                f"({input_tokens:,} in, {output_tokens:,} out), over {model_name}'s context "
                f"of {context:,}",
                r.span("input_tokens") or r.span("output_tokens") or block.name_span,
                help="shorten input_tokens or output_tokens, or name a model with a longer context",
            )
        disaggregated = r.get("disaggregated")
        serve = dm.Serve(
            name=block.name or "",
            doc=block.doc,
            params=params or 0.0,
            active_params=active or params or 0.0,
            precision=r.get("precision") or "fp8",
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            requested_user_rate_tokens_per_s=r.get("user_rate"),
            share=r.get("share"),
            gpus=r.get("gpus"),
            layers=r.get("layers"),
            kv_heads=r.get("kv_heads"),
            head_dim=r.get("head_dim"),
            kv_precision=r.get("kv_precision"),
            gpus_per_replica=r.get("gpus_per_replica"),
            model=model_name,
            engine=engine,
            ttft_limit_s=r.get("ttft_limit"),
            tpot_limit_s=r.get("tpot_limit"),
            parallelism=parallelism,
            disaggregated=bool(
                disaggregated or prefill_gpus is not None or prefill_share is not None
            ),
            prefill_gpus=prefill_gpus,
            prefill_share=prefill_share,
            draft_tokens=draft,
            acceptance_length=acceptance,
            span=block.name_span,
            attr_spans=_spans(block),
        )
        return serve if r.ok else None

    def _parallelism(self, r: BlockReader) -> dict[str, int]:
        """tp, dp, ep, pp from the single attributes and the `parallelism` map (not both)."""
        alone: dict[str, int] = {}
        for name in SERVE_PLAN_SIZES:
            value = r.get(name)
            if value is not None:
                alone[name] = value
        return self._parallel_map(
            r,
            alone,
            allowed=SERVE_PLAN_SIZES,
            example="parallelism = { tp = 8, ep = 8 }",
            help="sizes are tp (tensor), dp (data-parallel attention), ep (expert) "
            "and pp (pipeline)",
        )

    def finance(self, block: ast.Block | None) -> dm.Finance:
        if block is None:
            return dm.Finance()
        r = BlockReader(self.values, "finance", attributes_of(block))
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
            attr_spans=_spans(block),
        )

    def requirement(self, rule: ast.Require) -> dm.Requirement | None:
        value = rule.value
        if isinstance(value, ast.Invalid):
            return None
        if not isinstance(value, ast.Quantity):
            self.sink.error(
                codes.E216, "a `require` rule compares with a number or a quantity", value.span
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
            path_spans=[s.span for s in rule.path],
        )


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
            close = get_close_matches(entry.name, list(REGISTRY), n=3)
            sink.error(
                codes.E208,
                f"unknown assumption `{entry.name}`",
                entry.name_span,
                help=did_you_mean(close)
                or "`aifc report --format json` lists every assumption and its default",
                fixes=replacements(entry.name_span, close),
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
                codes.E210,
                f"assumption `{entry.name}` is outside its range",
                entry.value.span,
                help=f"allowed: {known.minimum} to {known.maximum} (SI units)",
            )
            continue
        assumptions.overrides[entry.name] = value
    return assumptions


def elaborate(program: Program, sink: Sink) -> list[dm.Design]:
    """Elaborate every factory of the program (and check library definitions)."""
    _check_library(program, sink)
    return [_factory(unit, sink) for unit in program.factories]


def _check_library(program: Program, sink: Sink) -> None:
    """The file's own definitions are checked even when no factory uses them."""
    if program.file_scope is None:
        return
    library = _Elaborator(sink, program.file_scope, Assumptions())
    for definition in program.definitions:
        library.component(definition)


def _first(members: list[ast.Block], kind: str) -> ast.Block | None:
    return next((m for m in members if m.kind == kind), None)


def _factory(unit: FactoryUnit, sink: Sink) -> dm.Design:
    """One factory: its assumptions, components, members, requirements."""
    block = unit.block
    members = [e for e in block.entries if isinstance(e, ast.Block)]
    assumptions = read_assumptions(_first(members, "assumptions"), sink)
    elaborator = _Elaborator(sink, unit.scope, assumptions)
    for definition in unit.scope.symbols.values():
        elaborator.component(definition)
    site = _site(elaborator, block, _first(members, "site"), sink)
    halls = _members(members, "hall", elaborator.hall)
    storage = _members(members, "storage", elaborator.storage)
    fabrics = _members(members, "fabric", elaborator.fabric)
    train = _members(members, "train", elaborator.train)
    serve = _members(members, "serve", elaborator.serve)
    requirements = [
        req
        for e in block.entries
        if isinstance(e, ast.Require) and (req := elaborator.requirement(e))
    ]
    return dm.Design(
        name=block.name or "",
        file=unit.file,
        doc=block.doc,
        site=site,
        halls=halls,
        storage=storage,
        fabrics=fabrics,
        train=train,
        serve=serve,
        finance=elaborator.finance(_first(members, "finance")),
        assumptions=dict(sorted(assumptions.overrides.items())),
        requirements=requirements,
        components=elaborator.finish_components(),
        span=block.name_span,
    )


def _site(
    elaborator: _Elaborator, factory: ast.Block, block: ast.Block | None, sink: Sink
) -> dm.Site:
    """The factory's site; E205 when it has none (defaults stand in)."""
    site = elaborator.site(block)
    if block is None:
        sink.error(
            codes.E205,
            f'factory "{factory.name}" has no `site` block',
            factory.name_span,
            help="add `site { pue = 1.2, utility = 40 MW }`",
        )
    return site


_Member = TypeVar("_Member")


def _members(
    members: list[ast.Block], kind: str, build: Callable[[ast.Block], _Member | None]
) -> list[_Member]:
    """Every member block of `kind`, elaborated, leaving out those that could not be."""
    return [item for m in members if m.kind == kind and (item := build(m)) is not None]


# Hall attributes that name plant, and the block kind of the parts they may name.
HALL_PLANT = {
    "ups": "ups",
    "cdus": "cdu",
    "chillers": "chiller",
    "dry_coolers": "dry_cooler",
    "generators": "generator",
    "batteries": "battery",
    "busways": "busway",
}


def _spans(block: ast.Block) -> dict[str, Any]:
    return {e.name: e.span for e in block.entries if isinstance(e, ast.Attribute)}


def _mul(value: float | None, by: float) -> float | None:
    return None if value is None else value * by
