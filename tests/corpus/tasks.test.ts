// tasks.md files written by other people (../shared/corpus/<set>/tasks, or DEVGODZILLA_CORPUS):
// properties that must hold on ANY real file, checked against the file's own lines — never the
// exact wording or the expected edges of one file.
import { describe, expect, it } from "vitest";
import { parseTasksMd, type TaskDag } from "../../f/devgodzilla/lib/speckit/tasks.ts";
import { acyclic, everyEdgeExplained, everyTaskLineAccounted, parallelRespected, statementsReported } from "../spec/task-dag-properties.ts";
import { corpusFiles, readCorpus } from "./corpus.ts";

const files = corpusFiles("tasks");
const parsed = new Map<string, { md: string; dag: TaskDag }>();
function load(f: string) {
  if (!parsed.has(f)) {
    const md = readCorpus(f);
    parsed.set(f, { md, dag: parseTasksMd(md) });
  }
  return parsed.get(f)!;
}

describe("task_dag over real-world tasks.md files", () => {
  it("finds the corpus files", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)("every checkbox line of %s is a task, part of a task, a statement about a task, or a warning naming it", (f) => {
    const { md, dag } = load(f);
    everyTaskLineAccounted(md, dag);
  });

  it.each(files)("every edge of %s says why it exists; stated ones quote a line of the file", (f) => {
    const { md, dag } = load(f);
    everyEdgeExplained(md, dag);
  });

  it.each(files)("the DAG of %s has no cycle and every dependency is an earlier level", (f) => {
    acyclic(load(f).dag);
  });

  it.each(files)("in %s nothing the file says runs in parallel is joined by an edge the file did not state", (f) => {
    parallelRespected(load(f).dag);
  });

  it.each(files)("each dependency sentence of %s that was read is reported with its effect, uncertain ones as warnings", (f) => {
    const { md, dag } = load(f);
    statementsReported(md, dag);
  });
});
