// Windmill resolves a Bun script's dependencies from its static imports (and the relative modules
// they reach); a dynamic `import()` is invisible to it, so a package only imported that way is
// missing on the worker ("Could not resolve: …"). Every `import(…)` call in the bundle is an error.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import type { Problem } from "./schemas.ts";

/** Every .ts file under f/ (scripts, shared modules, prompts, flow inline scripts). */
export function bundleFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== "node_modules") walk(full);
      } else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(full);
    }
  };
  try {
    walk(path.join(root, "f"));
  } catch {
    // no f/ in this tree
  }
  return out.sort();
}

export function dynamicImportProblems(root: string): Problem[] {
  const problems: Problem[] = [];
  for (const file of bundleFiles(root)) {
    const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node) => {
      if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const { line } = src.getLineAndCharacterOfPosition(n.getStart(src));
        problems.push({
          file: `${path.relative(root, file)}:${line + 1}`,
          message: `dynamic ${n.getText(src).slice(0, 60)} — Windmill's lock generation only sees static imports; import it at the top of the file`,
        });
      }
      ts.forEachChild(n, visit);
    };
    visit(src);
  }
  return problems;
}

/**
 * Windmill's Bun worker builds the modules a script imports from files it saves as `<name>.ts.url`,
 * which Bun parses as TSX (observed on CE v1.592.1): `<T>(x: T) => …` opens a JSX element there and
 * the build fails ("Expected "}" but found ":"). Every bundle file must parse as TSX too; write a
 * generic arrow as `<T,>(…)` or a function.
 */
export function tsxParseProblems(root: string): Problem[] {
  return bundleFiles(root).flatMap((file) => {
    const { diagnostics = [] } = ts.transpileModule(readFileSync(file, "utf8"), {
      fileName: file.replace(/\.ts$/, ".tsx"),
      reportDiagnostics: true,
      compilerOptions: { jsx: ts.JsxEmit.Preserve, target: ts.ScriptTarget.Latest },
    });
    const first = diagnostics.find((d) => d.category === ts.DiagnosticCategory.Error);
    if (!first) return [];
    const line = first.file && first.start !== undefined ? first.file.getLineAndCharacterOfPosition(first.start).line + 1 : 0;
    return [
      {
        file: `${path.relative(root, file)}:${line}`,
        message: `does not parse as TSX (${ts.flattenDiagnosticMessageText(first.messageText, " ")}), as Windmill's Bun worker reads an imported module — a generic arrow needs \`<T,>(…)\` or a function`,
      },
    ];
  });
}
