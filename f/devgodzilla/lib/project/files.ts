// What kind of file a repository path is — code, test, doc, config or other — from the path alone.
// Shared by the artifacts of a task (workspace), agent assignment by task type (agentops) and QA.

export type FileKind = "code" | "test" | "doc" | "config" | "other";

const TEST_RE =
  /(^|\/)(tests?|__tests__|spec|specs?_tests?|testing)\/|(^|\/)test_[^/]+\.py$|_test\.(go|py|rb|exs?)$|\.(test|spec)\.[cm]?[jt]sx?$|Tests?\.(java|kt|cs|swift)$|_spec\.rb$/i;
const DOC_RE = /\.(md|mdx|rst|adoc|txt)$|(^|\/)(docs?|documentation)\/|(^|\/)(README|CHANGELOG|LICENSE|NOTICE|CONTRIBUTING|AUTHORS)(\.[^/]*)?$/i;
const CONFIG_RE =
  /\.(json|jsonc|ya?ml|toml|ini|cfg|conf|properties|lock|env\.example|editorconfig|gitignore|gitattributes|npmrc|nvmrc)$|(^|\/)(Dockerfile|Containerfile|Makefile|justfile|Procfile|\.env\.example|go\.mod|go\.sum|Gemfile|Pipfile|requirements[^/]*\.txt|pom\.xml|build\.gradle(\.kts)?|settings\.gradle(\.kts)?|tsconfig[^/]*\.json|vite\.config\.[cm]?[jt]s|vitest\.config\.[cm]?[jt]s|jest\.config\.[cm]?[jt]s|eslint\.config\.[cm]?[jt]s|\.eslintrc[^/]*|\.prettierrc[^/]*|babel\.config\.[cm]?js)$|(^|\/)\.(github|gitlab|circleci|husky|devcontainer|vscode)\//i;
const CODE_RE =
  /\.([cm]?[jt]sx?|py|pyi|go|rs|java|kt|kts|scala|rb|php|cs|fs|swift|m|mm|c|h|cc|cpp|cxx|hpp|hh|ex|exs|erl|hs|ml|clj|cljs|lua|pl|r|jl|dart|sh|bash|zsh|ps1|sql|vue|svelte|astro|css|scss|sass|less|html?|proto|graphql|gql|sol|zig|nim|tf)$/i;

/** code / test / doc / config / other, from the path alone. Requirement lists count as config. */
export function classifyPath(p: string): FileKind {
  if (TEST_RE.test(p) && (CODE_RE.test(p) || /\.(snap|json|ya?ml|txt)$/.test(p))) return "test";
  if (/(^|\/)requirements[^/]*\.txt$/i.test(p)) return "config";
  if (DOC_RE.test(p)) return "doc";
  if (CONFIG_RE.test(p)) return "config";
  if (CODE_RE.test(p)) return "code";
  return "other";
}
