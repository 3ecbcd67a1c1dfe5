// test:agents global setup: the pinned agent CLIs from the npm registry (install.ts), handed to
// the tests with vitest's provide/inject.
import type { TestProject } from "vitest/node";
import { ensureAgentClis, type InstalledClis } from "./install.ts";

declare module "vitest" {
  export interface ProvidedContext {
    agentClis: InstalledClis;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  project.provide("agentClis", await ensureAgentClis());
}
