"""The registry of diagnostic codes: a title and a long explanation for each.

Codes are stable: tools match on them and designs suppress warnings by
them. `aifc explain CODE` prints the explanation. Families: E1xx syntax,
E2xx names, types and units, E3xx topology, E4xx power, cooling and space,
E5xx workloads, E6xx requirements, Wxxx warnings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CodeInfo:
    code: str
    title: str
    explanation: str

    @property
    def severity(self) -> str:
        return "warning" if self.code.startswith("W") else "error"


_TABLE: tuple[tuple[str, str, str], ...] = (
    # E1xx: syntax
    (
        "E101",
        "file cannot be decoded",
        "The file is not valid UTF-8 text or holds NUL bytes. Save it as UTF-8; a "
        "UTF-8 byte-order mark and CRLF line endings are accepted.",
    ),
    (
        "E102",
        "unexpected token",
        "The parser met a token it cannot use at that point. The message lists what "
        "it expected there. Common causes: a missing `=` between an attribute and its "
        "value, a value split over two lines, or a stray character.",
    ),
    (
        "E103",
        "unexpected character",
        "A character that starts no token of the language, such as `@` or a curly "
        "quote. Names are ASCII letters, digits and underscores; labels go in straight "
        "double quotes.",
    ),
    (
        "E104",
        "unclosed block",
        "A `{` or `[` has no matching `}` or `]` before the end of the file. Close "
        "the block; the related span shows where it was opened.",
    ),
    (
        "E105",
        "missing value",
        "An attribute has `=` but no value before the end of the line. Write the "
        "value on the same line: `power = 132 kW`.",
    ),
    (
        "E106",
        "unit without a value",
        "A unit stands where a quantity was expected, with no number before it. "
        "Write the number first: `132 kW`, not `kW`.",
    ),
    (
        "E107",
        "missing `=`",
        "An attribute name is followed by a value without `=`. Write `name = value`.",
    ),
    (
        "E108",
        "file too large or too deep",
        "The file exceeds a resource limit (size, nesting depth or number of "
        "diagnostics). The limits are documented in docs/limits.md; split the design "
        "into several files with `import`.",
    ),
    # E2xx: names, types, units
    (
        "E201",
        "unknown name",
        "A name refers to no definition in scope. Names resolve in the factory, then "
        "the file, then its imports, then the built-in catalog (`aifc catalog`). The "
        "message suggests the closest known names.",
    ),
    (
        "E202",
        "wrong kind of definition",
        "A name refers to a definition of the wrong kind, for example a rack where a "
        "node is expected, or a NIC where a GPU is expected.",
    ),
    (
        "E203",
        "wrong dimension",
        "A quantity has a unit of the wrong dimension, such as energy (MWh) where "
        "power (MW) is expected. The message names both dimensions and the help line "
        "gives units that fit.",
    ),
    (
        "E204",
        "unknown unit",
        "The unit is not in the unit table (dsl/units.toml). Units are case-sensitive: "
        "MB is a megabyte, Mb a megabit, kW a kilowatt.",
    ),
    (
        "E205",
        "missing required attribute",
        "A block lacks an attribute the compiler needs. The message names it and the "
        "help line shows an example.",
    ),
    (
        "E206",
        "duplicate definition",
        "Two definitions share a name in the same scope. Rename one; the related span "
        "shows the first.",
    ),
    (
        "E207",
        "duplicate attribute",
        "An attribute is given twice in the same block. Keep one; the related span "
        "shows the first.",
    ),
    (
        "E208",
        "unknown attribute",
        "The block kind has no such attribute. The message suggests the closest "
        "attribute names; docs/language.md lists every block's attributes.",
    ),
    (
        "E209",
        "unknown block kind",
        "A block kind that the language does not define, or one that cannot stand "
        "where it was written (a hall outside a factory, a factory inside a hall).",
    ),
    (
        "E210",
        "invalid value",
        "A value is of the wrong form or out of range: a count that is zero, "
        "negative, fractional or absurdly large, a percentage outside 0..100%, a PUE "
        "below 1, NaN or infinity.",
    ),
    (
        "E211",
        "import cycle",
        "Files import each other in a cycle. Move the shared definitions into a "
        "library file that both import.",
    ),
    (
        "E212",
        "import outside the project",
        "An import leaves the project root (the folder of the file given on the "
        "command line, or --root). Imports are confined to it so a design cannot read "
        "arbitrary files.",
    ),
    (
        "E213",
        "imported file not found",
        "The imported file does not exist or cannot be read. Paths are relative to the "
        "importing file.",
    ),
    (
        "E214",
        "extends cycle",
        "Definitions extend each other in a cycle, or a definition contains itself "
        "(a rack whose nodes are that rack). Break the cycle.",
    ),
    (
        "E215",
        "no factory",
        "The file defines components but no `factory`, and a report needs one. A "
        "library file is fine for `validate`; `report` needs a factory.",
    ),
    (
        "E216",
        "wrong type of value",
        "The value has the wrong shape: a name where a quantity is expected, a list "
        "where one item is expected, and so on. The message shows the expected form.",
    ),
    # E3xx: topology
    (
        "E301",
        "switch radix cannot serve the endpoints",
        "The fabric's switches, at its tiers and oversubscription, cannot connect all "
        "its endpoints. A 2-tier non-blocking fat tree of radix P serves at most P^2/2 "
        "endpoints and a 3-tier one P^3/4. Add a tier, oversubscribe, or use a "
        "higher-radix switch.",
    ),
    (
        "E302",
        "port speed mismatch",
        "The endpoints' speed does not match the switch ports, and no breakout of the "
        "switch port gives that speed. Pick a switch whose ports (or breakout) match "
        "the NICs.",
    ),
    (
        "E303",
        "disconnected endpoints",
        "Some endpoints are not reachable from the others: a fabric connects a NIC "
        "role that no node has, or a node has NICs of a role no fabric connects.",
    ),
    (
        "E304",
        "declared switch count too small",
        "A declared switch count is below what the fabric needs. The message says how "
        "many are needed; declaring more is allowed and reported as spare.",
    ),
    (
        "E305",
        "scale-up domain too large",
        "A scale-up domain holds more GPUs than the GPU's interconnect allows "
        "(max_scale_up), or more GPUs than its rack holds.",
    ),
    (
        "E306",
        "scale-up domain mixes generations",
        "A scale-up domain holds GPUs of different models; NVLink and Infinity Fabric "
        "domains are homogeneous.",
    ),
    (
        "E307",
        "expanded graph too large",
        "--expand builds one node per switch and endpoint; it is refused above the "
        "documented size. Use the quotient graph (the default).",
    ),
    # E4xx: power, cooling, space
    (
        "E401",
        "declared power below its parts",
        "A node or rack declares less power than its parts draw. Raise the declared "
        "power or remove parts; the notes show the sum.",
    ),
    (
        "E402",
        "hall IT load over capacity",
        "The hall's IT load (racks, network, storage) exceeds its critical IT "
        "capacity or what its UPS plant delivers at its redundancy.",
    ),
    (
        "E403",
        "liquid heat over capacity",
        "The heat to liquid exceeds the hall's liquid cooling capacity.",
    ),
    ("E404", "air heat over capacity", "The heat to air exceeds the hall's air cooling capacity."),
    (
        "E405",
        "air-cooled rack too dense",
        "An air-cooled rack exceeds the density that air can remove (a documented, "
        "overridable limit). Use liquid cooling or spread the load.",
    ),
    (
        "E406",
        "facility power over the utility feed",
        "IT load x PUE exceeds the site's utility capacity.",
    ),
    (
        "E407",
        "racks over positions",
        "The racks, plus the network racks the fabric needs, exceed the hall's rack positions.",
    ),
    (
        "E408",
        "floor loading exceeded",
        "A rack's weight over its footprint exceeds the floor's rated loading.",
    ),
    (
        "E409",
        "UPS capacity below IT capacity",
        "The UPS plant at its redundancy delivers less than the hall's declared IT "
        "capacity, so the IT capacity cannot be used in full.",
    ),
    # E5xx: workloads
    (
        "E501",
        "model does not fit",
        "The model's weights (and a minimal KV cache) do not fit the HBM of the "
        "largest scale-up domain available to the workload.",
    ),
    (
        "E502",
        "precision not supported",
        "The GPU has no compute figure for the precision (FP4 on Hopper, FP8 on "
        "A100). Pick a supported precision or a newer GPU.",
    ),
    (
        "E503",
        "training longer than the horizon",
        "The workload would train longer than the finance horizon.",
    ),
    (
        "E504",
        "workload needs more GPUs than the factory has",
        "The GPU counts requested by the workloads exceed the factory's GPUs.",
    ),
    (
        "E505",
        "per-user rate unreachable",
        "Even at a batch of one the decode rate is below the requested user_rate.",
    ),
    # E6xx: requirements
    (
        "E601",
        "requirement failed",
        "A `require` rule does not hold. The message shows the actual value.",
    ),
    (
        "E602",
        "requirement path unknown",
        "The path of a `require` rule names nothing in the report. Paths use the "
        "names of the JSON report (`aifc schema`); list items are chosen by name.",
    ),
    # Warnings
    (
        "W101",
        "suppression that suppresses nothing",
        "An `# aifc: ignore[CODE]` comment names a code that is not reported on that "
        "line. Remove it.",
    ),
    ("W201", "power declared but unused", "A declared value was not used by any model."),
    (
        "W301",
        "oversubscribed training fabric",
        "A fabric carrying training traffic is oversubscribed; all-reduce is bounded "
        "by the narrowest tier.",
    ),
    (
        "W302",
        "single point of failure in the fabric",
        "One switch whose loss cuts endpoints off or splits the fabric.",
    ),
    (
        "W303",
        "spare switches",
        "More switches are declared than the fabric needs; they are reported as spare.",
    ),
    (
        "W401",
        "no power redundancy",
        "A hall's power chain has no redundancy: one UPS module or feed failing "
        "takes load down. The message names what a single failure sheds.",
    ),
    (
        "W402",
        "stranded capacity",
        "Power is left but no positions (or positions but no power): capacity that "
        "cannot be used by another rack.",
    ),
    (
        "W403",
        "implausible PUE",
        "The PUE is outside the published band for the hall's cooling mix.",
    ),
    (
        "W404",
        "it_power differs from the UPS plant",
        "The declared IT capacity does not match what the UPS plant delivers.",
    ),
    (
        "W405",
        "no cooling redundancy",
        "A CDU or cooling unit failing takes cooling capacity below the load.",
    ),
    (
        "W501",
        "slow checkpoint",
        "Writing a checkpoint (weights and optimizer state) at the storage bandwidth "
        "takes longer than the threshold.",
    ),
    ("W502", "workload uses no GPUs", "A workload's share of the fleet rounds to zero replicas."),
)

CODES: dict[str, CodeInfo] = {code: CodeInfo(code, title, text) for code, title, text in _TABLE}


def explain(code: str) -> CodeInfo | None:
    return CODES.get(code.upper())
