// detectProject(dir): reads manifests, lockfiles and Makefile targets (never runs anything) and
// returns a ProjectProfile. Declared commands (package.json scripts, Makefile targets) win over
// commands inferred from tooling (tsconfig → tsc, [tool.ruff] → ruff check, Cargo → cargo test).
// Every file is read through the repository-files gateway (lib/repo/files.ts): a manifest that is
// a link out of the repository reads as absent.

import { parse as parseToml } from "smol-toml";
import { repoFiles, type RepoFiles } from "../repo/files.ts";
import {
  COMMAND_KINDS,
  ProjectProfileSchema,
  type CommandKind,
  type PackageManager,
  type ProjectCommand,
  type ProjectProfile,
  type ProjectUnit,
} from "./profile.ts";

export type { ProjectProfile, ProjectCommand, ProjectUnit, CommandKind } from "./profile.ts";

type Commands = Record<CommandKind, ProjectCommand[]>;

const SKIP_DIRS = new Set([
  ".git",
  "node_modules",
  "target",
  "dist",
  "build",
  "vendor",
  ".venv",
  "venv",
  "__pycache__",
  ".next",
  ".nuxt",
  ".tox",
  ".mypy_cache",
  ".pytest_cache",
  ".ruff_cache",
  "coverage",
  ".gradle",
  ".idea",
  ".vscode",
  "out",
  "bin",
  "obj",
]);

const EXT_LANG: Record<string, string> = {
  ".ts": "typescript",
  ".tsx": "typescript",
  ".mts": "typescript",
  ".cts": "typescript",
  ".js": "javascript",
  ".jsx": "javascript",
  ".mjs": "javascript",
  ".cjs": "javascript",
  ".py": "python",
  ".rs": "rust",
  ".go": "go",
  ".java": "java",
  ".kt": "kotlin",
  ".kts": "kotlin",
  ".rb": "ruby",
  ".php": "php",
  ".cs": "csharp",
  ".swift": "swift",
  ".c": "c",
  ".h": "c",
  ".cpp": "cpp",
  ".cc": "cpp",
  ".hpp": "cpp",
  ".scala": "scala",
  ".ex": "elixir",
  ".exs": "elixir",
  ".dart": "dart",
  ".lua": "lua",
  ".vue": "vue",
  ".svelte": "svelte",
};

const NODE_FRAMEWORKS: Record<string, string> = {
  next: "next",
  react: "react",
  vue: "vue",
  nuxt: "nuxt",
  svelte: "svelte",
  "@sveltejs/kit": "sveltekit",
  "@angular/core": "angular",
  express: "express",
  fastify: "fastify",
  "@nestjs/core": "nestjs",
  hono: "hono",
  koa: "koa",
  astro: "astro",
  "@remix-run/react": "remix",
  electron: "electron",
  vite: "vite",
  vitest: "vitest",
  jest: "jest",
  mocha: "mocha",
  "@playwright/test": "playwright",
  cypress: "cypress",
  tailwindcss: "tailwind",
  "react-native": "react-native",
  expo: "expo",
  "solid-js": "solid",
  "windmill-client": "windmill",
  prisma: "prisma",
  "drizzle-orm": "drizzle",
};
const PY_FRAMEWORKS: Record<string, string> = {
  django: "django",
  flask: "flask",
  fastapi: "fastapi",
  starlette: "starlette",
  pydantic: "pydantic",
  sqlalchemy: "sqlalchemy",
  pytest: "pytest",
  celery: "celery",
  streamlit: "streamlit",
  torch: "pytorch",
  tensorflow: "tensorflow",
  pandas: "pandas",
  aiohttp: "aiohttp",
  typer: "typer",
  click: "click",
};
const RUST_FRAMEWORKS: Record<string, string> = {
  tokio: "tokio",
  axum: "axum",
  "actix-web": "actix-web",
  rocket: "rocket",
  bevy: "bevy",
  serde: "serde",
  clap: "clap",
  tauri: "tauri",
  warp: "warp",
  leptos: "leptos",
};
const GO_FRAMEWORKS: Record<string, string> = {
  "github.com/gin-gonic/gin": "gin",
  "github.com/labstack/echo": "echo",
  "github.com/gofiber/fiber": "fiber",
  "github.com/go-chi/chi": "chi",
  "github.com/spf13/cobra": "cobra",
  "google.golang.org/grpc": "grpc",
  "gorm.io/gorm": "gorm",
};

/** Script names that mean each command kind, in order of preference. */
const SCRIPT_NAMES: Record<Exclude<CommandKind, "install">, string[]> = {
  lint: ["lint", "lint:check", "eslint"],
  typecheck: ["typecheck", "type-check", "typecheck:all", "check-types", "types", "tsc", "check:types"],
  test: ["test", "test:unit", "tests", "test:all"],
  build: ["build"],
  format: ["format:check", "fmt:check", "prettier:check", "check-format", "format"],
};
const MAKE_TARGETS: Record<Exclude<CommandKind, "install">, string[]> = {
  lint: ["lint"],
  typecheck: ["typecheck", "type-check", "types", "mypy"],
  test: ["test", "tests", "check"],
  build: ["build", "all"],
  format: ["fmt-check", "format-check", "fmt", "format"],
};

export async function detectProject(dir: string): Promise<ProjectProfile> {
  const files = repoFiles(dir);
  const manifests: string[] = [];
  const units: ProjectUnit[] = [];
  const frameworks = new Set<string>();
  const commands: Commands = { install: [], lint: [], typecheck: [], test: [], build: [], format: [] };
  let monorepo = false;

  const candidates = ["."];
  for (const e of await files.list(".")) {
    if (e.kind === "dir" && !e.link && !SKIP_DIRS.has(e.name) && !e.name.startsWith(".")) candidates.push(e.name);
  }
  // Workspace members two levels down (packages/*, crates/*, apps/*): npm/yarn/pnpm workspaces,
  // Cargo workspaces and go.work modules name them.
  for (const member of await workspaceMembers(files)) if (!candidates.includes(member)) candidates.push(member);
  for (const rel of candidates.slice(0, 80)) {
    const ctx: UnitCtx = { files, rel, manifests, units, frameworks, commands };
    const isRoot = rel === ".";
    // Below the root only directories with their own manifest count as units.
    const found = [
      await detectNode(ctx),
      await detectPython(ctx),
      await detectRust(ctx),
      await detectGo(ctx),
      await detectJvm(ctx),
      await detectOther(ctx),
    ].some(Boolean);
    if (isRoot || found) await detectMakefile(ctx);
    if (isRoot && (await readJson(files, "package.json"))?.workspaces) monorepo = true;
    if (isRoot && files.exists("pnpm-workspace.yaml")) monorepo = true;
  }
  if (units.length > 1) monorepo = true;

  // The units' languages lead (a TS project with a few .mjs helper scripts is a TS project),
  // then whatever else the file census finds, most files first.
  const counts = await countLanguages(files);
  const languages = [...new Set(units.map((u) => u.language))];
  for (const [l] of [...counts.entries()].sort((a, b) => b[1] - a[1])) if (!languages.includes(l)) languages.push(l);

  // Declared commands first, then inferred; stable within each group; no duplicates.
  for (const k of COMMAND_KINDS) {
    const seen = new Set<string>();
    commands[k] = [...commands[k].filter((c) => !c.inferred), ...commands[k].filter((c) => c.inferred)].filter((c) => {
      const key = `${c.cwd}\0${c.argv.join("\0")}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  const specsCount = (await files.list("specs")).filter((e) => e.kind === "dir" && /^\d{3,}-/.test(e.name)).length;
  const profile: ProjectProfile = {
    languages,
    primaryLanguage: languages[0] ?? null,
    frameworks: [...frameworks].sort(),
    packageManager: units[0]?.packageManager ?? null,
    units,
    commands,
    manifests: [...new Set(manifests)],
    monorepo,
    speckit: {
      hasConstitution: files.stat(".specify/memory/constitution.md")?.kind === "file",
      hasTemplates: (await files.list(".specify/templates")).some((f) => f.kind === "file" && f.name.endsWith("-template.md")),
      specsCount,
    },
  };
  return ProjectProfileSchema.parse(profile);
}

/** Directories named by the root's workspace declarations (simple `dir/*` and `dir/name` patterns). */
async function workspaceMembers(files: RepoFiles): Promise<string[]> {
  const patterns: string[] = [];
  const pkg = await readJson(files, "package.json");
  const ws = pkg?.workspaces;
  if (Array.isArray(ws)) patterns.push(...ws.filter((w): w is string => typeof w === "string"));
  else if (ws && Array.isArray(ws.packages)) patterns.push(...ws.packages.filter((w: unknown): w is string => typeof w === "string"));
  const pnpm = await files.readText("pnpm-workspace.yaml");
  if (pnpm) for (const m of pnpm.matchAll(/^\s*-\s*['"]?([^'"#\n]+?)['"]?\s*$/gm)) patterns.push(m[1]!);
  const cargo = await readToml(files, "Cargo.toml");
  const members = cargo?.workspace?.members;
  if (Array.isArray(members)) patterns.push(...members.filter((w: unknown): w is string => typeof w === "string"));
  const gowork = await files.readText("go.work");
  if (gowork) {
    const block = /use\s*\(([^)]*)\)/.exec(gowork)?.[1] ?? "";
    for (const m of `${block}\n${[...gowork.matchAll(/^use\s+(\S+)\s*$/gm)].map((x) => x[1]).join("\n")}`.split(/\s+/))
      if (m && m !== ".") patterns.push(m.replace(/^\.\//, ""));
  }
  const out: string[] = [];
  for (const raw of patterns) {
    const pat = raw.replace(/^\.\//, "").replace(/\/+$/, "");
    if (!pat || pat.startsWith("!") || pat.includes("..") || pat.startsWith("/")) continue;
    const star = /^([^*]+)\/\*{1,2}$/.exec(pat);
    if (star) {
      const base = star[1]!;
      for (const e of await files.list(base)) {
        if (e.kind === "dir" && !SKIP_DIRS.has(e.name) && !e.name.startsWith(".")) out.push(`${base}/${e.name}`);
      }
    } else if (!pat.includes("*") && files.exists(pat)) out.push(pat);
  }
  return out.slice(0, 60);
}

interface UnitCtx {
  files: RepoFiles;
  /** The unit's directory, repository-relative ("." for the root). */
  rel: string;
  manifests: string[];
  units: ProjectUnit[];
  frameworks: Set<string>;
  commands: Commands;
}

function relPath(ctx: UnitCtx, file: string): string {
  return ctx.rel === "." ? file : `${ctx.rel}/${file}`;
}
function has(ctx: UnitCtx, file: string): boolean {
  return ctx.files.exists(relPath(ctx, file));
}
function add(ctx: UnitCtx, kind: CommandKind, argv: string[], source: string, inferred = false): void {
  ctx.commands[kind].push({ argv, cwd: ctx.rel, source: relPath(ctx, source), inferred });
}
/** A file of the unit (relative to its directory). */
async function readText(ctx: UnitCtx, file: string): Promise<string | null> {
  return ctx.files.readText(relPath(ctx, file));
}
async function readJson(files: RepoFiles, rel: string): Promise<Record<string, any> | null> {
  const t = await files.readText(rel);
  if (t === null) return null;
  try {
    const v = JSON.parse(t);
    return v && typeof v === "object" ? v : null;
  } catch {
    return null;
  }
}
async function readToml(files: RepoFiles, rel: string): Promise<Record<string, any> | null> {
  const t = await files.readText(rel);
  if (t === null) return null;
  try {
    return parseToml(t) as Record<string, any>;
  } catch {
    return {}; // present but unparsable: still a manifest
  }
}

// ---------------------------------------------------------------------------------------------
// Node / TypeScript

const NPM_DEFAULT_TEST = /no test specified/;

async function detectNode(ctx: UnitCtx): Promise<boolean> {
  const pkg = await readJson(ctx.files, relPath(ctx, "package.json"));
  if (!pkg) return false;
  ctx.manifests.push(relPath(ctx, "package.json"));
  let pm: PackageManager = "npm";
  let lock: string | null = null;
  const declared = typeof pkg.packageManager === "string" ? pkg.packageManager.split("@")[0] : null;
  for (const [file, name] of [
    ["pnpm-lock.yaml", "pnpm"],
    ["yarn.lock", "yarn"],
    ["bun.lockb", "bun"],
    ["bun.lock", "bun"],
    ["package-lock.json", "npm"],
    ["npm-shrinkwrap.json", "npm"],
  ] as const) {
    if (has(ctx, file)) {
      pm = name;
      lock = file;
      ctx.manifests.push(relPath(ctx, file));
      break;
    }
  }
  if (declared && ["npm", "pnpm", "yarn", "bun"].includes(declared)) pm = declared as PackageManager;
  // A workspace member without its own lockfile is installed (and run) by the root's manager.
  const rootUnit = ctx.rel !== "." ? ctx.units.find((u) => u.dir === "." && u.manifest === "package.json") : undefined;
  const member = !lock && !declared && rootUnit?.packageManager != null;
  if (member) pm = rootUnit!.packageManager!;
  const yarnBerry = pm === "yarn" && (has(ctx, ".yarnrc.yml") || /^yarn@[2-9]/.test(String(pkg.packageManager ?? "")));
  const install: Record<string, string[]> = {
    npm: lock ? ["npm", "ci"] : ["npm", "install"],
    pnpm: lock ? ["pnpm", "install", "--frozen-lockfile"] : ["pnpm", "install"],
    yarn: lock ? (yarnBerry ? ["yarn", "install", "--immutable"] : ["yarn", "install", "--frozen-lockfile"]) : ["yarn", "install"],
    bun: lock ? ["bun", "install", "--frozen-lockfile"] : ["bun", "install"],
  };
  if (!member) add(ctx, "install", install[pm]!, lock ?? "package.json");

  const deps: Record<string, string> = { ...(pkg.dependencies ?? {}), ...(pkg.devDependencies ?? {}), ...(pkg.peerDependencies ?? {}) };
  for (const [dep, fw] of Object.entries(NODE_FRAMEWORKS)) if (dep in deps) ctx.frameworks.add(fw);

  const scripts: Record<string, string> = pkg.scripts && typeof pkg.scripts === "object" ? pkg.scripts : {};
  const covered = new Set<CommandKind>();
  for (const kind of ["lint", "typecheck", "test", "build", "format"] as const) {
    const name = SCRIPT_NAMES[kind].find((n) => typeof scripts[n] === "string" && !(n === "test" && NPM_DEFAULT_TEST.test(scripts[n]!)));
    if (name) {
      add(ctx, kind, [pm, "run", name], `package.json scripts.${name}`);
      covered.add(kind);
    }
  }
  const exec = pm === "npm" ? ["npx", "--no-install"] : pm === "bun" ? ["bunx"] : [pm, "exec"];
  const isTs = "typescript" in deps || has(ctx, "tsconfig.json");
  if (!covered.has("typecheck") && isTs && has(ctx, "tsconfig.json")) add(ctx, "typecheck", [...exec, "tsc", "--noEmit"], "tsconfig.json", true);
  if (!covered.has("lint")) {
    if ("eslint" in deps) add(ctx, "lint", [...exec, "eslint", "."], "package.json devDependencies.eslint", true);
    else if ("@biomejs/biome" in deps) add(ctx, "lint", [...exec, "biome", "check", "."], "package.json devDependencies.@biomejs/biome", true);
  }
  if (!covered.has("test")) {
    if ("vitest" in deps) add(ctx, "test", [...exec, "vitest", "run"], "package.json devDependencies.vitest", true);
    else if ("jest" in deps) add(ctx, "test", [...exec, "jest"], "package.json devDependencies.jest", true);
  }
  ctx.units.push({
    dir: ctx.rel,
    language: isTs ? "typescript" : "javascript",
    packageManager: pm,
    manifest: relPath(ctx, "package.json"),
    name: typeof pkg.name === "string" ? pkg.name : null,
  });
  return true;
}

// ---------------------------------------------------------------------------------------------
// Python

async function detectPython(ctx: UnitCtx): Promise<boolean> {
  const pyproject = await readToml(ctx.files, relPath(ctx, "pyproject.toml"));
  const reqFiles = [
    "requirements.txt",
    "requirements-dev.txt",
    "requirements_dev.txt",
    "dev-requirements.txt",
    "requirements/dev.txt",
    "requirements/base.txt",
  ].filter((f) => has(ctx, f));
  const hasSetup = has(ctx, "setup.py") || has(ctx, "setup.cfg");
  const hasPipfile = has(ctx, "Pipfile");
  if (!pyproject && reqFiles.length === 0 && !hasSetup && !hasPipfile) return false;
  if (pyproject) ctx.manifests.push(relPath(ctx, "pyproject.toml"));
  for (const f of reqFiles) ctx.manifests.push(relPath(ctx, f));
  if (hasSetup) ctx.manifests.push(relPath(ctx, has(ctx, "setup.py") ? "setup.py" : "setup.cfg"));

  const tool = (pyproject?.tool ?? {}) as Record<string, any>;
  let pm: PackageManager = "pip";
  if (has(ctx, "uv.lock") || tool.uv) pm = "uv";
  else if (has(ctx, "poetry.lock") || tool.poetry) pm = "poetry";
  else if (has(ctx, "pdm.lock") || tool.pdm) pm = "pdm";
  else if (hasPipfile) pm = "pipenv";
  for (const lock of ["uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock"]) if (has(ctx, lock)) ctx.manifests.push(relPath(ctx, lock));

  // Every dependency name mentioned anywhere (project deps, groups, poetry, requirements files).
  const text = [JSON.stringify(pyproject ?? {}), ...(await Promise.all(reqFiles.map((f) => readText(ctx, f))))].join("\n").toLowerCase();
  const mentions = (name: string) => new RegExp(`(^|[^a-z0-9_-])${name.replace(/[-]/g, "[-_]")}([^a-z0-9_-]|$)`).test(text);
  for (const [dep, fw] of Object.entries(PY_FRAMEWORKS)) if (mentions(dep)) ctx.frameworks.add(fw);

  const run =
    pm === "uv" ? ["uv", "run"] : pm === "poetry" ? ["poetry", "run"] : pm === "pdm" ? ["pdm", "run"] : pm === "pipenv" ? ["pipenv", "run"] : ["python", "-m"];
  const manifest = pyproject ? "pyproject.toml" : (reqFiles[0] ?? (hasPipfile ? "Pipfile" : "setup.py"));
  const installs: Record<string, string[]> = {
    uv: ["uv", "sync"],
    poetry: ["poetry", "install"],
    pdm: ["pdm", "install"],
    pipenv: ["pipenv", "install", "--dev"],
  };
  if (installs[pm]) add(ctx, "install", installs[pm]!, manifest);
  else if (reqFiles.length) add(ctx, "install", ["python", "-m", "pip", "install", ...reqFiles.flatMap((f) => ["-r", f])], reqFiles[0]!);
  else add(ctx, "install", ["python", "-m", "pip", "install", "-e", "."], manifest);

  const cfg = (await readText(ctx, "setup.cfg")) ?? "";
  const toxIni = (await readText(ctx, "tox.ini")) ?? "";
  if (tool.ruff || has(ctx, "ruff.toml") || has(ctx, ".ruff.toml") || mentions("ruff"))
    add(ctx, "lint", [...run, "ruff", "check", "."], tool.ruff ? "pyproject.toml [tool.ruff]" : "ruff", true);
  else if (mentions("flake8") || /\[flake8\]/.test(cfg + toxIni) || has(ctx, ".flake8")) add(ctx, "lint", [...run, "flake8"], "flake8", true);
  else if (mentions("pylint") || has(ctx, ".pylintrc")) add(ctx, "lint", [...run, "pylint", "."], "pylint", true);
  if (tool.mypy || has(ctx, "mypy.ini") || has(ctx, ".mypy.ini") || /\[mypy\]/.test(cfg) || mentions("mypy"))
    add(ctx, "typecheck", [...run, "mypy", "."], tool.mypy ? "pyproject.toml [tool.mypy]" : "mypy", true);
  else if (tool.pyright || has(ctx, "pyrightconfig.json") || mentions("pyright"))
    add(ctx, "typecheck", pm === "pip" ? ["pyright"] : [...run, "pyright"], "pyright", true);
  if (tool.pytest || has(ctx, "pytest.ini") || has(ctx, "conftest.py") || mentions("pytest") || /\[tool:pytest\]/.test(cfg))
    add(ctx, "test", [...run, "pytest"], tool.pytest ? "pyproject.toml [tool.pytest]" : "pytest", true);
  else if (has(ctx, "tests") || has(ctx, "test")) add(ctx, "test", ["python", "-m", "unittest", "discover"], "tests/", true);
  if (tool.black || mentions("black")) add(ctx, "format", [...run, "black", "--check", "."], "black", true);
  else if (tool.ruff) add(ctx, "format", [...run, "ruff", "format", "--check", "."], "pyproject.toml [tool.ruff]", true);

  const name = (pyproject?.project as any)?.name ?? tool.poetry?.name ?? null;
  ctx.units.push({ dir: ctx.rel, language: "python", packageManager: pm, manifest: relPath(ctx, manifest), name: typeof name === "string" ? name : null });
  return true;
}

// ---------------------------------------------------------------------------------------------
// Rust, Go, JVM, others

async function detectRust(ctx: UnitCtx): Promise<boolean> {
  const cargo = await readToml(ctx.files, relPath(ctx, "Cargo.toml"));
  if (!cargo) return false;
  ctx.manifests.push(relPath(ctx, "Cargo.toml"));
  if (has(ctx, "Cargo.lock")) ctx.manifests.push(relPath(ctx, "Cargo.lock"));
  const deps = { ...(cargo.dependencies ?? {}), ...(cargo["dev-dependencies"] ?? {}), ...(cargo.workspace?.dependencies ?? {}) };
  for (const [dep, fw] of Object.entries(RUST_FRAMEWORKS)) if (dep in deps) ctx.frameworks.add(fw);
  const ws = cargo.workspace ? ["--workspace"] : [];
  add(ctx, "install", ["cargo", "fetch"], "Cargo.toml", true);
  add(ctx, "lint", ["cargo", "clippy", ...ws, "--all-targets", "--", "-D", "warnings"], "Cargo.toml", true);
  add(ctx, "typecheck", ["cargo", "check", ...ws, "--all-targets"], "Cargo.toml", true);
  add(ctx, "test", ["cargo", "test", ...ws], "Cargo.toml", true);
  add(ctx, "build", ["cargo", "build", ...ws], "Cargo.toml", true);
  add(ctx, "format", ["cargo", "fmt", "--all", "--check"], "Cargo.toml", true);
  ctx.units.push({ dir: ctx.rel, language: "rust", packageManager: "cargo", manifest: relPath(ctx, "Cargo.toml"), name: cargo.package?.name ?? null });
  return true;
}

async function detectGo(ctx: UnitCtx): Promise<boolean> {
  const mod = await readText(ctx, "go.mod");
  if (mod === null) return false;
  ctx.manifests.push(relPath(ctx, "go.mod"));
  for (const [dep, fw] of Object.entries(GO_FRAMEWORKS)) if (mod.includes(dep)) ctx.frameworks.add(fw);
  add(ctx, "install", ["go", "mod", "download"], "go.mod", true);
  const golangci = [".golangci.yml", ".golangci.yaml", ".golangci.toml", ".golangci.json"].find((f) => has(ctx, f));
  if (golangci) add(ctx, "lint", ["golangci-lint", "run"], golangci, true);
  add(ctx, "lint", ["go", "vet", "./..."], "go.mod", true);
  add(ctx, "typecheck", ["go", "build", "./..."], "go.mod", true);
  add(ctx, "test", ["go", "test", "./..."], "go.mod", true);
  add(ctx, "build", ["go", "build", "./..."], "go.mod", true);
  add(ctx, "format", ["gofmt", "-l", "."], "go.mod", true);
  const name = /^module\s+(\S+)/m.exec(mod)?.[1] ?? null;
  ctx.units.push({ dir: ctx.rel, language: "go", packageManager: "go", manifest: relPath(ctx, "go.mod"), name });
  return true;
}

async function detectJvm(ctx: UnitCtx): Promise<boolean> {
  if (has(ctx, "pom.xml")) {
    ctx.manifests.push(relPath(ctx, "pom.xml"));
    const mvn = has(ctx, "mvnw") ? ["./mvnw"] : ["mvn"];
    const pom = (await readText(ctx, "pom.xml")) ?? "";
    if (pom.includes("spring-boot")) ctx.frameworks.add("spring-boot");
    add(ctx, "install", [...mvn, "-B", "dependency:go-offline"], "pom.xml", true);
    add(ctx, "typecheck", [...mvn, "-B", "compile"], "pom.xml", true);
    add(ctx, "test", [...mvn, "-B", "test"], "pom.xml", true);
    add(ctx, "build", [...mvn, "-B", "package", "-DskipTests"], "pom.xml", true);
    ctx.units.push({ dir: ctx.rel, language: "java", packageManager: "maven", manifest: relPath(ctx, "pom.xml"), name: null });
    return true;
  }
  const gradleFile = ["build.gradle.kts", "build.gradle"].find((f) => has(ctx, f));
  if (gradleFile) {
    ctx.manifests.push(relPath(ctx, gradleFile));
    const gradle = has(ctx, "gradlew") ? ["./gradlew"] : ["gradle"];
    const g = (await readText(ctx, gradleFile)) ?? "";
    if (g.includes("org.springframework.boot")) ctx.frameworks.add("spring-boot");
    if (g.includes("com.android")) ctx.frameworks.add("android");
    add(ctx, "lint", [...gradle, "check", "-x", "test"], gradleFile, true);
    add(ctx, "typecheck", [...gradle, "compileJava"], gradleFile, true);
    add(ctx, "test", [...gradle, "test"], gradleFile, true);
    add(ctx, "build", [...gradle, "build", "-x", "test"], gradleFile, true);
    ctx.units.push({
      dir: ctx.rel,
      language: gradleFile.endsWith(".kts") ? "kotlin" : "java",
      packageManager: "gradle",
      manifest: relPath(ctx, gradleFile),
      name: null,
    });
    return true;
  }
  return false;
}

async function detectOther(ctx: UnitCtx): Promise<boolean> {
  let found = false;
  if (has(ctx, "Gemfile")) {
    ctx.manifests.push(relPath(ctx, "Gemfile"));
    const gemfile = (await readText(ctx, "Gemfile")) ?? "";
    if (/['"]rails['"]/.test(gemfile)) ctx.frameworks.add("rails");
    add(ctx, "install", ["bundle", "install"], "Gemfile", true);
    if (/['"]rubocop/.test(gemfile)) add(ctx, "lint", ["bundle", "exec", "rubocop"], "Gemfile", true);
    if (/['"]rspec/.test(gemfile)) add(ctx, "test", ["bundle", "exec", "rspec"], "Gemfile", true);
    else add(ctx, "test", ["bundle", "exec", "rake", "test"], "Gemfile", true);
    ctx.units.push({ dir: ctx.rel, language: "ruby", packageManager: "bundler", manifest: relPath(ctx, "Gemfile"), name: null });
    found = true;
  }
  const composer = await readJson(ctx.files, relPath(ctx, "composer.json"));
  if (composer) {
    ctx.manifests.push(relPath(ctx, "composer.json"));
    const req = { ...(composer.require ?? {}), ...(composer["require-dev"] ?? {}) };
    if ("laravel/framework" in req) ctx.frameworks.add("laravel");
    if ("symfony/framework-bundle" in req) ctx.frameworks.add("symfony");
    add(ctx, "install", ["composer", "install"], "composer.json", true);
    const scripts = composer.scripts ?? {};
    if (scripts.test) add(ctx, "test", ["composer", "run-script", "test"], "composer.json scripts.test");
    else if ("phpunit/phpunit" in req) add(ctx, "test", ["vendor/bin/phpunit"], "composer.json", true);
    if ("phpstan/phpstan" in req) add(ctx, "typecheck", ["vendor/bin/phpstan", "analyse"], "composer.json", true);
    ctx.units.push({ dir: ctx.rel, language: "php", packageManager: "composer", manifest: relPath(ctx, "composer.json"), name: composer.name ?? null });
    found = true;
  }
  const entries = (await ctx.files.list(ctx.rel)).filter((e) => e.kind === "file").map((e) => e.name);
  const dotnet = entries.find((f) => f.endsWith(".sln")) ?? entries.find((f) => f.endsWith(".csproj"));
  if (dotnet) {
    ctx.manifests.push(relPath(ctx, dotnet));
    add(ctx, "install", ["dotnet", "restore"], dotnet, true);
    add(ctx, "typecheck", ["dotnet", "build", "--no-restore"], dotnet, true);
    add(ctx, "test", ["dotnet", "test"], dotnet, true);
    ctx.units.push({ dir: ctx.rel, language: "csharp", packageManager: "dotnet", manifest: relPath(ctx, dotnet), name: null });
    found = true;
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Makefile / justfile targets (declared, so they rank before inferred commands)

export function parseMakeTargets(text: string): string[] {
  const targets: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Za-z0-9][A-Za-z0-9_.\/-]*)\s*:(?![:=])/.exec(line);
    if (m && !m[1]!.startsWith(".") && !targets.includes(m[1]!)) targets.push(m[1]!);
  }
  return targets;
}

async function detectMakefile(ctx: UnitCtx): Promise<void> {
  const makefile = ["Makefile", "makefile", "GNUmakefile"].find((f) => has(ctx, f));
  if (makefile) {
    ctx.manifests.push(relPath(ctx, makefile));
    const targets = parseMakeTargets((await readText(ctx, makefile)) ?? "");
    for (const kind of ["lint", "typecheck", "test", "build", "format"] as const) {
      const t = MAKE_TARGETS[kind].find((n) => targets.includes(n));
      // A package.json script already declared for this unit wins over make.
      if (t && !ctx.commands[kind].some((c) => c.cwd === ctx.rel && !c.inferred)) add(ctx, kind, ["make", t], `Makefile target ${t}`);
    }
    if (targets.includes("install") && !ctx.commands.install.some((c) => c.cwd === ctx.rel))
      add(ctx, "install", ["make", "install"], "Makefile target install");
  }
  const justfile = ["justfile", "Justfile", ".justfile"].find((f) => has(ctx, f));
  if (justfile) {
    ctx.manifests.push(relPath(ctx, justfile));
    const recipes = parseMakeTargets((await readText(ctx, justfile)) ?? "").map((t) => t.split(/\s/)[0]!);
    for (const kind of ["lint", "typecheck", "test", "build", "format"] as const) {
      const t = MAKE_TARGETS[kind].find((n) => recipes.includes(n));
      if (t && !ctx.commands[kind].some((c) => c.cwd === ctx.rel && !c.inferred)) add(ctx, kind, ["just", t], `justfile recipe ${t}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Language census by file extension (bounded walk)

async function countLanguages(files: RepoFiles, limit = 20_000): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const f of await files.walk({ limit, skipDir: (name) => SKIP_DIRS.has(name) || name.startsWith(".") })) {
    const ext = /\.[^./]+$/.exec(f)?.[0] ?? "";
    const lang = EXT_LANG[ext.toLowerCase()];
    if (lang) counts.set(lang, (counts.get(lang) ?? 0) + 1);
  }
  return counts;
}
