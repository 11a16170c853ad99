"""The language server end to end: a real client process talking to `aifc lsp`.

Each test opens a document (a copy of a reference design, or a broken
variant) in a temporary project and checks what a user would see: live
diagnostics, hover, completion, go to definition, the outline, formatting,
quick fixes and inlay hints. Figures are checked against hand calculations
(GB200 NVL72: 72 GPUs and 132 kW a rack, NVIDIA's published figures).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from aiflang.resources import catalog_dir
from aiflang.syntax.formatter import format_source

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / "reference_designs" / "gb200_two_su.aif").read_text(encoding="utf-8")

pytestmark = pytest.mark.asyncio(loop_scope="module")

# Generous: a compile of the largest test design takes well under a second.
DIAGNOSTICS_TIMEOUT_S = 120


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=[sys.executable, "-m", "aiflang", "lsp"]),
)
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    params = types.InitializeParams(
        capabilities=types.ClientCapabilities(),
        initialization_options={"debounce_ms": 20},
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


_COUNTER = iter(range(10_000))


async def open_document(
    client: LanguageClient, folder: Path, text: str, name: str | None = None
) -> str:
    """Open `text` as a new file in `folder`; return its URI once diagnostics arrive."""
    path = folder / (name or f"design_{next(_COUNTER)}.aif")
    path.write_text(text, encoding="utf-8")
    uri = path.resolve().as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="aif", version=1, text=text)
        )
    )
    await diagnostics_of(client, uri)
    return uri


async def diagnostics_of(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    """The next diagnostics the server publishes for `uri`.

    Bounded in time, so that a notification the server never sends fails the
    test with a message instead of stalling the whole suite.
    """

    async def next_for_uri() -> list[types.Diagnostic]:
        while True:
            params = await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
            if params.uri == uri:
                return list(params.diagnostics)

    try:
        return await asyncio.wait_for(next_for_uri(), timeout=DIAGNOSTICS_TIMEOUT_S)
    except TimeoutError:
        pytest.fail(f"no diagnostics published for {uri} within {DIAGNOSTICS_TIMEOUT_S} s")


def position_of(text: str, needle: str, shift: int = 0, nth: int = 0) -> types.Position:
    """The position of the `nth` occurrence of `needle`, moved `shift` characters."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    offset += shift
    line = text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1)
    return types.Position(line=line, character=column)


async def hover(client: LanguageClient, uri: str, position: types.Position) -> str:
    result = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position)
    )
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


async def labels(client: LanguageClient, uri: str, position: types.Position) -> list[str]:
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position
        )
    )
    assert isinstance(result, types.CompletionList)
    return [item.label for item in result.items]


# diagnostics ---------------------------------------------------------------


async def test_a_valid_design_has_no_diagnostics(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_document(client, tmp_path, REFERENCE)
    assert list(client.diagnostics[uri]) == []


async def test_diagnostics_on_open_carry_code_fix_and_explanation(
    client: LanguageClient, tmp_path: Path
) -> None:
    text = REFERENCE.replace("16 x GB200_NVL72", "16 x GB200_NVL27")
    uri = await open_document(client, tmp_path, text)
    (diagnostic,) = list(client.diagnostics[uri])
    assert diagnostic.code == "E201"
    assert diagnostic.source == "aifc"
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.range.start == position_of(text, "GB200_NVL27")
    assert "unknown rack `GB200_NVL27`" in diagnostic.message
    assert diagnostic.data["fixes"][0]["newText"] == "GB200_NVL72"
    assert "Names resolve in the factory" in diagnostic.data["explain"]


async def test_related_locations_point_at_the_other_side(
    client: LanguageClient, tmp_path: Path
) -> None:
    text = REFERENCE.replace("    positions  = 40\n", "    positions  = 40\n    positions  = 41\n")
    uri = await open_document(client, tmp_path, text)
    (diagnostic,) = [d for d in list(client.diagnostics[uri]) if d.code == "E207"]
    assert diagnostic.related_information
    related = diagnostic.related_information[0]
    assert related.location.uri == uri
    assert related.location.range.start == position_of(text, "positions")
    assert related.message == "first given here"


async def test_diagnostics_follow_edits(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_document(client, tmp_path, REFERENCE)
    broken = REFERENCE.replace("it_power   = 3 MW", "it_power   = 3 MWh")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=broken)],
        )
    )
    (wrong,) = await diagnostics_of(client, uri)
    assert wrong.code == "E203"
    assert wrong.range.start == position_of(broken, "MWh")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=REFERENCE)],
        )
    )
    assert await diagnostics_of(client, uri) == []


async def test_imports_resolve_beside_the_file(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "parts.aif").write_text(
        "rack big_rack extends GB200_NVL72 { power = 140 kW }\n", encoding="utf-8"
    )
    text = 'import "parts.aif"\n\n' + REFERENCE.replace("16 x GB200_NVL72", "16 x big_rack")
    uri = await open_document(client, tmp_path, text)
    codes = [d.code for d in list(client.diagnostics[uri])]
    assert "E201" not in codes and "E213" not in codes


async def test_a_changed_import_or_configuration_is_read_again(
    client: LanguageClient, tmp_path: Path
) -> None:
    parts = tmp_path / "parts.aif"
    parts.write_text("rack big_rack extends GB200_NVL72 { power = 140 kW }\n", encoding="utf-8")
    text = 'import "parts.aif"\n\n' + REFERENCE.replace("16 x GB200_NVL72", "16 x big_rack")
    uri = await open_document(client, tmp_path, text)
    assert list(client.diagnostics[uri]) == []
    parts.write_text("rack huge_rack extends GB200_NVL72 { power = 140 kW }\n", encoding="utf-8")
    (tmp_path / "aifc.toml").write_text('error = ["W402"]\n', encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(uri=parts.as_uri(), type=types.FileChangeType.Changed),
                types.FileEvent(
                    uri=(tmp_path / "aifc.toml").as_uri(), type=types.FileChangeType.Created
                ),
            ]
        )
    )
    found = await diagnostics_of(client, uri)
    assert [d.message.split("\n")[0] for d in found if d.code == "E201"] == [
        "unknown rack `big_rack`"
    ]


# hover -------------------------------------------------------------------


async def test_hover_on_an_attribute_gives_meaning_dimension_and_units(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = await open_document(client, tmp_path, REFERENCE)
    text = await hover(client, uri, position_of(REFERENCE, "it_power"))
    assert "**it_power**" in text
    assert "a power, in `W`, `kW`, `MW`, `GW`" in text


async def test_hover_on_a_catalog_part_shows_its_figures_and_sources(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = await open_document(client, tmp_path, REFERENCE)
    text = await hover(client, uri, position_of(REFERENCE, "GB200_NVL72", 3))
    assert "**rack GB200_NVL72**" in text and "built-in catalog" in text
    assert "`power = 132 kW`" in text
    assert "115 kW to liquid" in text  # the comment that qualifies the figure
    assert "NVIDIA DGX GB200 user guide" in text  # its source
    assert "`status = secondary`" in text  # and how sure its figures are


async def test_hover_on_a_rack_part_and_a_hall_gives_derived_values(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = await open_document(client, tmp_path, REFERENCE)
    text = await hover(client, uri, position_of(REFERENCE, "hall A", 5))
    # 16 racks x 132 kW + 150 kW storage + 92.672 kW of switches and optics.
    assert "IT load 2.35 MW of 3 MW (78.5%)" in text
    assert "1,152 GPUs in 16 racks" in text
    text = await hover(client, uri, position_of(REFERENCE, "fabric compute", 8))
    # 1,152 endpoints at 400G on 288-port (2 x 400G breakout) Q3400 at 1:1:
    # 1,152 / 144 down-ports = 8 leaves; 8 x 144 uplinks / 288 = 4 spines.
    assert "8 leaf · 4 spine switches" in text


async def test_hover_on_a_finding_explains_its_code(client: LanguageClient, tmp_path: Path) -> None:
    text = REFERENCE.replace("16 x GB200_NVL72", "16 x GB200_NVL27")
    uri = await open_document(client, tmp_path, text)
    shown = await hover(client, uri, position_of(text, "GB200_NVL27", 2))
    assert "**E201**: unknown rack `GB200_NVL27`" in shown
    assert "Names resolve in the factory" in shown


async def test_hover_on_a_unit_names_its_dimension(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_document(client, tmp_path, REFERENCE)
    text = await hover(client, uri, position_of(REFERENCE, "USD/kWh", 1))
    assert "a unit of money per energy" in text


# completion --------------------------------------------------------------


async def test_completion_of_attributes_and_block_kinds(
    client: LanguageClient, tmp_path: Path
) -> None:
    text = REFERENCE.replace("    positions  = 40\n", "    positions  = 40\n    \n")
    uri = await open_document(client, tmp_path, text)
    found = await labels(client, uri, position_of(text, "    \n", 4))
    assert {"it_power", "ups", "cooling", "racks", "redundancy"} <= set(found)
    found = await labels(client, uri, position_of(text, "  storage fast", 2))
    assert {"hall", "fabric", "storage", "train", "serve", "site", "require"} <= set(found)
    assert "it_power" not in found


async def test_completion_of_names_filtered_by_kind(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_document(client, tmp_path, REFERENCE)
    racks = await labels(client, uri, position_of(REFERENCE, "GB200_NVL72"))
    assert "GB200_NVL72" in racks and "DGX_H100_rack" in racks
    assert "H100" not in racks and "Q3400" not in racks
    switches = await labels(client, uri, position_of(REFERENCE, "Q3400"))
    assert "Q3400" in switches and "SN5600" in switches and "GB200_NVL72" not in switches
    optics = await labels(client, uri, position_of(REFERENCE, "OSFP_800G_SR8"))
    assert "OSFP_800G_SR8" in optics and "Q3400" not in optics
    halls = await labels(client, uri, position_of(REFERENCE, "hall      = A", 12))
    assert halls == ["A"]


async def test_completion_of_units_and_choices(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_document(client, tmp_path, REFERENCE)
    power_units = await labels(client, uri, position_of(REFERENCE, "= 3 MW", 4))
    assert power_units[:4] == ["W", "kW", "MW", "GW"]
    bandwidth = await labels(client, uri, position_of(REFERENCE, "2 TB/s", 2))
    assert "Gbps" in bandwidth and "TB/s" in bandwidth and "MW" not in bandwidth
    precisions = await labels(client, uri, position_of(REFERENCE, "bf16"))
    assert precisions == ["fp64", "tf32", "bf16", "fp16", "fp8", "fp6", "fp4"]
    topologies = await labels(client, uri, position_of(REFERENCE, "rail_optimized"))
    assert topologies == ["fat_tree", "rail_optimized"]


async def test_completion_at_the_top_of_a_file(client: LanguageClient, tmp_path: Path) -> None:
    text = "\n" + REFERENCE
    uri = await open_document(client, tmp_path, text)
    found = await labels(client, uri, types.Position(line=0, character=0))
    assert {"factory", "gpu", "node", "rack", "import"} <= set(found)


# go to definition, outline, formatting --------------------------------------


async def test_definition_of_a_catalog_part_is_in_the_installed_package(
    client: LanguageClient, tmp_path: Path
) -> None:
    uri = await open_document(client, tmp_path, REFERENCE)
    location = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(REFERENCE, "GB200_NVL72"),
        )
    )
    assert isinstance(location, types.Location)
    path = Path(location.uri.removeprefix("file://"))
    assert path == (catalog_dir() / "racks.aif").resolve()
    line = path.read_text(encoding="utf-8").split("\n")[location.range.start.line]
    assert line.startswith("rack GB200_NVL72")


async def test_definition_of_a_hall_and_of_an_import(
    client: LanguageClient, tmp_path: Path
) -> None:
    (tmp_path / "parts.aif").write_text("", encoding="utf-8")
    text = 'import "parts.aif"\n\n' + REFERENCE
    uri = await open_document(client, tmp_path, text)
    location = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=position_of(text, "hall      = A", 12),
        )
    )
    assert isinstance(location, types.Location)
    assert location.uri == uri and location.range.start == position_of(text, "hall A", 5)
    location = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(text, "parts")
        )
    )
    assert isinstance(location, types.Location)
    assert location.uri == (tmp_path / "parts.aif").resolve().as_uri()


async def test_outline(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_document(client, tmp_path, REFERENCE)
    result = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert result is not None
    (factory,) = result
    assert isinstance(factory, types.DocumentSymbol)
    assert factory.name == "gb200-two-su"
    children = [(c.detail or "").split(" · ")[0] + " " + c.name for c in factory.children or []]
    assert children == [
        "site site",
        "hall A",
        "storage fast",
        "fabric compute",
        "fabric frontend",
        "train llama3-405b",
        "serve llama3-70b",
        "finance finance",
    ]


async def test_formatting_is_the_formatter(client: LanguageClient, tmp_path: Path) -> None:
    text = REFERENCE.replace("    it_power   = 3 MW", "  it_power=3 MW")
    uri = await open_document(client, tmp_path, text)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            options=types.FormattingOptions(tab_size=2, insert_spaces=True),
        )
    )
    assert edits is not None and len(edits) == 1
    assert edits[0].new_text == format_source(text) == REFERENCE


# quick fixes and inlay hints ----------------------------------------------------


async def test_every_did_you_mean_is_a_quick_fix(client: LanguageClient, tmp_path: Path) -> None:
    text = REFERENCE.replace("it_power   = 3 MW", "it_pwoer   = 3 MW").replace(
        "leaf             = Q3400", "leaf             = Q340"
    )
    uri = await open_document(client, tmp_path, text)
    diagnostics = list(client.diagnostics[uri])
    # E205 (no `it_power` left) comes with the typo, and has nothing to offer.
    assert {d.code for d in diagnostics} == {"E208", "E201", "E205"}
    whole = types.Range(start=types.Position(line=0, character=0), end=position_of(text, "}", 0))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=whole.start, end=types.Position(line=200, character=0)),
            context=types.CodeActionContext(diagnostics=diagnostics),
        )
    )
    assert actions is not None
    fixes = {}
    for action in actions:
        assert isinstance(action, types.CodeAction)
        assert action.kind == types.CodeActionKind.QuickFix
        assert action.edit is not None and action.edit.changes is not None
        (edit,) = action.edit.changes[uri]
        fixes.setdefault(action.diagnostics[0].code if action.diagnostics else "", edit.new_text)
    assert fixes == {"E208": "it_power", "E201": "Q3400"}


async def test_inlay_hints_show_derived_values(client: LanguageClient, tmp_path: Path) -> None:
    uri = await open_document(client, tmp_path, REFERENCE)
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(
                start=types.Position(line=0, character=0),
                end=types.Position(line=200, character=0),
            ),
        )
    )
    assert hints is not None
    by_line = {h.position.line: h.label for h in hints}
    assert by_line[position_of(REFERENCE, "hall A").line] == "2.35 MW of 3 MW (78.5%)"
    assert by_line[position_of(REFERENCE, "fabric compute").line] == "8 leaf · 4 spine switches"
    assert by_line[position_of(REFERENCE, "factory").line] == "1,152 GPUs · IT 2.35 MW"
