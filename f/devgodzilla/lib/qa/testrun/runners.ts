// Which runner the project's test command runs, and how to make it write results in a machine
// format without changing what it runs. The command comes from the project profile (onboarding);
// a package script (`npm test`) is followed into package.json to the runner it invokes.
//   pytest, node:test  through the environment (PYTEST_ADDOPTS, NODE_OPTIONS): works however the
//                      runner is reached (make, tox, a script), so these are always requested
//   vitest, jest, mocha  arguments after the package script (`npm test -- --reporter=json …`), or
//                      the runner's own command when the script chains several commands
//   go test, cargo test  `-json` / libtest's JSON format on the command itself

import { join } from "node:path";
import type { ProjectCommand } from "../../project/profile.ts";
import { repoFiles } from "../../repo/files.ts";
import type { ResultFormat, RunnerId } from "./model.ts";

export interface ResultSource {
  runner: RunnerId;
  format: Exclude<ResultFormat, "text">;
  /** Absolute path of the result file, or "stdout" (go, cargo, mocha without an output option). */
  path: string;
}

export interface ReporterPlan {
  /** The command to run instead of the profile's (same program and arguments, plus reporter options). */
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  /** Where results will be, for every runner that may write them. */
  sources: ResultSource[];
  /** The runner the command was recognised as running (null: only the environment-driven ones). */
  runner: RunnerId | null;
  note?: string;
}

const PACKAGE_MANAGERS = new Set(["npm", "pnpm", "yarn", "bun"]);
const WRAPPERS: Record<string, number> = { npx: 1, bunx: 1, pnpx: 1 }; // program name → words to drop
const RUN_WRAPPERS = new Set(["uv", "poetry", "pipenv", "pdm", "hatch", "rye"]); // `<tool> run …`

const base = (p: string) => p.split("/").pop() ?? p;

/** The runner one command (argv, no shell) starts, looking through npx / `poetry run` / `python -m`. */
export function runnerOfArgv(argv: readonly string[]): { runner: RunnerId; at: number } | null {
  let i = 0;
  // Leading VAR=value assignments (a package script's words) and env / cross-env.
  while (i < argv.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i]!) || ["env", "cross-env", "cross-env-shell", "dotenv"].includes(base(argv[i]!)))) i++;
  const prog = base(argv[i] ?? "");
  if (WRAPPERS[prog]) return runnerOfArgv(argv.slice(i + 1).filter((a, k) => k > 0 || !a.startsWith("-")));
  if ((prog === "pnpm" || prog === "yarn") && argv[i + 1] === "exec") return shift(runnerOfArgv(argv.slice(i + 2)), i + 2);
  if (RUN_WRAPPERS.has(prog) && argv[i + 1] === "run") return shift(runnerOfArgv(argv.slice(i + 2)), i + 2);
  if (/^python[\d.]*$/.test(prog) && argv[i + 1] === "-m") {
    const mod = argv[i + 2] ?? "";
    return mod === "pytest" || mod === "py.test" ? { runner: "pytest", at: i + 2 } : null;
  }
  if (prog === "node" && argv.slice(i + 1).some((a) => a === "--test" || a.startsWith("--test="))) return { runner: "node-test", at: i };
  if (prog === "go" && argv[i + 1] === "test") return { runner: "go", at: i + 1 };
  if (prog === "cargo" && argv[i + 1] === "test") return { runner: "cargo", at: i + 1 };
  if (prog === "vitest") return { runner: "vitest", at: i };
  if (prog === "jest") return { runner: "jest", at: i };
  if (prog === "mocha" || prog === "_mocha") return { runner: "mocha", at: i };
  if (prog === "pytest" || prog === "py.test") return { runner: "pytest", at: i };
  return null;
}

function shift(r: { runner: RunnerId; at: number } | null, by: number) {
  return r ? { runner: r.runner, at: r.at + by } : null;
}

/** Words of a package script, split on whitespace with quotes kept together (no expansion). */
export function scriptWords(s: string): string[] {
  return [...s.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** The commands of a package script, split at && ; || (a pipe keeps its left side's runner). */
function scriptCommands(script: string): string[][] {
  return script
    .split(/&&|\|\||;/)
    .map((c) => scriptWords(c.split(/\|(?!\|)/)[0]!))
    .filter((w) => w.length);
}

interface ScriptRunner {
  runner: RunnerId;
  /** The script's command that runs it. */
  words: string[];
  /** True when it is the script's last command (arguments after `--` reach it). */
  last: boolean;
}

/** Follows `npm test` / `pnpm run test:unit` / `yarn test` into package.json (and nested `npm run x`). */
export function packageScriptRunner(argv: readonly string[], cwd: string, depth = 0): ScriptRunner | null {
  if (depth > 3 || !PACKAGE_MANAGERS.has(base(argv[0] ?? ""))) return null;
  const rest = argv.slice(1).filter((a) => !a.startsWith("-"));
  const name = rest[0] === "run" || rest[0] === "run-script" ? rest[1] : rest[0] === "test" || rest[0] === "t" ? "test" : rest[0];
  if (!name) return null;
  let scripts: Record<string, string>;
  try {
    // Through the repository-files gateway: a package.json linked out of the checkout is not read.
    scripts = (JSON.parse(repoFiles(cwd).readTextSync("package.json") ?? "") as { scripts?: Record<string, string> }).scripts ?? {};
  } catch {
    return null;
  }
  const script = scripts[name];
  if (typeof script !== "string") return null;
  const commands = scriptCommands(script);
  for (let k = 0; k < commands.length; k++) {
    const words = commands[k]!;
    const direct = runnerOfArgv(words);
    if (direct) return { runner: direct.runner, words, last: k === commands.length - 1 };
    const nested = packageScriptRunner(words, cwd, depth + 1);
    if (nested) return { ...nested, last: nested.last && k === commands.length - 1 };
  }
  return null;
}

/** Reporter arguments for the runners configured on the command line. */
function reporterArgs(runner: RunnerId, out: string): string[] {
  switch (runner) {
    case "vitest":
      return ["--reporter=default", "--reporter=json", `--outputFile.json=${out}`, "--includeTaskLocation"];
    case "jest":
      return ["--json", `--outputFile=${out}`, "--testLocationInResults"];
    case "mocha":
      return ["--reporter", "json", "--reporter-option", `output=${out}`];
    default:
      return [];
  }
}

const FORMAT: Record<RunnerId, ResultSource["format"]> = {
  vitest: "jest-json",
  jest: "jest-json",
  mocha: "mocha-json",
  "node-test": "node-events",
  pytest: "junit",
  go: "go-json",
  cargo: "cargo-json",
};

/**
 * The test command with reporters added. `outDir` is a directory the command may write to (inside
 * the sandbox's temp dir); `reporterModule` is where the node:test reporter module was written.
 */
export function planReporters(cmd: ProjectCommand, repoDir: string, outDir: string, reporterModule: string, env: Record<string, string> = {}): ReporterPlan {
  const cwd = join(repoDir, cmd.cwd ?? ".");
  const sources: ResultSource[] = [];
  const pytestXml = join(outDir, "pytest.xml");
  const nodeEvents = join(outDir, "node-events.jsonl");
  const planEnv: Record<string, string> = {
    // Appended to what the project sets, never replacing it.
    PYTEST_ADDOPTS: [env.PYTEST_ADDOPTS, `--junitxml=${pytestXml}`, "-o", "junit_family=xunit1"].filter(Boolean).join(" "),
    NODE_OPTIONS: [
      env.NODE_OPTIONS,
      `--test-reporter=${reporterModule}`,
      `--test-reporter-destination=${nodeEvents}`,
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
    ]
      .filter(Boolean)
      .join(" "),
  };
  sources.push({ runner: "pytest", format: "junit", path: pytestXml }, { runner: "node-test", format: "node-events", path: nodeEvents });
  let argv = [...cmd.argv];
  let runner: RunnerId | null = null;
  let note: string | undefined;
  const direct = runnerOfArgv(argv);
  const viaScript = direct ? null : packageScriptRunner(argv, cwd);
  runner = direct?.runner ?? viaScript?.runner ?? null;
  if (runner === "go" && direct) {
    argv.splice(direct.at + 1, 0, "-json");
    sources.push({ runner, format: "go-json", path: "stdout" });
  } else if (runner === "cargo" && direct) {
    const dd = argv.indexOf("--");
    argv =
      dd >= 0
        ? [...argv.slice(0, dd + 1), "-Z", "unstable-options", "--format", "json", ...argv.slice(dd + 1)]
        : [...argv, "--", "-Z", "unstable-options", "--format", "json"];
    // libtest's JSON output is unstable-gated; RUSTC_BOOTSTRAP lets a stable toolchain write it.
    planEnv.RUSTC_BOOTSTRAP = "1";
    sources.push({ runner, format: "cargo-json", path: "stdout" });
  } else if (runner === "vitest" || runner === "jest" || runner === "mocha") {
    const out = join(outDir, `${runner}.json`);
    const args = reporterArgs(runner, out);
    if (direct) argv = [...argv, ...args];
    else if (viaScript!.last) argv = [...argv, "--", ...args];
    else {
      // The runner is not the script's last command, so appended arguments would not reach it:
      // run its own command (with the package's bin directory on PATH, as the package manager would).
      const words = [...viaScript!.words];
      while (words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) {
        const w = words.shift()!;
        planEnv[w.slice(0, w.indexOf("="))] = w.slice(w.indexOf("=") + 1);
      }
      argv = [...words, ...args];
      planEnv.PATH = `${join(cwd, "node_modules", ".bin")}:${env.PATH ?? process.env.PATH ?? "/usr/bin:/bin"}`;
      note = `ran \`${words.join(" ")}\` from the package script directly so its reporter could be set`;
    }
    sources.push({ runner, format: FORMAT[runner], path: out });
    if (runner === "mocha") sources.push({ runner, format: "mocha-json", path: "stdout" });
  } else if (runner === "go" || runner === "cargo") {
    note = `${runner} test runs through a wrapper; its results are read from the console output`;
  }
  return { argv, cwd, env: planEnv, sources, runner, ...(note ? { note } : {}) };
}
