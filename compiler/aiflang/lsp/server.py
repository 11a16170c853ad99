"""The language server: `aifc lsp`, over stdin and stdout (pygls 2).

Diagnostics are published when a document opens, when any is saved or a
watched file (an import, the project configuration) changes on disk, and
shortly after each change (debounced: a burst of keystrokes is compiled once; the
delay is `debounce_ms` in the client's initialization options, 150 ms by
default). A request on a document edited since its last compilation
compiles it first, so every answer is about the text the editor holds.

Each published diagnostic carries its code, its related places, the help
line and, in `data`, its fixes and the `aifc explain` text; hovering a
finding shows that explanation, and every did-you-mean becomes a quick fix
(`textDocument/codeAction`) built from the diagnostic's fixes, never from
its wording. Findings in imported files are published for those files.
"""

from __future__ import annotations

import asyncio

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from aiflang import __version__
from aiflang.diagnostics import Diagnostic
from aiflang.lsp import features
from aiflang.lsp.convert import to_lsp
from aiflang.lsp.document import Document, analyse_document, path_of_span_file
from aiflang.syntax.incremental import ChunkedParser

DEBOUNCE_S = 0.15


class AifServer(LanguageServer):
    """The server's state: the latest analysis of each open document."""

    def __init__(self) -> None:
        super().__init__("aifc", __version__)
        self.debounce_s = DEBOUNCE_S
        self.analyses: dict[str, Document] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.published: dict[str, set[str]] = {}  # document -> other files it published to
        self.parser = ChunkedParser()  # reuses the parse of unchanged chunks across edits
        self.shown: set[str] = set()  # configuration problems already shown to the user

    def document(self, uri: str) -> Document:
        """The analysis of the editor's current text of `uri` (compiling it if stale)."""
        text_document = self.workspace.get_text_document(uri)
        current = self.analyses.get(uri)
        if current is None or current.text != text_document.source:
            current = self.analyse(uri)
        return current

    def analyse(self, uri: str) -> Document:
        text_document = self.workspace.get_text_document(uri)
        document = analyse_document(uri, text_document.source, text_document.version, self.parser)
        self.analyses[uri] = document
        return document

    def refresh(self, uri: str) -> None:
        """Compile `uri` and publish its diagnostics (and those of files it imports)."""
        document = self.analyse(uri)
        if document.config_error and document.config_error not in self.shown:
            self.shown.add(document.config_error)
            self.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Warning, message=document.config_error
                )
            )
        by_uri: dict[str, list[types.Diagnostic]] = {uri: []}
        for diagnostic in document.compilation.diagnostics:
            target = self._uri_of(document, diagnostic)
            if target is None:
                continue
            converted = to_lsp(document, diagnostic)
            if converted is not None:
                by_uri.setdefault(target, []).append(converted)
        others = set(by_uri) - {uri}
        for stale in self.published.get(uri, set()) - others:
            by_uri[stale] = []
        self.published[uri] = others
        for target, diagnostics in by_uri.items():
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(
                    uri=target,
                    diagnostics=diagnostics,
                    version=document.version if target == uri else None,
                )
            )

    def _uri_of(self, document: Document, diagnostic: Diagnostic) -> str | None:
        span = diagnostic.span
        if span is None or span.file == document.file:
            return document.uri
        if span.file.startswith("<"):
            return None  # the built-in catalog, or a --set: not a file the editor shows
        return path_of_span_file(span.file).resolve().as_uri()

    def schedule(self, uri: str) -> None:
        """Compile `uri` once the edits stop for `debounce_s`."""
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.pending[uri] = asyncio.get_running_loop().create_task(self._later(uri))

    async def _later(self, uri: str) -> None:
        await asyncio.sleep(self.debounce_s)
        self.pending.pop(uri, None)
        self.refresh(uri)


def build() -> AifServer:
    """The server with every feature registered."""
    server = AifServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: AifServer, params: types.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict) and isinstance(options.get("debounce_ms"), int | float):
            ls.debounce_s = max(0.0, float(options["debounce_ms"]) / 1000)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: AifServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.refresh(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: AifServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: AifServer, params: types.DidSaveTextDocumentParams) -> None:
        # A saved file may be imported by the other open documents: compile them all.
        for uri in {params.text_document.uri, *ls.analyses}:
            ls.refresh(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: AifServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        task = ls.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        ls.analyses.pop(uri, None)
        for target in {uri, *ls.published.pop(uri, set())}:
            ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=target, diagnostics=[])
            )

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: AifServer, params: types.DidChangeWatchedFilesParams) -> None:
        # An imported file or the project configuration changed on disk: every open
        # document may read it, so compile them all again.
        for uri in list(ls.analyses):
            ls.refresh(uri)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: AifServer, params: types.HoverParams) -> types.Hover | None:
        return features.hover(ls.document(params.text_document.uri), params.position)

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=["=", " ", "{"]),
    )
    def completion(ls: AifServer, params: types.CompletionParams) -> types.CompletionList:
        return features.completion(ls.document(params.text_document.uri), params.position)

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: AifServer, params: types.DefinitionParams) -> types.Location | None:
        return features.definition(ls.document(params.text_document.uri), params.position)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def symbols(ls: AifServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        return features.symbols(ls.document(params.text_document.uri))

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    def formatting(
        ls: AifServer, params: types.DocumentFormattingParams
    ) -> list[types.TextEdit] | None:
        return features.formatting(ls.document(params.text_document.uri))

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(ls: AifServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return features.code_actions(ls.document(params.text_document.uri), params)

    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT)
    def inlay_hint(ls: AifServer, params: types.InlayHintParams) -> list[types.InlayHint]:
        return features.inlay_hints(ls.document(params.text_document.uri), params.range)

    return server


def serve() -> None:
    """Run the server on stdin and stdout until the client exits."""
    build().start_io()
