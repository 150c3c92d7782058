'use strict';
// Reads DerivedGeneralCategory.txt (UCD 16.0.0) so that the vector generator
// can check that the "new in Unicode 15.0/15.1/16.0" code points it uses are
// really assigned, and pick letters, digits and marks among them by category.

const fs = require('fs');
const path = require('path');

function defaultUcdDir() {
  if (process.env.UCD_DIR) return process.env.UCD_DIR;
  // Same convention as tests/CMakeLists.txt: shared/ sits beside the project.
  return path.resolve(__dirname, '..', '..', 'shared', 'reference', 'ucd-16.0.0');
}

function loadGeneralCategory(dir) {
  const file = path.join(dir || defaultUcdDir(), 'DerivedGeneralCategory.txt');
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file} (set UCD_DIR to the UCD 16.0.0 directory): ${err.message}`);
  }
  if (!/DerivedGeneralCategory-16\.0\.0\.txt/.test(text.slice(0, 200))) {
    throw new Error(`${file} is not the UCD 16.0.0 DerivedGeneralCategory.txt`);
  }
  const ranges = []; // [lo, hi, gc]
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const m = /^([0-9A-F]+)(?:\.\.([0-9A-F]+))?\s*;\s*([A-Za-z]{2})$/.exec(line);
    if (!m) throw new Error(`bad line in ${file}: ${raw}`);
    const lo = parseInt(m[1], 16);
    const hi = m[2] ? parseInt(m[2], 16) : lo;
    ranges.push([lo, hi, m[3]]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  function gc(cp) {
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = ranges[mid];
      if (cp < r[0]) hi = mid - 1;
      else if (cp > r[1]) lo = mid + 1;
      else return r[2];
    }
    return 'Cn'; // not listed: unassigned
  }
  // Code points in [lo, hi] whose category matches re (a RegExp on the
  // two-letter category), in order.
  function select(lo, hi, re) {
    const out = [];
    for (let cp = lo; cp <= hi; cp++) if (re.test(gc(cp))) out.push(cp);
    return out;
  }
  return { gc, select, file };
}

module.exports = { loadGeneralCategory, defaultUcdDir };
