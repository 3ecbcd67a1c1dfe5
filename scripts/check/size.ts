// A function longer than a screenful or two hides its stages; past MAX_FUNCTION_LINES the bundle's
// functions are split into named stages that read as the algorithm (ARCHITECTURE.md).
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { bundleFiles } from "./imports.ts";
import type { Problem } from "./schemas.ts";

export const MAX_FUNCTION_LINES = 150;

function functionName(n: ts.SignatureDeclaration, src: ts.SourceFile): string {
  if (n.name) return n.name.getText(src);
  const parent = n.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText(src);
  return "(anonymous function)";
}

export function functionSizeProblems(root: string): Problem[] {
  const problems: Problem[] = [];
  for (const file of bundleFiles(root)) {
    const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const visit = (n: ts.Node) => {
      if (ts.isFunctionLike(n) && "body" in n && n.body) {
        const first = src.getLineAndCharacterOfPosition(n.getStart(src)).line;
        const lines = src.getLineAndCharacterOfPosition(n.end).line - first + 1;
        if (lines > MAX_FUNCTION_LINES) {
          problems.push({
            file: `${path.relative(root, file)}:${first + 1}`,
            message: `${functionName(n, src)} is ${lines} lines (at most ${MAX_FUNCTION_LINES}): split it into named stages`,
          });
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(src);
  }
  return problems;
}
