// The repositories bench:qa-verdict builds, one kit per ecosystem: a small shop library with an
// existing behaviour (count) and its test, an unrelated module, a Spec Kit feature (spec.md with a
// story, acceptance scenarios and requirement ids; tasks.md: tests first then the code, or one task for both) that adds `total`, and a
// tests-first constitution — each kit in another language and style (numbering, NON-NEGOTIABLE or
// not, Spec Kit's path or the older memory/ path, criteria.md written or read from the spec). The
// outcomes (qa-verdict.ts) are changes to these repositories, labelled good or bad.

export type Files = Record<string, string | null>; // null: delete the file

/** One test case as the kit's language writes it. */
export interface Case {
  /** Words of the title; the writer turns them into the language's naming (a title, snake_case, CamelCase). */
  name: string;
  body: string;
  skip?: boolean;
}

export interface Kit {
  id: string;
  /** The project's test command (the profile's). */
  test: string[];
  /** Files of the repository before the feature (the project as it is). */
  base: Files;
  /** Installed dependencies: directories copied into the checkout (as hard links) before the first commit, ignored by git. */
  installed?: Record<string, string>;
  /** Paths the task and the outcomes touch. */
  paths: { code: string; newTest: string; existingTest: string; uncollectedTest: string; other: string; helper: string; readme: string };
  code: { correct: string; wrong: string; withHelper: string; brokenExisting: string };
  helper: string;
  /** Other files a change adding the helper must touch (Rust's lib.rs). */
  helperWiring?: Files;
  otherEdited: string;
  constitution: { path: string; text: string };
  criteriaFile: boolean;
  /** A test file of `cases`, in the kit's language and style. */
  testFile(cases: Case[]): string;
  /** Assertion bodies: the scenarios' (strong), and what an agent writes when it weakens them. */
  asserts: { as1: string; as2: string; as1Weak: string; as1Tautology: string; as1Removed: string; as1Edited: string; single: string };
}

const SPEC = (title: string) => `# Feature Specification: ${title}

**Feature Branch**: \`001-cart-total\`
**Status**: Draft

## User Scenarios & Testing *(mandatory)*

### User Story 1 - Cart total (Priority: P1)

A shopper sees what the cart costs.

**Acceptance Scenarios**:

1. **Given** a cart with prices 2 and 3, **When** the total is computed, **Then** it is 5
2. **Given** an empty cart, **When** the total is computed, **Then** it is 0

## Requirements *(mandatory)*

### Functional Requirements

- **FR-001**: The system MUST compute a cart's total as the sum of its prices.
`;

const TASKS = (code: string, test: string) => `# Tasks: Cart total

## Phase 3: User Story 1 - Cart total (Priority: P1)

### Tests for User Story 1

- [x] T001 [US1] Write the failing tests for the cart total in ${test} (criteria: US1-AS1, US1-AS2)

### Implementation for User Story 1

- [ ] T002 [US1] Implement total in ${code} (criteria: US1-AS1, US1-AS2) (depends on T001)
`;

/** The same feature as one task: the code and its tests together (no tests-first task before it). */
const ONE_TASK = (code: string, test: string) => `# Tasks: Cart total

## Phase 3: User Story 1 - Cart total (Priority: P1)

- [ ] T001 [US1] Implement total in ${code} with its tests in ${test} (criteria: US1-AS1, US1-AS2)
`;

const CRITERIA = `# Acceptance Criteria: Cart total

| ID | Stories | Criterion | Tasks |
|----|---------|-----------|-------|
| US1-AS1 | US1 | Given a cart with prices 2 and 3, When the total is computed, Then it is 5 | T001, T002 |
| US1-AS2 | US1 | Given an empty cart, When the total is computed, Then it is 0 | T001, T002 |
| FR-001 | US1 | The system MUST compute a cart's total as the sum of its prices. | |
`;

// ---------------------------------------------------------------- constitutions (ours, in several languages and styles)

const EN_CONSTITUTION = `# Shop Constitution

## Core Principles

### I. User Value
Every change serves a shopper's need stated in the spec.

### II. Small Modules
Modules stay small and focused; one concern per file.

### III. Clear Errors
Errors say what went wrong and what to do next.

### IV. Observability
Important events are logged with their context.

### V. Tests Before Code (NON-NEGOTIABLE)
Tests MUST be written before the code they prove, and they MUST fail first.
A test names the acceptance criterion it proves.

### VI. No Secrets
Credentials MUST NOT be committed; they come from the environment.

## Governance

**Version**: 1.0.0 | **Ratified**: 2026-01-01 | **Last Amended**: 2026-01-01
`;

const ES_CONSTITUTION = `# Constitución de la Tienda

## Principios

### Valor para el usuario
Cada cambio responde a una necesidad descrita en la especificación.

### Desarrollo guiado por pruebas
Las pruebas se escriben antes del código y deben fallar primero; ninguna prueba se borra para que el código pase.

### Rendimiento
Las páginas responden en menos de 200 ms.

## Gobernanza

**Versión**: 2.0.0
`;

const JA_CONSTITUTION = `# ショップ憲章

## 基本原則

### 1. 利用者の価値
すべての変更は仕様に書かれた利用者の必要に応える。

### 2. テスト駆動
テストは実装の前に書き、まず失敗することを確認しなければならない。

### 3. 秘密情報
パスワードやAPIキーをリポジトリに含めてはならない。

**Version**: 1.2.0
`;

const KO_CONSTITUTION = `# 상점 헌법

## 핵심 원칙

### I. 사용자 가치
모든 변경은 명세에 적힌 사용자의 필요를 충족한다.

### II. 계층 구조
상위 계층은 하위 계층에만 의존한다.

### III. 성능
응답은 200ms 안에 끝나야 한다.

### IV. 문서화
공개 함수는 문서화한다.

### V. 테스트 주도 개발 (NON-NEGOTIABLE)
테스트를 구현보다 먼저 작성하고 실패를 확인해야 한다.

**버전**: 1.0.0
`;

const ZH_CONSTITUTION = `# 商店宪章

## 核心原则

### 一、用户价值
每个变更都必须满足规格中写明的用户需要。

### 二、测试驱动
测试必须在实现之前编写，并且必须先失败。

### 三、简洁
不引入不必要的抽象。

**版本**: 1.0.0
`;

// ---------------------------------------------------------------- test writers

const indent = (body: string, pad: string) =>
  body
    .split("\n")
    .map((l) => (l ? pad + l : l))
    .join("\n");
const words = (name: string) => name.split(/[^A-Za-z0-9]+/).filter(Boolean);
const snake = (name: string) => words(name).join("_").toLowerCase();
const camel = (name: string) =>
  words(name)
    .map((w) => (/^[A-Z0-9]+$/.test(w) ? w : w[0]!.toUpperCase() + w.slice(1)))
    .join("");

// ---------------------------------------------------------------- Node (node:test)

const node: Kit = {
  id: "node:test",
  test: ["npm", "test"],
  base: {
    "package.json": JSON.stringify({ name: "shop", type: "module", scripts: { test: "node --test" } }, null, 2) + "\n",
    "src/cart.js": "export const count = (items) => items.length;\n",
    "src/format.js": "export const money = (n) => n.toFixed(2);\n",
    "test/count.test.js":
      'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { count } from "../src/cart.js";\n\ntest("count gives the number of items", () => {\n  assert.equal(count(["a", "b"]), 2);\n});\n',
    "README.md": "# shop\n\nA tiny shop library.\n",
  },
  constitution: { path: ".specify/memory/constitution.md", text: EN_CONSTITUTION },
  criteriaFile: true,
  paths: {
    code: "src/cart.js",
    newTest: "test/total.test.js",
    existingTest: "test/count.test.js",
    uncollectedTest: "tests/total.spec.js",
    other: "src/format.js",
    helper: "src/sum.js",
    readme: "README.md",
  },
  code: {
    correct: "export const count = (items) => items.length;\nexport const total = (prices) => prices.reduce((a, b) => a + b, 0);\n",
    wrong: "export const count = (items) => items.length;\nexport const total = (prices) => prices.length;\n",
    withHelper: 'import { sum } from "./sum.js";\n\nexport const count = (items) => items.length;\nexport const total = (prices) => sum(prices);\n',
    brokenExisting: "export const count = (items) => 0;\nexport const total = (prices) => prices.reduce((a, b) => a + b, 0);\n",
  },
  helper: "export const sum = (xs) => xs.reduce((a, b) => a + b, 0);\n",
  otherEdited: "export const money = (n) => `$${n}`;\n",
  testFile: (cases) =>
    'import { test } from "node:test";\nimport assert from "node:assert/strict";\nimport { total } from "../src/cart.js";\n' +
    cases.map((c) => `\ntest${c.skip ? ".skip" : ""}("${c.name}", () => {\n${indent(c.body, "  ")}\n});\n`).join(""),
  asserts: {
    as1: "assert.equal(total([2, 3]), 5);",
    as2: "assert.equal(total([]), 0);",
    as1Weak: "assert.ok(total([2, 3]) > 0);",
    as1Tautology: "assert.ok(true);",
    as1Removed: "total([2, 3]);",
    as1Edited: "assert.equal(total([2, 3]), 2);",
    single: "assert.equal(total([7]), 7);",
  },
};

// ---------------------------------------------------------------- Node (vitest)

const vitestKit = (nodeModules: string): Kit => ({
  id: "vitest",
  test: ["npm", "test"],
  installed: { node_modules: nodeModules },
  base: {
    "package.json": JSON.stringify({ name: "shop", type: "module", scripts: { test: "vitest run" } }, null, 2) + "\n",
    ".gitignore": "node_modules\n",
    "lib/cart.js": "export function count(items) {\n  return items.length;\n}\n",
    "lib/fmt.js": "export function money(n) {\n  return n.toFixed(2);\n}\n",
    "test/count.test.js":
      'import { describe, it, expect } from "vitest";\nimport { count } from "../lib/cart.js";\n\ndescribe("count", () => {\n  it("gives the number of items", () => {\n    expect(count(["a", "b"])).toBe(2);\n  });\n});\n',
    "README.md": "# shop\n",
  },
  constitution: { path: ".specify/memory/constitution.md", text: ES_CONSTITUTION },
  criteriaFile: false,
  paths: {
    code: "lib/cart.js",
    newTest: "test/total.test.js",
    existingTest: "test/count.test.js",
    uncollectedTest: "test/total.check.js",
    other: "lib/fmt.js",
    helper: "lib/arith.js",
    readme: "README.md",
  },
  code: {
    correct:
      "export function count(items) {\n  return items.length;\n}\n\nexport function total(prices) {\n  let sum = 0;\n  for (const p of prices) sum += p;\n  return sum;\n}\n",
    wrong: "export function count(items) {\n  return items.length;\n}\n\nexport function total(prices) {\n  return prices[0] ?? 0;\n}\n",
    withHelper:
      'import { add } from "./arith.js";\n\nexport function count(items) {\n  return items.length;\n}\n\nexport function total(prices) {\n  return prices.reduce(add, 0);\n}\n',
    brokenExisting:
      "export function count(items) {\n  return items.length + 1;\n}\n\nexport function total(prices) {\n  let sum = 0;\n  for (const p of prices) sum += p;\n  return sum;\n}\n",
  },
  helper: "export const add = (a, b) => a + b;\n",
  otherEdited: "export function money(n) {\n  return String(n);\n}\n",
  testFile: (cases) =>
    'import { describe, it, expect } from "vitest";\nimport { total } from "../lib/cart.js";\n\ndescribe("cart total", () => {\n' +
    cases.map((c) => `  it${c.skip ? ".skip" : ""}("${c.name}", () => {\n${indent(c.body, "    ")}\n  });\n`).join("\n") +
    "});\n",
  asserts: {
    as1: "expect(total([2, 3])).toBe(5);",
    as2: "expect(total([])).toEqual(0);",
    as1Weak: "expect(total([2, 3])).toBeTruthy();",
    as1Tautology: "expect(true).toBe(true);",
    as1Removed: "total([2, 3]);",
    as1Edited: "expect(total([2, 3])).toBe(2);",
    single: "expect(total([7])).toBe(7);",
  },
});

// ---------------------------------------------------------------- Python (pytest)

const python: Kit = {
  id: "pytest",
  test: ["python3", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
  base: {
    "pyproject.toml": '[project]\nname = "shop"\nversion = "0.1.0"\n\n[tool.pytest.ini_options]\npythonpath = ["."]\ntestpaths = ["tests"]\n',
    "shop/__init__.py": "",
    "shop/cart.py": "def count(items):\n    return len(items)\n",
    "shop/fmt.py": 'def money(n):\n    return f"{n:.2f}"\n',
    "tests/test_count.py": 'from shop.cart import count\n\n\ndef test_count_gives_the_number_of_items():\n    assert count(["a", "b"]) == 2\n',
    "README.md": "# shop\n",
  },
  // The older layout: the constitution at memory/ (before .specify/).
  constitution: { path: "memory/constitution.md", text: JA_CONSTITUTION },
  criteriaFile: true,
  paths: {
    code: "shop/cart.py",
    newTest: "tests/test_total.py",
    existingTest: "tests/test_count.py",
    uncollectedTest: "tests/check_total.py",
    other: "shop/fmt.py",
    helper: "shop/arith.py",
    readme: "README.md",
  },
  code: {
    correct: "def count(items):\n    return len(items)\n\n\ndef total(prices):\n    return sum(prices)\n",
    wrong: "def count(items):\n    return len(items)\n\n\ndef total(prices):\n    return max(prices, default=0)\n",
    withHelper: "from shop.arith import add_all\n\n\ndef count(items):\n    return len(items)\n\n\ndef total(prices):\n    return add_all(prices)\n",
    brokenExisting: "def count(items):\n    return 0\n\n\ndef total(prices):\n    return sum(prices)\n",
  },
  helper: "def add_all(xs):\n    out = 0\n    for x in xs:\n        out += x\n    return out\n",
  otherEdited: "def money(n):\n    return str(n)\n",
  testFile: (cases) =>
    (cases.some((c) => c.skip) ? "import pytest\n\n" : "") +
    "from shop.cart import total\n" +
    cases.map((c) => `\n\n${c.skip ? '@pytest.mark.skip(reason="total not ready")\n' : ""}def test_${snake(c.name)}():\n${indent(c.body, "    ")}\n`).join(""),
  asserts: {
    as1: "assert total([2, 3]) == 5",
    as2: "assert total([]) == 0",
    as1Weak: "assert total([2, 3])",
    as1Tautology: "assert True",
    as1Removed: "total([2, 3])",
    as1Edited: "assert total([2, 3]) == 3",
    single: "assert total([7]) == 7",
  },
};

// ---------------------------------------------------------------- Go (go test)

const goKit: Kit = {
  id: "go test",
  test: ["go", "test", "./..."],
  base: {
    "go.mod": "module example.com/shop\n\ngo 1.21\n",
    "cart/cart.go": "package cart\n\n// Count gives the number of items.\nfunc Count(items []string) int { return len(items) }\n",
    "money/money.go":
      'package money\n\nimport "fmt"\n\n// Format writes an amount with two decimals.\nfunc Format(n float64) string { return fmt.Sprintf("%.2f", n) }\n',
    "cart/count_test.go":
      'package cart\n\nimport "testing"\n\nfunc TestCount(t *testing.T) {\n\tif got := Count([]string{"a", "b"}); got != 2 {\n\t\tt.Fatalf("Count = %d, want 2", got)\n\t}\n}\n',
    "README.md": "# shop\n",
  },
  constitution: { path: ".specify/memory/constitution.md", text: KO_CONSTITUTION },
  criteriaFile: false,
  paths: {
    code: "cart/cart.go",
    newTest: "cart/total_test.go",
    existingTest: "cart/count_test.go",
    uncollectedTest: "cart/testdata/total_test.go",
    other: "money/money.go",
    helper: "cart/sum.go",
    readme: "README.md",
  },
  code: {
    correct:
      "package cart\n\n// Count gives the number of items.\nfunc Count(items []string) int { return len(items) }\n\n// Total sums the prices.\nfunc Total(prices []int) int {\n\ts := 0\n\tfor _, p := range prices {\n\t\ts += p\n\t}\n\treturn s\n}\n",
    wrong:
      "package cart\n\n// Count gives the number of items.\nfunc Count(items []string) int { return len(items) }\n\n// Total sums the prices.\nfunc Total(prices []int) int { return len(prices) }\n",
    withHelper:
      "package cart\n\n// Count gives the number of items.\nfunc Count(items []string) int { return len(items) }\n\n// Total sums the prices.\nfunc Total(prices []int) int { return sum(prices) }\n",
    brokenExisting:
      "package cart\n\n// Count gives the number of items.\nfunc Count(items []string) int { return 0 }\n\n// Total sums the prices.\nfunc Total(prices []int) int {\n\ts := 0\n\tfor _, p := range prices {\n\t\ts += p\n\t}\n\treturn s\n}\n",
  },
  helper: "package cart\n\nfunc sum(xs []int) int {\n\ts := 0\n\tfor _, x := range xs {\n\t\ts += x\n\t}\n\treturn s\n}\n",
  otherEdited: 'package money\n\nimport "fmt"\n\n// Format writes an amount.\nfunc Format(n float64) string { return fmt.Sprint(n) }\n',
  testFile: (cases) =>
    'package cart\n\nimport "testing"\n' +
    cases.map((c) => `\nfunc Test${camel(c.name)}(t *testing.T) {\n${indent((c.skip ? 't.Skip("total not ready")\n' : "") + c.body, "\t")}\n}\n`).join(""),
  asserts: {
    as1: 'if got := Total([]int{2, 3}); got != 5 {\n\tt.Fatalf("Total = %d, want 5", got)\n}',
    as2: 'if got := Total(nil); got != 0 {\n\tt.Errorf("Total(nil) = %d, want 0", got)\n}',
    as1Weak: 'if Total([]int{2, 3}) <= 0 {\n\tt.Fatal("expected a positive total")\n}',
    as1Tautology: 'got := Total([]int{2, 3})\nif got != got {\n\tt.Fatalf("Total = %d", got)\n}',
    as1Removed: "t.Log(Total([]int{2, 3}))",
    as1Edited: 'if got := Total([]int{2, 3}); got != 2 {\n\tt.Fatalf("Total = %d, want 2", got)\n}',
    single: 'if got := Total([]int{7}); got != 7 {\n\tt.Fatalf("Total = %d, want 7", got)\n}',
  },
};

// ---------------------------------------------------------------- Rust (cargo test)

const rust: Kit = {
  id: "cargo test",
  test: ["cargo", "test"],
  base: {
    "Cargo.toml": '[package]\nname = "shop"\nversion = "0.1.0"\nedition = "2021"\n',
    "src/lib.rs": "pub mod cart;\npub mod money;\n",
    "src/cart.rs": "pub fn count(items: &[&str]) -> usize {\n    items.len()\n}\n",
    "src/money.rs": 'pub fn format(n: f64) -> String {\n    format!("{:.2}", n)\n}\n',
    "tests/count.rs": '#[test]\nfn count_gives_the_number_of_items() {\n    assert_eq!(shop::cart::count(&["a", "b"]), 2);\n}\n',
    "README.md": "# shop\n",
  },
  constitution: { path: ".specify/memory/constitution.md", text: ZH_CONSTITUTION },
  criteriaFile: true,
  paths: {
    code: "src/cart.rs",
    newTest: "tests/total.rs",
    existingTest: "tests/count.rs",
    uncollectedTest: "tests/unit/total.rs",
    other: "src/money.rs",
    helper: "src/arith.rs",
    readme: "README.md",
  },
  code: {
    correct: "pub fn count(items: &[&str]) -> usize {\n    items.len()\n}\n\npub fn total(prices: &[i64]) -> i64 {\n    prices.iter().sum()\n}\n",
    wrong: "pub fn count(items: &[&str]) -> usize {\n    items.len()\n}\n\npub fn total(prices: &[i64]) -> i64 {\n    prices.len() as i64\n}\n",
    withHelper:
      "use crate::arith::add_all;\n\npub fn count(items: &[&str]) -> usize {\n    items.len()\n}\n\npub fn total(prices: &[i64]) -> i64 {\n    add_all(prices)\n}\n",
    brokenExisting: "pub fn count(_items: &[&str]) -> usize {\n    0\n}\n\npub fn total(prices: &[i64]) -> i64 {\n    prices.iter().sum()\n}\n",
  },
  helper: "pub fn add_all(xs: &[i64]) -> i64 {\n    xs.iter().sum()\n}\n",
  helperWiring: { "src/lib.rs": "pub mod arith;\npub mod cart;\npub mod money;\n" },
  otherEdited: "pub fn format(n: f64) -> String {\n    n.to_string()\n}\n",
  testFile: (cases) =>
    "use shop::cart::total;\n" + cases.map((c) => `\n#[test]\n${c.skip ? "#[ignore]\n" : ""}fn ${snake(c.name)}() {\n${indent(c.body, "    ")}\n}\n`).join(""),
  asserts: {
    as1: "assert_eq!(total(&[2, 3]), 5);",
    as2: "assert_eq!(total(&[]), 0);",
    as1Weak: "assert!(total(&[2, 3]) > 0);",
    as1Tautology: "assert!(true);",
    as1Removed: "let _ = total(&[2, 3]);",
    as1Edited: "assert_eq!(total(&[2, 3]), 2);",
    single: "assert_eq!(total(&[7]), 7);",
  },
};

export type Scenario = "tests-first" | "one-task";

/** The feature's files: spec, tasks (one task with its tests, or tests first then code), criteria, constitution. */
export function featureFiles(kit: Kit, scenario: Scenario): Files {
  const dir = "specs/001-cart-total";
  return {
    [kit.constitution.path]: kit.constitution.text,
    [`${dir}/spec.md`]: SPEC("Cart total"),
    [`${dir}/tasks.md`]: scenario === "tests-first" ? TASKS(kit.paths.code, kit.paths.newTest) : ONE_TASK(kit.paths.code, kit.paths.newTest),
    ...(kit.criteriaFile ? { [`${dir}/criteria.md`]: CRITERIA } : {}),
  };
}

export const TITLES = {
  as1: "US1-AS1 totals the prices in the cart",
  as2: "US1-AS2 an empty cart costs nothing",
  single: "US1-AS1 a single price is its own total",
};

export function kits(nodeModules: string): Kit[] {
  return [node, vitestKit(nodeModules), python, goKit, rust];
}
