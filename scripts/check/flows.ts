// Type-checks each flow against the scripts it calls, before anything runs: a `script` step's path
// exists, each input_transforms key is a parameter of that script, every required parameter is
// supplied, and each javascript expression parses and reads only what is in scope at that step
// (flow_input and its schema's keys, results of steps that ran before, loop variables inside loops).
// Every error names the flow, the step and the parameter. It also lists every expression that only a
// Windmill with V8 evaluates (v8Uses); the bundle's must each be in the README with the reason.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { loadFlow, REPO_ROOT, signatureOf } from "../runner/bundle.ts";
import type { FlowFile, FlowModule, InputTransform } from "../runner/openflow.ts";
import { nativeForm } from "../runner/expr.ts";

export interface FlowProblem {
  flow: string;
  step: string;
  parameter?: string;
  message: string;
}

export const formatProblem = (p: FlowProblem) => `flow ${p.flow}, step ${p.step}${p.parameter ? `, parameter ${p.parameter}` : ""}: ${p.message}`;

const GLOBALS = new Set([
  "JSON",
  "Math",
  "Object",
  "Array",
  "String",
  "Number",
  "Boolean",
  "Date",
  "RegExp",
  "Map",
  "Set",
  "Promise",
  "Error",
  "undefined",
  "NaN",
  "Infinity",
  "parseInt",
  "parseFloat",
  "isNaN",
  "isFinite",
  "encodeURIComponent",
  "decodeURIComponent",
  "structuredClone",
]);

export function listFlowFiles(root = REPO_ROOT): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (!e.isDirectory() || e.name === "node_modules") continue;
      if (e.name.endsWith("__flow") && existsSync(path.join(full, "flow.yaml"))) out.push(path.join(full, "flow.yaml"));
      else walk(full);
    }
  };
  if (existsSync(path.join(root, "f"))) walk(path.join(root, "f"));
  return out.sort();
}

interface Scope {
  steps: Set<string>;
  loopDepth: number;
  extra: Set<string>; // names valid only here: result (stop_after_if, sleep), error (failure module)
}

function closest(name: string, options: string[]): string | undefined {
  const dist = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  const best = options.map((o) => [o, dist(name, o)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(name.length / 3)) ? best[0] : undefined;
}

class FlowChecker {
  readonly problems: FlowProblem[] = [];
  private readonly inputs: Set<string>;

  constructor(
    private readonly root: string,
    private readonly flowPath: string,
    private readonly flow: FlowFile,
  ) {
    this.inputs = new Set(Object.keys(flow.schema?.properties ?? {}));
  }

  private add(step: string, message: string, parameter?: string) {
    this.problems.push({ flow: this.flowPath, step, parameter, message });
  }

  /** Parses an expression and checks every free name and every results.X / flow_input.X it reads. */
  checkExpr(expr: string, scope: Scope, step: string, parameter?: string) {
    const body = /(^|[;\n{])\s*return\b/.test(expr) ? `(() => {${expr}})()` : `(${expr}\n)`;
    const sf = ts.createSourceFile("expr.ts", body, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const diags = (sf as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
    if (diags.length) {
      this.add(step, `javascript expression does not parse (${ts.flattenDiagnosticMessageText(diags[0].messageText, " ")}): ${expr}`, parameter);
      return;
    }
    const bound = new Set<string>();
    const collectBindings = (n: ts.Node) => {
      if ((ts.isParameter(n) || ts.isVariableDeclaration(n) || ts.isBindingElement(n)) && ts.isIdentifier(n.name)) bound.add(n.name.text);
      ts.forEachChild(n, collectBindings);
    };
    collectBindings(sf);
    const visit = (n: ts.Node) => {
      if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression)) {
        const base = n.expression.text;
        const key = n.name.text;
        if (base === "results" && !bound.has("results") && !scope.steps.has(key)) {
          const hint = closest(key, [...scope.steps]);
          this.add(step, `results.${key} is not a step that runs before "${step}"${hint ? ` (did you mean results.${hint}?)` : ""}`, parameter);
        }
        if (base === "flow_input" && !bound.has("flow_input")) {
          const loopKey = key === "iter" || key === "iter_parent";
          if (loopKey && scope.loopDepth === 0) this.add(step, `flow_input.${key} exists only inside a loop`, parameter);
          if (!loopKey && this.inputs.size && !this.inputs.has(key)) {
            const hint = closest(key, [...this.inputs]);
            this.add(step, `flow_input.${key} is not an input of the flow${hint ? ` (did you mean flow_input.${hint}?)` : ""}`, parameter);
          }
        }
      }
      if (ts.isIdentifier(n)) {
        const p = n.parent;
        const isName =
          (ts.isPropertyAccessExpression(p) && p.name === n) ||
          (ts.isPropertyAssignment(p) && p.name === n) ||
          (ts.isShorthandPropertyAssignment(p) && false) ||
          ts.isParameter(p) ||
          ts.isVariableDeclaration(p) ||
          ts.isBindingElement(p) ||
          ts.isPropertySignature(p);
        const name = n.text;
        // `resume` is in scope everywhere: the step after an approval gets the payload, later ones null.
        const allowed = ["flow_input", "results", "previous_result", "params", "resume", "resumes", "approvers", ...scope.extra];
        if (!isName && !bound.has(name) && !GLOBALS.has(name) && !allowed.includes(name)) {
          this.add(step, `javascript expression reads "${name}", which is not in scope here (in scope: ${allowed.join(", ")})`, parameter);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }

  private checkTransform(t: InputTransform | undefined, scope: Scope, step: string, parameter: string) {
    if (t?.type === "javascript") this.checkExpr(t.expr, scope, step, parameter);
  }

  private async checkCall(m: FlowModule, scope: Scope) {
    const v = m.value as Extract<FlowModule["value"], { type: "script" | "rawscript" | "flow" }>;
    const given = v.input_transforms ?? {};
    for (const [p, t] of Object.entries(given)) this.checkTransform(t, scope, m.id, p);
    let params: { name: string; required: boolean }[];
    let target: string;
    if (v.type === "flow") {
      target = v.path;
      const file = path.join(this.root, `${v.path}__flow`, "flow.yaml");
      if (!existsSync(file)) return this.add(m.id, `flow ${v.path} does not exist in the bundle (no ${v.path}__flow/flow.yaml)`);
      const sub = loadFlow(file);
      const req = new Set(sub.schema?.required ?? []);
      params = Object.entries(sub.schema?.properties ?? {}).map(([name, p]) => ({ name, required: req.has(name) && p.default === undefined }));
    } else {
      let file: string;
      if (v.type === "script") {
        target = v.path;
        file = path.join(this.root, `${v.path}.ts`);
        if (!existsSync(file)) {
          const dir = path.join(this.root, path.dirname(v.path));
          const names = existsSync(dir)
            ? readdirSync(dir)
                .filter((f) => f.endsWith(".ts"))
                .map((f) => `${path.dirname(v.path)}/${f.slice(0, -3)}`)
            : [];
          const hint = closest(v.path, names);
          return this.add(m.id, `script ${v.path} does not exist in the bundle${hint ? ` (did you mean ${hint}?)` : ""}`);
        }
      } else {
        target = "inline script";
        if (typeof v.content !== "object") return; // inline source in the YAML: its own signature is checked by tsc
        file = v.content.__inline;
        if (!existsSync(file)) return this.add(m.id, `inline script file ${path.relative(this.root, file)} does not exist`);
      }
      try {
        params = (await signatureOf(file)).args.map((a) => ({ name: a.name, required: !a.has_default }));
      } catch (e) {
        return this.add(m.id, (e as Error).message);
      }
    }
    const names = params.map((p) => p.name);
    for (const key of Object.keys(given)) {
      if (!names.includes(key)) {
        const hint = closest(key, names);
        this.add(
          m.id,
          `${target} has no parameter "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}; its parameters are ${names.join(", ") || "(none)"}`,
          key,
        );
      }
    }
    for (const p of params) if (p.required && !(p.name in given)) this.add(m.id, `required parameter of ${target} is not supplied`, p.name);
  }

  async checkModules(modules: FlowModule[], outer: Scope) {
    const scope: Scope = { steps: new Set(outer.steps), loopDepth: outer.loopDepth, extra: new Set(outer.extra) };
    for (const m of modules) {
      const here: Scope = { ...scope, extra: new Set(scope.extra) };
      if (m.skip_if) this.checkExpr(m.skip_if.expr, here, m.id, "skip_if");
      if (m.retry?.retry_if) this.checkExpr(m.retry.retry_if.expr, { ...here, extra: new Set([...here.extra, "error", "result"]) }, m.id, "retry_if");
      const v = m.value;
      switch (v.type) {
        case "script":
        case "rawscript":
        case "flow":
          await this.checkCall(m, here);
          break;
        case "forloopflow":
          this.checkTransform(v.iterator, here, m.id, "iterator");
          await this.checkModules(v.modules, { ...here, loopDepth: here.loopDepth + 1 });
          break;
        case "whileloopflow":
          await this.checkModules(v.modules, { ...here, loopDepth: here.loopDepth + 1 });
          break;
        case "branchone":
          for (const [i, b] of v.branches.entries()) {
            this.checkExpr(b.expr, here, m.id, `branches[${i}].expr`);
            await this.checkModules(b.modules, here);
          }
          await this.checkModules(v.default ?? [], here);
          break;
        case "branchall":
          for (const b of v.branches) await this.checkModules(b.modules, here);
          break;
      }
      scope.steps.add(m.id);
      const after: Scope = { ...scope, extra: new Set([...here.extra, "result"]) };
      if (m.stop_after_if) this.checkExpr(m.stop_after_if.expr, after, m.id, "stop_after_if");
      if (m.sleep) this.checkTransform(m.sleep, after, m.id, "sleep");
    }
  }

  async check() {
    const top: Scope = { steps: new Set(), loopDepth: 0, extra: new Set() };
    await this.checkModules(this.flow.value.modules, top);
    const failure = this.flow.value.failure_module;
    if (failure) await this.checkModules([failure], { steps: new Set(this.flow.value.modules.map((m) => m.id)), loopDepth: 0, extra: new Set(["error"]) });
  }
}

export async function checkFlowFile(file: string, root = REPO_ROOT): Promise<FlowProblem[]> {
  const flowPath = path.relative(root, path.dirname(file)).replace(/__flow$/, "");
  let flow: FlowFile;
  try {
    flow = loadFlow(file);
  } catch (e) {
    return [{ flow: flowPath, step: "(file)", message: (e as Error).message }];
  }
  const checker = new FlowChecker(root, flowPath, flow);
  await checker.check();
  return checker.problems;
}

export async function flowProblems(root = REPO_ROOT): Promise<FlowProblem[]> {
  const out: FlowProblem[] = [];
  for (const f of listFlowFiles(root)) out.push(...(await checkFlowFile(f, root)));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Expressions that need V8. A Windmill built without its V8 evaluator (deno_core) evaluates only
// `flow_input.<key>` (the key present), `results.<id>.<path>` and bare context names (js_eval.rs's
// fast paths); every other expression, and every predicate (skip_if, stop_after_if, branchone,
// retry_if: always wrapped in Boolean(…)), fails there.

export interface V8Use {
  flow: string;
  /** step.parameter, e.g. "pr.skip_if" or "execute.input_transforms.note". */
  where: string;
  expr: string;
  rule: string;
}

const PREDICATE = "a predicate (skip_if, stop_after_if, stop_after_all_iters_if, branchone, retry_if) is always evaluated in V8, as Boolean(expr)";

function v8UsesIn(flowPath: string, flow: FlowFile): V8Use[] {
  const out: V8Use[] = [];
  const required = new Set(flow.schema?.required ?? []);
  const transform = (where: string, t: InputTransform | undefined, inLoop: boolean) => {
    if (t?.type !== "javascript") return;
    const form = nativeForm(t.expr);
    if (form.kind === "v8") out.push({ flow: flowPath, where, expr: t.expr, rule: form.rule });
    else if (form.kind === "flow_input" && !required.has(form.key) && !(inLoop && (form.key === "iter" || form.key === "iter_parent"))) {
      out.push({
        flow: flowPath,
        where,
        expr: t.expr,
        rule: `flow_input.${form.key} is optional: when a caller leaves it out the key is absent, which only V8 evaluates (to undefined) — read it from an identity step (results.<id>.${form.key}, null when absent)`,
      });
    }
  };
  const predicate = (where: string, expr: string | undefined) => expr !== undefined && out.push({ flow: flowPath, where, expr, rule: PREDICATE });
  const walk = (modules: FlowModule[], inLoop: boolean) => {
    for (const m of modules) {
      predicate(`${m.id}.skip_if`, m.skip_if?.expr);
      predicate(`${m.id}.stop_after_if`, m.stop_after_if?.expr);
      predicate(`${m.id}.stop_after_all_iters_if`, m.stop_after_all_iters_if?.expr);
      predicate(`${m.id}.retry.retry_if`, m.retry?.retry_if?.expr);
      transform(`${m.id}.sleep`, m.sleep, inLoop);
      const v = m.value;
      if (v.type === "script" || v.type === "rawscript" || v.type === "flow") {
        for (const [p, t] of Object.entries(v.input_transforms ?? {})) transform(`${m.id}.input_transforms.${p}`, t, inLoop);
      } else if (v.type === "forloopflow") {
        transform(`${m.id}.iterator`, v.iterator, inLoop);
        if (typeof v.parallelism === "object") transform(`${m.id}.parallelism`, v.parallelism, inLoop);
        walk(v.modules, true);
      } else if (v.type === "whileloopflow") walk(v.modules, true);
      else if (v.type === "branchone") {
        v.branches.forEach((b, i) => (predicate(`${m.id}.branches[${i}].expr`, b.expr), walk(b.modules, inLoop)));
        walk(v.default ?? [], inLoop);
      } else if (v.type === "branchall") for (const b of v.branches) walk(b.modules, inLoop);
    }
  };
  walk(flow.value.modules, false);
  if (flow.value.failure_module) walk([flow.value.failure_module], false);
  if (flow.value.preprocessor_module) walk([flow.value.preprocessor_module], false);
  return out;
}

/** Each flow of the tree with its path (f/…, without __flow). */
const flowsOf = (root: string) =>
  listFlowFiles(root).map((file) => ({ flowPath: path.relative(root, path.dirname(file)).replace(/__flow$/, ""), flow: loadFlow(file) }));

/** Every expression of the tree's flows that only a Windmill with V8 evaluates. */
export function v8Uses(root = REPO_ROOT): V8Use[] {
  return flowsOf(root).flatMap(({ flowPath, flow }) => v8UsesIn(flowPath, flow));
}

/**
 * The bundle's V8-only expressions must each be listed, with the reason, in the README table
 * "Expressions that need V8" (rows `| flow | step.parameter | expression | why |`).
 */
export function v8Problems(root = REPO_ROOT, readme = path.join(root, "README.md")): string[] {
  const uses = v8Uses(root);
  const listed = new Set(
    (existsSync(readme) ? readFileSync(readme, "utf8") : "")
      .split("\n")
      .map((l) => /^\|\s*`?([^`|]+?)`?\s*\|\s*`?([^`|]+?)`?\s*\|/.exec(l))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => `${m[1]} ${m[2]}`),
  );
  return uses
    .filter((u) => !listed.has(`${u.flow} ${u.where}`))
    .map(
      (u) =>
        `flow ${u.flow}, ${u.where}: \`${u.expr}\` needs V8 (${u.rule}) — make it a plain reference (a script decides), or list it with the reason in the README's "Expressions that need V8" table`,
    );
}

// ---------------------------------------------------------------------------------------------
// Timeouts Windmill does not enforce. Only a script job has a process its worker kills past the
// limit (handle_child.rs); a `timeout` on a subflow step, a loop or branches is stored and ignored
// (measured on CE v1.592.1: the `timeout: …` rows of test:windmill). In the bundle such a timeout
// would promise a bound that does not exist, so it is an error there (the conformance flows keep
// theirs on purpose: they are what the rows measure).

/** Calls `visit` with each list of steps of a flow: the top level, each loop body and branch, and the failure module alone. */
function eachStepList(flow: FlowFile, visit: (modules: FlowModule[]) => void): void {
  const walk = (modules: FlowModule[]) => {
    visit(modules);
    for (const { value: v } of modules) {
      if (v.type === "forloopflow" || v.type === "whileloopflow") walk(v.modules);
      else if (v.type === "branchone") [...v.branches.map((b) => b.modules), v.default ?? []].forEach(walk);
      else if (v.type === "branchall") v.branches.forEach((b) => walk(b.modules));
    }
  };
  walk(flow.value.modules);
  if (flow.value.failure_module) walk([flow.value.failure_module]);
}

/** Every step of the tree's flows with a `timeout` Windmill ignores (not on a script step). */
export function unenforcedTimeouts(root = REPO_ROOT): FlowProblem[] {
  const out: FlowProblem[] = [];
  for (const { flowPath, flow } of flowsOf(root))
    eachStepList(flow, (modules) => {
      for (const m of modules)
        if (m.timeout !== undefined && m.value.type !== "script" && m.value.type !== "rawscript")
          out.push({
            flow: flowPath,
            step: m.id,
            parameter: "timeout",
            message: `Windmill enforces no timeout on a ${m.value.type} step (only a script job's process is killed past its limit) — set it on the script steps inside, or in the scripts' .script.yaml`,
          });
    });
  return out;
}

/** The step that fails a run once with the bad input a retried step handed on (f/devgodzilla/lib/bad_input.ts). */
export const FAIL_ON_BAD_INPUT = "f/devgodzilla/fail_on_bad_input";

/**
 * Retried script steps that would let Windmill retry bad input (it retries a failed step whatever
 * its error; retry_if needs V8): each must run a script that can hand bad input on (a `bad_input`
 * parameter), pass it `return`, and be followed by FAIL_ON_BAD_INPUT on its result, without retries.
 */
export async function unguardedRetries(root = REPO_ROOT): Promise<FlowProblem[]> {
  const out: FlowProblem[] = [];
  for (const { flowPath, flow } of flowsOf(root)) {
    const problem = (step: string, message: string, parameter?: string) => out.push({ flow: flowPath, step, parameter, message });
    const retried: { m: FlowModule; next?: FlowModule }[] = [];
    eachStepList(flow, (modules) => modules.forEach((m, i) => m.value.type === "script" && retriesOf(m) && retried.push({ m, next: modules[i + 1] })));
    for (const { m, next } of retried) {
      const v = m.value as Extract<FlowModule["value"], { type: "script" }>;
      if (v.path === FAIL_ON_BAD_INPUT) {
        problem(m.id, `${FAIL_ON_BAD_INPUT} must not be retried: it fails on purpose`, "retry");
        continue;
      }
      if (!(await takesBadInput(root, v.path))) {
        problem(m.id, `retried, but ${v.path} cannot hand bad input on (no bad_input parameter): wrap its main with handingOnBadInput (lib/bad_input.ts)`);
        continue;
      }
      const given = v.input_transforms?.bad_input;
      if (given?.type !== "static" || given.value !== "return") problem(m.id, 'must be static "return" on a retried step', "bad_input");
      const after = next?.value;
      const checked = after?.type === "script" && after.path === FAIL_ON_BAD_INPUT ? after.input_transforms?.step_result : undefined;
      if (checked?.type !== "javascript" || checked.expr !== `results.${m.id}`)
        problem(m.id, `must be followed by a ${FAIL_ON_BAD_INPUT} step given step_result: results.${m.id}`);
    }
  }
  return out;
}

const retriesOf = (m: FlowModule) => (m.retry?.constant?.attempts ?? 0) + (m.retry?.exponential?.attempts ?? 0);

/** The script's `main` has a `bad_input` parameter (read as the flow type-check reads parameters: signatureOf). */
async function takesBadInput(root: string, scriptPath: string): Promise<boolean> {
  const file = path.join(root, `${scriptPath}.ts`);
  return existsSync(file) && (await signatureOf(file)).args.some((a) => a.name === "bad_input");
}
