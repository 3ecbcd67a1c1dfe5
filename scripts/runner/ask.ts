// An approval answered by a person at the terminal: the step's description, then each field of its
// resume form — the prompt says what Enter does (it takes the pre-filled answer) and how to leave a
// field empty — each value checked as it is typed (answers.ts: options, choices, types), then a
// strict approve / reject. Ctrl-C leaves the question open: the run stays suspended, resumable.
import readline from "node:readline/promises";
import { checkAnswer, checkValue, questionOf, type Field } from "./answers.ts";
import type { AskFn } from "./engine.ts";
import type { PendingApproval } from "./runs.ts";

export interface TerminalAsker {
  ask: AskFn;
  /** Ctrl-C (or the end of input) came while a question was open. */
  readonly interrupted: boolean;
}

const YES = /^(y|yes)$/i;
const NO = /^(n|no)$/i;

/** What the typed text means for this field, or why it does not fit. */
function parseTyped(f: Field, typed: string): { value: unknown } | { problem: string } {
  if (typed === "") return { value: f.default };
  if (typed === "-" && f.type === "string") return { value: "" };
  if (f.type === "boolean")
    return YES.test(typed) || typed === "true" ? { value: true } : NO.test(typed) || typed === "false" ? { value: false } : { problem: "answer y or n" };
  if (f.type === "number" || f.type === "integer") return { value: Number(typed) };
  if (f.type === "object" || f.type === "array") {
    try {
      return { value: JSON.parse(typed) };
    } catch {
      return { problem: `type JSON (${f.type === "array" ? "[…]" : "{…}"})` };
    }
  }
  const choice = f.choices?.find((c) => String(c) === typed);
  return { value: choice ?? typed };
}

function promptFor(f: Field): string {
  const head = `${f.title ?? f.name}${f.description ? ` — ${f.description}` : ""}`;
  const what = f.choices?.length
    ? `one of ${f.choices.map((c) => String(c)).join(" / ")}`
    : f.optionKeys
      ? `option ${f.optionKeys.join(", ")} or your answer in words`
      : f.type === "boolean"
        ? "y or n"
        : f.type === "string"
          ? ""
          : f.type;
  const keys = [
    f.default !== undefined && f.default !== "" ? `Enter = ${JSON.stringify(f.default)}` : f.required ? "required" : "Enter = empty",
    f.type === "string" && f.default !== undefined && f.default !== "" ? "- = empty" : "",
  ].filter(Boolean);
  return `${head}\n  ${[what, ...keys].filter(Boolean).join(" · ")}\n  > `;
}

/** Serialised: two jobs that wait for an answer at once are asked one after the other. */
export function terminalAsker(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stderr): TerminalAsker {
  let interrupted = false;
  let queue: Promise<unknown> = Promise.resolve();

  const askOnce = async (pending: PendingApproval): Promise<unknown> => {
    const rl = readline.createInterface({ input, output, terminal: (input as { isTTY?: boolean }).isTTY === true });
    const abort = new AbortController();
    rl.on("SIGINT", () => {
      interrupted = true;
      abort.abort();
    });
    let answered = false; // closed by us once the question is answered: not an interruption
    rl.on("close", () => {
      if (!abort.signal.aborted && !answered) {
        interrupted = true;
        abort.abort();
      }
    });
    const say = (s: string) => void output.write(s);
    try {
      const q = questionOf(pending);
      const step = (pending.step_result ?? {}) as { description?: unknown; default_args?: Record<string, unknown> };
      const description = step.description && typeof step.description === "object" ? (step.description as { markdown?: string }).markdown : step.description;
      say(`\n── approval needed: ${pending.summary ?? pending.step_id} ──\n${description ? `${description}\n` : ""}\n`);
      // When the step pre-filled the form (default_args), ask for those fields and the required ones;
      // an optional field it left out keeps its default (a fixed-size form with unused slots).
      const prefilled = step.default_args && Object.keys(step.default_args).length ? step.default_args : null;
      const answer: Record<string, unknown> = {};
      for (const f of q.fields) {
        if (prefilled && !(f.name in prefilled) && !f.required) {
          if (f.default !== undefined) answer[f.name] = f.default;
          continue;
        }
        for (;;) {
          const parsed = parseTyped(f, (await rl.question(promptFor(f), { signal: abort.signal })).trim());
          const problems = "problem" in parsed ? [parsed.problem] : checkValue(f, parsed.value);
          if (!problems.length && "value" in parsed) {
            if (parsed.value !== undefined) answer[f.name] = parsed.value;
            break;
          }
          say(`  ✗ ${problems.join("; ")}\n`);
        }
      }
      const problems = checkAnswer(q, answer);
      if (problems.length) say(`  ✗ ${problems.join("; ")}\n`);
      for (;;) {
        const ok = (await rl.question(`Approve with these answers? [Y/n] (n rejects the step) `, { signal: abort.signal })).trim();
        if (ok === "" || YES.test(ok)) return problems.length ? undefined : answer;
        if (NO.test(ok)) return { __disapproved: true };
        say("  answer y (approve) or n (reject)\n");
      }
    } catch (e) {
      if (abort.signal.aborted) return undefined; // Ctrl-C or end of input: the question stays open
      throw e;
    } finally {
      answered = !abort.signal.aborted;
      rl.close();
    }
  };

  const ask: AskFn = (pending) => {
    const next = queue.then(() => (interrupted ? undefined : askOnce(pending)));
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    ask,
    get interrupted() {
      return interrupted;
    },
  };
}
