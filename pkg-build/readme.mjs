// Writes pkg/README.md (the npm page) from README.md: the text between the
// `<!-- npm:start -->` and `<!-- npm:end -->` markers, so the user documentation has one source.
// Links into the repository are made absolute (npm renders the page outside the repo).
import { readFileSync, writeFileSync } from "node:fs";

const REPO = "https://github.com/aivideo/aivideo/blob/main/";
const src = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const parts = [...src.matchAll(/<!-- npm:start -->\n([\s\S]*?)<!-- npm:end -->/g)].map((m) => m[1]);
if (!parts.length) throw new Error("README.md has no <!-- npm:start --> … <!-- npm:end --> section");
const text = parts.join("\n").replace(/\]\((?!https?:|#)([^)]+)\)/g, (_, path) => `](${REPO}${path})`);
writeFileSync(new URL("../pkg/README.md", import.meta.url), text);
