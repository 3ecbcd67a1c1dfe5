// Answers to approval steps, checked against the question that is open BEFORE the run is touched:
// `resume <id> -d '<json>'`, an `--answers` file and the terminal prompt all go through here. A
// payload that does not fit is rejected with the expected shape and the run stays suspended.
//
// What an approval asks comes from Windmill's own places: the step's `resume_form` schema (fields,
// types, `enum`, required), the suspend step's result (`default_args`, `enums`), and — for
// DevGodzilla's clarification approvals — `questions: [{id, options: [{key, answer}]}]` in that
// result: a field named after an open question accepts free text or one of its option keys.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { loadFlow } from "./bundle.ts";
import type { FlowModule } from "./openflow.ts";
import type { PendingApproval } from "./runs.ts";

export interface Field {
  name: string;
  type: string;
  description?: string;
  title?: string;
  required: boolean;
  default?: unknown;
  /** Windmill enum: the value must be one of these. */
  choices?: unknown[];
  /** Clarification options: free text, or one of these keys. */
  optionKeys?: string[];
}

export interface Question {
  step_id: string;
  fields: Field[];
  /** Open question ids of a clarification approval (fields outside it must stay empty). */
  openQuestions?: string[];
  /** The step has no resume form: any JSON object answers it, as on Windmill (nothing to check it against). */
  freeForm?: boolean;
}

type Schema = NonNullable<PendingApproval["form"]>;

function fieldsOf(
  schema: Schema | undefined,
  step: { default_args?: Record<string, unknown>; enums?: Record<string, unknown[]> } = {},
  questions?: { id?: string; options?: { key?: string }[] }[],
): Field[] {
  const props = schema?.properties ?? {};
  const required = new Set(schema?.required ?? []);
  return (schema?.order ?? Object.keys(props))
    .filter((name) => props[name])
    .map((name) => {
      const p = props[name]!;
      const options = questions
        ?.find((q) => q.id === name)
        ?.options?.map((o) => String(o.key ?? ""))
        .filter(Boolean);
      return {
        name,
        type: typeof p.type === "string" ? p.type : "string",
        description: typeof p.description === "string" ? p.description : undefined,
        title: typeof p.title === "string" ? p.title : undefined,
        required: required.has(name),
        default: step.default_args?.[name] ?? p.default,
        choices: (step.enums?.[name] ?? p.enum) as unknown[] | undefined,
        optionKeys: options?.length ? options : undefined,
      };
    });
}

/** The question a suspended step asks, from its form and its result. */
export function questionOf(pending: PendingApproval): Question {
  const step = (pending.step_result ?? {}) as { default_args?: Record<string, unknown>; enums?: Record<string, unknown[]>; questions?: unknown };
  const questions = Array.isArray(step.questions) ? (step.questions as { id?: string; options?: { key?: string }[] }[]) : undefined;
  return {
    step_id: pending.step_id,
    fields: fieldsOf(pending.form, step, questions),
    openQuestions: questions?.map((q) => String(q.id ?? "")).filter(Boolean),
    freeForm: !pending.form,
  };
}

const isEmpty = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");

/** Problems of one field's value; none = it fits. */
export function checkValue(f: Field, v: unknown): string[] {
  if (isEmpty(v)) return f.required ? [`"${f.name}" is required`] : [];
  const type = f.type;
  if (type === "boolean" && typeof v !== "boolean") return [`"${f.name}" must be true or false, got ${JSON.stringify(v)}`];
  if ((type === "number" || type === "integer") && (typeof v !== "number" || !Number.isFinite(v) || (type === "integer" && !Number.isInteger(v)))) {
    return [`"${f.name}" must be ${type === "integer" ? "a whole number" : "a number"}, got ${JSON.stringify(v)}`];
  }
  if (type === "string" && typeof v !== "string") return [`"${f.name}" must be text, got ${JSON.stringify(v)}`];
  if (type === "array" && !Array.isArray(v)) return [`"${f.name}" must be a JSON array`];
  if (type === "object" && (typeof v !== "object" || Array.isArray(v))) return [`"${f.name}" must be a JSON object`];
  if (f.choices?.length && !f.choices.some((c) => JSON.stringify(c) === JSON.stringify(v))) {
    return [`"${f.name}" must be one of ${f.choices.map((c) => JSON.stringify(c)).join(", ")}, got ${JSON.stringify(v)}`];
  }
  if (f.optionKeys && typeof v === "string" && looksLikeKey(v.trim(), f.optionKeys) && !f.optionKeys.some((k) => k.toUpperCase() === v.trim().toUpperCase())) {
    return [`"${v.trim()}" is not an option of ${f.name} (options: ${f.optionKeys.join(", ")}); give one of them or the answer in words`];
  }
  return [];
}

/** A value shaped like the option keys (same length, letters vs digits) is meant as a key. */
function looksLikeKey(v: string, keys: string[]): boolean {
  const shape = (s: string) => `${s.length}:${/^[A-Za-z]+$/.test(s) ? "a" : /^\d+$/.test(s) ? "9" : "*"}`;
  return keys.some((k) => shape(k) === shape(v) && shape(k) !== `${k.length}:*`);
}

/** Problems of a whole payload; none = it fits the open question. A rejection (`{"__disapproved": true}`) always fits. */
export function checkAnswer(q: Question, payload: unknown): string[] {
  if (!payload || typeof payload !== "object" || Array.isArray(payload)) return [`the answer must be a JSON object, got ${JSON.stringify(payload)}`];
  const given = payload as Record<string, unknown>;
  if (given.__disapproved === true || q.freeForm) return [];
  const problems: string[] = [];
  const names = new Set(q.fields.map((f) => f.name));
  for (const k of Object.keys(given)) if (!names.has(k)) problems.push(`"${k}" is not a field of step ${q.step_id}`);
  for (const f of q.fields) {
    problems.push(...checkValue(f, given[f.name]));
    if (q.openQuestions && names.has(f.name) && !q.openQuestions.includes(f.name) && !isEmpty(given[f.name]) && given[f.name] !== f.default) {
      problems.push(`"${f.name}" answers a question that is not open (open: ${q.openQuestions.join(", ") || "none"})`);
    }
  }
  return problems;
}

/** `{"Q1": "<text, or option A | B>"}` — what a fitting answer looks like, with the fields that matter. */
export function expectedShape(q: Question): string {
  const shown = q.fields.filter((f) => !q.openQuestions || q.openQuestions.includes(f.name) || f.required);
  const parts = shown.map((f) => {
    const what = f.choices?.length
      ? f.choices.map((c) => JSON.stringify(c)).join(" | ")
      : f.optionKeys
        ? `"<option ${f.optionKeys.join(" | ")}, or your answer>"`
        : f.type === "boolean"
          ? "true | false"
          : f.type === "number" || f.type === "integer"
            ? "<number>"
            : f.type === "string"
              ? `"<text>"`
              : `<${f.type}>`;
    return `"${f.name}": ${what}${f.required ? "" : " (optional)"}`;
  });
  return `{${parts.join(", ")}}`;
}

// ---- the --answers file: {"<approval step id>": payload | [payload, payload…]}

interface FlowApprovals {
  /** Approval step id → its resume form. */
  steps: Map<string, Schema | undefined>;
  /** Flows this one runs as subflow steps. */
  subflows: string[];
}

/** Every flow under `root` with its approval steps (a flow may start any other flow as a job). */
export function approvalSteps(root: string): Map<string, FlowApprovals> {
  const flows = new Map<string, FlowApprovals>();
  const visit = (modules: FlowModule[] | undefined, into: FlowApprovals) => {
    for (const m of modules ?? []) {
      if (m.suspend?.required_events) into.steps.set(m.id, m.suspend.resume_form?.schema);
      const v = m.value as { type: string; path?: string; modules?: FlowModule[]; branches?: { modules: FlowModule[] }[]; default?: FlowModule[] };
      if (v.type === "flow" && v.path) into.subflows.push(v.path);
      visit(v.modules, into);
      for (const b of v.branches ?? []) visit(b.modules, into);
      visit(v.default, into);
    }
  };
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (!statSync(full, { throwIfNoEntry: false })?.isDirectory()) continue; // links followed: a bundle root may link its folders
      if (name.endsWith("__flow") && existsSync(path.join(full, "flow.yaml"))) {
        const entry: FlowApprovals = { steps: new Map(), subflows: [] };
        visit(loadFlow(path.join(full, "flow.yaml")).value.modules, entry);
        flows.set(path.relative(root, full).replace(/__flow$/, ""), entry);
      } else walk(full);
    }
  };
  walk(path.join(root, "f"));
  return flows;
}

/**
 * Problems of an `--answers` object for a run of `flowPath`: a key that is no approval step, or a
 * payload that fits no form of that step. Steps of the run's flow and its subflows are checked
 * against their own forms; a step only found elsewhere (a flow a script starts, like task_with_qa)
 * against every form of that id.
 */
export function checkAnswersFile(answers: Record<string, unknown>, root: string, flowPath: string): string[] {
  const flows = approvalSteps(root);
  const reachable: string[] = [];
  for (const queue = [flowPath]; queue.length;) {
    const f = queue.shift()!;
    if (reachable.includes(f) || !flows.has(f)) continue;
    reachable.push(f);
    queue.push(...flows.get(f)!.subflows);
  }
  const formsOf = (id: string, among: string[]) => among.filter((f) => flows.get(f)!.steps.has(id)).map((f) => flows.get(f)!.steps.get(id));
  const describe = (among: string[]) => among.flatMap((f) => [...flows.get(f)!.steps.keys()].map((id) => `${id} (${f})`));
  const known = [...new Set([...describe(reachable), ...describe([...flows.keys()].filter((f) => !reachable.includes(f)))])];
  const problems: string[] = [];
  for (const [id, given] of Object.entries(answers)) {
    const own = formsOf(id, reachable);
    const forms = own.length ? own : formsOf(id, [...flows.keys()]);
    if (!forms.length) {
      problems.push(`"${id}" is not an approval step — the keys are approval step ids: ${known.join(", ") || "(no flow has one)"}`);
      continue;
    }
    for (const [i, payload] of (Array.isArray(given) ? given : [given]).entries()) {
      const fits = forms.map((form) => checkAnswer({ step_id: id, fields: fieldsOf(form), freeForm: !form }, payload));
      if (fits.some((p) => p.length === 0)) continue;
      problems.push(
        `${id}${Array.isArray(given) ? `[${i}]` : ""}: ${fits[0]!.join("; ")} — expected ${expectedShape({ step_id: id, fields: fieldsOf(forms[0]) })}`,
      );
    }
  }
  return problems;
}
