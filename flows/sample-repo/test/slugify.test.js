import { test } from "node:test";
import assert from "node:assert/strict";
import { slugify } from "../src/index.js";

test("slugify joins words with dashes", () => {
  assert.equal(slugify("Hello World"), "hello-world");
});

test("slugify drops punctuation at the ends", () => {
  assert.equal(slugify("  ¡Hola, mundo!  "), "hola-mundo");
});
