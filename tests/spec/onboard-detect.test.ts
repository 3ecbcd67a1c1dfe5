import { afterEach, describe, expect, it } from "vitest";
import { detectProject, parseMakeTargets } from "../../f/devgodzilla/lib/project/detect.ts";
import { FIXTURE_FILES, tempProject } from "../helpers/git-fixtures.ts";

const cleanups: (() => Promise<void>)[] = [];
async function project(files: Record<string, string>): Promise<string> {
  const p = await tempProject(files, "dg-detect-");
  cleanups.push(p.cleanup);
  return p.dir;
}
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe("detectProject", () => {
  it("reads a Node/TS project's own scripts as argv arrays and the package manager from the lockfile", async () => {
    const p = await detectProject(await project(FIXTURE_FILES.node));
    expect(p.primaryLanguage).toBe("typescript");
    expect(p.packageManager).toBe("npm");
    expect(p.commands.install[0]).toMatchObject({ argv: ["npm", "ci"], cwd: "." });
    expect(p.commands.lint[0]).toMatchObject({ argv: ["npm", "run", "lint"], source: "package.json scripts.lint", inferred: false });
    expect(p.commands.typecheck[0]!.argv).toEqual(["npm", "run", "typecheck"]);
    expect(p.commands.test[0]!.argv).toEqual(["npm", "run", "test"]);
    expect(p.frameworks).toContain("vitest");
    expect(p.speckit).toEqual({ hasConstitution: false, hasTemplates: false, specsCount: 0 });
  });

  it("uses pnpm/yarn lockfiles and infers tsc/vitest when scripts are missing; ignores npm's placeholder test", async () => {
    const dir = await project({
      "package.json": JSON.stringify({
        name: "x",
        scripts: { test: 'echo "Error: no test specified" && exit 1' },
        devDependencies: { typescript: "5", vitest: "3", react: "19" },
      }),
      "pnpm-lock.yaml": "lockfileVersion: 9\n",
      "tsconfig.json": "{}",
    });
    const p = await detectProject(dir);
    expect(p.packageManager).toBe("pnpm");
    expect(p.commands.install[0]!.argv).toEqual(["pnpm", "install", "--frozen-lockfile"]);
    expect(p.commands.typecheck[0]).toMatchObject({ argv: ["pnpm", "exec", "tsc", "--noEmit"], inferred: true });
    expect(p.commands.test[0]).toMatchObject({ argv: ["pnpm", "exec", "vitest", "run"], inferred: true });
    expect(p.frameworks).toEqual(expect.arrayContaining(["react", "vitest"]));
  });

  it("detects a uv Python project with ruff, mypy and pytest from pyproject.toml", async () => {
    const p = await detectProject(await project(FIXTURE_FILES.python));
    expect(p.primaryLanguage).toBe("python");
    expect(p.packageManager).toBe("uv");
    expect(p.commands.install[0]!.argv).toEqual(["uv", "sync"]);
    expect(p.commands.lint[0]!.argv).toEqual(["uv", "run", "ruff", "check", "."]);
    expect(p.commands.typecheck[0]!.argv).toEqual(["uv", "run", "mypy", "."]);
    expect(p.commands.test[0]!.argv).toEqual(["uv", "run", "pytest"]);
    expect(p.frameworks).toEqual(expect.arrayContaining(["fastapi", "pytest"]));
  });

  it("detects poetry and plain requirements.txt projects", async () => {
    const poetry = await detectProject(
      await project({
        "pyproject.toml": '[tool.poetry]\nname = "p"\n[tool.poetry.dependencies]\ndjango = "^5"\n[tool.poetry.group.dev.dependencies]\npytest = "*"\n',
        "poetry.lock": "",
      }),
    );
    expect(poetry.packageManager).toBe("poetry");
    expect(poetry.commands.test[0]!.argv).toEqual(["poetry", "run", "pytest"]);
    expect(poetry.frameworks).toContain("django");
    const pip = await detectProject(await project({ "requirements.txt": "flask==3.0\npytest\n", "app.py": "" }));
    expect(pip.packageManager).toBe("pip");
    expect(pip.commands.install[0]!.argv).toEqual(["python", "-m", "pip", "install", "-r", "requirements.txt"]);
    expect(pip.commands.test[0]!.argv).toEqual(["python", "-m", "pytest"]);
  });

  it("prefers a Go project's Makefile targets over inferred go commands", async () => {
    const p = await detectProject(await project(FIXTURE_FILES.go));
    expect(p.primaryLanguage).toBe("go");
    expect(p.commands.lint[0]).toMatchObject({ argv: ["make", "lint"], inferred: false });
    expect(p.commands.test[0]!.argv).toEqual(["make", "test"]);
    expect(p.commands.test.map((c) => c.argv.join(" "))).toContain("go test ./...");
    expect(p.frameworks).toContain("gin");
  });

  it("detects Rust with cargo clippy / check / test", async () => {
    const p = await detectProject(await project(FIXTURE_FILES.rust));
    expect(p.primaryLanguage).toBe("rust");
    expect(p.packageManager).toBe("cargo");
    expect(p.commands.lint[0]!.argv).toEqual(["cargo", "clippy", "--all-targets", "--", "-D", "warnings"]);
    expect(p.commands.test[0]!.argv).toEqual(["cargo", "test"]);
    expect(p.frameworks).toContain("tokio");
  });

  it("finds backend/ and frontend/ units with their own cwd", async () => {
    const p = await detectProject(
      await project({
        "backend/pyproject.toml": '[project]\nname = "api"\ndependencies = ["fastapi"]\n[tool.pytest.ini_options]\n',
        "backend/app/main.py": "",
        "frontend/package.json": JSON.stringify({ name: "web", scripts: { test: "vitest run", lint: "eslint ." } }),
        "frontend/yarn.lock": "",
        "frontend/src/App.tsx": "",
      }),
    );
    expect(p.monorepo).toBe(true);
    expect(p.units.map((u) => `${u.dir}:${u.language}:${u.packageManager}`).sort()).toEqual(["backend:python:pip", "frontend:javascript:yarn"]);
    expect(p.commands.test).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ argv: ["yarn", "run", "test"], cwd: "frontend" }),
        expect.objectContaining({ argv: ["python", "-m", "pytest"], cwd: "backend" }),
      ]),
    );
  });

  it("returns an empty but valid profile for a repo with no manifests", async () => {
    const p = await detectProject(await project({ "README.md": "# hi\n" }));
    expect(p.units).toEqual([]);
    expect(p.primaryLanguage).toBeNull();
    expect(p.commands.test).toEqual([]);
  });

  it("parses Makefile targets, skipping variables and special targets", () => {
    expect(parseMakeTargets("X := 1\nY ?= 2\n.PHONY: test\nlint: deps\n\tgo vet\ntest:\n\tgo test\nbuild :\n")).toEqual(["lint", "test", "build"]);
  });
});

describe("detectProject workspaces", () => {
  it("finds npm workspace packages and Cargo workspace crates two levels down", async () => {
    const p = await detectProject(
      await project({
        "package.json": JSON.stringify({ name: "mono", private: true, workspaces: ["packages/*"], scripts: { test: "turbo test" } }),
        "package-lock.json": "{}",
        "packages/api/package.json": JSON.stringify({ name: "@mono/api", scripts: { test: "vitest run" }, dependencies: { fastify: "5" } }),
        "packages/web/package.json": JSON.stringify({ name: "@mono/web", scripts: { lint: "eslint ." }, dependencies: { next: "15" } }),
        "rust/Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n',
        "rust/crates/core/Cargo.toml": '[package]\nname = "core"\n',
      }),
    );
    expect(p.monorepo).toBe(true);
    expect(p.units.map((u) => u.dir)).toEqual(expect.arrayContaining([".", "packages/api", "packages/web", "rust"]));
    expect(p.commands.test[0]).toMatchObject({ argv: ["npm", "run", "test"], cwd: "." });
    expect(p.commands.test).toEqual(expect.arrayContaining([expect.objectContaining({ argv: ["npm", "run", "test"], cwd: "packages/api" })]));
    expect(p.frameworks).toEqual(expect.arrayContaining(["fastify", "next"]));
    expect(p.commands.install.filter((c) => c.argv[0] === "npm")).toEqual([expect.objectContaining({ argv: ["npm", "ci"], cwd: "." })]);
  });
});
