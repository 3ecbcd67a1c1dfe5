/** Lower-cases text and joins its words with dashes: "Hello World" → "hello-world". */
export function slugify(text) {
  return text
    .toLowerCase()
    .trim()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}
