// Every principle of the project's own constitution is judged, in the file's order:
//   - a principle whose statements a mechanical check can test runs that check. The check is chosen
//     by what the statements SAY — the concepts in them (tests + before + code, secrets, lint, types,
//     injection, integration tests …, in the languages constitutions are written in) — never by the
//     principle's number or a title keyword;
//   - every other principle is judged by the LLM against evidence retrieved for it;
//   - without an LLM, a principle no check covers is `not_judged` (listed, never dropped).

import { parseConstitution, principleId, type ConstitutionArticle } from "../speckit/constitution.ts";
import { MECHANICAL_CHECKS, type CheckContext, type CheckOutcome } from "./gates.ts";
import type { CheckName, CheckRun, Finding, GateId, GateMode, GateResult, PrincipleResult, PrincipleVerdict } from "./types.ts";

export type { CheckName };

// ---------------------------------------------------------------- concepts

// Each concept is the words for one idea in the languages constitutions are written in (English,
// Spanish, Portuguese, French, German, Italian, Russian, Chinese, Japanese, Korean). A check is
// chosen when a statement combines the concepts it tests, whatever the phrasing around them.
const C = {
  test: /\btests?\b|\btesting\b|\btested\b|\bTDD\b|\bBDD\b|pruebas?\b|\btestes?\b|\bessais?\b|\bTests?\b|collaud|тест|测试|測試|テスト|테스트/i,
  testDriven:
    /\bTDD\b|test[- ]driven|test[- ]first|tests?[- ]before|red[- /]green|testgetrieben|dirigid[oa] por pruebas|guiad[oa] por testes|orientad[oa] a testes|piloté par les tests|разработк\w* через тестирование|测试驱动|測試驅動|テスト駆動|테스트 주도|테스트 우선/i,
  before:
    /\bbefore\b|\bfirst\b|\bprior to\b|\bprecede|\bupfront\b|\bantes\b|\bprimero\b|\bprimeiro\b|\bavant\b|\bd'abord\b|\bvor\b|\bvorher\b|\bzuerst\b|\bprima\b|перед|сначала|先|之前|以前|前に|まず|먼저|전에/i,
  code: /\bcode\b|\bimplement|\bproduction\b|\bfeature|\bcódigo\b|\bimplementa|\bCode\b|\bImplementier|\bimplémentation|\bcodice\b|\bкод|реализац|代码|代碼|实现|實現|実装|コード|구현|코드|기능/i,
  pass: /\bpass(es|ing|ed)?\b|\bgreen\b|\bsucceed|\bsuccessful|\bclean\b|without (errors|failures)|\bpas[ae]n?\b|\baprobad|\bpassar|\bpassem\b|\bréussi|\bpasser\b|\bbestehen|\bbestanden|\bgrün\b|fehlerfrei|\bsuperar|проход|успешн|通过|通過|合格|成功|パス|グリーン|통과|성공/i,
  lint: /\blint(s|er|ers|ing)?\b|eslint|\bruff\b|flake8|pylint|clippy|golangci|rubocop|prettier|\bblack\b|gofmt|rustfmt|static analysis|static checks?|code style|formatter|análisis estático|análise estática|analyse statique|statische analyse|статическ\w* анализ|静的解析|静态分析|靜態分析|정적 분석|린트|린터|リント|リンター|代码风格|コードスタイル|코드 스타일/i,
  types:
    /type[- ]?check|type[- ]?safe|\btyped\b|type (errors?|hints?|annotations?)|strict (mode|typ)|\bmypy\b|pyright|\btsc\b|noImplicitAny|tipad[oa]|verificación de tipos|verificação de tipos|vérification de types|\btypage\b|Typprüfung|typsicher|типизац|проверк\w* типов|型チェック|型安全|型検査|类型检查|类型安全|型別檢查|타입 체크|타입 검사|타입 안전|형 검사/i,
  secret:
    /secret|credential|password|passphrase|api[- _]?keys?|access[- _]?keys?|\btokens?\b|private keys?|secreto|credencial|contraseña|segredo|senha|mot de passe|identifiants|Geheimnis|Passw(o|ö)rt|Zugangsdaten|Anmeldedaten|segret|credenzial|секрет|парол|учётн|учетн|秘密|密钥|密鑰|密码|密碼|凭据|憑證|認証情報|パスワード|機密情報|비밀|자격 증명|시크릿|토큰|トークン|令牌/i,
  injection:
    /inject|sanitiz|sanitis|parameteri[sz]ed|prepared statements?|\bplaceholders?\b|escap(e|ing)\b|\bshell\b|\beval\b|\bSQL\b|arbitrary code|inyecci|injeç|Injektion|инъекц|注入|インジェクション|인젝션/i,
  integration:
    /integration|contract tests?|end[- ]to[- ]end|\be2e\b|integración|integração|intégration|Integrationst|integrazione|интеграцион|集成测试|整合測試|統合テスト|결합 테스트|통합 테스트|계약 테스트|契約テスト|契约测试/i,
  library: /librar|\bpackages?\b|dependenc|standard library|\bstdlib\b|bibliotec|biblioth|Bibliothek|библиотек|ライブラリ|库|函式庫|라이브러리|패키지/i,
  handRolled:
    /hand[- ]?(written|rolled|made|crafted)|reinvent|own implementation|write (your|our|their) own|from scratch|instead of writing|custom (parser|implementation|code)|a mano|reinventar|à la main|réinvent|selbst (geschrieben|implementiert|gebaut)|nachbau|вручную|велосипед|自作|自前|車輪の再発明|自己实现|手写|重复造轮子|직접 구현|바퀴를 재발명/i,
  abstraction:
    /\bwrap(per|pers|ping|s)?\b|abstraction|indirection|\blayers?\b|facade|envolver|abstracción|abstração|camada|\bcouches?\b|Abstraktion|Schicht|Wrapper|абстракц|обёрт|обертк|\bслой|抽象|ラッパー|レイヤー|封装|包装|추상화|래퍼/i,
  avoid:
    /directly|rather than|instead of|\bavoid|\bno (new )?(layers?|wrappers?|abstractions?)|without (a )?(need|justification|reason)|unnecessary|directamente|en lugar de|\bevitar|diretamente|em vez de|directement|au lieu de|éviter|\bdirekt|\bstatt\b|vermeiden|непосредственно|вместо|избега|直接|避免|不要|避ける|대신|피하/i,
  limit:
    /\bat most\b|no more than|\bmaximum\b|\bmax\.?\s*\d|\bup to \d|fewer than|\bexceed|\blimit(ed)? to\b|≤|以内|以下|이하|不超过|最多|\bmáximo\b|höchstens|au plus|не более/i,
  units:
    /\bprojects?\b|\bmodules?\b|\bpackages?\b|\bfiles?\b|\blines?\b|proyectos?|projetos?|\bprojets?\b|Projekte?|проект|模块|项目|專案|プロジェクト|モジュール|프로젝트|모듈/i,
  must: /\b(MUST|SHALL|REQUIRED|NEVER|ALWAYS|MANDATORY|NON-NEGOTIABLE)\b|\b(must|shall|required|never|always|mandatory|no exceptions?)\b|必须|必須|不得|禁止|严禁|嚴禁|絶対|必ず|해야|반드시|금지|불가|\bdebe|\bdeben\b|obligatori|\bnunca\b|\bsiempre\b|prohibid|\bdeve\b|\bdevem\b|obrigatóri|\bjamais\b|\bdoit\b|\bdoivent\b|obligatoire|interdit|\bmuss\b|\bmüssen\b|niemals|\bimmer\b|verboten|darf nicht|dürfen nicht|должн|обязательн|запрещ|никогда|всегда|нельзя/i,
  should:
    /\b(should|recommended|prefer(red|ably)?|ideally|encouraged)\b|\bSHOULD\b|sollte|empfohlen|debería|recomendad|deveria|devrait|recommandé|следует|рекоменд|应该|应当|建议|推奨|べき|望ましい|권장|바람직/i,
};

export interface Selected {
  check: CheckName;
  /** The statement that asks for it. */
  statement: string;
  /** A MUST-level statement (or a declarative rule) blocks; SHOULD-level wording warns. */
  strength: "must" | "should";
}

/** The checks one statement asks for. */
export function checksOfStatement(s: string): CheckName[] {
  const out: CheckName[] = [];
  const has = (k: keyof typeof C) => C[k].test(s);
  if (has("testDriven") || (has("test") && has("before") && has("code"))) out.push("test-first");
  if (has("test") && has("pass")) out.push("tests-pass");
  if (has("lint")) out.push("lint");
  if (has("types")) out.push("typecheck");
  if (has("secret")) out.push("no-secrets");
  if (has("injection")) out.push("injection");
  if (has("integration") && has("test")) out.push("integration-tests");
  if (has("library") && has("handRolled")) out.push("library-use");
  if (has("abstraction") && has("avoid")) out.push("abstraction");
  if (has("limit") && has("units")) out.push("simplicity");
  return out;
}

/** The checks a principle's statements ask for (first statement per check), with their strength. */
export function selectChecks(a: ConstitutionArticle): Selected[] {
  const out: Selected[] = [];
  const marked = a.severitySource !== "default";
  for (const s of a.statements) {
    for (const check of checksOfStatement(s)) {
      if (out.some((x) => x.check === check)) continue;
      // Declarative rules bind unless they only recommend, or the principle is marked as a warning.
      const strength = C.should.test(s) && !C.must.test(s) ? "should" : marked && a.severity === "warning" ? "should" : "must";
      out.push({ check, statement: s, strength });
    }
  }
  return out;
}

// ---------------------------------------------------------------- principles of a constitution

export interface PlannedPrinciple {
  id: string;
  title: string;
  line: number;
  article: ConstitutionArticle;
  checks: Selected[];
  /** Configuration for this principle (c_devgodzilla_qa.principles[id]), if any. */
  configured?: GateMode;
}

/** The principles of a constitution text, in file order, each with the checks its statements ask for. */
export function planPrinciples(constitution: string, configured: Record<string, GateMode> = {}): PlannedPrinciple[] {
  return parseConstitution(constitution).articles.map((a) => {
    const id = principleId(a);
    return { id, title: a.title, line: a.line, article: a, checks: selectChecks(a), configured: configured[id] ?? configured[id.toLowerCase()] };
  });
}

/** The mode a principle's failures get: configuration first, then its statements and marking. */
export function principleMode(p: PlannedPrinciple): GateMode {
  if (p.configured) return p.configured;
  if (p.checks.length) return p.checks.some((c) => c.strength === "must") ? "blocking" : "warning";
  return p.article.severity === "blocking" ? "blocking" : "warning";
}

// ---------------------------------------------------------------- judging

export interface PrincipleJudge {
  /** The model's judgement of one principle over retrieved evidence; null when no LLM is configured. */
  (p: PlannedPrinciple): Promise<{ status: "PASSED" | "FAILED" | "UNCLEAR"; explanation: string; files: string[] }>;
}

export interface JudgePrinciplesInput {
  principles: PlannedPrinciple[];
  ctx: CheckContext;
  /** The project's lint / typecheck / test runs (tests-pass, lint, typecheck read them). */
  checks: readonly CheckRun[];
  /** Gate modes configured by check name (c_devgodzilla_qa.gates). */
  gateConfig: Record<string, GateMode>;
  judge: PrincipleJudge | null;
}

export interface JudgedPrinciples {
  rows: PrincipleResult[];
  /** One gate per mechanical check that ran, with the principles that asked for it. */
  gates: GateResult[];
  /** Principles the model found violated (blocking when the principle binds). */
  findings: Finding[];
}

const PROJECT_CHECK: Partial<Record<CheckName, CheckRun["kind"]>> = { "tests-pass": "test", lint: "lint", typecheck: "typecheck" };

function projectCheckOutcome(run: CheckRun | undefined, kind: string): CheckOutcome & { failed: boolean } {
  if (!run || run.status === "skipped")
    return { applicable: false, evidence: `no ${kind} command ran${run?.note ? ` (${run.note})` : ""}`, findings: [], failed: false };
  const failed = run.status !== "passed";
  const counts = run.results ? `${run.results.executed} ran` : run.counts ? `${run.counts.passed} passed, ${run.counts.failed} failed` : "";
  return { applicable: true, evidence: `\`${run.command.join(" ")}\` ${run.status}${counts ? ` (${counts})` : ""}`, findings: [], failed };
}

export async function judgePrinciples(input: JudgePrinciplesInput): Promise<JudgedPrinciples> {
  const outcomes = new Map<CheckName, Promise<CheckOutcome>>();
  const run = (name: CheckName) => outcomes.get(name) ?? outcomes.set(name, MECHANICAL_CHECKS[name]!.run(input.ctx)).get(name)!;
  const rows: PrincipleResult[] = [];
  const findings: Finding[] = [];
  const asking = new Map<CheckName, { ids: string[]; mode: GateMode }>();
  for (const p of input.principles) {
    const mode = principleMode(p);
    if (p.configured === "off") {
      rows.push({ id: p.id, title: p.title, verdict: "not_judged", how: "none", evidence: "off in c_devgodzilla_qa" });
      continue;
    }
    if (p.checks.length) {
      const parts: string[] = [];
      let failed = false;
      let passed = false;
      for (const sel of p.checks) {
        const kind = PROJECT_CHECK[sel.check];
        const o: CheckOutcome & { failed?: boolean } = kind
          ? projectCheckOutcome(
              input.checks.find((c) => c.kind === kind),
              kind,
            )
          : await run(sel.check);
        const bad = o.failed ?? o.findings.some((f) => f.severity !== "warning");
        if (!kind) {
          const a = asking.get(sel.check) ?? { ids: [], mode: "warning" as GateMode };
          a.ids.push(p.id);
          if (mode === "blocking") a.mode = "blocking";
          asking.set(sel.check, a);
        }
        if (!o.applicable) parts.push(`${sel.check}: not applicable (${o.evidence})`);
        else {
          failed ||= bad;
          passed ||= !bad;
          const worst = o.findings.find((f) => f.severity !== "warning");
          parts.push(`${sel.check}: ${bad && worst ? `${worst.code} ${worst.message}` : o.evidence}`);
        }
      }
      const verdict: PrincipleVerdict = failed ? (mode === "blocking" ? "fail" : "warn") : passed ? "pass" : "not_applicable";
      rows.push({ id: p.id, title: p.title, verdict, how: `check:${p.checks.map((c) => c.check).join("+")}`, evidence: parts.join("; ").slice(0, 600) });
      continue;
    }
    if (!input.judge) {
      rows.push({
        id: p.id,
        title: p.title,
        verdict: "not_judged",
        how: "none",
        evidence: "no mechanical check tests its statements, and no LLM was given to judge it",
      });
      continue;
    }
    try {
      const j = await input.judge(p);
      const verdict: PrincipleVerdict = j.status === "PASSED" ? "pass" : j.status === "FAILED" ? (mode === "blocking" ? "fail" : "warn") : "not_judged";
      const evidence = `${j.explanation}${j.files.length ? ` (evidence: ${j.files.slice(0, 4).join(", ")})` : ""}`.slice(0, 600);
      rows.push({ id: p.id, title: p.title, verdict, how: "llm", evidence });
      if (j.status === "FAILED")
        findings.push({
          code: "PRINCIPLE",
          principle: p.id,
          source: "principle",
          severity: mode === "blocking" ? "blocking" : "warning",
          message: `Principle ${p.id} (${p.title}) is not met: ${j.explanation.slice(0, 300)}`,
          fix: "Change the code so the principle holds, or justify the exception in the plan.",
        });
    } catch (e) {
      rows.push({
        id: p.id,
        title: p.title,
        verdict: "not_judged",
        how: "llm",
        evidence: `the model could not judge it: ${(e as Error).message.slice(0, 200)}`,
      });
    }
  }
  const gates: GateResult[] = [];
  for (const [name, a] of asking) {
    const o = await run(name);
    const mode = input.gateConfig[name] ?? a.mode;
    if (mode === "off") {
      gates.push({
        id: name as GateId,
        principles: a.ids,
        name: MECHANICAL_CHECKS[name]!.title,
        mode,
        status: "skipped",
        note: "off in c_devgodzilla_qa",
        findings: [],
      });
      continue;
    }
    const fs: Finding[] = o.findings.map(({ severity, ...f }) => ({
      ...f,
      principle: a.ids.join(", "),
      source: "gate",
      severity: severity === "warning" || mode === "warning" ? "warning" : "blocking",
    }));
    const status = !o.applicable ? "skipped" : fs.some((f) => f.severity === "blocking") ? "failed" : fs.length ? "warned" : "passed";
    gates.push({ id: name as GateId, principles: a.ids, name: MECHANICAL_CHECKS[name]!.title, mode, status, note: o.evidence, findings: fs });
  }
  return { rows, gates, findings };
}
