#!/usr/bin/env node
// compare.js — tokmeter side by side with the npm tokenizers people use.
//
//   node compare.js [--tokmeter-bench PATH] [--tokmeter-cli PATH] [--seconds S]
//                   [--rounds N] [-e ENCODING]... [--peer NAME]... [--json OUT]
//                   [FILE...]
//
// For every round, corpus file and encoding (default cl100k_base and
// o200k_base) it runs each peer single-threaded, in-process, in a fresh node
// child process of its own (so one peer's heap, caches and JIT state never
// touch another's, and a crash is reported instead of ending the run): one
// warm-up run on the whole file (reported as "first run"), then whole-file
// runs repeated until at least S seconds (default 1) have passed. MB/s is
// UTF-8 input bytes (1e6) per second of wall time of the peer's own encode
// call; the file's bytes are read and decoded to a JS string once, outside the
// timing. Right after the peers it runs tokmeter's tkm_bench on the same file
// and encoding and parses its line. With --rounds N the whole sweep is
// repeated N times, interleaved, and every figure is the median over rounds;
// the ratio tokmeter ÷ peer is the median of the per-round ratios (tokmeter
// and the peer measured minutes apart in the same round), which is steadier
// than a ratio of medians when the machine's load drifts.
//
// Token counts use encode_ordinary semantics: special-token text such as
// "<|endoftext|>" is encoded as plain text, as tkm_bench does. A peer whose
// API cannot do that (tiktoken-rs-node always recognises special tokens) is
// still run; on a file that contains special-token text its count is checked
// against `tokmeter count --allowed-special all` instead (the CLI is found by
// --tokmeter-cli, $TKM_CLI, or next to tkm_bench at ../tools/cli/tokmeter),
// and shown as "AGREES (special)"; without the CLI it is "n/a (special)".
//
// Prints a markdown table and exits 1 if any comparable peer count differs
// from tokmeter's (both are printed), 2 on a usage or tokmeter error.
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const SPECIAL = {
  cl100k_base: ['<|endoftext|>', '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>', '<|endofprompt|>'],
  o200k_base: ['<|endoftext|>', '<|endofprompt|>'],
};

// Each peer: the npm package, how to load one encoding, and an encode call
// that returns the token count (or a promise of it) for a string.
const PEERS = [
  {
    name: 'tiktoken-rs-node',
    pkg: 'tiktoken-rs-node-linux-x64-gnu',
    what: 'tiktoken-rs 0.6 (Rust, fancy-regex) via napi; native',
    ordinary: false, // encode() is encode_with_special_tokens, there is no other call
    load(enc) {
      const e = require('tiktoken-rs-node-linux-x64-gnu').getEncoding(enc);
      return { encode: (s) => e.encode(s).length };
    },
  },
  {
    name: '@anysphere/tiktoken-node',
    pkg: '@anysphere/tiktoken-node',
    what: "Cursor's fork of tiktoken (Rust) via napi; native, async (runs on a worker thread, awaited one call at a time)",
    ordinary: true,
    load(enc) {
      const t = require('@anysphere/tiktoken-node');
      const tok = t.getTokenizer();
      const id = { cl100k_base: t.SupportedEncoding.Cl100k, o200k_base: t.SupportedEncoding.O200k }[enc];
      if (id === undefined) throw new Error('unsupported encoding ' + enc);
      return {
        encode: (s) => tok.encode(s, id, t.SpecialTokenAction.NormalText, {}).then((ids) => ids.length),
      };
    },
  },
  {
    name: 'tiktoken (WASM)',
    pkg: 'tiktoken',
    what: "OpenAI's tiktoken Rust core compiled to WebAssembly (dqbd/tiktoken)",
    ordinary: true,
    load(enc) {
      const e = require('tiktoken').get_encoding(enc);
      return { encode: (s) => e.encode_ordinary(s).length, free: () => e.free() };
    },
  },
  {
    name: 'gpt-tokenizer',
    pkg: 'gpt-tokenizer',
    what: 'pure JavaScript, LRU merge cache (100k pieces by default)',
    ordinary: true,
    load(enc) {
      const g = require('gpt-tokenizer/cjs/encoding/' + enc);
      const opts = { allowedSpecial: new Set(), disallowedSpecial: new Set() };
      return { encode: (s) => g.encode(s, opts).length };
    },
  },
  {
    name: 'ai-tokenizer',
    pkg: 'ai-tokenizer',
    what: 'pure JavaScript (coder/ai-tokenizer), merge cache',
    ordinary: true,
    load(enc) {
      const { Tokenizer } = require('ai-tokenizer');
      const tok = new Tokenizer(require('ai-tokenizer/encoding/' + enc));
      // encode(text, allowed = [], disallowed = []) encodes special-token text
      // as plain text; count() and the defaults throw on it instead.
      return { encode: (s) => tok.encode(s, [], []).length };
    },
  },
];

function pkgVersion(pkg) {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch (_) {
    return null;
  }
}

const now = () => Number(process.hrtime.bigint()) / 1e9;

// ---- worker: one peer, one encoding, one file ------------------------------
async function worker(peerName, enc, file, seconds) {
  const peer = PEERS.find((p) => p.name === peerName);
  const buf = fs.readFileSync(file);
  const text = buf.toString('utf8');
  if (Buffer.byteLength(text) !== buf.length) throw new Error(file + ' is not valid UTF-8');
  let t0 = now();
  const p = peer.load(enc);
  const loadMs = (now() - t0) * 1e3;
  t0 = now();
  const tokens = await p.encode(text);
  const first = now() - t0;
  let iters = 0;
  let t = 0;
  let n = tokens;
  t0 = now();
  do {
    n = await p.encode(text);
    iters++;
    t = now() - t0;
    if (n !== tokens) throw new Error(`count changed between runs: ${tokens} then ${n}`);
  } while (t < seconds);
  if (p.free) p.free();
  return {
    bytes: buf.length,
    tokens,
    loadMs,
    firstMBs: buf.length / first / 1e6,
    mbs: (buf.length * iters) / t / 1e6,
    iters,
  };
}

// ---- parent -----------------------------------------------------------------
function usage(msg) {
  if (msg) process.stderr.write(`compare.js: ${msg}\n`);
  process.stderr.write(
    'usage: node compare.js [--tokmeter-bench PATH] [--seconds S] [--rounds N]\n' +
      '                       [--tokmeter-cli PATH] [-e ENCODING]... [--peer NAME]...\n' +
      '                       [--json OUT] [FILE...]\n' +
      `peers: ${PEERS.map((p) => p.name).join(', ')}\n`
  );
  process.exit(2);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function runPeer(peer, enc, file, seconds) {
  const r = spawnSync(
    process.execPath,
    [__filename, '--worker', peer.name, enc, file, String(seconds)],
    { encoding: 'utf8', maxBuffer: 1 << 24, timeout: 1800e3 }
  );
  if (r.status === 0) {
    try {
      return JSON.parse(r.stdout.trim().split('\n').pop());
    } catch (_) {
      /* fall through */
    }
  }
  const tail = (r.stderr || '').trim().split('\n').slice(-3).join(' | ');
  const why = r.error ? r.error.message : r.signal ? `signal ${r.signal}` : `exit ${r.status}`;
  return { error: `${why}${tail ? ': ' + tail : ''}` };
}

const TKM_LINE = /^(\S+)\s+(.+?)\s+(\d+) B\s+(\d+) tok\s+encode\s+([\d.]+) MB\/s.*?count\s+([\d.]+) MB\/s/;

function runTokmeter(bench, enc, file, seconds) {
  const r = spawnSync(bench, ['-e', enc, '--seconds', String(seconds), file], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    timeout: 1800e3,
  });
  if (r.status !== 0 || r.error) {
    return { error: `${bench} exited ${r.error ? r.error.message : r.status}: ${(r.stderr || '').trim()}` };
  }
  for (const line of r.stdout.split('\n')) {
    const m = TKM_LINE.exec(line);
    if (m && m[1] === enc) {
      return { bytes: Number(m[3]), tokens: Number(m[4]), mbs: Number(m[5]), countMBs: Number(m[6]) };
    }
  }
  return { error: `cannot parse tkm_bench output:\n${r.stdout}` };
}

// `tokmeter count --allowed-special all`: the count with special tokens
// recognised, for peers that cannot encode them as text.
function tokmeterSpecialCount(cli, enc, file) {
  const r = spawnSync(cli, ['count', '-e', enc, '--allowed-special', 'all', file], {
    encoding: 'utf8',
    timeout: 600e3,
  });
  const m = r.status === 0 && /^(\d+)\t/.exec(r.stdout);
  return m ? Number(m[1]) : null;
}

function fmt(x, d = 1) {
  if (x === undefined || x === null || Number.isNaN(x)) return '—';
  return x >= 100 ? x.toFixed(0) : x.toFixed(d);
}

function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--worker') {
    const [, peer, enc, file, seconds] = argv;
    worker(peer, enc, file, Number(seconds)).then(
      (r) => process.stdout.write(JSON.stringify(r) + '\n'),
      (e) => {
        process.stderr.write(String((e && e.stack) || e) + '\n');
        process.exit(1);
      }
    );
    return;
  }

  let bench = process.env.TKM_BENCH || '';
  let cli = process.env.TKM_CLI || '';
  let seconds = 1;
  let rounds = 1;
  let jsonOut = null;
  const encs = [];
  const only = [];
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === '--tokmeter-bench') bench = val();
    else if (a === '--tokmeter-cli') cli = val();
    else if (a === '--seconds') seconds = Number(val());
    else if (a === '--rounds') rounds = Math.max(1, parseInt(val(), 10) || 1);
    else if (a === '-e' || a === '--encoding') encs.push(val());
    else if (a === '--peer') only.push(val());
    else if (a === '--json') jsonOut = val();
    else if (a === '-h' || a === '--help') usage();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else files.push(a);
  }
  if (!bench) usage('give tkm_bench with --tokmeter-bench PATH or TKM_BENCH');
  if (!fs.existsSync(bench)) usage(`no tkm_bench at ${bench}`);
  if (!(seconds > 0)) usage('--seconds must be > 0');
  if (!cli) {
    const guess = path.join(path.dirname(path.resolve(bench)), '..', 'tools', 'cli', 'tokmeter');
    if (fs.existsSync(guess)) cli = guess;
  }
  if (encs.length === 0) encs.push('cl100k_base', 'o200k_base');
  if (files.length === 0) {
    const dir = path.join(__dirname, '..', 'corpus');
    for (const f of ['prose.txt', 'code.txt', 'novel.txt', 'multilingual.txt', 'email.txt']) {
      if (fs.existsSync(path.join(dir, f))) files.push(path.join(dir, f));
    }
    if (files.length === 0) usage('no FILE given and bench/corpus/ is empty (run bench/run.sh or the corpus scripts)');
  }
  for (const e of encs) if (!SPECIAL[e]) usage(`unsupported encoding ${e} (cl100k_base, o200k_base)`);
  for (const n of only) if (!PEERS.some((p) => p.name === n)) usage(`unknown peer ${n}`);

  const peers = [];
  const notes = [];
  for (const p of PEERS) {
    if (only.length && !only.includes(p.name)) continue;
    const v = pkgVersion(p.pkg);
    if (!v) {
      notes.push(`${p.name}: package ${p.pkg} is not installed in bench/compare/node_modules; skipped`);
      continue;
    }
    try {
      require.resolve(p.pkg);
    } catch (e) {
      notes.push(`${p.name}: cannot load ${p.pkg}: ${e.message}; skipped`);
      continue;
    }
    peers.push({ ...p, version: v });
  }

  // cells[file][enc][peer] = [results per round]
  const cells = {};
  const put = (f, e, p, r) => {
    ((cells[f] = cells[f] || {})[e] = cells[f][e] || {});
    (cells[f][e][p] = cells[f][e][p] || []).push(r);
  };
  for (let round = 1; round <= rounds; round++) {
    for (const file of files) {
      for (const enc of encs) {
        for (const p of peers) {
          process.stderr.write(`[round ${round}/${rounds}] ${path.basename(file)} ${enc} ${p.name} ... `);
          const r = runPeer(p, enc, file, seconds);
          process.stderr.write(r.error ? `ERROR ${r.error}\n` : `${fmt(r.mbs, 2)} MB/s, ${r.tokens} tokens\n`);
          put(file, enc, p.name, r);
        }
        process.stderr.write(`[round ${round}/${rounds}] ${path.basename(file)} ${enc} tokmeter ... `);
        const t = runTokmeter(bench, enc, file, seconds);
        process.stderr.write(t.error ? `ERROR ${t.error}\n` : `${fmt(t.mbs, 2)} MB/s, ${t.tokens} tokens\n`);
        if (t.error) {
          process.stderr.write(`compare.js: tokmeter failed on ${file} ${enc}\n`);
          process.exit(2);
        }
        put(file, enc, 'tokmeter', t);
      }
    }
  }

  const rows = [];
  const mismatches = [];
  const errors = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const enc of encs) {
      const hasSpecial = SPECIAL[enc].some((s) => text.includes(s));
      const tk = cells[file][enc].tokmeter; // one result per round
      const tkm = {
        mbs: median(tk.map((r) => r.mbs)),
        countMBs: median(tk.map((r) => r.countMBs)),
        tokens: tk[0].tokens,
        bytes: tk[0].bytes,
      };
      if (tk.some((r) => r.tokens !== tkm.tokens)) errors.push(`tokmeter count varies between rounds on ${file} ${enc}`);
      rows.push({
        peer: 'tokmeter',
        version: 'tkm_bench',
        enc,
        file: path.basename(file),
        mbs: tkm.mbs,
        firstMBs: null,
        ratio: 1,
        tokens: tkm.tokens,
        verdict: '—',
        note: `count ${fmt(tkm.countMBs)} MB/s`,
      });
      for (const p of peers) {
        const rs = cells[file][enc][p.name];
        const ok = rs.filter((r) => !r.error);
        if (ok.length === 0) {
          errors.push(`${p.name} on ${path.basename(file)} ${enc}: ${rs[0].error}`);
          rows.push({ peer: p.name, version: p.version, enc, file: path.basename(file), verdict: 'CRASHED', note: rs[0].error.slice(0, 120) });
          continue;
        }
        const tokens = ok[0].tokens;
        const mbs = median(ok.map((r) => r.mbs));
        let verdict;
        if (ok.some((r) => r.tokens !== tokens)) verdict = 'UNSTABLE';
        else if (tokens === tkm.tokens) verdict = 'AGREES';
        else if (!p.ordinary && hasSpecial) {
          const want = cli ? tokmeterSpecialCount(cli, enc, file) : null;
          if (want === null) verdict = 'n/a (special)';
          else if (want === tokens) verdict = 'AGREES (special)';
          else {
            verdict = 'DIFFERS';
            mismatches.push(`${p.name} ${p.version} on ${path.basename(file)} ${enc} (special tokens recognised): peer ${tokens} tokens, tokmeter --allowed-special all ${want}`);
          }
        } else verdict = 'DIFFERS';
        if ((verdict === 'DIFFERS' && !(!p.ordinary && hasSpecial)) || verdict === 'UNSTABLE') {
          mismatches.push(`${p.name} ${p.version} on ${path.basename(file)} ${enc}: peer ${ok.map((r) => r.tokens).join('/')} tokens, tokmeter ${tkm.tokens}`);
        }
        rows.push({
          peer: p.name,
          version: p.version,
          enc,
          file: path.basename(file),
          mbs,
          firstMBs: median(ok.map((r) => r.firstMBs)),
          ratio: median(rs.map((r, i) => (r.error ? null : tk[i].mbs / r.mbs)).filter((x) => x !== null)),
          tokens,
          verdict,
          note: ok.length < rs.length ? `${rs.length - ok.length} of ${rs.length} rounds failed` : '',
        });
      }
    }
  }

  const out = [];
  out.push(`Single thread, encode (ids materialised), MB/s of UTF-8 input; median of ${rounds} round(s), each >= ${seconds} s after one warm-up run; tokmeter ÷ peer is the median of the per-round ratios.`);
  out.push('');
  out.push('| peer | version | encoding | file | MB/s | first run MB/s | tokmeter ÷ peer | tokens | vs tokmeter | notes |');
  out.push('|---|---|---|---|---:|---:|---:|---:|---|---|');
  for (const r of rows) {
    out.push(
      `| ${r.peer} | ${r.version} | ${r.enc} | ${r.file} | ${fmt(r.mbs, 2)} | ${fmt(r.firstMBs, 2)} | ` +
        `${r.ratio === undefined ? '—' : r.ratio.toFixed(1) + '×'} | ${r.tokens === undefined ? '—' : r.tokens} | ${r.verdict} | ${r.note || ''} |`
    );
  }
  // Compact view: tokmeter's MB/s and its speed-up over every peer.
  out.push('');
  out.push(`| file | encoding | tokmeter MB/s | ${peers.map((p) => p.name).join(' | ')} |`);
  out.push(`|---|---|---:|${peers.map(() => '---:').join('|')}|`);
  for (const file of files) {
    for (const enc of encs) {
      const sel = rows.filter((r) => r.file === path.basename(file) && r.enc === enc);
      const t = sel.find((r) => r.peer === 'tokmeter');
      const cellsTxt = peers.map((p) => {
        const r = sel.find((x) => x.peer === p.name);
        if (!r || r.mbs === undefined) return r ? r.verdict : '—';
        return `${fmt(r.mbs, 2)} (${r.ratio.toFixed(1)}×)${r.verdict === 'AGREES' ? '' : r.verdict === 'AGREES (special)' ? '†' : ' ' + r.verdict}`;
      });
      out.push(`| ${path.basename(file)} | ${enc} | ${fmt(t.mbs, 2)} | ${cellsTxt.join(' | ')} |`);
    }
  }
  out.push('');
  out.push('Cells of the second table: peer MB/s (tokmeter ÷ peer); † = count agrees with tokmeter with special tokens recognised.');
  if (peers.some((p) => !p.ordinary)) {
    out.push(`${peers.filter((p) => !p.ordinary).map((p) => p.name).join(', ')} always encodes special-token text as special tokens (it has no encode_ordinary): on a file that contains such text its count is compared with \`tokmeter count --allowed-special all\` ("AGREES (special)"), or not compared ("n/a (special)") when the tokmeter CLI is not found.`);
  }
  for (const n of notes) out.push(`Note: ${n}`);
  for (const e of errors) out.push(`Error: ${e}`);
  if (mismatches.length) {
    out.push('');
    out.push('TOKEN COUNTS DIFFER:');
    for (const m of mismatches) out.push(`  ${m}`);
  } else {
    out.push(`All comparable token counts agree with tokmeter.`);
  }
  process.stdout.write(out.join('\n') + '\n');
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ seconds, rounds, files, encs, rows, cells }, null, 1));
  process.exit(mismatches.length ? 1 : 0);
}

main();
