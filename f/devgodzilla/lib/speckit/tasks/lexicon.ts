// The words dependency prose is built from, per language: a small set of relation verbs and
// prepositions, negation, parallelism, hedges, list words and clause breaks. The reader
// (reader.ts) decides meaning from where these stand relative to references (subject/object
// around a verb, the group a preposition marks, particles in Japanese and Korean) — never from a
// whole phrasing, so a new sentence built from the same parts reads the same way.
//
// Direction classes:
//   dep   the subject runs AFTER the other side ("A depends on B", "A after B", "A は B に依存")
//   blk   the subject runs BEFORE the other side ("A blocks B", "A before B", "A が B をブロック")
//   until like dep, but only meaningful negated ("A cannot start until B")
// Forms say where the other side stands:
//   svo   verb between subject and object ("A requires B")
//   prep  marks the group right after it ("after B, A" / "A after B")
//   post  marks the group right before it ("B 完了後 A", "B 이후")
//   sov   verb after both groups; particles say which is which ("A が B をブロック")
//   noun  "Dependencies: B" — the subject comes from the task or label the line belongs to

export type RelationClass = "dep" | "blk" | "until";
export type MarkerForm = "svo" | "prep" | "post" | "sov" | "noun";

export interface RelationWord {
  cls: RelationClass;
  form: MarkerForm;
  /** Regex sources; Latin/Cyrillic ones get letter boundaries, CJK ones none. */
  words: string[];
}

/**
 * Letters a Latin or Cyrillic word may not touch. Explicit ranges instead of \\p{L}: the regexes
 * then need no "u" flag and run several times faster (they scan every line of tasks.md).
 */
export const LETTER = "A-Za-z0-9_\\u00C0-\\u024F\\u0370-\\u03FF\\u0400-\\u04FF";
/** The rest of a Cyrillic word (case endings). */
const CYR = "[\\u0400-\\u04FF]*";
const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/;

/**
 * Every match of a global regex. PERF: String#matchAll clones the regex on each call (10× slower on
 * these large alternations); exec with lastIndex reuses it.
 */
export function allMatches(re: RegExp, text: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].length) out.push(m);
    else re.lastIndex++;
  }
  return out;
}

/** The arrays one after another. PERF: Array#flatMap is several times slower on long arrays. */
export function concat(arrays: number[][]): number[] {
  if (arrays.length === 1) return arrays[0]!.slice();
  const out: number[] = [];
  for (const a of arrays) for (let i = 0; i < a.length; i++) out.push(a[i]!);
  return out;
}

/** One alternation: Latin/Cyrillic words share one pair of letter boundaries; CJK words get none. */
export function alternation(words: string[]): string {
  const plain = (w: string) => w.replace(/\(\?<?[=!][^)]*\)/g, "").replace(/\\[sw]|[\\()[\]?*+|{}^$.:]/g, "");
  const cjk = words.filter((w) => CJK.test(plain(w)));
  const bounded = words.filter((w) => !CJK.test(plain(w)) && /^[\p{L}\p{N}]/u.test(plain(w)) && /[\p{L}\p{N}]$/u.test(plain(w)));
  const rest = words.filter((w) => !cjk.includes(w) && !bounded.includes(w));
  const parts = [];
  if (bounded.length) parts.push(`(?<![${LETTER}])(?:${bounded.join("|")})(?![${LETTER}])`);
  if (rest.length) parts.push(rest.join("|"));
  if (cjk.length) parts.push(cjk.join("|"));
  return parts.join("|");
}

export const RELATION_WORDS: RelationWord[] = [
  // dep, verb with the prerequisite after it
  {
    cls: "dep",
    form: "svo",
    words: [
      // en
      "depends?\\s+(?:up)?on",
      "depending\\s+on",
      "dependent\\s+(?:up)?on",
      "relies\\s+on",
      "rely\\s+on",
      "requires",
      "needs",
      "waits?\\s+for",
      "waiting\\s+for",
      "(?:is\\s+|are\\s+)?blocked\\s+(?:by|on)",
      "(?:is\\s+|are\\s+)?preceded\\s+by",
      "follows",
      "comes?\\s+after",
      "gated\\s+(?:by|on)",
      // es / pt
      "depende(?:n)?\\s+de(?:l)?",
      "requiere(?:n)?",
      "necesita(?:n)?",
      "espera(?:n)?\\s+a",
      "bloquead[oa]s?\\s+por",
      "precedid[oa]s?\\s+por",
      "depende(?:m)?\\s+d[aeo]s?",
      "requer(?:em)?",
      "precisa(?:m)?\\s+d[aeo]s?",
      "aguarda(?:m)?",
      // de / fr
      "hängt\\s+(?:\\S+\\s+)?von",
      "hängen\\s+(?:\\S+\\s+)?von",
      "abhängig\\s+von",
      "benötigt",
      "benötigen",
      "erfordert",
      "erfordern",
      "wartet\\s+auf",
      "warten\\s+auf",
      "blockiert\\s+(?:durch|von)",
      "dépend(?:ent)?\\s+d[eu]s?",
      "nécessite(?:nt)?",
      "requiert",
      "bloqué(?:e)?s?\\s+par",
      // ru
      "завис(?:ит|ят)\\s+от",
      "требу(?:ет|ют)",
      "жд[её]т",
      "блокиру(?:ется|ются)",
      "следу(?:ет|ют)\\s+за",
      // zh (SVO)
      "依赖于?",
      "依賴於?",
      "取决于",
      "取決於",
      "需要",
      "等待",
      "有赖于",
    ],
  },
  {
    cls: "dep",
    form: "noun",
    words: [
      "dependenc(?:y|ies)",
      "depends(?=\\s*[:：])",
      "deps",
      "prerequisites?",
      "pre-requisites?",
      "preconditions?",
      "blockers?",
      "start\\s+conditions?",
      "dependencias?",
      "requisitos?\\s+previos?",
      "prerrequisitos?",
      "dependências?",
      "pré-requisitos?",
      "Abhängigkeit(?:en)?",
      "Voraussetzung(?:en)?",
      "dépendances?",
      "prérequis",
      "зависимост(?:ь|и|ей)",
      "предусловия?",
      "依赖项",
      "依賴項",
      "前置条件",
      "前置條件",
      "先决条件",
      "前提条件",
      "依存関係",
      "開始条件",
      "开始条件",
      "의존성",
      "선행\\s*조건",
      "전제\\s*조건",
    ],
  },
  {
    cls: "dep",
    form: "prep",
    words: [
      "after",
      "(?<!the\\s)following",
      "once",
      "upon\\s+completion\\s+of",
      "subsequent\\s+to",
      "as\\s+soon\\s+as",
      "después\\s+de(?:l)?",
      "tras",
      "luego\\s+de(?:l)?",
      "una\\s+vez",
      "após",
      "depois\\s+d[aeo]s?",
      "assim\\s+que",
      "uma\\s+vez",
      "nach",
      "nachdem",
      "sobald",
      "après",
      "dès\\s+que",
      "une\\s+fois",
      "после",
      "как\\s+только",
      "по\\s+завершении",
    ],
  },
  {
    cls: "dep",
    form: "post",
    words: [
      "完成之后",
      "完成后",
      "完成後",
      "完毕后",
      "之后",
      "以后",
      "之後",
      "以後",
      "完了後",
      "終了後",
      "完成後",
      "の後",
      "後に",
      "완료\\s*후",
      "이후",
      "후에",
    ],
  },
  { cls: "dep", form: "sov", words: ["依存", "を必要と", "待つ", "의존", "필요로"] },
  // blk
  {
    cls: "blk",
    form: "svo",
    words: [
      "blocks",
      "(?:is\\s+|are\\s+)?required\\s+by",
      "(?:is|are)\\s+(?:a\\s+)?prerequisites?\\s+(?:for|of|to)",
      "enables",
      "unblocks",
      "precedes",
      "(?:is\\s+|are\\s+)?followed\\s+by",
      "gates",
      "bloquea(?:n)?",
      "precede(?:n|m)?",
      "habilita(?:n|m)?",
      "bloqueia(?:m)?",
      "es\\s+(?:un\\s+)?requisito\\s+(?:previo\\s+)?(?:para|de)",
      "é\\s+(?:um\\s+)?pré-requisito\\s+(?:para|de)",
      "blockiert",
      "blockieren",
      "ist\\s+Voraussetzung\\s+für",
      "ermöglicht",
      "bloque(?:nt)?",
      "précède(?:nt)?",
      "блокиру(?:ет|ют)",
      "предшеству(?:ет|ют)",
      "阻塞",
      "阻断",
      "阻擋",
      "阻挡",
      "先于",
      "先於",
    ],
  },
  {
    cls: "blk",
    form: "prep",
    words: ["before", "prior\\s+to", "ahead\\s+of", "antes\\s+de(?:l)?", "antes\\s+d[aeo]s?", "vor", "bevor", "avant", "перед", "до\\s+начала"],
  },
  { cls: "blk", form: "post", words: ["之前", "以前", "の前に?", "より前に?", "이전에", "전에"] },
  { cls: "blk", form: "sov", words: ["ブロック", "先行", "차단", "선행"] },
  // until (needs a negation to mean "after")
  { cls: "until", form: "prep", words: ["until", "till", "hasta\\s+que", "hasta", "até\\s+que", "bis", "jusqu'à\\s+ce\\s+que", "пока\\s+не", "直到"] },
  { cls: "until", form: "post", words: ["まで", "까지"] },
];

/** Statements of parallelism or independence. */
export const PARALLEL = [
  "in\\s+parallel",
  "parallel(?:ly)?",
  "concurrent(?:ly)?",
  "simultaneous(?:ly)?",
  "at\\s+the\\s+same\\s+time",
  "independent(?:ly)?",
  "alongside",
  "side\\s+by\\s+side",
  "en\\s+paralelo",
  "paralelamente",
  "simultáneamente",
  "al\\s+mismo\\s+tiempo",
  "independientes?(?:mente)?",
  "em\\s+paralelo",
  "simultaneamente",
  "ao\\s+mesmo\\s+tempo",
  "independentes?(?:mente)?",
  "gleichzeitig",
  "unabhängig",
  "nebenläufig",
  "en\\s+parallèle",
  "simultanément",
  "indépendant(?:e|s|es|ment)?",
  "параллельно",
  "одновременно",
  "независим" + CYR + "",
  "并行",
  "並行",
  "平行",
  "同时",
  "同時",
  "独立",
  "獨立",
  "並列",
  "병렬",
  "동시",
  "독립",
];
/** Symbols used for "runs beside" in diagrams. */
export const PARALLEL_SYMBOLS = ["\\[P\\]", "║", "‖", "∥", "\\|\\|"];

/** "in this order": a listed group runs one after another. */
export const SEQUENCE = [
  "sequential(?:ly)?",
  "in\\s+sequence",
  "one\\s+after\\s+(?:another|the\\s+other)",
  "serially",
  "in\\s+series",
  "secuencialmente",
  "en\\s+secuencia",
  "sequencialmente",
  "em\\s+sequência",
  "nacheinander",
  "sequenziell",
  "der\\s+Reihe\\s+nach",
  "séquentiellement",
  "последовательно",
  "по\\s+очереди",
  "顺序",
  "順序",
  "依次",
  "串行",
  "順番に",
  "順次",
  "直列",
  "순차",
  "차례로",
];

/** Words that chain like an arrow: "A, then B". */
export const THEN = [
  "and\\s+then",
  "then",
  "followed\\s+by",
  "afterwards",
  "luego",
  "después",
  "a\\s+continuación",
  "seguido\\s+de",
  "depois",
  "em\\s+seguida",
  "dann",
  "danach",
  "anschließend",
  "puis",
  "ensuite",
  "затем",
  "потом",
  "после\\s+этого",
  "然后",
  "随后",
  "接着",
  "その後",
  "次に",
  "그\\s*다음",
  "이어서",
];

/** Negation. CJK ones count only right next to the relation word (see reader.ts). */
export const NEGATION_LATIN = [
  "not",
  "no",
  "never",
  "without",
  "none\\s+of",
  "neither",
  "nor",
  "\\w+n't",
  "sin",
  "nunca",
  "ningun[ao]?",
  "não",
  "sem",
  "nenhum[a]?",
  "nicht",
  "kein(?:e|en|er|es)?",
  "ohne",
  "nie",
  "ne",
  "pas",
  "sans",
  "aucun(?:e)?",
  "не",
  "нет",
  "без",
  "ни",
];
export const NEGATION_BEFORE_CJK = ["不", "无", "無", "没有", "沒有", "非", "不用", "无需", "無需", "不必"];
export const NEGATION_AFTER_CJK = ["しない", "しません", "せず", "ない", "なし", "無し", "不要", "하지\\s*않", "않", "없", "하지\\s*않는다"];

/** Modal verbs: with a negation they forbid ("cannot start before X" = after X). */
export const MODAL = [
  "can",
  "must",
  "should",
  "shall",
  "cannot",
  "can't",
  "puede(?:n)?",
  "debe(?:n)?",
  "pode(?:m)?",
  "deve(?:m)?",
  "kann",
  "können",
  "darf",
  "dürfen",
  "muss",
  "müssen",
  "peut",
  "peuvent",
  "doit",
  "doivent",
  "может",
  "могут",
  "должен",
  "должны",
  "нельзя",
];
export const PROHIBITION_FUSED = ["cannot", "can't", "can\\s+not", "mustn't", "不能", "不可", "不得", "できない", "できません", "수\\s*없", "нельзя"];

/** Hedges: an ordering said with one of these is not certain. */
export const HEDGE = [
  "may",
  "might",
  "could",
  "possibly",
  "probably",
  "perhaps",
  "maybe",
  "optional(?:ly)?",
  "if",
  "unless",
  "ideally",
  "quizás?",
  "tal\\s+vez",
  "posiblemente",
  "opcional(?:mente)?",
  "si",
  "talvez",
  "possivelmente",
  "vielleicht",
  "eventuell",
  "möglicherweise",
  "falls",
  "wenn",
  "peut-être",
  "éventuellement",
  "возможно",
  "может\\s+быть",
  "если",
  "опционально",
  "可能会",
  "也许",
  "或许",
  "如果",
  "若",
  "可选",
  "かもしれ",
  "場合",
  "もし",
  "任意",
  "수도\\s*있",
  "경우",
  "만약",
];

/** "or": a relation to one of several things is not a dependency on all of them. */
export const DISJUNCTION = ["or", "either", "o", "u", "ou", "oder", "или", "либо", "或者?", "或是", "または", "もしくは", "또는", "혹은"];

/** "none" as the whole other side of a dependency word ("Dependencies: none"). */
export const NONE = [
  "none",
  "n/a",
  "nothing",
  "ningun[ao]",
  "nada",
  "nenhum[a]?",
  "keine",
  "aucun(?:e)?",
  "rien",
  "нет",
  "无",
  "無",
  "没有",
  "なし",
  "無し",
  "없음",
  "없다",
  "-",
  "—",
  "–",
];

/** Words that join references into one group ("T001, T002 and T003"). */
export const CONJUNCTIONS = ["and", "as\\s+well\\s+as", "plus", "y", "e", "und", "et", "и", "和", "与", "與", "及", "以及", "跟", "と", "및", "과", "와"];
/** Words that make the second reference qualify the first ("T014 from US1"). */
export const QUALIFIERS = ["from", "of", "in", "within", "de", "del", "da", "do", "aus", "von", "из", "в", "の", "中的", "里的", "中", "에서", "의"];

/** Clause breaks: a relation never spans one. */
export const CUT_WORDS = [
  "because",
  "since",
  "but",
  "however",
  "although",
  "though",
  "whereas",
  "while",
  "so\\s+that",
  "porque",
  "pero",
  "aunque",
  "sin\\s+embargo",
  "ya\\s+que",
  "pois",
  "mas",
  "porém",
  "embora",
  "já\\s+que",
  "weil",
  "aber",
  "jedoch",
  "obwohl",
  "parce\\s+que",
  "mais",
  "car",
  "потому\\s+что",
  "так\\s+как",
  "но",
  "однако",
  "因为",
  "由于",
  "但是",
  "但",
  "然而",
  "ため",
  "だが",
  "しかし",
  "けど",
  "けれど",
  "때문",
  "하지만",
  "그러나",
  "지만",
];

/** Passive agents: "A 被 B 阻塞" — B does the blocking. */
export const AGENT = ["被", "によって", "により"];

/** Japanese/Korean particles after a group: subject vs object of an SOV relation verb. */
export const SUBJECT_PARTICLE = /^\s*(?:[(（][^()（）]*[)）]\s*)*[)）」』]?\s*(?:は|が|も|은|는|이|가)/u;
export const OBJECT_PARTICLE = /^\s*(?:[(（][^()（）]*[)）]\s*)*[)）」』]?\s*(?:に|を|へ|より|을|를|에게|에)/u;

// ---------------------------------------------------------------------------------------------
// References that are not ids: phases and stories named in words.

/** Words for "phase" (plural and case forms included), used before a number. */
export const PHASE_WORDS =
  "(?:Phases?|Phasen|Stages?|Fases?|Etapas?|Étapes?|Фаз" + CYR + "|Этап" + CYR + "|Стади" + CYR + "|阶段|階段|フェーズ|段階|단계|페이즈)";
/** Words for "user story" before a number. */
export const STORY_WORDS =
  "(?:US-?|HU-?|User\\s+Stor(?:y|ies)\\s*|Stor(?:y|ies)\\s*|Historias?\\s+de\\s+usuario\\s*|Historias?\\s*|Histórias?\\s+de\\s+usuário\\s*|Histórias?\\s*|Nutzergeschichten?\\s*|" +
  "Пользовательск" +
  CYR +
  "\\s+истори" +
  CYR +
  "\\s*|Истори" +
  CYR +
  "\\s*|用户故事\\s*|使用者故事\\s*|ユーザーストーリー\\s*|ストーリー\\s*|사용자\\s*스토리\\s*|스토리\\s*)";

/** "all user stories", "todas las historias", "所有用户故事", "すべてのユーザーストーリー"… (not followed by a number). */
export const ALL_STORIES = [
  "(?:all|every|each|any)\\s+(?:(?:the|desired|implemented|remaining|selected|other)\\s+){0,2}(?:user[\\s-]+)?stor(?:y|ies)",
  "user[\\s-]+stor(?:y|ies)",
  "stories",
  "(?:todas\\s+las\\s+)?historias\\s+de\\s+usuario",
  "todas\\s+las\\s+historias",
  "(?:todas\\s+as\\s+)?histórias\\s+de\\s+usuário",
  "todas\\s+as\\s+histórias",
  "alle\\s+(?:User\\s+)?Stor(?:y|ies)",
  "toutes\\s+les\\s+histoires",
  "все\\s+(?:пользовательские\\s+)?истории",
  "(?:所有|全部|任何|各)?的?用户故事",
  "(?:所有|全部)?的?使用者故事",
  "(?:すべての|全ての|全)?ユーザーストーリー",
  "(?:모든\\s*)?사용자\\s*스토리",
];
export const OTHER_STORIES = [
  "other\\s+(?:user\\s+)?stor(?:y|ies)",
  "otras\\s+historias",
  "outras\\s+histórias",
  "anderen\\s+Stor(?:y|ies)",
  "autres\\s+histoires",
  "други[ех]\\s+истори" + CYR + "",
  "其他(?:用户)?故事",
  "其它(?:用户)?故事",
  "他の(?:ユーザー)?ストーリー",
  "다른\\s*(?:사용자\\s*)?스토리",
];
export const LATER_PHASES = [
  "(?:all\\s+)?(?:later|subsequent|following|remaining)\\s+phases",
  "fases\\s+(?:posteriores|siguientes|seguintes)",
  "(?:alle\\s+)?nachfolgenden\\s+Phasen",
  "последующи[ех]\\s+(?:этап|фаз)" + CYR + "",
  "(?:所有)?后续阶段",
  "(?:所有)?後續階段",
  "後続(?:の)?フェーズ",
  "이후\\s*단계",
];
export const EARLIER_PHASES = [
  "(?:all\\s+)?(?:previous|earlier|prior|preceding)\\s+phases",
  "fases\\s+anteriores",
  "(?:alle\\s+)?vorherigen\\s+Phasen",
  "предыдущи[ех]\\s+(?:этап|фаз)" + CYR + "",
  "(?:所有)?(?:之前|前面)的阶段",
  "前の(?:全)?フェーズ",
  "이전\\s*단계",
];
export const THIS_PHASE = [
  "this\\s+phase",
  "the\\s+current\\s+phase",
  "esta\\s+fase",
  "diese[rn]?\\s+Phase",
  "cette\\s+phase",
  "эт(?:а|ой|у|от|ого)\\s+(?:фаз|этап)" + CYR + "",
  "此阶段",
  "本阶段",
  "该阶段",
  "這個階段",
  "此階段",
  "このフェーズ",
  "本フェーズ",
  "이\\s*단계",
];
export const THIS_TASK = [
  "this\\s+task",
  "esta\\s+tarea",
  "esta\\s+tarefa",
  "diese\\s+Aufgabe",
  "cette\\s+tâche",
  "эта\\s+задача",
  "此任务",
  "本任务",
  "该任务",
  "このタスク",
  "이\\s*작업",
];

/** Kind words, so "Depends on Setup" or "基础阶段" names a phase by what it is. */
export const KIND_WORDS: Record<"setup" | "foundational" | "polish", { latin: string[]; other: string[] }> = {
  setup: {
    latin: ["Setup", "Set-up", "Configuración", "Preparación", "Configuração", "Preparação", "Einrichtung", "Настройк" + CYR + "", "Подготовк" + CYR + ""],
    other: ["设置", "設置", "初始化", "セットアップ", "準備", "설정", "셋업"],
  },
  foundational: {
    latin: ["Foundational", "Foundations?", "Fundacional", "Fundamentos?", "Fundação", "Grundlagen", "Основ" + CYR + "", "Базов" + CYR + ""],
    other: ["基础", "基礎", "基盤", "기반", "기초"],
  },
  polish: {
    latin: ["Polish", "Pulido", "Acabamento", "Polimento", "Feinschliff", "Финализац" + CYR + "", "Полировк" + CYR + ""],
    other: ["润色", "完善", "打磨", "仕上げ", "마무리"],
  },
};
