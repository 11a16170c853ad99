"""The registry of diagnostic codes: typed constants with a summary and an explanation.

Codes are stable: tools match on them and designs suppress warnings by
them. `aifc explain CODE` prints the explanation. Families: E1xx syntax,
E2xx names, types and units, E3xx topology, E4xx power, cooling and space,
E5xx workloads, E6xx requirements, Wxxx warnings.

Every diagnostic carries one of these constants (`Sink.error(codes.E402, ...)`),
so an unregistered code does not type-check. A `Code` is a `str` (its id,
`"E402"`), so it prints, sorts, compares and serialises as the id. `blocking`
marks the errors after which later passes stand down (syntax, names, types):
one typo must not cascade into forty budget errors.
"""

from __future__ import annotations

from aiflang.diagnostics import Severity


class Code(str):
    """A registered diagnostic code: its id, title, explanation and whether it blocks."""

    summary: str
    explanation: str
    blocking: bool

    def __new__(cls, code: str, summary: str, explanation: str, *, blocking: bool = False) -> Code:
        self = super().__new__(cls, code)
        self.summary = summary
        self.explanation = explanation
        self.blocking = blocking
        return self

    def __reduce__(self) -> tuple[object, ...]:
        # Unpickle (and copy) as the registered constant itself.
        return (_registered, (str(self),))

    @property
    def severity(self) -> Severity:
        return Severity.WARNING if self.startswith("W") else Severity.ERROR


E101 = Code(
    "E101",
    "file cannot be decoded",
    "The file is not valid UTF-8 text or holds NUL bytes. Save it as UTF-8; a UTF-8 "
    "byte-order mark and CRLF line endings are accepted.",
    blocking=True,
)

E102 = Code(
    "E102",
    "unexpected token",
    "The parser met a token it cannot use at that point. The message lists what it "
    "expected there. Common causes: a missing `=` between an attribute and its value, a"
    " value split over two lines, or a stray character.",
    blocking=True,
)

E103 = Code(
    "E103",
    "unexpected character",
    "A character that starts no token of the language, such as `@` or a curly quote. "
    "Names are ASCII letters, digits and underscores; labels go in straight double "
    "quotes.",
    blocking=True,
)

E104 = Code(
    "E104",
    "unclosed block",
    "A `{` or `[` has no matching `}` or `]` before the end of the file. Close the "
    "block; the related span shows where it was opened.",
    blocking=True,
)

E105 = Code(
    "E105",
    "missing value",
    "An attribute has `=` but no value before the end of the line. Write the value on "
    "the same line: `power = 132 kW`.",
    blocking=True,
)

E106 = Code(
    "E106",
    "unit without a value",
    "A unit stands where a quantity was expected, with no number before it. Write the "
    "number first: `132 kW`, not `kW`.",
    blocking=True,
)

E107 = Code(
    "E107",
    "missing `=`",
    "An attribute name is followed by a value without `=`. Write `name = value`.",
    blocking=True,
)

E108 = Code(
    "E108",
    "resource limit exceeded",
    "The design exceeds a resource limit: the size of a file or of all its imports, "
    "nesting depth, import depth or breadth, `extends` depth, blocks per file, items per "
    "list, digits per number, or diagnostics per file. Each limit is named in the message "
    "and documented in docs/limits.md; split the design into several files with `import`, "
    "or simplify the value.",
    blocking=True,
)

E201 = Code(
    "E201",
    "unknown name",
    "A name refers to no definition in scope. Names resolve in the factory, then the "
    "file, then its imports, then the built-in catalog (`aifc catalog`). The message "
    "suggests the closest known names.",
    blocking=True,
)

E202 = Code(
    "E202",
    "wrong kind of definition",
    "A name refers to a definition of the wrong kind, for example a rack where a node "
    "is expected, or a NIC where a GPU is expected.",
    blocking=True,
)

E203 = Code(
    "E203",
    "wrong dimension",
    "A quantity has a unit of the wrong dimension, such as energy (MWh) where power "
    "(MW) is expected. The message names both dimensions and the help line gives units "
    "that fit.",
    blocking=True,
)

E204 = Code(
    "E204",
    "unknown unit",
    "The unit is not in the unit table (dsl/units.toml). Units are case-sensitive: MB "
    "is a megabyte, Mb a megabit, kW a kilowatt.",
    blocking=True,
)

E205 = Code(
    "E205",
    "missing required attribute",
    "A block lacks an attribute the compiler needs. The message names it and the help "
    "line shows an example.",
    blocking=True,
)

E206 = Code(
    "E206",
    "duplicate definition",
    "Two definitions share a name in the same scope. Rename one; the related span shows the first.",
    blocking=True,
)

E207 = Code(
    "E207",
    "duplicate attribute",
    "An attribute is given twice in the same block. Keep one; the related span shows the first.",
    blocking=True,
)

E208 = Code(
    "E208",
    "unknown attribute",
    "The block kind has no such attribute. The message suggests the closest attribute "
    "names; docs/language.md lists every block's attributes.",
    blocking=True,
)

E209 = Code(
    "E209",
    "unknown block kind",
    "A block kind that the language does not define, or one that cannot stand where it "
    "was written (a hall outside a factory, a factory inside a hall).",
    blocking=True,
)

E210 = Code(
    "E210",
    "invalid value",
    "A value is of the wrong form or out of range: a count that is zero, negative, "
    "fractional or absurdly large, a percentage outside 0..100%, a PUE below 1, NaN or "
    "infinity.",
    blocking=True,
)

E211 = Code(
    "E211",
    "import cycle",
    "Files import each other in a cycle. Move the shared definitions into a library "
    "file that both import.",
    blocking=True,
)

E212 = Code(
    "E212",
    "import outside the project",
    "An import leaves the project root (the folder of the file given on the command "
    "line, or --root). Imports are confined to it so a design cannot read arbitrary "
    "files.",
    blocking=True,
)

E213 = Code(
    "E213",
    "imported file not found",
    "The imported file does not exist or cannot be read. Paths are relative to the importing file.",
    blocking=True,
)

E214 = Code(
    "E214",
    "extends cycle",
    "Definitions extend each other in a cycle, or a definition contains itself (a rack "
    "whose nodes are that rack). Break the cycle.",
    blocking=True,
)

E217 = Code(
    "E217",
    "malformed range or distribution",
    "An uncertain value cannot be read: a range whose low end is above its high end "
    "(`0.09..0.06 USD/kWh`), a distribution other than uniform, normal or triangular, "
    "the wrong number of values (`normal(MEAN, SD)`, `triangular(LOW, MODE, HIGH)`), a "
    "negative standard deviation, or values in different units. A single compile uses "
    "the nominal value (the middle of a range, a mean, a mode); `aifc report "
    "--uncertainty N` samples the distribution.",
    blocking=True,
)


E216 = Code(
    "E216",
    "wrong type of value",
    "The value has the wrong shape: a name where a quantity is expected, a list where "
    "one item is expected, and so on. The message shows the expected form.",
    blocking=True,
)

E301 = Code(
    "E301",
    "switch radix cannot serve the endpoints",
    "The fabric's switches, at its tiers and oversubscription, cannot connect all its "
    "endpoints. A 2-tier non-blocking fat tree of radix P serves at most P^2/2 "
    "endpoints and a 3-tier one P^3/4. Add a tier, oversubscribe, or use a higher-radix"
    " switch.",
)

E302 = Code(
    "E302",
    "port speed mismatch",
    "The endpoints' speed does not match the switch ports, and no breakout of the "
    "switch port gives that speed. Pick a switch whose ports (or breakout) match the "
    "NICs.",
)

E303 = Code(
    "E303",
    "disconnected endpoints",
    "Some endpoints are not reachable from the others: a fabric connects a NIC role "
    "that no node has, or a node has NICs of a role no fabric connects.",
)

E304 = Code(
    "E304",
    "declared switch count too small",
    "A declared switch count is below what the fabric needs. The message says how many "
    "are needed; declaring more is allowed and reported as spare.",
)

E305 = Code(
    "E305",
    "scale-up domain too large",
    "A scale-up domain holds more GPUs than the GPU's interconnect allows "
    "(max_scale_up), or more GPUs than its rack holds.",
)

E306 = Code(
    "E306",
    "scale-up domain mixes generations",
    "A scale-up domain holds GPUs of different models; NVLink and Infinity Fabric "
    "domains are homogeneous.",
)


E308 = Code(
    "E308",
    "optics do not reach",
    "A fabric gives the longest run its links must span (`distance`), and the transceiver "
    "or cable it names reaches less, or no part the design can reach (its definitions, "
    "imports and the catalog) fits a switch cage, reaches the distance and runs at a whole "
    "multiple of the fabric's link speed. Name a part with the reach (`aifc catalog --kind "
    'transceiver --where "reach >= 100 m"` lists the catalog\'s), define one, or shorten '
    "the runs.",
)

E401 = Code(
    "E401",
    "declared power below its parts",
    "A node or rack declares less power than its parts draw. Raise the declared power "
    "or remove parts; the notes show the sum.",
)

E402 = Code(
    "E402",
    "hall IT load over capacity",
    "The hall's IT load (racks, network, storage) exceeds its critical IT capacity or "
    "what its UPS plant delivers at its redundancy.",
)

E403 = Code(
    "E403",
    "liquid heat over capacity",
    "The heat to liquid exceeds the hall's liquid cooling capacity.",
)

E404 = Code(
    "E404",
    "air heat over capacity",
    "The heat to air exceeds the hall's air cooling capacity.",
)

E405 = Code(
    "E405",
    "air-cooled rack too dense",
    "An air-cooled rack exceeds the density that air can remove (a documented, "
    "overridable limit). Use liquid cooling or spread the load.",
)

E406 = Code(
    "E406",
    "facility power over the utility feed",
    "IT load x PUE exceeds the site's utility capacity.",
)

E407 = Code(
    "E407",
    "racks over positions",
    "The racks, plus the network racks the fabric needs, exceed the hall's rack positions.",
)

E408 = Code(
    "E408",
    "floor loading exceeded",
    "A rack's weight over its footprint exceeds the floor's rated loading.",
)

E409 = Code(
    "E409",
    "UPS capacity below IT capacity",
    "The UPS plant at its redundancy delivers less than the hall's declared IT "
    "capacity, so the IT capacity cannot be used in full.",
)

E410 = Code(
    "E410",
    "power unknown",
    "A rack placed in a hall (or a storage block built from appliances) declares no "
    "power, and its power cannot be derived because the vendor of one of its parts "
    "publishes none (an announced GPU, a cloud accelerator, a storage enclosure). "
    "Without a figure the hall's power, cooling and cost checks would count it as zero. "
    "Define a rack that extends it with the power you plan for (`rack my_rack extends "
    "VR_NVL144 { power = 190 kW }`) and place that one, or declare the storage's power.",
)

E411 = Code(
    "E411",
    "storage figure beyond its appliances",
    "A storage block built from appliances declares more capacity, bandwidth or fewer rack "
    "positions than its appliances provide (their figures summed, positions from their "
    "rack units). Lower the declared figure, add appliances, or leave the figure out so "
    "it is derived.",
)

E412 = Code(
    "E412",
    "heat rejection over capacity",
    "A hall names chillers or dry coolers, and at their redundancy they carry less heat "
    "than the hall's IT load (all of which becomes heat). Dry coolers take what they can; "
    "chillers the rest. Add units or relax the redundancy.",
)

E413 = Code(
    "E413",
    "generators below the hall's draw",
    "The hall's standby generators, at their redundancy, deliver less than the hall draws "
    "from its feed (IT load x PUE), so an outage longer than the batteries last drops "
    "load. Add generators or relax the redundancy. Check the rating class too: a standby "
    "rating is for emergencies, a data-center continuous one for unlimited hours.",
)

E414 = Code(
    "E414",
    "busway below the IT load",
    "The hall's busway runs, derated for continuous load (breaker_derating, 80% by the NEC "
    "continuous-load rule), carry less than its IT load.",
)

E415 = Code(
    "E415",
    "plant over its floor area",
    "The footprints of the hall's UPS modules, batteries and facility CDUs (where their "
    "models publish one) add up to more than the hall's plant_area.",
)

E501 = Code(
    "E501",
    "model does not fit",
    "The model's weights and the KV cache of one request do not fit the HBM of the "
    "largest replica aifc tries: tensor parallel up to max_tensor_parallel (8) and expert "
    "parallel within a scale-up domain, or across domains over a compute fabric, and up "
    "to 8 pipeline stages.",
)

E502 = Code(
    "E502",
    "precision not supported",
    "The GPU has no compute figure for the precision (FP4 on Hopper, FP8 on A100). Pick"
    " a supported precision or a newer GPU.",
)

E503 = Code(
    "E503",
    "training longer than the horizon",
    "The workload would train longer than the finance horizon, wall time with "
    "interruptions, checkpoints and restarts included; or it would never finish, "
    "because on its GPUs interruptions come faster than a restart and a checkpoint "
    "read back take (the job's MTBF is train_mtbf_per_gpu over its GPUs).",
)

E504 = Code(
    "E504",
    "workload needs more GPUs than the factory has",
    "The GPU counts requested by the workloads exceed the factory's GPUs.",
)

E505 = Code(
    "E505",
    "per-user rate unreachable",
    "The requested user_rate is above the serving curve's reach: even at a batch of one, "
    "on the fastest replica shape, each user sees fewer tokens per second. The message "
    "states the highest reachable rate; lower user_rate to it, or add speculative decoding "
    "(draft_tokens), a lower precision or GPUs with more memory bandwidth.",
)

E506 = Code(
    "E506",
    "engine does not run on the GPU",
    "The serve workload names an engine whose `vendors` do not include the GPU's vendor "
    "(TensorRT-LLM runs on NVIDIA GPUs only). Name an engine that runs there (vllm, sglang).",
)

E507 = Code(
    "E507",
    "latency limits unreachable",
    "No batch on any replica shape meets the workload's ttft_limit (90th percentile), "
    "tpot_limit and user_rate together. Relax a limit, prefill on a separate pool "
    "(disaggregated = true), or use faster GPUs.",
)

E508 = Code(
    "E508",
    "replica shape cannot be built",
    "The parallel sizes pinned on a serve workload (tp, dp, ep, pp, parallelism, "
    "gpus_per_replica) describe no replica the design can hold: ep must divide tp x dp, a "
    "replica beyond the scale-up domain needs a compute fabric, and a replica cannot have "
    "more GPUs than the workload.",
)

E509 = Code(
    "E509",
    "no training plan fits",
    "No parallelism plan of the train workload fits the GPUs' memory (weights, gradients, "
    "optimizer state and activations per GPU, with recomputation and ZeRO-3 tried), or "
    "the plan declared in `parallelism` cannot run: it needs more GPUs than the run has, "
    "a tensor-parallel group larger than the scale-up domain, a size that does not divide "
    "the heads, layers, experts or sequence, or it does not fit memory. The message gives "
    "the numbers; raise pp or tp, shard more (zero = 3), or use GPUs with more memory.",
)

E510 = Code(
    "E510",
    "training across scale-up domains without a fabric",
    "The train workload uses more GPUs than one scale-up domain (an NVLink domain of a "
    "rack, else a node) holds, and no compute fabric joins the domains. Add a fabric with "
    "`connects = compute`, or train on one domain.",
)

E601 = Code(
    "E601",
    "requirement failed",
    "A `require` rule does not hold. The message shows the actual value.",
)

E602 = Code(
    "E602",
    "requirement path unknown",
    "The path of a `require` rule names nothing in the report. Paths use the names of "
    "the JSON report (`aifc schema`); list items are chosen by name.",
)

W101 = Code(
    "W101",
    "suppression that suppresses nothing",
    "An `# aifc: ignore[CODE]` comment names a code that is not reported on that line. Remove it.",
)

W102 = Code(
    "W102",
    "text-direction control character",
    "A comment or label holds a Unicode text-direction control (U+202A to U+202E, "
    "U+2066 to U+2069). Editors and review tools display the text around it in a "
    "different order than aifc reads it, so a design can look like one thing and mean "
    'another (the "Trojan Source" attack, CVE-2021-42574). Remove the character; if '
    "right-to-left text is meant, write it without embedding or override controls. "
    "aifc shows such characters as escapes (`\\u{202e}`) in every output.",
)

W103 = Code(
    "W103",
    "more warnings than shown",
    "A file has more warnings of one family than the limit of diagnostics per family "
    "(docs/limits.md); the first ones are shown and this one counts the rest. Fix them "
    "and run again.",
)

W202 = Code(
    "W202",
    "definition shadows a built-in catalog entry",
    "A definition in the design, an imported file or an extra catalog takes the name of a "
    "built-in catalog entry without `extends`, so every use of that name in the design "
    "gets the new definition and none of the built-in figures. When that is the intent "
    "(a company's own figures for a part), write `gpu H100 extends H100 { ... }` and give "
    "only what differs: the override is then listed in the report (`catalog_overrides`) "
    "instead of warned about. Otherwise rename the definition.",
)

W301 = Code(
    "W301",
    "oversubscribed training fabric",
    "A fabric carrying training traffic is oversubscribed; all-reduce is bounded by the"
    " narrowest tier.",
)

W302 = Code(
    "W302",
    "single point of failure in the fabric",
    "One switch whose loss cuts endpoints off or splits the fabric.",
)

W303 = Code(
    "W303",
    "spare switches",
    "More switches are declared than the fabric needs; they are reported as spare.",
)

W401 = Code(
    "W401",
    "no power redundancy",
    "A hall's power chain has no redundancy: one UPS module or utility feed failing "
    "takes load down (or the hall has no UPS, or a single feed). Every single failure "
    "the hall's failure list shows shedding racks is reported; the message names the "
    "racks and GPUs it sheds, and the help the plant or feeds that would carry the load.",
)

W402 = Code(
    "W402",
    "stranded capacity",
    "Power is left but no positions (or positions but no power): capacity that cannot "
    "be used by another rack.",
)

W403 = Code(
    "W403",
    "implausible PUE",
    "The PUE is outside the published band for the hall's cooling mix.",
)

W404 = Code(
    "W404",
    "it_power differs from the UPS plant",
    "The declared IT capacity does not match what the UPS plant delivers.",
)

W405 = Code(
    "W405",
    "no cooling redundancy",
    "A CDU or cooling unit failing takes cooling capacity below the load.",
)

W406 = Code(
    "W406",
    "PUE below what the named plant implies",
    "The site's PUE is lower than the PUE the named plant alone implies: IT load plus the "
    "UPS conversion losses (from the UPS model's efficiency) plus the input of chillers, "
    "dry-cooler fans and CDU pumps (from their COP and published power), over the IT "
    "load. Lighting, transformers and distribution add more, so the real PUE is higher "
    "still. Raise the PUE or name more efficient plant.",
)

W407 = Code(
    "W407",
    "short battery runtime",
    "The hall's UPS batteries carry its IT load for less than battery_runtime_min_s "
    "(5 minutes by default), the time standby generators need to start and take the load "
    "with a retry.",
)

W501 = Code(
    "W501",
    "slow checkpoint",
    "Writing a checkpoint (weights and optimizer state) at the storage bandwidth takes "
    "longer than the threshold.",
)

W502 = Code(
    "W502",
    "workload uses no GPUs",
    "A workload's share of the fleet rounds to zero replicas.",
)

W503 = Code(
    "W503",
    "request longer than the model's context",
    "A serve workload's input_tokens plus output_tokens exceed the context_length of "
    "the model it names; the model cannot hold such a request, and the figures are for a "
    "model that could.",
)

W601 = Code(
    "W601",
    "implausible requirement bound",
    "A `require` rule's bound lies far outside the range its figure takes in any design, "
    "such as a cost per million tokens bounded at 1 USD/token (a million USD per million "
    "tokens) or a share bounded at 10 rather than 10%: most likely a slip of unit. The "
    "rule is still checked. Write the bound in the unit the message names (every report "
    "field's unit is in `aifc schema`); suppress the warning if the bound is meant.",
)

W701 = Code(
    "W701",
    "a price stands in for one the site leaves out",
    "The site gives no `build_cost` (or no `power_price`), so capex, TCO, cost per "
    "GPU-hour and cost per token use the registered default the message names "
    "(`site_build_cost`: the middle of the published 15-20 million USD per MW band for "
    "AI-optimized builds; `site_power_price`: a published industrial tariff). Declare "
    "the site's own figure in its `site` block, or override the default in an "
    "`assumptions` block.",
)


CODES: dict[str, Code] = {
    name: value for name, value in dict(globals()).items() if isinstance(value, Code)
}


def _registered(code: str) -> Code:
    return CODES[code]


def explain(code: str) -> Code | None:
    """The registered code for `code` (any case), or None."""
    return CODES.get(code.upper())
