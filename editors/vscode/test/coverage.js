// The grammar on every reference design and catalog file: every word, number
// and operator gets a scope of its own (nothing is left as bare source.aif,
// the TextMate counterpart of an error token), every block header's kind is a
// storage.type.block, and every `name =` is a property.
"use strict";

const fs = require("fs");
const path = require("path");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const ROOT = path.resolve(__dirname, "..", "..", "..");
const KINDS = new Set(JSON.parse(
  fs.readFileSync(path.join(__dirname, "..", "syntaxes", "aif.tmLanguage.json"), "utf8"),
).repository.block.match.match(/\\b\(([a-z_|]+)\)/)[1].split("|"));

async function grammar() {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async () => {
      const file = path.join(__dirname, "..", "syntaxes", "aif.tmLanguage.json");
      return vsctm.parseRawGrammar(fs.readFileSync(file, "utf8"), file);
    },
  });
  return registry.loadGrammar("source.aif");
}

function designs() {
  const folders = [
    path.join(ROOT, "reference_designs"),
    path.join(ROOT, "compiler", "aiflang", "catalog"),
  ];
  return folders.flatMap((folder) =>
    fs.readdirSync(folder).filter((f) => f.endsWith(".aif")).sort().map((f) => path.join(folder, f)),
  );
}

async function main() {
  const aif = await grammar();
  const problems = [];
  let checked = 0;
  for (const file of designs()) {
    let state = vsctm.INITIAL;
    const lines = fs.readFileSync(file, "utf8").split("\n");
    lines.forEach((line, index) => {
      const result = aif.tokenizeLine(line, state);
      state = result.ruleStack;
      for (const token of result.tokens) {
        const text = line.slice(token.startIndex, token.endIndex);
        const where = `${path.relative(ROOT, file)}:${index + 1}:${token.startIndex + 1}`;
        const inner = token.scopes.slice(1);
        if (/[A-Za-z0-9=<>%]/.test(text) && inner.length === 0) {
          problems.push(`${where}: \`${text.trim()}\` has no scope`);
        }
        checked += 1;
      }
      const header = line.match(/^\s*([a-z_]+)\s+[^=]*\{/);
      if (header && KINDS.has(header[1])) {
        const start = line.indexOf(header[1]);
        const token = result.tokens.find((t) => t.startIndex === start);
        if (!token || !token.scopes.includes("storage.type.block.aif")) {
          problems.push(`${path.relative(ROOT, file)}:${index + 1}: block kind not scoped`);
        }
      }
      const attribute = line.match(/^\s*([a-z_][a-z0-9_]*)\s*=[^=]/);
      if (attribute) {
        const start = line.indexOf(attribute[1]);
        const token = result.tokens.find((t) => t.startIndex === start);
        if (!token || !token.scopes.includes("variable.other.property.aif")) {
          problems.push(`${path.relative(ROOT, file)}:${index + 1}: attribute not scoped`);
        }
      }
    });
  }
  if (problems.length) {
    console.error(problems.join("\n"));
    console.error(`${problems.length} problems in ${designs().length} files`);
    process.exit(1);
  }
  console.log(`grammar coverage: ${designs().length} files, ${checked} tokens, every one scoped`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
