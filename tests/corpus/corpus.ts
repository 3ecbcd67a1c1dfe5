// Where the real-world Spec Kit corpus lives: ../shared/corpus/dev beside the checkout, or
// DEVGODZILLA_CORPUS. `npm run test:corpus` only; `npm test` never reads outside the repository.
import * as fs from "node:fs";
import * as path from "node:path";

export const CORPUS_DIR = path.resolve(process.env.DEVGODZILLA_CORPUS ?? path.join(__dirname, "../../../shared/corpus/dev"));

/** The corpus files of one kind (tasks, specs, constitutions), sorted; SOURCES.md is not one. */
export function corpusFiles(kind: "tasks" | "specs" | "constitutions"): string[] {
  const dir = path.join(CORPUS_DIR, kind);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".md") && f !== "SOURCES.md")
    .sort()
    .map((f) => path.join(dir, f));
}

export const readCorpus = (file: string) => fs.readFileSync(file, "utf8");
