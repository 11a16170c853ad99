"""The language server for .aif designs (`aifc lsp`).

Needs pygls 2 and lsprotocol (the `lsp` extra: `pip install 'aiflang[lsp]'`);
nothing here is imported by the other commands, so `aifc --help` and
`aifc validate` never pay for them. `server.serve()` runs it on stdio.

- `document`: one open document, compiled as the command line would;
- `locate`: what stands at a place in the syntax tree;
- `hover`, `complete`, `derived`: the text behind hover, completion and
  inlay hints;
- `convert`: diagnostics in the protocol's terms;
- `features`: the answers to each request; `server`: the pygls wiring.
"""
