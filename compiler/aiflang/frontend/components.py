"""Components: gpu, cpu, nic, switch, transceiver, node, rack, plant, model and engine
definitions to the model.

`ComponentBuilder` turns resolved definitions into design-model components,
once each (memoised by name), checking every value against the schema. Node
power is derived from its parts (GPU and CPU TDP, NIC power) times the
documented overhead, and rack power from its nodes and switches; a node
without a declared power counts in its rack with the overhead of the rack's
cooling (`node_overhead_liquid` when the rack sends at least half its heat
to liquid, else `node_overhead`). A declared figure below the parts is E401.
Scale-up domains are checked against the rack's GPUs and the GPU's maximum
(E305) and for mixed models (E306).

Used by the elaborate pass, for a factory's components and for a library
file's own definitions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiflang import units
from aiflang.diagnostics import Related, Sink, codes
from aiflang.frontend import design as dm
from aiflang.frontend.plant import PLANT
from aiflang.frontend.resolve import Definition, Scope
from aiflang.frontend.values import ValueReader
from aiflang.models import power as power_model
from aiflang.models.assumptions import Assumptions
from aiflang.syntax import tree as ast
from aiflang.syntax.schema import BLOCKS, PRECISIONS, SCALE_UP_TECHNOLOGIES, Form

# The engine a serve workload runs when it names none: TensorRT-LLM on NVIDIA GPUs, vLLM on
# the others. The elaborator builds both, so the analyses find them among the components.
NVIDIA_ENGINE = "trtllm"
OTHER_ENGINE = "vllm"


def attributes_of(block: ast.Block) -> dict[str, ast.Attribute]:
    return {e.name: e for e in block.entries if isinstance(e, ast.Attribute)}


class BlockReader:
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
            result = self.values.quantity_si(attribute, attr.dimension, kind=self.spec.kind)
            if attr.positive and result == 0:
                self.values.zero(attribute, attr.example)
                result = None
        elif form is Form.COUNT:
            result = self.values.count(attribute)
        elif form is Form.NUMBER:
            result = self.values.number(attribute)
        elif form is Form.FRACTION:
            result = self.values.fraction(attribute)
            if attr.positive and result == 0:
                self.values.zero(attribute, attr.example)
                result = None
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
            result = self.values.modules(attribute, attr.dimension, kind=self.spec.kind)
            if attr.positive and result is not None and result[1] == 0:
                self.values.zero(attribute, attr.example)
                result = None
        elif form is Form.PLANT:
            assert attr.dimension is not None
            result = self.values.plant(attribute, attr.dimension)
        elif form is Form.BREAKOUTS:
            result = self.values.breakouts(attribute)
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


class ComponentBuilder:
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
        self._models: dict[str, dm.Model | None] = {}
        self._engines: dict[str, dm.Engine | None] = {}
        self._plant: dict[str, dict[str, Any]] = {kind: {} for kind in PLANT}

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

    def _common(self, definition: Definition, reader: BlockReader) -> dict[str, Any]:
        return {
            "name": definition.name,
            "doc": definition.doc,
            "source": reader.get("source"),
            "price_usd": reader.get("price"),
            "price_source": reader.get("price_source"),
            "vendor": reader.get("vendor"),
            "status": reader.get("status"),
            "date": reader.get("date"),
            "url": reader.get("url"),
            "builtin": definition.builtin,
            "span": definition.block.name_span,
        }

    def gpu(self, name: str) -> dm.Gpu | None:
        def build(definition: Definition) -> dm.Gpu | None:
            r = BlockReader(self.values, "gpu", definition.attributes)
            flops: dict[str, float] = {p: r.get(p) for p in PRECISIONS if r.has(p)}
            flops = {p: v for p, v in flops.items() if v is not None}
            if "fp16" not in flops and "bf16" in flops:
                flops["fp16"] = flops["bf16"]
            fields = dict(
                generation=r.get("generation"),
                form_factor=r.get("form_factor"),
                memory_bytes=(r.get("memory") or 0) / 8,
                memory_bandwidth_bytes_per_s=(r.get("memory_bandwidth") or 0) / 8,
                flops=flops,
                tdp_w=r.get("tdp"),
                scale_up=r.get("scale_up"),
                scale_up_bandwidth_bytes_per_s=divide(r.get("scale_up_bandwidth"), 8),
                max_scale_up=r.get("max_scale_up") or 8,
                memory_efficiency=r.get("memory_efficiency"),
                compute_efficiency=self.precision_fractions(definition, "compute_efficiency"),
                weight_memory_efficiency=self.precision_fractions(
                    definition, "weight_memory_efficiency"
                ),
                attention_efficiency=r.get("attention_efficiency"),
                mla_decode_efficiency=self.precision_fractions(definition, "mla_decode_efficiency"),
                block_fp8_efficiency=r.get("block_fp8_efficiency"),
                comm_efficiency=r.get("comm_efficiency"),
                efficiency_source=r.get("efficiency_source"),
            )
            common = self._common(definition, r)
            if not r.ok:
                return None
            return dm.Gpu(**common, **fields)

        return self._memo(self._gpus, "gpu", name, build)

    def cpu(self, name: str) -> dm.Cpu | None:
        def build(definition: Definition) -> dm.Cpu | None:
            r = BlockReader(self.values, "cpu", definition.attributes)
            fields = dict(cores=r.get("cores"), tdp_w=r.get("tdp"))
            common = self._common(definition, r)
            return dm.Cpu(**common, **fields) if r.ok else None

        return self._memo(self._cpus, "cpu", name, build)

    def nic(self, name: str) -> dm.Nic | None:
        def build(definition: Definition) -> dm.Nic | None:
            r = BlockReader(self.values, "nic", definition.attributes)
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
            r = BlockReader(self.values, "switch", definition.attributes)
            ports = r.get("ports") or (1, 0.0)
            options = self._breakouts(definition.name, ports[1], r)
            fields = dict(
                technology=r.get("technology"),
                ports=ports[0],
                port_speed_bps=ports[1],
                breakout_ways=max(options, default=1),
                breakout_options=options,
                co_packaged_optics=bool(r.get("co_packaged_optics")),
                power_w=r.get("power"),
                height_m=r.get("height"),
            )
            common = self._common(definition, r)
            return dm.Switch(**common, **fields) if r.ok else None

        return self._memo(self._switches, "switch", name, build)

    def _breakouts(self, name: str, port_bps: float, r: BlockReader) -> list[int]:
        """The published splits of a port (ways), each checked to add up to the port speed.

        The fabric model lets a port split k ways for any k dividing the largest
        split, so a list whose splits do not divide the largest is refused.
        """
        splits = r.get("breakout")
        if splits is None:
            return []
        speed = units.format_quantity(port_bps, units.BANDWIDTH)
        for ways, lane_bps in splits:
            if abs(ways * lane_bps - port_bps) > 1e-6 * port_bps:
                lane = units.format_quantity(lane_bps, units.BANDWIDTH)
                self.sink.error(
                    codes.E210,
                    f"switch `{name}`: breakout {ways} x {lane} does not add up to its "
                    f"{speed} ports",
                    r.span("breakout"),
                    help="a port splits into lanes that add up to its speed",
                )
                r.ok = False
        largest = max(ways for ways, _ in splits)
        if any(largest % ways for ways, _ in splits):
            self.sink.error(
                codes.E210,
                f"switch `{name}`: each breakout must divide the largest ({largest} ways)",
                r.span("breakout"),
                help="list the splits the vendor publishes, such as 2, 4 and 8 ways",
            )
            r.ok = False
        return sorted({ways for ways, _ in splits})

    def transceiver(self, name: str) -> dm.Transceiver | None:
        def build(definition: Definition) -> dm.Transceiver | None:
            r = BlockReader(self.values, "transceiver", definition.attributes)
            fields = dict(
                speed_bps=r.get("speed") or 0.0,
                power_w=r.get("power"),
                reach_m=r.get("reach"),
                media=r.get("media"),
                end=r.get("end") or "any",
            )
            common = self._common(definition, r)
            return dm.Transceiver(**common, **fields) if r.ok else None

        return self._memo(self._transceivers, "transceiver", name, build)

    def node(self, name: str) -> dm.ServerNode | None:
        def build(definition: Definition) -> dm.ServerNode | None:
            r = BlockReader(self.values, "node", definition.attributes)
            gpus = r.get("gpus") or []
            cpus = r.get("cpus") or []
            nics = r.get("nics") or []
            gpu_w = cpu_w = nic_w = 0.0
            unpublished: list[str] = []  # parts whose power the vendor does not publish
            for part in gpus:
                gpu = self.gpu(part.name)
                if gpu is not None and gpu.tdp_w is None:
                    unpublished.append(part.name)
                gpu_w += ((gpu.tdp_w or 0.0) if gpu else 0.0) * part.count
            for part in cpus:
                cpu = self.cpu(part.name)
                if cpu is not None and cpu.tdp_w is None:
                    unpublished.append(part.name)
                cpu_w += ((cpu.tdp_w or 0.0) if cpu else 0.0) * part.count
            for part in nics:
                nic = self.nic(part.name)
                nic_w += ((nic.power_w or 0.0) if nic else 0.0) * part.count
            estimate = power_model.node_power(1, gpu_w, 1, cpu_w, nic_w, self.assumptions)
            declared = r.get("power")
            if declared is not None and declared < estimate.parts_w:
                self.sink.error(
                    codes.E401,
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
                # Without every part's power there is nothing to derive from.
                power=dm.Power(
                    declared_w=declared, derived_w=None if unpublished else estimate.node_w
                ),
                parts_w=estimate.parts_w,
                height_m=r.get("height"),
                weight_kg=r.get("weight"),
            )

        return self._memo(self._nodes, "node", name, build)

    def rack(self, name: str) -> dm.Rack | None:
        def build(definition: Definition) -> dm.Rack | None:
            r = BlockReader(self.values, "rack", definition.attributes)
            nodes = r.get("nodes") or []
            switches = r.get("switches") or []
            liquid = self.cooling(definition.attributes.get("cooling"))
            liquid_cooled = power_model.holds_liquid_cooled_nodes(liquid or 0.0)
            total_w = 0.0
            unknown = False  # a node whose power is neither declared nor derivable
            gpu_models: dict[str, int] = {}
            node_gpus: list[int] = []
            for part in nodes:
                node = self.node(part.name)
                if node is None:
                    continue
                unknown = unknown or not node.power.known
                total_w += self._node_w(node, liquid_cooled) * part.count
                for gpu_part in node.gpus:
                    gpu_models[gpu_part.name] = gpu_models.get(gpu_part.name, 0) + (
                        gpu_part.count * part.count
                    )
                node_gpus.append(node.gpu_count)
            for part in switches:
                switch = self.switch(part.name)
                total_w += ((switch.power_w or 0.0) if switch else 0.0) * part.count
            shelves = r.get("power_shelves") or []
            shelf_redundancy = r.get("shelf_redundancy") or "N"
            shelf_output_w = self._shelf_output(definition.name, shelves, shelf_redundancy, r)
            if shelf_output_w is not None and total_w > shelf_output_w * (1 + 1e-9):
                self.sink.error(
                    codes.E401,
                    f"rack `{definition.name}`: its parts draw {_w(total_w)}, over the "
                    f"{_w(shelf_output_w)} its power shelves deliver at {shelf_redundancy}",
                    r.span("power_shelves"),
                    help="add power shelves, relax shelf_redundancy, or remove parts",
                )
            # The shelves' conversion losses are drawn from the hall's power chain too.
            total_w /= self._shelf_efficiency(shelves)
            declared = r.get("power")
            if declared is not None and declared < total_w * (1 - 1e-9):
                self.sink.error(
                    codes.E401,
                    f"rack `{definition.name}` declares {_w(declared)}, below the "
                    f"{_w(total_w)} its nodes and switches draw",
                    r.span("power"),
                    notes=tuple(
                        f"{p.count} x {p.name} at "
                        f"{_w(self._node_w(self.node(p.name), liquid_cooled))}"
                        for p in nodes
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
                power_shelves=[dm.Part(name=p.name, count=p.count) for p in shelves],
                shelf_redundancy=shelf_redundancy,
                shelf_output_w=shelf_output_w,
                scale_up=scale_up,
                scale_up_domain=domain,
                power=dm.Power(declared_w=declared, derived_w=None if unknown else total_w),
                liquid_fraction=liquid,
                footprint_m2=r.get("footprint"),
                height_m=r.get("height"),
                weight_kg=r.get("weight"),
            )

        return self._memo(self._racks, "rack", name, build)

    def model(self, name: str) -> dm.Model | None:
        def build(definition: Definition) -> dm.Model | None:
            r = BlockReader(self.values, "model", definition.attributes)
            params = r.get("params")
            active = r.get("active_params")
            heads = r.get("heads")
            fields = dict(
                params=params or 0.0,
                active_params=active or params or 0.0,
                layers=r.get("layers") or 1,
                hidden=r.get("hidden") or 1,
                heads=heads or 1,
                kv_heads=r.get("kv_heads") or heads or 1,
                head_dim=r.get("head_dim") or max(1, (r.get("hidden") or 1) // (heads or 1)),
                v_head_dim=r.get("v_head_dim"),
                attention=r.get("attention") or "gqa",
                kv_lora_rank=r.get("kv_lora_rank") or 0,
                rope_head_dim=r.get("rope_head_dim") or 0,
                ffn=r.get("ffn"),
                experts=r.get("experts") or 0,
                experts_per_token=r.get("experts_per_token") or 0,
                shared_experts=r.get("shared_experts") or 0,
                expert_ffn=r.get("expert_ffn"),
                dense_layers=r.get("dense_layers") or 0,
                vocab=r.get("vocab") or 0,
                context_length=r.get("context_length"),
                sliding_window=r.get("sliding_window") or 0,
                sliding_layers=r.get("sliding_layers") or 0,
                mtp_layers=r.get("mtp_layers") or 0,
                fp8_scales=r.get("fp8_scales") or "tensor",
            )
            common = self._common(definition, r)
            if r.ok:
                self._check_model(definition, r, fields)
            return dm.Model(**common, **fields) if r.ok else None

        return self._memo(self._models, "model", name, build)

    def _check_model(self, definition: Definition, r: BlockReader, fields: dict[str, Any]) -> None:
        """Contradictions inside a model block: each is E210 at the attribute it is about."""

        def problem(attribute: str, message: str, help: str) -> None:
            self.sink.error(
                codes.E210, f"model `{definition.name}`: {message}", r.span(attribute), help=help
            )
            r.ok = False

        if fields["active_params"] > fields["params"]:
            problem("active_params", "active_params exceeds params", "params is the total")
        if fields["attention"] == "mla" and not fields["kv_lora_rank"]:
            problem("attention", "latent attention needs kv_lora_rank", "add kv_lora_rank = 512")
        experts, per_token = fields["experts"], fields["experts_per_token"]
        if experts and not 1 <= per_token <= experts:
            problem(
                "experts_per_token",
                f"experts_per_token must be between 1 and {experts}",
                "give the routed experts each token uses (top-k)",
            )
        if fields["params"] > fields["active_params"] and not experts:
            problem("params", "params exceeds active_params without experts", "give `experts`")
        if fields["dense_layers"] >= fields["layers"]:
            problem("dense_layers", "dense_layers must be fewer than layers", "")
        if fields["sliding_layers"] > fields["layers"]:
            problem("sliding_layers", "sliding_layers exceeds layers", "")
        if fields["sliding_layers"] and not fields["sliding_window"]:
            problem("sliding_layers", "sliding-window layers need sliding_window", "")

    def engine(self, name: str) -> dm.Engine | None:
        def build(definition: Definition) -> dm.Engine | None:
            r = BlockReader(self.values, "engine", definition.attributes)
            vendors = r.get("vendors")
            fields = dict(
                version=r.get("version"),
                vendors=[v.strip() for v in vendors.split(",") if v.strip()] if vendors else [],
                step_overhead_s=r.get("step_overhead") or 0.0,
                kernel_overhead_s=r.get("kernel_overhead") or 0.0,
                layer_overhead_s=r.get("layer_overhead") or 0.0,
                sequence_overhead_s=r.get("sequence_overhead") or 0.0,
                request_overhead_s=r.get("request_overhead") or 0.0,
                collective_latency_s=r.get("collective_latency"),
                max_batch=r.get("max_batch"),
                token_budget=r.get("token_budget"),
                balance_timeout=r.get("balance_timeout") or 0,
                balance_batching=r.get("balance_batching") or 0,
                admission_interval=r.get("admission_interval") or 1,
                memory_fraction=r.get("memory_fraction"),
                comm_overlap=r.get("comm_overlap") or 0.0,
                kv_reserve=r.get("kv_reserve") or "used",
                prefill=r.get("prefill") or "mixed",
                full_graphs=r.get("full_graphs") or "none",
                scheduler=r.get("scheduler") or "sync",
            )
            common = self._common(definition, r)
            return dm.Engine(**common, **fields) if r.ok else None

        return self._memo(self._engines, "engine", name, build)

    def precision_fractions(self, definition: Definition, name: str) -> dict[str, float]:
        """`{ fp8 = 65%, fp4 = 50% }`: achieved fractions by precision."""
        attribute = definition.attributes.get(name)
        if attribute is None:
            return {}
        if not isinstance(attribute.value, ast.MapValue):
            self.values.wrong_form(
                attribute,
                "a map of precisions to fractions",
                example=f"{name} = {{ fp8 = 65%, bf16 = 72% }}",
            )
            return {}
        result: dict[str, float] = {}
        for entry in attribute.value.entries:
            if entry.name not in PRECISIONS:
                self.sink.error(
                    codes.E208,
                    f"`{entry.name}` is not a precision",
                    entry.name_span,
                    help=f"precisions are {', '.join(PRECISIONS)}",
                )
                continue
            value = self.values.fraction(entry)
            if value == 0:
                self.values.zero(entry, f"{entry.name} = 65%")
            elif value is not None:
                result[entry.name] = value
        return result

    def _node_w(self, node: dm.ServerNode | None, liquid_cooled: bool) -> float:
        """A node's power in its rack: declared, else from its parts with the overhead of
        the rack's cooling (a liquid-cooled tray has fewer fans than an air-cooled server)."""
        if node is None:
            return 0.0
        if node.power.declared_w is not None:
            return node.power.declared_w
        if not node.power.known:  # a part's power is unpublished: nothing to derive from
            return 0.0
        return power_model.node_power_from_parts(
            node.parts_w, self.assumptions, liquid_cooled=liquid_cooled
        ).node_w

    def _shelf_output(
        self, rack: str, shelves: list[Any], redundancy: str, r: BlockReader
    ) -> float | None:
        """What the rack's power shelves deliver at their redundancy (None without shelves)."""
        if not shelves:
            return None
        outputs = [self.power_shelf(p.name) for p in shelves]
        if any(o is None for o in outputs):
            return None
        count = sum(p.count for p in shelves)
        installed = sum(o.output_w * p.count for o, p in zip(outputs, shelves, strict=True) if o)
        try:
            return power_model.ups_capacity(count, installed / count, redundancy).usable_w
        except ValueError as problem:
            self.sink.error(
                codes.E210,
                f"rack `{rack}`: {count} power shelves cannot run at {redundancy}",
                r.span("shelf_redundancy") or r.span("power_shelves"),
                notes=(str(problem),),
                help="2N needs an even number of shelves, N+k more than k",
            )
            return None

    def _shelf_efficiency(self, shelves: list[Any]) -> float:
        """Output-weighted efficiency of the shelves (1 without shelves or published figures)."""
        weighted = total = 0.0
        for part in shelves:
            shelf = self.power_shelf(part.name)
            if shelf is None or shelf.efficiency is None:
                continue
            weighted += shelf.efficiency * shelf.output_w * part.count
            total += shelf.output_w * part.count
        return weighted / total if total else 1.0

    def plant(self, kind: str, name: str) -> Any:
        """The plant item or storage appliance `name` of block kind `kind`, built once."""

        def build(definition: Definition) -> Any:
            r = BlockReader(self.values, kind, definition.attributes)
            builder, _ = PLANT[kind]
            item = builder(r, self.sink, self._common(definition, r))
            return item if r.ok else None

        return self._memo(self._plant[kind], kind, name, build)

    def power_shelf(self, name: str) -> dm.PowerShelf | None:
        shelf: dm.PowerShelf | None = self.plant("power_shelf", name)
        return shelf

    def appliance(self, name: str) -> dm.Appliance | None:
        appliance: dm.Appliance | None = self.plant("appliance", name)
        return appliance

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
        self.values.wrong_form(
            attribute, "air, liquid, or `liquid 85%`", example="cooling = liquid 85%"
        )
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
                        codes.E208,
                        f"scale_up has no attribute `{entry.name}`",
                        entry.name_span,
                        help="write `scale_up = nvlink { domain = 72 }`",
                    )
            if domain is None:
                return technology, None
        else:
            self.values.wrong_form(
                attribute, "`nvlink { domain = 72 }`", example="scale_up = nvlink { domain = 72 }"
            )
            return None, None
        if technology not in SCALE_UP_TECHNOLOGIES:
            self.sink.error(
                codes.E210,
                f"unknown scale-up technology `{technology}`",
                value.span,
                help="use " + ", ".join(SCALE_UP_TECHNOLOGIES),
            )
        span = value.span
        if len(gpu_models) > 1:
            self.sink.error(
                codes.E306,
                f"rack `{definition.name}` puts {', '.join(sorted(gpu_models))} in one "
                "scale-up domain",
                span,
                help="a scale-up domain holds one GPU model; split the rack",
            )
        if domain is not None and rack_gpus and domain > rack_gpus:
            self.sink.error(
                codes.E305,
                f"scale-up domain of {domain} GPUs is larger than the {rack_gpus} GPUs in "
                f"rack `{definition.name}`",
                span,
                help=f"set domain to at most {rack_gpus}",
            )
        for model_name in gpu_models:
            gpu = self.gpu(model_name)
            if gpu is not None and domain is not None and domain > gpu.max_scale_up:
                self.sink.error(
                    codes.E305,
                    f"scale-up domain of {domain} GPUs exceeds the {gpu.max_scale_up} that "
                    f"{model_name} supports",
                    span,
                    related=self._defined_here(model_name, "max_scale_up set here"),
                    help=f"use domain = {gpu.max_scale_up} or a GPU built for larger domains "
                    "(GB200, GB300 in NVL72 racks)",
                )
        return technology, domain

    def finish_components(self) -> dm.Components:
        def keep(cache: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in sorted(cache.items()) if v is not None}

        plant: dict[str, Any] = {
            field: keep(self._plant[kind]) for kind, (_, field) in PLANT.items()
        }
        return dm.Components(
            gpus=keep(self._gpus),
            cpus=keep(self._cpus),
            nics=keep(self._nics),
            switches=keep(self._switches),
            transceivers=keep(self._transceivers),
            nodes=keep(self._nodes),
            racks=keep(self._racks),
            models=keep(self._models),
            engines=keep(self._engines),
            **plant,
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
            "model": self.model,
            "engine": self.engine,
        }
        if definition.kind in PLANT:
            self.plant(definition.kind, definition.name)
        else:
            builders[definition.kind](definition.name)


def divide(value: float | None, by: float) -> float | None:
    """`value / by`, or None when the value was not given."""
    return None if value is None else value / by


def _w(watts: float) -> str:
    return units.format_quantity(watts, units.POWER)
