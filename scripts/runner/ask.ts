// An approval answered by a person at the terminal: the step's description, then each field of its
// resume form with the pre-filled default, then approve or reject.
import readline from "node:readline/promises";
import type { PendingApproval } from "./runs.ts";

export /** Asks the approval's questions at the terminal: shows the description and each form field with its default. */
async function askAtTerminal(pending: PendingApproval): Promise<unknown> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const step = (pending.step_result ?? {}) as { description?: unknown; default_args?: Record<string, unknown>; enums?: Record<string, unknown[]> };
    const description = step.description && typeof step.description === "object" ? (step.description as { markdown?: string }).markdown : step.description;
    process.stderr.write(`\n── approval needed: ${pending.summary ?? pending.step_id} ──\n${description ? `${description}\n` : ""}`);
    const props = pending.form?.properties ?? {};
    const order = pending.form?.order ?? Object.keys(props);
    const answer: Record<string, unknown> = {};
    // When the step pre-filled the form (default_args), ask for those fields and the required ones;
    // an optional field it left out keeps its default (a fixed-size form with unused slots).
    const prefilled = step.default_args && Object.keys(step.default_args).length ? step.default_args : null;
    const required = new Set(pending.form?.required ?? []);
    for (const name of order) {
      if (prefilled && !(name in prefilled) && !required.has(name)) {
        if (props[name]?.default !== undefined) answer[name] = props[name].default;
        continue;
      }
      const p = props[name] ?? {};
      const def = step.default_args?.[name] ?? p.default;
      const choices = (step.enums?.[name] ?? p.enum) as unknown[] | undefined;
      const label = `${p.title ?? name}${p.description ? ` — ${p.description}` : ""}${choices ? ` [${choices.join(" / ")}]` : ""}${def !== undefined ? ` (default: ${JSON.stringify(def)})` : ""}: `;
      const typed = (await rl.question(label)).trim();
      if (!typed) answer[name] = def;
      else if (p.type === "boolean") answer[name] = /^(y|yes|true|1)$/i.test(typed);
      else if (p.type === "number" || p.type === "integer") answer[name] = Number(typed);
      else if (p.type === "object" || p.type === "array") answer[name] = JSON.parse(typed);
      else answer[name] = typed;
    }
    const ok = (await rl.question("Approve? [Y/n] ")).trim();
    return /^n/i.test(ok) ? { __disapproved: true } : answer;
  } finally {
    rl.close();
  }
}

