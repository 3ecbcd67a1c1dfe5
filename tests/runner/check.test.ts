// `npm run check` catches a broken flow before Windmill does, naming the flow, the step and the parameter.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { FAIL_ON_BAD_INPUT, flowProblems, formatProblem, unenforcedTimeouts, unguardedRetries, v8Problems, v8Uses } from "../../scripts/check/flows.ts";
import { generateSchemas, schemaProblems } from "../../scripts/check/schemas.ts";

const fixtures = path.resolve(__dirname, "../flows");
const root = mkdtempSync(path.join(os.tmpdir(), "dgz-check-"));
cpSync(fixtures, root, { recursive: true });
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeFlow(name: string, modules: unknown[], inputs: Record<string, unknown> = {}) {
  mkdirSync(path.join(root, "f/conformance", `${name}__flow`), { recursive: true });
  writeFileSync(
    path.join(root, "f/conformance", `${name}__flow`, "flow.yaml"),
    YAML.stringify({ summary: name, value: { modules }, schema: { type: "object", properties: inputs } }),
  );
}
const problemsOf = async (flow: string) => (await flowProblems(root)).filter((p) => p.flow === `f/conformance/${flow}`).map(formatProblem);

describe("flow type-check", () => {
  it("the conformance flows, which run green, have no problems", async () => {
    expect((await flowProblems(fixtures)).map(formatProblem)).toEqual([]);
  });

  it("an unknown script path names the flow and step, and suggests the near one", async () => {
    writeFlow("bad_path", [{ id: "greet", value: { type: "script", path: "f/conformance/ecko", input_transforms: {} } }]);
    expect(await problemsOf("bad_path")).toEqual([
      "flow f/conformance/bad_path, step greet: script f/conformance/ecko does not exist in the bundle (did you mean f/conformance/echo?)",
    ]);
  });

  it("a misspelled parameter names flow, step and parameter", async () => {
    writeFlow("bad_param", [{ id: "greet", value: { type: "script", path: "f/conformance/echo", input_transforms: { valeu: { type: "static", value: 1 } } } }]);
    expect(await problemsOf("bad_param")).toEqual([
      'flow f/conformance/bad_param, step greet, parameter valeu: f/conformance/echo has no parameter "valeu" (did you mean "value"?); its parameters are value, label',
    ]);
  });

  it("a missing required parameter names it", async () => {
    writeFlow("missing_param", [
      { id: "count", value: { type: "script", path: "f/conformance/attempt", input_transforms: { succeed_on: { type: "static", value: 1 } } } },
    ]);
    expect(await problemsOf("missing_param")).toEqual([
      "flow f/conformance/missing_param, step count, parameter counter_file: required parameter of f/conformance/attempt is not supplied",
    ]);
  });

  it("a reference to a later step (or one that does not exist) is caught", async () => {
    writeFlow("later_ref", [
      { id: "first", value: { type: "script", path: "f/conformance/echo", input_transforms: { value: { type: "javascript", expr: "results.second.value" } } } },
      { id: "second", value: { type: "script", path: "f/conformance/echo", input_transforms: {} } },
    ]);
    expect(await problemsOf("later_ref")).toEqual([
      'flow f/conformance/later_ref, step first, parameter value: results.second is not a step that runs before "first"',
    ]);
  });

  it("expressions that do not parse, read unknown names, or misuse loop variables are caught", async () => {
    writeFlow(
      "bad_exprs",
      [
        { id: "a", value: { type: "script", path: "f/conformance/echo", input_transforms: { value: { type: "javascript", expr: "flow_input.name +" } } } },
        { id: "b", value: { type: "script", path: "f/conformance/echo", input_transforms: { value: { type: "javascript", expr: "process.env.SECRET" } } } },
        { id: "c", value: { type: "script", path: "f/conformance/echo", input_transforms: { value: { type: "javascript", expr: "flow_input.iter.value" } } } },
        { id: "d", value: { type: "script", path: "f/conformance/echo", input_transforms: { value: { type: "javascript", expr: "flow_input.nmae" } } } },
      ],
      { name: { type: "string" } },
    );
    const problems = await problemsOf("bad_exprs");
    expect(problems[0]).toMatch(/^flow f\/conformance\/bad_exprs, step a, parameter value: javascript expression does not parse/);
    expect(problems[1]).toMatch(/step b, parameter value: javascript expression reads "process", which is not in scope here/);
    expect(problems[2]).toMatch(/step c, parameter value: flow_input.iter exists only inside a loop/);
    expect(problems[3]).toMatch(/step d, parameter value: flow_input.nmae is not an input of the flow \(did you mean flow_input.name\?\)/);
  });
});

describe(".script.yaml schemas", () => {
  it("a parameter added to main but not to .script.yaml is drift, and gen:schemas repairs it keeping hand-written descriptions", async () => {
    const script = path.join(root, "f/conformance/echo.ts");
    const meta = path.join(root, "f/conformance/echo.script.yaml");
    const yaml = YAML.parse(readFileSync(meta, "utf8"));
    yaml.schema.properties.value.description = "What to echo";
    writeFileSync(meta, YAML.stringify(yaml));
    writeFileSync(script, readFileSync(script, "utf8").replace('label = "")', 'label = "", times: number)'));
    const drift = await schemaProblems(root);
    expect(drift).toEqual([{ file: "f/conformance/echo.script.yaml", message: "schema differs from main's signature (+times) — run `npm run gen:schemas`" }]);
    expect(await generateSchemas(root)).toEqual(["f/conformance/echo.script.yaml"]);
    expect(await schemaProblems(root)).toEqual([]);
    const fixed = YAML.parse(readFileSync(meta, "utf8"));
    expect(fixed.schema.properties.times).toEqual({ description: "", type: "number" });
    expect(fixed.schema.required).toEqual(["times"]);
    expect(fixed.schema.properties.value.description).toBe("What to echo");
  });
});

describe("forms", () => {
  it("a bundle script parameter without a description is reported by name (its form field would have no help)", async () => {
    mkdirSync(path.join(root, "f/devgodzilla"), { recursive: true });
    writeFileSync(
      path.join(root, "f/devgodzilla/greet.ts"),
      "export async function main(name: string, loud = false) {\n  return loud ? name.toUpperCase() : name;\n}\n",
    );
    writeFileSync(path.join(root, "f/devgodzilla/greet.script.yaml"), "summary: Greet\n");
    await generateSchemas(root);
    const meta = path.join(root, "f/devgodzilla/greet.script.yaml");
    const yaml = YAML.parse(readFileSync(meta, "utf8"));
    yaml.schema.properties.name.description = "Who to greet";
    writeFileSync(meta, YAML.stringify(yaml));
    const problems = (await schemaProblems(root)).filter((p) => p.file.includes("greet"));
    expect(problems).toEqual([{ file: "f/devgodzilla/greet.script.yaml", message: expect.stringMatching(/^parameters without a description: loud — /) }]);
    rmSync(path.join(root, "f/devgodzilla"), { recursive: true, force: true });
  });
});

describe("expressions that need V8", () => {
  it("lists predicates, computed transforms and optional flow inputs with the rule; plain references are not listed", () => {
    writeFlow(
      "v8_mix",
      [
        { id: "input", value: { type: "identity" } },
        {
          id: "step",
          skip_if: { expr: "results.input.n > 1" },
          value: {
            type: "script",
            path: "f/conformance/echo",
            input_transforms: {
              value: { type: "javascript", expr: "flow_input.n || 3" },
              label: { type: "javascript", expr: "flow_input.maybe" },
            },
          },
        },
        {
          id: "plain",
          value: {
            type: "script",
            path: "f/conformance/echo",
            input_transforms: {
              value: { type: "javascript", expr: "results.step.value" },
              label: { type: "javascript", expr: "results.input.maybe" },
            },
          },
        },
      ],
      { n: { type: "number" }, maybe: { type: "string" } },
    );
    const uses = v8Uses(root).filter((u) => u.flow === "f/conformance/v8_mix");
    expect(uses.map((u) => [u.where, u.expr])).toEqual([
      ["step.skip_if", "results.input.n > 1"],
      ["step.input_transforms.value", "flow_input.n || 3"],
      ["step.input_transforms.label", "flow_input.maybe"],
    ]);
    expect(uses[0].rule).toMatch(/always evaluated in V8/);
    expect(uses[2].rule).toMatch(/optional.*identity step/);
  });

  it("the bundle's flows need none, and one not listed in the README fails the check naming the flow and step", () => {
    expect(v8Uses()).toEqual([]);
    const readme = path.join(root, "README.md");
    writeFileSync(
      readme,
      "| flow | where | expression | why |\n|---|---|---|---|\n| `f/conformance/v8_mix` | `step.skip_if` | `results.input.n > 1` | demo |\n",
    );
    const problems = v8Problems(root, readme).filter((p) => p.includes("v8_mix"));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^flow f\/conformance\/v8_mix, step\.input_transforms\.value: `flow_input\.n \|\| 3` needs V8/);
  });
});

describe("timeouts Windmill does not enforce", () => {
  it("a timeout on a subflow step, a loop or a branch is named (flow, step); one on a script step, even nested, is not", () => {
    const echo = (id: string, timeout?: number) => ({
      id,
      ...(timeout ? { timeout } : {}),
      value: { type: "script", path: "f/conformance/echo", input_transforms: { value: { type: "static", value: 1 } } },
    });
    writeFlow("unenforced_timeouts", [
      echo("plain", 5),
      { id: "child", timeout: 5, value: { type: "flow", path: "f/conformance/echo_flow", input_transforms: {} } },
      { id: "loop", timeout: 5, value: { type: "forloopflow", iterator: { type: "static", value: [1] }, skip_failures: false, modules: [echo("inner", 5)] } },
      {
        id: "fan",
        value: { type: "branchall", parallel: true, branches: [{ modules: [{ id: "deep", timeout: 5, value: { type: "branchall", branches: [] } }] }] },
      },
    ]);
    const named = unenforcedTimeouts(root)
      .filter((p) => p.flow === "f/conformance/unenforced_timeouts")
      .map((p) => p.step);
    expect(named).toEqual(["child", "loop", "deep"]);
    expect(formatProblem(unenforcedTimeouts(root).find((p) => p.step === "loop")!)).toMatch(
      /^flow f\/conformance\/unenforced_timeouts, step loop, parameter timeout: Windmill enforces no timeout on a forloopflow step/,
    );
  });

  it("the bundle's flows have none (the conformance flows that measure them do)", () => {
    expect(unenforcedTimeouts().map(formatProblem)).toEqual([]);
    expect(unenforcedTimeouts(fixtures).map((p) => p.flow)).toContain("f/conformance/timeout_subflow");
  });
});

describe("retried steps and bad input", () => {
  const retry = { constant: { attempts: 1, seconds: 5 } };
  const handsOn = (id: string, badInput?: string) => ({
    id,
    retry,
    value: {
      type: "script",
      path: "f/conformance/hands_on",
      input_transforms: { value: { type: "static", value: 1 }, ...(badInput ? { bad_input: { type: "static", value: badInput } } : {}) },
    },
  });
  const check = (id: string, of: string) => ({
    id,
    value: { type: "script", path: FAIL_ON_BAD_INPUT, input_transforms: { step_result: { type: "javascript", expr: `results.${of}` } } },
  });
  const named = async (flow: string) => (await unguardedRetries(root)).filter((p) => p.flow === `f/conformance/${flow}`).map(formatProblem);

  it("a retried step must hand bad input on to a fail_on_bad_input step after it; each miss names the flow, step and what to do", async () => {
    // A script that can hand bad input on: a bad_input parameter of its main.
    writeFileSync(
      path.join(root, "f/conformance/hands_on.ts"),
      'export async function main(value = 0, bad_input: "fail" | "return" = "fail") { return value; }\n',
    );
    writeFlow("retried_guarded", [
      handsOn("a", "return"),
      check("a_check", "a"),
      {
        id: "loop",
        value: {
          type: "forloopflow",
          iterator: { type: "static", value: [1] },
          skip_failures: false,
          modules: [handsOn("b", "return"), check("b_check", "b")],
        },
      },
    ]);
    writeFlow("retried_unguarded", [
      { id: "plain", retry, value: { type: "script", path: "f/conformance/echo", input_transforms: { value: { type: "static", value: 1 } } } },
      handsOn("thrown", "fail"),
      check("thrown_check", "thrown"),
      handsOn("unchecked", "return"),
      check("wrong_check", "plain"),
      { ...check("retried_check", "plain"), retry },
    ]);
    expect(await named("retried_guarded")).toEqual([]);
    const problems = await named("retried_unguarded");
    expect(problems).toEqual([
      expect.stringMatching(
        /^flow f\/conformance\/retried_unguarded, step plain: retried, but f\/conformance\/echo cannot hand bad input on .*handingOnBadInput/,
      ),
      expect.stringMatching(/^flow f\/conformance\/retried_unguarded, step thrown, parameter bad_input: must be static "return"/),
      expect.stringMatching(
        /^flow f\/conformance\/retried_unguarded, step unchecked: must be followed by a f\/devgodzilla\/fail_on_bad_input step given step_result: results\.unchecked/,
      ),
      expect.stringMatching(/^flow f\/conformance\/retried_unguarded, step retried_check, parameter retry: .* must not be retried/),
    ]);
  });

  it("the bundle's flows have none", async () => {
    expect((await unguardedRetries()).map(formatProblem)).toEqual([]);
  });
});
