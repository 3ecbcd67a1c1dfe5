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
