// The aif extension: starts `aifc lsp` (the aifc of the workspace's environment,
// or the command in the `aif.server.command` setting) and connects it to
// .aif documents. Highlighting comes from the TextMate grammar alone, so it
// works even when the server cannot start.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function serverCommand() {
  const configured = vscode.workspace.getConfiguration("aif").get("server.command");
  const command = Array.isArray(configured) && configured.length ? configured : ["aifc", "lsp"];
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  return { command: command[0], args: command.slice(1), options: { cwd: folder } };
}

async function activate(context) {
  const server = { ...serverCommand(), transport: TransportKind.stdio };
  client = new LanguageClient(
    "aif",
    "aif language server",
    { run: server, debug: server },
    {
      documentSelector: [{ scheme: "file", language: "aif" }, { scheme: "untitled", language: "aif" }],
      synchronize: {
        fileEvents: vscode.workspace.createFileSystemWatcher("**/{aifc.toml,pyproject.toml,*.aif}"),
      },
    },
  );
  context.subscriptions.push(
    vscode.commands.registerCommand("aif.restartServer", () => client.restart()),
  );
  try {
    await client.start();
  } catch (error) {
    vscode.window.showWarningMessage(
      `aif: could not start \`${server.command} ${server.args.join(" ")}\` (${error}). ` +
        "Install the server with `pip install 'aiflang[lsp]'` or set aif.server.command.",
    );
  }
}

async function deactivate() {
  if (client) {
    await client.stop();
  }
}

module.exports = { activate, deactivate };
