import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { parseQaConfig, QaConfigSchema } from "../../f/devgodzilla/lib/qa/config.ts";

describe("c_devgodzilla_qa", () => {
  const rt = parse(readFileSync("resources/c_devgodzilla_qa.resource-type.yaml", "utf8"));
  it("the resource-type schema and the zod schema name the same fields", () => {
    const zodKeys = (s: unknown): string[] => Object.keys((s as { shape: Record<string, unknown> }).shape).sort();
    expect(Object.keys(rt.schema.properties).sort()).toEqual(zodKeys(QaConfigSchema));
    const inner = (k: string) => (QaConfigSchema.shape as Record<string, { unwrap?: () => unknown; def: { innerType?: unknown } }>)[k];
    for (const k of ["weights", "checklist", "checks"]) {
      const z = inner(k).def.innerType as { shape: Record<string, unknown> };
      expect(Object.keys(rt.schema.properties[k].properties).sort(), k).toEqual(Object.keys(z.shape).sort());
    }
  });
  it("the example resource value is valid and overrides the defaults", () => {
    const c = parseQaConfig(JSON.parse(readFileSync("resources/c_devgodzilla_qa.example.json", "utf8")));
    expect(c.threshold).toBe(0.75);
    expect(c.gates).toEqual({ simplicity: "off" });
    expect(c.principles).toEqual({ IX: "warning" });
    expect(c.checklist.token_budget).toBe(8000);
  });
  it("an unknown field is one clear error naming it", () => {
    expect(() => parseQaConfig({ treshold: 0.5 })).toThrow(/c_devgodzilla_qa.*treshold|Unrecognized key/);
    expect(() => parseQaConfig({ gates: { "test-first": "sometimes" } })).toThrow(/gates\.test-first/);
  });
  it("gates are QA's named gates and checks; a principle numeral under gates says to put it under principles", () => {
    expect(() => parseQaConfig({ gates: { III: "warning" } })).toThrow(/"principles"/);
    expect(parseQaConfig({ principles: { III: "warning", "library-first": "off" }, gates: { scope: "warning" } })).toMatchObject({
      principles: { III: "warning", "library-first": "off" },
      gates: { scope: "warning" },
    });
  });
});
