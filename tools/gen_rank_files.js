#!/usr/bin/env node
// Rebuilds data/<name>.tiktoken from the npm package `tiktoken` (the WASM build
// of OpenAI's tiktoken core), reproducibly, and verifies each file against the
// SHA-256 that tiktoken publishes for it (tiktoken_ext/openai_public.py).
//
// The npm package ships encoders/<name>.json whose `bpe_ranks` string holds
// lines of the form `<x> <first rank> <b64> <b64> ...`: the tokens of one line
// have consecutive ranks starting at <first rank>. We expand that into
// tiktoken's own text format, `base64(token bytes) rank\n` sorted by rank,
// which is byte-identical to the files tiktoken downloads.
//
// Usage: cd tools && npm ci && node gen_rank_files.js [OUT_DIR]   (default ../data)
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const EXPECTED = {
  r50k_base: "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
  p50k_base: "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
  cl100k_base: "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
  o200k_base: "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
};

function expand(bpeRanks) {
  const entries = [];
  for (const line of bpeRanks.split("\n")) {
    if (line.length === 0) continue;
    const fields = line.split(" ");
    if (fields.length < 3) throw new Error(`short bpe_ranks line: ${line.slice(0, 60)}`);
    let rank = Number.parseInt(fields[1], 10);
    if (!Number.isSafeInteger(rank) || rank < 0) throw new Error(`bad first rank in: ${line.slice(0, 60)}`);
    for (const b64 of fields.slice(2)) entries.push([b64, rank++]);
  }
  entries.sort((a, b) => a[1] - b[1]);
  for (let i = 1; i < entries.length; i++)
    if (entries[i][1] === entries[i - 1][1]) throw new Error(`duplicate rank ${entries[i][1]}`);
  return entries.map(([b64, r]) => `${b64} ${r}\n`).join("");
}

function main() {
  const outDir = path.resolve(process.argv[2] || path.join(__dirname, "..", "data"));
  const pkgJson = path.join(path.dirname(require.resolve("tiktoken/encoders/r50k_base.json")), "..", "package.json");
  const version = JSON.parse(fs.readFileSync(pkgJson, "utf8")).version;
  let failed = false;
  for (const [name, want] of Object.entries(EXPECTED)) {
    const text = expand(require(`tiktoken/encoders/${name}.json`).bpe_ranks);
    const got = crypto.createHash("sha256").update(text, "utf8").digest("hex");
    if (got !== want) {
      console.error(`${name}: sha256 ${got} != published ${want}`);
      failed = true;
      continue;
    }
    fs.writeFileSync(path.join(outDir, `${name}.tiktoken`), text);
    console.log(`${name}: ${text.length} bytes, sha256 ${got} ok (npm tiktoken ${version})`);
  }
  if (failed) process.exit(1);
}

main();
