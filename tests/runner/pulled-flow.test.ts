// A flow as `wmill sync pull` writes it: Windmill stores a step's timeout as a static input
// transform; the local runner reads it as the number of seconds it is.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadFlow } from "../../scripts/runner/bundle.ts";

describe("flows as Windmill stores them", () => {
  it("a timeout given as {type: static, value} is that many seconds, also inside loops", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "dgz-pulled-"));
    try {
      const file = path.join(dir, "flow.yaml");
      writeFileSync(
        file,
        [
          "summary: pulled",
          "value:",
          "  modules:",
          "    - id: a",
          "      timeout: { type: static, value: 900 }",
          "      value: { type: identity }",
          "    - id: loop",
          "      value:",
          "        type: forloopflow",
          "        iterator: { type: static, value: [1] }",
          "        modules:",
          "          - id: b",
          "            timeout: { type: static, value: 30 }",
          "            value: { type: identity }",
          "",
        ].join("\n"),
      );
      const flow = loadFlow(file);
      expect(flow.value.modules[0]!.timeout).toBe(900);
      expect((flow.value.modules[1]!.value as { modules: { timeout?: number }[] }).modules[0]!.timeout).toBe(30);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
