// `javascript` input transforms and the boolean expressions of skip_if / stop_after_if / branchone.
// Windmill evaluates them in V8 with these names in scope.

export const EXPR_NAMES = ["flow_input", "results", "previous_result", "result", "resume", "resumes", "approvers", "error", "params"] as const;
export type ExprContext = Partial<Record<(typeof EXPR_NAMES)[number], unknown>>;

const compiled = new Map<string, (...args: unknown[]) => unknown>();

function compile(expr: string): (...args: unknown[]) => unknown {
  let fn = compiled.get(expr);
  if (!fn) {
    // A transform may be a bare expression or a block with `return` (both occur in Windmill flows).
    const body = /(^|[;\n{])\s*return\b/.test(expr) ? expr : `return (${expr}\n);`;
    fn = new Function(...EXPR_NAMES, `"use strict";\n${body}`) as (...args: unknown[]) => unknown;
    compiled.set(expr, fn);
  }
  return fn;
}

export class ExprError extends Error {
  constructor(where: string, expr: string, cause: unknown) {
    super(`${where}: expression \`${expr}\` failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "ExprError";
  }
}

export async function evalExpr(expr: string, ctx: ExprContext, where: string): Promise<unknown> {
  try {
    const fn = compile(expr);
    return await fn(...EXPR_NAMES.map((n) => ctx[n]));
  } catch (e) {
    throw new ExprError(where, expr, e);
  }
}

/** `results` as a script sees it: reading a step that has not run is an error naming the step. */
export function resultsView(results: Record<string, unknown>): Record<string, unknown> {
  return new Proxy(results, {
    get(target, key) {
      if (typeof key !== "string" || key in target || key === "then" || key === "toJSON") return Reflect.get(target, key);
      throw new Error(`results.${key}: no step "${key}" has run before this one`);
    },
  });
}
