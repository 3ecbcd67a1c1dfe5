// test:windmill rows for bad input: each flow of the bundle whose later steps retry, run with one
// wrong input on the local runner and on the server — inputs preflight catches, and one that only
// a retried step meets. Windmill retries a step that has `retry` whatever its error, so what is
// compared is every step that ran with its number of attempts, the failed step's error and how the
// run ended (read off job-tree.ts's tree on each side): the same "preflight, once, then the failure
// module" — or "the retried step once, its check fails the run" — on both sides shows bad input is
// not retried there.
import { readFileSync } from "node:fs";
import path from "node:path";
import YAML from "yaml";
import * as wmill from "windmill-client";
import { REPO_ROOT } from "../../scripts/runner/bundle.ts";
import { localUser } from "../../scripts/runner/cache.ts";
import type { WindmillServer } from "../../scripts/windmill/api.ts";
import { compareOutcomes, type Outcome, type Row } from "./compare.ts";
import { CONSTITUTION_BREAKING_FEATURE, type Fixture } from "./fixture.ts";
import { jobTree, type JobTree, type JobView } from "./job-tree.ts";
import { runLocal, runWindmill } from "./runners.ts";
import { sampleArgs, type InputSchema } from "./samples.ts";

/** One wrong input per flow, over the fixture's sample arguments. */
export const BAD_INPUTS: { flow: string; what: string; wrong: (fx: Fixture) => Record<string, unknown> }[] = [
  { flow: "spec_to_tasks", what: "a base branch the remote does not have", wrong: () => ({ base_branch: "no-such-branch" }) },
  { flow: "spec_to_pr", what: "an empty feature description", wrong: () => ({ feature_description: "   " }) },
  { flow: "execute_tasks", what: "a commit the remote does not have", wrong: () => ({ commit: "0123456789abcdef0123456789abcdef01234567" }) },
  {
    flow: "spec_to_tasks",
    what: "an llm API key the model provider refuses",
    // Given inline (a resource's value): the key is a made-up one, not a secret.
    wrong: (fx) => ({ llm: { provider: "openai", api_key: "sk-refused-0000000000000000", base_url: fx.llmBaseUrl, model: "demo-model" } }),
  },
  // Past preflight: only the plan step, which Windmill retries, meets it; it hands it on and
  // plan_check fails the run, so plan runs once on both sides.
  { flow: "spec_to_tasks", what: "a feature whose plan the constitution rejects", wrong: () => ({ feature_description: CONSTITUTION_BREAKING_FEATURE }) },
];

/** What a run did with bad input: each step with its attempts, the failed step's error name, how it ended. */
function whatRan(tree: JobTree): Outcome {
  const steps: string[] = [];
  let error: string | undefined;
  for (const m of tree.modules ?? []) {
    if (!m.jobs?.length) continue;
    steps.push(`${m.id} ×${m.jobs.length + (m.failed_retries?.length ?? 0)}`);
    const failed = m.jobs.find((j) => !j.success);
    error ??= (failed?.result as { error?: { name?: string } } | undefined)?.error?.name;
  }
  return { status: "success", result: { success: tree.success, steps, error, failure_module: tree.failure_module } };
}

export async function badInputRows(server: WindmillServer, user: string, fx: Fixture, log: (l: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  for (const c of BAD_INPUTS) {
    const flowPath = `f/devgodzilla/${c.flow}`;
    const item = `bad input: flow ${flowPath} with ${c.what}`;
    const schema = (YAML.parse(readFileSync(path.join(REPO_ROOT, `${flowPath}__flow/flow.yaml`), "utf8")) as { schema: InputSchema }).schema;
    const [localSide, wmSide] = [await fx.side("local"), await fx.side("windmill")];
    try {
      const [localArgs, wmArgs] = [sampleArgs(schema, fx.feature, localSide), sampleArgs(schema, fx.feature, wmSide)];
      if ("missing" in localArgs || "missing" in wmArgs) throw new Error(`${item}: no sample arguments`);
      log(`${item}: local runner`);
      const local = await runLocal(flowPath, { ...localArgs.args, ...c.wrong(fx) }, fx.store, fx.stateDir);
      // runPath points windmill-client at the runner's own job API.
      const localTree = await jobTree(
        (id) => wmill.JobService.getJob({ workspace: process.env.DEVGODZILLA_WORKSPACE || "local", id }) as Promise<JobView>,
        local.jobId,
        localUser(),
      );
      log(`${item}: windmill`);
      const wm = await runWindmill(server, "flow", flowPath, { ...wmArgs.args, ...c.wrong(fx) }, 300_000);
      const wmOutcome =
        wm.outcome.status === "needs-v8" || (wm.outcome.status === "failure" && wm.outcome.error.name === "Timeout")
          ? wm.outcome
          : whatRan(await jobTree((id) => server.call<JobView>("GET", `w/jobs_u/get/${id}`), wm.jobId, user));
      const localOutcome = whatRan(localTree);
      rows.push({ item, local: localOutcome, windmill: wmOutcome, ...compareOutcomes(localOutcome, wmOutcome) });
    } finally {
      await Promise.all([localSide.close(), wmSide.close()]);
    }
  }
  return rows;
}
