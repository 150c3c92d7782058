#!/usr/bin/env node
'use strict';
// Generates tokmeter's golden test vectors, tests/vectors/<encoding>.tsv, from
// the official tiktoken Rust core (npm `tiktoken`, a WASM build), and
// cross-checks every ordinary/all/default result against the npm built-in
// encoders (the older, equivalent patterns) and the native tiktoken-rs build.
// Any disagreement is printed and makes the process exit non-zero.
//
//   cd tools && npm ci && node gen_vectors.js [--out DIR] [--only NAME,...]
//
// Line format: <case name>\t<mode>\t<input hex>\t<expected>
// (see tests/vectors/README.md).

const fs = require('fs');
const path = require('path');
const { Tiktoken } = require('tiktoken/lite');
const { get_encoding: builtinEncoding } = require('tiktoken');
const native = require('tiktoken-rs-node-linux-x64-gnu');
const { loadGeneralCategory } = require('./vector_ucd');
const { buildCases } = require('./vector_cases');

// ---------------------------------------------------------------------------
// tiktoken 0.14 definitions

const R50K_PAT = String.raw`'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s`;
const CL100K_PAT = String.raw`'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s`;
const O200K_PAT = [
  String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?`,
  String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?`,
  String.raw`\p{N}{1,3}`,
  String.raw` ?[^\s\p{L}\p{N}]+[\r\n/]*`,
  String.raw`\s*[\r\n]+`,
  String.raw`\s+(?!\S)`,
  String.raw`\s+`,
].join('|');

const ENDOFTEXT = '<|endoftext|>';
const FIM_PREFIX = '<|fim_prefix|>';
const FIM_MIDDLE = '<|fim_middle|>';
const FIM_SUFFIX = '<|fim_suffix|>';
const ENDOFPROMPT = '<|endofprompt|>';

function harmonySpecials() {
  const s = {
    [ENDOFTEXT]: 199999,
    [ENDOFPROMPT]: 200018,
    '<|startoftext|>': 199998,
    '<|reserved_200000|>': 200000,
    '<|reserved_200001|>': 200001,
    '<|return|>': 200002,
    '<|constrain|>': 200003,
    '<|reserved_200004|>': 200004,
    '<|channel|>': 200005,
    '<|start|>': 200006,
    '<|end|>': 200007,
    '<|message|>': 200008,
    '<|reserved_200009|>': 200009,
    '<|reserved_200010|>': 200010,
    '<|reserved_200011|>': 200011,
    '<|call|>': 200012,
  };
  for (let i = 200013; i < 201088; i++) s[`<|reserved_${i}|>`] = i;
  return s;
}

// ranks: npm encoder json; builtin: npm get_encoding name (+ extra specials);
// native: tiktoken-rs-node encoding name.
const ENCODINGS = [
  { name: 'r50k_base', ranks: 'r50k_base', pat: R50K_PAT, specials: { [ENDOFTEXT]: 50256 },
    builtin: 'r50k_base', native: 'r50k_base' },
  { name: 'p50k_base', ranks: 'p50k_base', pat: R50K_PAT, specials: { [ENDOFTEXT]: 50256 },
    builtin: 'p50k_base', native: 'p50k_base' },
  { name: 'p50k_edit', ranks: 'p50k_base', pat: R50K_PAT,
    specials: { [ENDOFTEXT]: 50256, [FIM_PREFIX]: 50281, [FIM_MIDDLE]: 50282, [FIM_SUFFIX]: 50283 },
    builtin: 'p50k_edit', native: 'p50k_edit' },
  { name: 'cl100k_base', ranks: 'cl100k_base', pat: CL100K_PAT,
    specials: { [ENDOFTEXT]: 100257, [FIM_PREFIX]: 100258, [FIM_MIDDLE]: 100259, [FIM_SUFFIX]: 100260,
      [ENDOFPROMPT]: 100276 },
    builtin: 'cl100k_base', native: 'cl100k_base' },
  { name: 'o200k_base', ranks: 'o200k_base', pat: O200K_PAT,
    specials: { [ENDOFTEXT]: 199999, [ENDOFPROMPT]: 200018 }, builtin: 'o200k_base', native: 'o200k_base' },
  // No npm/native o200k_harmony: the builtin o200k_base is extended with the
  // harmony specials for all/default modes; the native o200k_base is used for
  // ordinary mode only (harmony's ordinary encoding is o200k_base's).
  { name: 'o200k_harmony', ranks: 'o200k_base', pat: O200K_PAT, specials: harmonySpecials(),
    builtin: 'o200k_base', builtinExtend: true, native: 'o200k_base', nativeOrdinaryOnly: true },
];

// ---------------------------------------------------------------------------

function parseArgs(argv) {
  const o = { out: path.resolve(__dirname, '..', 'tests', 'vectors'), only: null };
  for (let i = 2; i < argv.length; i++) {
    if (argv[i] === '--out') o.out = path.resolve(argv[++i]);
    else if (argv[i] === '--only') o.only = argv[++i].split(',');
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return o;
}

function pkgVersion(name) {
  // Read node_modules/<name>/package.json directly (tiktoken's "exports" hides it).
  const dirs = require.resolve.paths(name) || [];
  for (const d of dirs) {
    const f = path.join(d, name, 'package.json');
    if (fs.existsSync(f)) return JSON.parse(fs.readFileSync(f, 'utf8')).version;
  }
  throw new Error(`cannot find ${name}/package.json`);
}

const sameIds = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const fmtIds = (ids) => Array.from(ids).join(' ');
const short = (ids) => {
  const s = fmtIds(ids);
  return s.length > 200 ? `${s.slice(0, 200)}... (${ids.length} ids)` : s;
};

// Leftmost special-token occurrence of text among `names`, as {offset (bytes), text}.
function leftmostSpecial(text, names) {
  let best = -1;
  let bestName = null;
  for (const n of names) {
    const i = text.indexOf(n);
    if (i >= 0 && (best < 0 || i < best)) {
      best = i;
      bestName = n;
    } else if (i >= 0 && i === best) {
      throw new Error(`two special tokens start at the same position: ${n} ${bestName}`);
    }
  }
  if (best < 0) return null;
  return { offset: Buffer.byteLength(text.slice(0, best), 'utf8'), text: bestName };
}

// Run fn and return {ids} or {error: token text} for tiktoken's disallowed-special error.
function tryEncode(fn) {
  try {
    return { ids: Array.from(fn()) };
  } catch (err) {
    const msg = String(err && err.message ? err.message : err);
    const m = /The text contains a special token that is not allowed: (.*)$/s.exec(msg);
    if (!m) throw err;
    return { error: m[1] };
  }
}

function main() {
  const opts = parseArgs(process.argv);
  const t0 = Date.now();
  const versions = {
    tiktoken: pkgVersion('tiktoken'),
    'tiktoken-rs-node-linux-x64-gnu': pkgVersion('tiktoken-rs-node-linux-x64-gnu'),
  };
  const date = process.env.SOURCE_DATE_EPOCH
    ? new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000).toISOString().slice(0, 10)
    : new Date().toISOString().slice(0, 10);

  const ucd = loadGeneralCategory();
  const cases = buildCases({ ucd });
  const problems = []; // disagreements: any makes the exit status non-zero
  const notes = [];
  const report = (msg) => {
    problems.push(msg);
    console.error(`DISAGREEMENT: ${msg}`);
  };

  // The o200k pattern must be exactly the npm encoder's pat_str.
  {
    const j = require('tiktoken/encoders/o200k_base.json');
    if (j.pat_str !== O200K_PAT) report(`o200k_base pattern differs from the npm encoder json:\n  ${j.pat_str}\n  ${O200K_PAT}`);
  }
  // p50k_edit's ranks are p50k_base's.
  if (require('tiktoken/encoders/p50k_edit.json').bpe_ranks !== require('tiktoken/encoders/p50k_base.json').bpe_ranks)
    report('p50k_edit and p50k_base ranks differ in the npm encoders');

  const summary = [];
  const outputs = []; // written only when every cross-check agreed

  for (const def of ENCODINGS) {
    if (opts.only && !opts.only.includes(def.name)) continue;
    const te = Date.now();
    const json = require(`tiktoken/encoders/${def.ranks}.json`);
    const enc = new Tiktoken(json.bpe_ranks, def.specials, def.pat);
    const specialNames = Object.keys(def.specials);

    // Specials must be prefix-free (so the leftmost match is unique).
    for (const a of specialNames) for (const b of specialNames) {
      if (a !== b && b.startsWith(a)) report(`${def.name}: special ${a} is a prefix of ${b}`);
    }
    // Ids shared by several special texts (o200k_harmony: 200018).
    const byId = new Map();
    for (const [k, v] of Object.entries(def.specials)) byId.set(v, (byId.get(v) || []).concat([k]));
    const sharedIds = new Set([...byId].filter(([, v]) => v.length > 1).map(([k]) => k));
    for (const id of sharedIds) notes.push(`${def.name}: id ${id} is shared by ${byId.get(id).join(', ')}`);

    // Compare the npm encoder json's specials with ours for the built-in encodings.
    const jsonSpecials = require(`tiktoken/encoders/${def.builtin}.json`).special_tokens;
    if (!def.builtinExtend && JSON.stringify(Object.entries(jsonSpecials).sort()) !== JSON.stringify(Object.entries(def.specials).sort()))
      report(`${def.name}: npm encoder json specials ${JSON.stringify(jsonSpecials)} differ from tiktoken 0.14's`);
    let builtinSpecials = null;
    if (def.builtinExtend) {
      builtinSpecials = {};
      for (const [k, v] of Object.entries(def.specials)) if (!(k in jsonSpecials)) builtinSpecials[k] = v;
    }
    const bi = builtinSpecials ? builtinEncoding(def.builtin, builtinSpecials) : builtinEncoding(def.builtin);
    const nat = native.getEncoding(def.native);

    const lines = [];
    const stats = { byClass: {}, byMode: {}, checks: { builtin: 0, native: 0, nativeSkippedSpecialText: 0, nativeNoHarmony: 0, roundTrip: 0, sharedIdDecode: 0 } };
    lines.push(`# generated by tools/gen_vectors.js from npm tiktoken ${versions.tiktoken} (WASM build of the tiktoken Rust core), ` +
      `cross-checked with tiktoken-rs-node-linux-x64-gnu ${versions['tiktoken-rs-node-linux-x64-gnu']}; node ${process.version}; ${date}`);
    lines.push(`# encoding ${def.name} as defined by tiktoken 0.14; pattern: ${def.pat}`);
    lines.push(`# ${specialNames.length} special tokens; fields: name<TAB>mode<TAB>input hex<TAB>ids | !disallowed <byte offset> <token id>`);
    if (sharedIds.size) lines.push(`# ids shared by several special texts (decode gives one of them): ${[...sharedIds].join(' ')}`);

    for (const c of cases) {
      const text = c.text;
      const bytes = Buffer.from(text, 'utf8');
      if (bytes.toString('utf8') !== text) throw new Error(`${c.name}: input is not valid Unicode`);
      const hex = bytes.toString('hex');
      const hasSpecial = specialNames.some((s) => text.includes(s));
      let ordinaryIds = null;

      for (const mode of c.modes) {
        const where = `${def.name} ${c.name} [${mode}]`;
        let expected;
        let ids = null;
        if (mode === 'ordinary') {
          ids = Array.from(enc.encode_ordinary(text));
          ordinaryIds = ids;
          const b = Array.from(bi.encode_ordinary(text));
          stats.checks.builtin++;
          if (!sameIds(ids, b)) report(`${where}: npm builtin encode_ordinary gives ${short(b)}, 0.14 gives ${short(ids)}`);
          const nativeSpecials = def.nativeOrdinaryOnly ? Object.keys(require(`tiktoken/encoders/${def.native}.json`).special_tokens) : specialNames;
          // The native build's encode() treats special text as special, so it can only
          // check ordinary mode on text without special-token text.
          if (!specialNames.some((s) => text.includes(s)) && !nativeSpecials.some((s) => text.includes(s))) {
            const n = Array.from(nat.encode(text));
            stats.checks.native++;
            if (!sameIds(ids, n)) report(`${where}: native build gives ${short(n)}, 0.14 gives ${short(ids)}`);
          } else stats.checks.nativeSkippedSpecialText++;
          expected = fmtIds(ids);
        } else if (mode === 'all') {
          ids = Array.from(enc.encode(text, 'all', []));
          const b = Array.from(bi.encode(text, 'all', []));
          stats.checks.builtin++;
          if (!sameIds(ids, b)) report(`${where}: npm builtin encode(all) gives ${short(b)}, 0.14 gives ${short(ids)}`);
          if (!def.nativeOrdinaryOnly) {
            const n = Array.from(nat.encode(text));
            stats.checks.native++;
            if (!sameIds(ids, n)) report(`${where}: native encode gives ${short(n)}, 0.14 gives ${short(ids)}`);
          } else stats.checks.nativeNoHarmony++;
          if (!hasSpecial && ordinaryIds && !sameIds(ids, ordinaryIds)) report(`${where}: all-mode ids differ from ordinary ids on text without specials`);
          expected = fmtIds(ids);
        } else if (mode === 'default') {
          const r = tryEncode(() => enc.encode(text, [], 'all'));
          const rb = tryEncode(() => bi.encode(text, [], 'all'));
          stats.checks.builtin++;
          const lm = leftmostSpecial(text, specialNames);
          if (r.error !== undefined) {
            if (!lm) report(`${where}: tiktoken raised for ${r.error} but no special text was found`);
            else if (lm.text !== r.error) report(`${where}: tiktoken raised for ${r.error}, leftmost special is ${lm.text}`);
            if (rb.error !== r.error) report(`${where}: npm builtin ${rb.error !== undefined ? `raised for ${rb.error}` : 'did not raise'}`);
            expected = `!disallowed ${lm.offset} ${def.specials[lm.text]}`;
          } else {
            ids = r.ids;
            if (lm) report(`${where}: tiktoken did not raise, but ${lm.text} occurs at byte ${lm.offset}`);
            if (rb.error !== undefined || !sameIds(rb.ids, ids)) report(`${where}: npm builtin default encode disagrees`);
            if (ordinaryIds && !sameIds(ids, ordinaryIds)) report(`${where}: default-mode ids differ from ordinary ids`);
            expected = fmtIds(ids);
          }
        } else throw new Error(`bad mode ${mode}`);

        if (ids) {
          // Round trip through the reference decoder.
          const dec = Buffer.from(enc.decode(Uint32Array.from(ids)));
          stats.checks.roundTrip++;
          if (!dec.equals(bytes)) {
            if (ids.some((x) => sharedIds.has(x))) stats.checks.sharedIdDecode++;
            else report(`${where}: decode(encode(x)) != x`);
          }
        }
        const nm = `${c.name}.${mode}`;
        lines.push(`${nm}\t${mode}\t${hex}\t${expected}`);
        stats.byClass[c.cls] = (stats.byClass[c.cls] || 0) + 1;
        stats.byMode[mode] = (stats.byMode[mode] || 0) + 1;
      }
    }
    enc.free();
    bi.free();

    const file = path.join(opts.out, `${def.name}.tsv`);
    const content = lines.join('\n') + '\n';
    outputs.push({ file, content });
    const size = Buffer.byteLength(content, 'utf8');
    const secs = (Date.now() - te) / 1000;
    summary.push({ name: def.name, cases: lines.length - lines.filter((l) => l.startsWith('#')).length, size, secs, stats });
    console.log(`${def.name}: ${summary[summary.length - 1].cases} cases, ${size} bytes, ${secs.toFixed(1)} s; ` +
      `by mode ${JSON.stringify(stats.byMode)}; checks ${JSON.stringify(stats.checks)}`);
    console.log(`  by class ${JSON.stringify(stats.byClass)}`);
  }

  for (const n of notes) console.log(`note: ${n}`);
  const total = summary.reduce((a, s) => a + s.size, 0);
  console.log(`total: ${summary.reduce((a, s) => a + s.cases, 0)} cases, ${total} bytes, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (problems.length) {
    console.error(`${problems.length} disagreement(s) between the reference builds; see above. Nothing was written.`);
    process.exit(1);
  }
  fs.mkdirSync(opts.out, { recursive: true });
  for (const o of outputs) fs.writeFileSync(o.file, o.content);
  console.log(`cross-checks: no disagreements; wrote ${outputs.length} file(s) to ${opts.out}`);
}

main();
