// Bad input a retried step meets is handed on as its result and raised, once, by the next step
// (lib/bad_input.ts): Windmill retries a failed step whatever its error, so throwing it would
// repeat the step. What no retry can cure is handed on; what a later attempt may not meet is thrown.
import { describe, expect, it } from "vitest";
import { handingOnBadInput, failOnBadInput } from "../f/devgodzilla/lib/bad_input.ts";
import { needsAPerson, InputError } from "../f/devgodzilla/lib/errors.ts";
import { explainFailure } from "../f/devgodzilla/lib/flow_failure.ts";
import { validateFeatureDescription } from "../f/devgodzilla/lib/llm/steps/specify.ts";
import { ConstitutionViolationError, ContextOverflowError, StructuredOutputError, TransientLlmError } from "../f/devgodzilla/lib/llm/errors.ts";
import { withUsage, type UsageTotals } from "../f/devgodzilla/lib/llm/usage.ts";
import { ForgeAuthError, ForgeValidationError } from "../f/devgodzilla/lib/platform/forge.ts";
import { main as specify } from "../f/devgodzilla/specify.ts";
import { main as failStep } from "../f/devgodzilla/fail_on_bad_input.ts";

const thrown = (e: Error) => () => Promise.reject(e);
const llm = { provider: "openai", model: "m" };

describe("which errors need a person", () => {
  it("bad input, a resource, the repository's content and a constitution verdict do; a flaky model or forge answer does not", () => {
    const person = [
      new InputError("feature_description", "is empty"),
      new ContextOverflowError("too long", llm),
      new ConstitutionViolationError([{ principle: "Simplicity", evidence: "two stores" }]),
      new ForgeAuthError("github", 401, "bad token"),
    ];
    const retry = [
      new TransientLlmError("503", { ...llm, attempts: 4 }),
      new StructuredOutputError("not JSON", { ...llm, raw: "", issues: [], attempts: 3 }),
      new ForgeValidationError("github", 422, "head sha can't be blank"),
      new Error("ECONNRESET"),
    ];
    expect(person.map(needsAPerson)).toEqual(person.map(() => true));
    expect(retry.map(needsAPerson)).toEqual(retry.map(() => false));
    expect(needsAPerson({ name: "InputError", message: "not an Error" })).toBe(false);
  });
});

describe("a retried step hands bad input on, the next step raises it", () => {
  it("with `return`, bad input becomes the result, and the next step throws it as it was thrown: name, message, usage", async () => {
    const usage: UsageTotals = { calls: 1, inputTokens: 900, outputTokens: 80, costUsd: 0.01, unpricedModels: [], byModel: {} };
    const violation = withUsage(new ConstitutionViolationError([{ principle: "Simplicity", evidence: "two stores" }]), usage);
    const handed = await handingOnBadInput("return", thrown(violation));
    expect(handed).toMatchObject({ bad_input: { name: "ConstitutionViolationError", message: violation.message, fields: { usage } } });
    // Through JSON, as Windmill passes a step's result to the next step.
    const raised = (await failStep(JSON.parse(JSON.stringify(handed))).catch((e: Error) => e)) as Error;
    expect(raised).toBeInstanceOf(Error);
    expect(raised).toMatchObject({ name: "ConstitutionViolationError", message: violation.message, usage, hint: violation.hint });
    // The failure module matches on the name: its advice is the violation's, not the generic one.
    expect(explainFailure("spec_to_tasks", { name: raised.name, message: raised.message, step_id: "plan_check" }).markdown).toMatch(
      /Adjust the plan or amend the constitution/,
    );
  });

  it("errors a later attempt may not meet are thrown, so Windmill retries them", async () => {
    const flaky = new TransientLlmError("503", { ...llm, attempts: 4 });
    await expect(handingOnBadInput("return", thrown(flaky))).rejects.toBe(flaky);
    const lag = new ForgeValidationError("github", 422, "head sha can't be blank");
    await expect(handingOnBadInput("return", thrown(lag))).rejects.toBe(lag);
  });

  it("run on its own (`fail`, or left out as a flow's null), bad input is thrown as usual", async () => {
    const bad = new InputError("short_name", "is not kebab-case");
    await expect(handingOnBadInput("fail", thrown(bad))).rejects.toBe(bad);
    await expect(handingOnBadInput(null, thrown(bad))).rejects.toBe(bad);
  });

  it("the next step passes any other result on unchanged", async () => {
    for (const result of [{ branch: "b", commit: "c" }, [{ pr: 1 }], null, "text", { bad_input: "not one" }]) expect(await failStep(result)).toEqual(result);
  });

  it("a real step: specify given an empty description hands the InputError on before anything is cloned, or throws it on its own", async () => {
    const args = ["/nonexistent/repo", "main", "", "   "] as const;
    expect(() => validateFeatureDescription("   ")).toThrow(InputError);
    expect(await specify(...args, "", undefined, undefined, 6000, "return")).toMatchObject({
      bad_input: { name: "InputError", message: expect.stringMatching(/^feature_description: is empty/), fields: { field: "feature_description" } },
    });
    await expect(specify(...args)).rejects.toThrow(/feature_description: is empty/);
  });
});
