// `javascript` input transforms and the boolean expressions of skip_if / stop_after_if / branchone.
// Windmill evaluates a few forms natively and everything else in V8. The runner does the same: the
// native forms exactly as Windmill's js_eval.rs fast paths (a missing result path is null, an
// absent flow input is an error), the rest as JavaScript — unless it runs as a Windmill without V8
// (`noV8`), where the rest fails as it would there.

export const EXPR_NAMES = ["flow_input", "results", "previous_result", "result", "resume", "resumes", "approvers", "error", "params"] as const;
export type ExprContext = Partial<Record<(typeof EXPR_NAMES)[number], unknown>>;

/** The context names a bare expression may be (js_eval.rs: transform_context keys). */
export const CONTEXT_NAMES = ["previous_result", "result", "resume", "resumes", "approvers", "params", "started_at", "flow_job_id"] as const;

/** How Windmill evaluates an expression without V8, or why it cannot. */
export type NativeForm =
  | { kind: "context"; name: string }
  | { kind: "flow_input"; key: string }
  | { kind: "results"; step: string; path: (string | number)[] }
  | { kind: "v8"; rule: string };

const FLOW_INPUT = /^flow_input(?:\.(\w+)|\["([^"\]]+)"\])$/;
// js_eval.rs RE_FULL: results.<id>[<n>]?(.<key>)* (no `?.` after the id, no ["x"]).
const RESULTS = /^results\??\.(\w+)(?:\[(\d+)\])?((?:\.\w+)*)$/;

export function nativeForm(raw: string): NativeForm {
  const expr = raw.trim();
  if ((CONTEXT_NAMES as readonly string[]).includes(expr)) return { kind: "context", name: expr };
  let m = FLOW_INPUT.exec(expr);
  if (m) return { kind: "flow_input", key: m[1] ?? m[2]! };
  m = RESULTS.exec(expr);
  if (m) return { kind: "results", step: m[1]!, path: [...(m[2] !== undefined ? [Number(m[2])] : []), ...m[3]!.split(".").filter(Boolean)] };
  if (/^flow_input\.\w+\./.test(expr)) return { kind: "v8", rule: "flow_input is read one level deep only (flow_input.<key>); deeper paths need V8" };
  if (/^(resume|previous_result|error|result)\W/.test(expr)) return { kind: "v8", rule: "only the bare context name is native; a path into it needs V8" };
  if (/^results\b/.test(expr)) return { kind: "v8", rule: 'results.<id>.<path> is native only with plain dots and [n] after the id (no ?., ["x"], operators)' };
  return {
    kind: "v8",
    rule: "operators, calls, literals and templates need V8 (only flow_input.<key>, results.<id>.<path> and bare context names are native)",
  };
}

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

/** A value at a path of a step result, null where the path does not exist (Postgres `result #> path`). */
function at(value: unknown, path: (string | number)[]): unknown {
  let v = value;
  for (const p of path) {
    if (v === null || typeof v !== "object") return null;
    v = (v as Record<string, unknown>)[p as string];
    if (v === undefined) return null;
  }
  return v === undefined ? null : v;
}

export interface EvalOptions {
  /** Behave like a Windmill built without V8: only the native forms evaluate. */
  noV8?: boolean;
}

export async function evalExpr(expr: string, ctx: ExprContext, where: string, opts: EvalOptions = {}): Promise<unknown> {
  try {
    const form = nativeForm(expr);
    if (form.kind === "context") return (ctx as Record<string, unknown>)[form.name] ?? null;
    if (form.kind === "flow_input") {
      const input = (ctx.flow_input ?? {}) as Record<string, unknown>;
      if (form.key in input) return input[form.key];
      if (opts.noV8)
        throw new Error(
          `flow_input.${form.key} is absent from this run's inputs (a Windmill without V8 evaluates flow_input.<key> only when the key is present)`,
        );
    }
    if (form.kind === "results") {
      const results = ctx.results as Record<string, unknown>;
      return at(results[form.step], form.path); // an unknown step throws (resultsView), as Windmill's lookup fails
    }
    if (opts.noV8 && form.kind === "v8") throw new Error(`Deno core is not enabled (${form.rule})`);
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
