'use strict';
// The inputs of tokmeter's golden vectors. Every input here is a JS string
// (so always valid UTF-8); the expected ids come only from the reference
// implementations run by gen_vectors.js. Everything is deterministic: the
// random classes use a fixed-seed PRNG.

// ---------------------------------------------------------------------------
// Deterministic PRNG (mulberry32)

function prng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n); // 0 <= x < n
  const pick = (arr) => arr[int(arr.length)];
  const range = (lo, hi) => lo + int(hi - lo + 1); // inclusive
  return { next, int, pick, range };
}

const chars = (s) => Array.from(s);
const cp = (n) => String.fromCodePoint(n);
const cps = (lo, hi) => {
  const out = [];
  for (let c = lo; c <= hi; c++) out.push(cp(c));
  return out;
};

// ---------------------------------------------------------------------------
// Special-token texts (the union over all six encodings, plus look-alikes)

const SPECIAL_TEXTS = [
  '<|endoftext|>', '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>', '<|endofprompt|>',
  '<|startoftext|>', '<|return|>', '<|constrain|>', '<|channel|>', '<|start|>', '<|end|>',
  '<|message|>', '<|call|>', '<|reserved_200000|>', '<|reserved_200001|>',
  '<|reserved_200004|>', '<|reserved_200009|>', '<|reserved_200011|>', '<|reserved_200013|>',
  '<|reserved_200018|>', '<|reserved_200500|>', '<|reserved_201087|>',
];
// Look-alikes that are special in no encoding.
const NOT_SPECIAL = [
  '<|reserved_201088|>', '<|reserved_199997|>', '<|reserved_200002|>', '<|im_start|>',
  '<|im_end|>', '<|ENDOFTEXT|>', '<|endoftext |>', '<| endoftext|>', '<|end_of_text|>',
];
const SPECIAL_PARTIALS = [
  '<|', '|>', '<|endoftext', 'endoftext|>', '<|endoftext|', '|endoftext|>', '<endoftext|>',
  '<|endoftext>', '<|fim_', '<|reserved_', '<|reserved_2000', '<|start', 'start|>', '<|end',
];

// ---------------------------------------------------------------------------
// Character pools (also used by the random classes)

const POOLS = {
  asciiLower: chars('abcdefghijklmnopqrstuvwxyz'),
  asciiUpper: chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
  asciiDigit: chars('0123456789'),
  asciiPunct: chars('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'),
  asciiSpace: [' ', ' ', ' ', '  ', '\t', '\n', '\n\n', '\r\n', '\r', ' \n', '\n '],
  contraction: ["'s", "'S", "'t", "'T", "'re", "'RE", "'Re", "'rE", "'ve", "'VE", "'m", "'M",
    "'ll", "'LL", "'Ll", "'d", "'D", "'\u017f", '\u2019s', '\u2019ll', "'", "''", "'x"],
  latin: chars('éèêëàâäçñøåæœßÿıİşğžčřůőűłśćąęźżőűþðÉÈÀÇÑØÅÆŒẞŸŞĞŽČŘŮŐŰŁŚĆĄĘŹŻÞÐǅǈǋǲſﬁﬂ'),
  greek: chars('αβγδεζηθικλμνξοπρστυφχψωςάέήίόύώΐΰΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩΆΈΉΊΌΎΏᾈᾼ'),
  cyrillic: chars('абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯіїєґІЇЄҐђћџЂЋЏ'),
  arabic: chars('ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئةىپچژگکی\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u200c'),
  hebrew: chars('אבגדהוזחטיכלמנסעפצקרשתךםןףץ\u05b0\u05b4\u05b7\u05b8\u05bc\u05c1\u05c2'),
  devanagari: chars('अआइईउऊऋएऐओऔकखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसह\u093e\u093f\u0940\u0941\u0942\u0947\u0948\u094b\u094c\u094d\u0902\u0903\u093c।॥'),
  thai: chars('กขฃคฅฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮะาำเแโใไๆ\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c'),
  cjk: chars('的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏兴切义'),
  hangul: chars('가나다라마바사아자차카타파하각난닫랄맘밥삿앙잦찿캌탙팦핳한국어키스의고유조건은입술끼리만나야하고특별한기술필요치않다\u1100\u1161\u11a8\u1112\u1173\u11ab'),
  kana: chars('あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんがぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽゃゅょっアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンガギグゲゴヴャュョッーｱｲｳｴｵｶﾞﾟ々〆ゝゞ'),
  ethiopic: chars('ሀለሐመሠረሰሸቀበቨተቸኀነኘአከኸወዐዘዠየደጀገጠጨጰጸፀፈፐሰላምለዓለም።፣፤፩፪፫፬፭፲፻'),
  georgian: chars('აბგდევზთიკლმნოპჟრსტუფქღყშჩცძწჭხჯჰᲐᲑᲒᲓᲔᲕᲖᲗᲘᲙᲚᲛᲜᲝᲞᲟᲠᲡᲢᲣⴀⴁⴂ'),
  armenian: chars('աբգդեզէըթժիլխծկհձղճմյնշոչպջռսվտրցւփքօֆևԱԲԳԴԵԶԷԸԹԺԻԼԽԾԿՀՁՂՃՄՅՆՇՈՉՊՋՌՍՎՏՐՑՒՓՔՕՖ։՝'),
  otherScripts: chars('ᏣᎳᎩꮳꮃꭹܫܠܡܐދިވެހިߒߞߏ߁߂ⵜⴰⵎⴰⵣⵉⵖⵜᐃᓄᒃᑎᑐᑦབོད་ཡིགසිංහලភាសាខ្មែរພາສາລາວမြန်မာᠮᠣᠩᠭᠣᠯ\u180b𐐔𐐯𐑅𐐨𐑉𐌲𐌿𐍄𐌹𐍃𐌺𞤀𞤣𞤤𞤢𞤥𞥑𞥒ʰʲʷˈˌーꜗᴀʙᴄ𝐀𝐁𝐂𝒶𝒷𝒸𝔸𝔹ℂⓐⓑⒶⒷＨｅｌｌｏ'),
  emoji: ['😀', '😃', '👋', '🙂', '🔥', '✨', '❤️', '❤', '♥', '👍', '👍🏻', '👍🏽', '👍🏿', '👨‍👩‍👧‍👦', '👩‍💻',
    '🏳️‍🌈', '🧑🏽‍🚀', '👁️‍🗨️', '🇺🇸', '🇯🇵', '🇩🇪', '🇬', '🏴󠁧󠁢󠁥󠁮󠁧󠁿', '#️⃣', '*️⃣', '1️⃣', '9⃣', '🔟',
    '☺', '☺️', '🫠', '🫨', '🪿', '🩷', '🐈‍⬛', '🧔‍♀️', '🤷🏾‍♂️', '🌍', '™', '©️', '\ufe0f', '\u200d'],
  marks: [...cps(0x300, 0x36f).filter((_, i) => i % 3 === 0), '\u0483', '\u0591', '\u05b4', '\u064e',
    '\u0670', '\u0903', '\u093c', '\u094d', '\u0e31', '\u0e48', '\u1ab0', '\u1dc0', '\u20d0',
    '\u20dd', '\u20e3', '\u302a', '\u3099', '\ufe0f', '\ufe20', '\u{1d165}', '\u{e0100}'],
  unicodeDigits: [...chars('٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹०१२३४५६७८९০১২৩๐๑๒๓༠༡༢၀၁၂០១២᠐᠑᠒０１２３４５６７８９'),
    ...chars('𝟎𝟏𝟐𝟘𝟙𝟚𝟬𝟭𝟶𝟷𞥐𞥑߀߁'),
    ...chars('¹²³⁰⁴⁵⁹₀₁₂½¼¾⅓⅔⅛①②③⑩⑳⓪❶❿፩፲፻௰௱௲𐄇𐄈'),
    ...chars('ⅠⅡⅢⅣⅤⅫⅰⅱⅲⅻↀↁ〇〡〢〩𐍁𐍊𒐀')],
  unicodeSpace: ['\u00a0', '\u1680', ...cps(0x2000, 0x200a), '\u2028', '\u2029', '\u202f',
    '\u205f', '\u3000', '\u0085', '\u000b', '\u000c'],
  notSpace: ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u180e', '\u001c', '\u001d',
    '\u001e', '\u001f', '\u00ad'],
  control: [...cps(0x0, 0x8), '\u000e', '\u000f', ...cps(0x10, 0x1b), '\u007f', '\u0080',
    '\u0081', '\u008d', '\u009b', '\u009f'],
  symbols: chars('€£¥₹₽¢§¶†‡•…‰′″‹›«»“”‘’„‚–—―−×÷±∞≈≠≤≥∑∏√∫∂∆∇∈∉∩∪⊂⊃→←↑↓↔⇒⇔★☆♠♣♦♪♫☐☑✓✗⌘⌥⏎©®°µ·¿¡'),
};

// Filled in from the UCD by buildCases (new in Unicode 15.0 / 15.1 / 16.0).
function newUnicodeGroups(ucd) {
  // [label, lo, hi, category regexp]; blocks first assigned in the given version.
  const spec = [
    ['u15_cjk_ext_h', 0x31350, 0x323af, /^Lo$/],
    ['u15_kawi_letters', 0x11f00, 0x11f5f, /^Lo$/],
    ['u15_kawi_marks', 0x11f00, 0x11f5f, /^M[nc]$/],
    ['u15_kawi_digits', 0x11f00, 0x11f5f, /^Nd$/],
    ['u15_nag_mundari_letters', 0x1e4d0, 0x1e4ff, /^L[om]$/],
    ['u15_nag_mundari_marks', 0x1e4d0, 0x1e4ff, /^Mn$/],
    ['u15_nag_mundari_digits', 0x1e4d0, 0x1e4ff, /^Nd$/],
    ['u15_kaktovik_numerals', 0x1d2c0, 0x1d2df, /^No$/],
    ['u151_cjk_ext_i', 0x2ebf0, 0x2ee5d, /^Lo$/],
    ['u16_garay_upper', 0x10d40, 0x10d8f, /^Lu$/],
    ['u16_garay_lower', 0x10d40, 0x10d8f, /^Ll$/],
    ['u16_garay_other_letters', 0x10d40, 0x10d8f, /^L[om]$/],
    ['u16_garay_marks', 0x10d40, 0x10d8f, /^Mn$/],
    ['u16_garay_digits', 0x10d40, 0x10d8f, /^Nd$/],
    ['u16_garay_punct_symbols', 0x10d40, 0x10d8f, /^[PS].$/],
    ['u16_cyrillic_tje', 0x1c89, 0x1c8a, /^L[ul]$/],
    ['u16_latin_upper', 0xa7cb, 0xa7dc, /^Lu$/],
    ['u16_latin_lower', 0xa7cb, 0xa7dc, /^Ll$/],
    ['u16_todhri', 0x105c0, 0x105f3, /^Lo$/],
    ['u16_sunuwar_letters', 0x11bc0, 0x11bff, /^Lo$/],
    ['u16_sunuwar_digits', 0x11bc0, 0x11bff, /^Nd$/],
    ['u16_kirat_rai_letters', 0x16d40, 0x16d7f, /^L[om]$/],
    ['u16_kirat_rai_digits', 0x16d40, 0x16d7f, /^Nd$/],
    ['u16_outlined_digits', 0x1ccf0, 0x1ccf9, /^Nd$/],
  ];
  const groups = {};
  for (const [label, lo, hi, re] of spec) {
    const list = ucd.select(lo, hi, re);
    if (list.length === 0) throw new Error(`no assigned code points for ${label}`);
    for (const c of list) {
      const g = ucd.gc(c);
      if (g === 'Cn' || g === 'Cs' || g === 'Co') throw new Error(`U+${c.toString(16)} unassigned`);
    }
    groups[label] = list.map(cp);
  }
  return groups;
}

// ---------------------------------------------------------------------------
// Fixed texts

const PROSE = {
  pangram: 'The quick brown fox jumps over the lazy dog.',
  sentence_caps: 'THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG! Title Case Words Are Here. mIxEd CaSe tExT.',
  paragraph: 'Tokenizers split text into pieces before merging bytes. On 3 March 2024, Dr. O\'Neil ' +
    'reported a 12.5% increase (from 1,234 to 1,388.25 units) -- the largest since the U.S.A. began ' +
    'keeping records; e.g., "don\'t", "I\'m", "we\'ll", "they\'ve", "she\'d" and "you\'re" all count. ' +
    'Isn\'t it odd?  Yes... it is!',
  typography: '\u201cSmart quotes,\u201d she said \u2014 \u2018single ones too\u2019 \u2026 and an en\u2013dash; ' +
    'it\u2019s 5\u00a0km away (\u00bd of a 10\u2009km run) \u2022 bullet \u00b7 middle dot \u00a7 12 \u00b6 \u00a9 2024 \u2122',
  multi_paragraph: 'First paragraph line one.\nLine two continues here.\n\nSecond paragraph after a blank ' +
    'line.\n    Indented line with four spaces.\n\tTabbed line.\n\n\n\nThird paragraph after three blank lines.\n' +
    '  - list item one\n  - list item two\n\nThe end.\n',
  dialogue: '"Where are you going?" asked Alice.\n"Out," said Bob. "I\'ll be back by 10:30 p.m."\n' +
    '"Don\'t forget the keys!"\n\u2014Fine.\n',
  letter: 'Dear Sir or Madam,\r\n\r\nI am writing to inquire about order #A-10293 (placed 2023-11-05). ' +
    'The invoice total was $4,512.00 USD, but I was charged \u20ac4.612,00.\r\n\r\nKind regards,\r\nJ. Doe\r\n',
};

const LOREM = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ' +
  'ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris ' +
  'nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit ' +
  'esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in ' +
  'culpa qui officia deserunt mollit anim id est laborum.';

const CODE = {
  c: '#include <stdio.h>\n#include <stdint.h>\n\n/* Sum the bytes of a buffer. */\nstatic uint32_t ' +
    'sum(const uint8_t *p, size_t n)\n{\n\tuint32_t s = 0u;\n\tfor (size_t i = 0; i < n; ++i) {\n\t\ts += ' +
    'p[i] ^ 0x5Au; // mix\n\t}\n\treturn s;\n}\n\nint main(int argc, char **argv)\n{\n\tif (argc < 2) {\n\t\t' +
    'fprintf(stderr, "usage: %s FILE\\n", argv[0]);\n\t\treturn 1;\n\t}\n\tprintf("%u\\n", sum((const ' +
    'uint8_t *)argv[1], 3));\n\treturn 0;\n}\n',
  c_crlf: 'int x = 1;\r\nif (x != 0) {\r\n    x <<= 2;\r\n}\r\n',
  python: 'import os\nfrom typing import List\n\n\n@dataclass\nclass Point:\n    """A 2-D point."""\n    x: ' +
    'float = 0.0\n    y: float = 0.0\n\n    def norm(self) -> float:\n        return (self.x ** 2 + ' +
    'self.y ** 2) ** 0.5\n    \n\ndef main(argv: List[str]) -> int:\n    for i, arg in enumerate(argv):\n' +
    '        print(f"{i:>3}: {arg!r}")  # trailing spaces   \n    return 0\n\n\nif __name__ == ' +
    '"__main__":\n    raise SystemExit(main(os.sys.argv))\n',
  json: '{\n  "name": "tokmeter",\n  "version": "0.1.0",\n  "numbers": [0, -1, 3.14159, 6.02e23, 1e-9],\n' +
    '  "nested": {"a": {"b": {"c": [true, false, null]}}},\n  "unicode": "caf\\u00e9 \\ud83d\\ude00 na\u00efve",\n' +
    '  "empty": {}, "list": [],\n  "path": "C:\\\\Users\\\\me\\\\file.txt"\n}\n',
  json_compact: '{"id":12345,"tags":["a","b","c"],"ok":true,"score":-0.5,"map":{"x":1,"y":2},"s":"it\'s"}',
  minified_js: '!function(e,t){"object"==typeof exports&&"undefined"!=typeof module?module.exports=t():' +
    '"function"==typeof define&&define.amd?define(t):(e=e||self).Lib=t()}(this,function(){"use strict";' +
    'var e=function(e,t){return e+t},t=[1,2,3].map(function(t){return e(t,10)});return{sum:e,list:t,' +
    're:/^[a-z]+\\d{2,}$/i,s:"a\\"b",n:.5e-3,h:0xFF}});',
  rust: 'fn main() {\n    let v: Vec<u32> = (1..=10).filter(|x| x % 2 == 0).collect();\n    println!("{:?}", ' +
    'v);\n    let s = r#"raw "string""#;\n    match v.len() { 0 => {}, n => eprintln!("{n}") }\n}\n',
  html: '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>T&amp;T</title></head>\n' +
    '<body>\n  <p class="x">Hello&nbsp;<b>world</b>!</p>\n  <!-- comment -->\n</body>\n</html>\n',
  sql: "SELECT u.id, COUNT(*) AS n FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE u.name " +
    "LIKE 'O''Brien%' GROUP BY u.id HAVING n >= 3 ORDER BY n DESC LIMIT 10;",
  shell: '#!/bin/sh\nset -eu\nfor f in *.txt; do\n  [ -s "$f" ] && wc -l "$f" | awk \'{print $1}\' >> out.log\n' +
    'done\necho "${HOME:-/root}" 2>&1 | tee -a /dev/null\n',
  makefile: 'CC ?= cc\nCFLAGS += -O2 -Wall\n\nall: prog\n\nprog: main.o util.o\n\t$(CC) $(CFLAGS) -o $@ $^\n\n' +
    '%.o: %.c\n\t$(CC) $(CFLAGS) -c $<\n',
  yaml: 'version: 2\njobs:\n  build:\n    steps:\n      - run: make -j2\n      - run: |\n          ctest ' +
    '--output-on-failure\n    env:\n      KEY: "value with spaces"\n',
  markdown: '# Title\n\nSome *emphasis* and **bold** and `code`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n' +
    '```c\nint x;\n```\n\n> quote\n\n1. one\n2. two\n',
  diff: 'diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1,3 +1,3 @@\n-int x = 1;\n+int x = 2;\n int y;\n',
  latex: '\\begin{equation}\n  E = mc^2 \\quad \\int_0^\\infty e^{-x^2}\\,dx = \\frac{\\sqrt{\\pi}}{2}\n' +
    '\\end{equation}\n',
  regex_url: 'https://example.com/path/to/page?q=a+b&lang=en#frag mailto:user.name+tag@example.co.uk ' +
    '^(?:[a-z0-9!#$%&\'*+/=?^_`{|}~-]+)$ C:\\Windows\\System32 /usr/local/lib/libfoo.so.1.2.3',
  assembly: 'mov rax, [rbp-0x18]\n\tadd rax, 0x1\n\tcmp rax, 100\n\tjne .L3\n',
};

// Sentences in many scripts.
const SCRIPTS = {
  french: 'Le cœur déçu mais l\'âme plutôt naïve, Louÿs rêva de crapaüter en canoë au delà des îles, ' +
    'près du mälström où brûlent les novæ. L\'été, c\'est «\u00a0génial\u00a0»\u202f!',
  german: 'Falsches Üben von Xylophonmusik quält jeden größeren Zwerg. STRASSE, Straße, GROẞ, Maß.',
  spanish: 'El pingüino Wenceslao hizo kilómetros bajo exhaustiva lluvia y frío; añoraba a su querido ' +
    'cachorro. ¿Qué? ¡Sí!',
  portuguese: 'À noite, vovô Kowalsky vê o ímã cair no pé do pinguim queixoso e vovó põe açúcar no chá.',
  polish: 'Zażółć gęślą jaźń. Pchnąć w tę łódź jeża lub ośm skrzyń fig.',
  czech: 'Příliš žluťoučký kůň úpěl ďábelské ódy.',
  turkish: 'Pijamalı hasta yağız şoföre çabucak güvendi. İSTANBUL istanbul, IĞDIR ığdır, I ı İ i.',
  vietnamese: 'Tiếng Việt có dấu: Người ta thường nói rằng học không bao giờ là muộn. Đường phố Hà Nội.',
  icelandic: 'Kæmi ný öxi hér, ykist þjófum nú bæði víl og ádrepa. Þórður Ðór.',
  hungarian: 'Árvíztűrő tükörfúrógép. ÁRVÍZTŰRŐ TÜKÖRFÚRÓGÉP.',
  romanian: 'Înjurând pițigăiat, zoofobul comandă vexat whisky și tequila. Țară, Şcoală (cedilla).',
  greek: 'Ξεσκεπάζω την ψυχοφθόρα βδελυγμία. Γειά σου Κόσμε! ΤΑΧΙΣΤΗ ΑΛΩΠΗΞ; σοφός ΐ ΰ ᾈ ᾼ.',
  russian: 'Съешь же ещё этих мягких французских булок, да выпей чаю. ЁЛКА ёлка. Москва\u20142024.',
  ukrainian: 'Чуєш їх, доцю, га? Кумедна ж ти, прощайся без ґольфів! Їжак з\'їв ґудзик.',
  bulgarian_serbian: 'Жълтата дюля беше щастлива. Ђурђевдан, Љубав, Његош, Џак — Đurđevdan, Ljubav, Njegoš, Džak.',
  arabic: 'نص حكيم له سر قاطع وذو شأن عظيم مكتوب على ثوب أخضر. اَلْعَرَبِيَّةُ لُغَةٌ جَمِيلَةٌ ١٢٣ و٤٥.',
  persian: 'به نام خداوند جان و خرد. من می\u200cخواهم کتاب\u200cها را بخوانم ۱۴۰۲.',
  urdu: 'اردو ایک خوبصورت زبان ہے۔',
  hebrew: 'דג סקרן שט בים מאוכזב ולפתע מצא חברה. שָׁלוֹם עֲלֵיכֶם! בְּרֵאשִׁית.',
  hindi: 'ऋषियों को सताने वाले दुष्ट राक्षसों के राजा रावण का सर्वनाश करने वाले विष्णु। क़िला ज़रूर १२३४।',
  bengali: 'আমি বাংলায় গান গাই। ১৯৭১ সাল।',
  tamil: 'யாமறிந்த மொழிகளிலே தமிழ்மொழி போல் இனிதாவது எங்கும் காணோம். ௧௨௩',
  telugu_kannada_malayalam: 'తెలుగు భాష ಕನ್ನಡ ಭಾಷೆ മലയാളം ഭാഷ',
  gujarati_gurmukhi: 'ગુજરાતી ભાષા ਪੰਜਾਬੀ ਭਾਸ਼ਾ',
  thai: 'เป็นมนุษย์สุดประเสริฐเลิศคุณค่า กว่าบรรดาฝูงสัตว์เดรัจฉาน ๑๒๓ ภาษาไทย',
  lao_khmer_myanmar: 'ພາສາລາວ ភាសាខ្មែរ မြန်မာဘာသာ',
  tibetan_sinhala: 'བོད་ཡིག་ ༡༢༣ සිංහල භාෂාව',
  chinese_simplified: '我能吞下玻璃而不伤身体。天地玄黄，宇宙洪荒。中华人民共和国成立于1949年。',
  chinese_traditional: '繁體中文測試：臺灣、香港、澳門。「引號」與『雙引號』！',
  japanese: 'いろはにほへと ちりぬるを。カタカナとひらがなと漢字が混ざった文章です。ｶﾀｶﾅ ｺﾝﾆﾁﾊ。東京都２０２４年。',
  korean: '키스의 고유조건은 입술끼리 만나야 하고 특별한 기술은 필요치 않다. 한국어 123.',
  korean_jamo: '\u1100\u1161\u11a8 \u1112\u1161\u11ab\u1100\u1173\u11af (conjoining jamo)',
  ethiopic: 'ሰላም ለዓለም። ኢትዮጵያ ፩፪፫ ፲፻',
  georgian: 'გამარჯობა მსოფლიო. ᲒᲐᲛᲐᲠᲯᲝᲑᲐ ᲛᲡᲝᲤᲚᲘᲝ. Ⴀⴀ',
  armenian: 'Բարեւ աշխարհ։ Եվ ես։ ՀԱՅԵՐԵՆ հայերեն',
  mongolian: 'ᠮᠣᠩᠭᠣᠯ ᠪᠢᠴᠢᠭ\u180b \u1810\u1811',
  cherokee: 'ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ ꮳꮃꭹ',
  syriac_thaana_nko: 'ܫܠܡܐ ދިވެހި ߒߞߏ ߁߂߃',
  tifinagh_syllabics: 'ⵜⴰⵎⴰⵣⵉⵖⵜ ᐃᓄᒃᑎᑐᑦ',
  deseret_gothic: '𐐔𐐯𐑅𐐨𐑉𐐯𐐻 𐐜𐐮𐐻 𐌲𐌿𐍄𐌹𐍃𐌺',
  math_alnum: '𝐀𝐁𝐂 𝐚𝐛𝐜 𝒶𝒷𝒸 𝔸𝔹ℂ 𝕒𝕓𝕔 𝟘𝟙𝟚 𝟎𝟏𝟐',
  adlam: '𞤀𞤣𞤤𞤢𞤥 𞤆𞤵𞤤𞤢𞤪 𞥑𞥒𞥓',
  titlecase_modifier: 'ǅemal ǈubav ǋego ǲ ᾈ ʰʲʷ ˈstress ˌsecondary 々 ーー ꜗ ᴀʙᴄ ⓐⓑⒶⒷ',
  fullwidth: 'Ｈｅｌｌｏ　Ｗｏｒｌｄ！　ＡＢＣ１２３ｘｙｚ',
  mixed_scripts: 'Hello мир 世界 عالم עולם दुनिया κόσμος 세계 Welt\u200bworld',
};

// ---------------------------------------------------------------------------

function buildCases({ ucd }) {
  const cases = [];
  const seen = new Set();
  const add = (cls, name, text, modes) => {
    const full = `${cls}.${name}`;
    if (!/^[A-Za-z0-9_.-]+$/.test(full)) throw new Error(`bad case name ${full}`);
    if (seen.has(full)) throw new Error(`duplicate case name ${full}`);
    seen.add(full);
    cases.push({ cls, name: full, text, modes: modes || ['ordinary'] });
  };
  const ALL3 = ['ordinary', 'all', 'default'];

  // ---- empty and tiny
  add('basic', 'empty', '', ALL3);
  for (const s of ['a', 'A', ' ', '\n', '0', '!', "'", 'é', '中', '😀', 'ab', ' a', 'a ', 'I', ' I'])
    add('basic', `single_${Buffer.from(s).toString('hex')}`, s);

  // ---- English prose
  for (const [k, v] of Object.entries(PROSE)) add('prose', k, v, k === 'paragraph' ? ALL3 : undefined);
  add('prose', 'lorem', LOREM, ['ordinary', 'all']);
  add('prose', 'lorem_x4_lines', Array(4).fill(LOREM).join('\n'));

  // ---- source code
  for (const [k, v] of Object.entries(CODE)) add('code', k, v, k === 'python' ? ALL3 : undefined);

  // ---- scripts and languages
  for (const [k, v] of Object.entries(SCRIPTS)) add('scripts', k, v, k === 'mixed_scripts' ? ALL3 : undefined);
  for (const k of ['latin', 'greek', 'cyrillic', 'arabic', 'hebrew', 'devanagari', 'thai', 'cjk', 'hangul',
    'kana', 'ethiopic', 'georgian', 'armenian', 'otherScripts'])
    add('scripts', `alphabet_${k}`, POOLS[k].join(''));
  add('scripts', 'cased_words', 'ÉCOLE école École ΣΟΦΟΣ σοφός Σοφός МОСКВА москва Москва ԱՐԱՄ Արամ ᲐᲑ აბ');

  // ---- emoji
  add('emoji', 'basic', '👋 Hello 😀😃😄! Nice 🔥🔥🔥 work ✨ ❤️ ♥ ☺ ☺️');
  add('emoji', 'zwj', '👨‍👩‍👧‍👦 👩‍💻 🏳️‍🌈 🧑🏽‍🚀 👁️‍🗨️ 🐈‍⬛ 🧔‍♀️ 🤷🏾‍♂️ 👨‍👩‍👧‍👦👨‍👩‍👧‍👦');
  add('emoji', 'skin_tones', '👍🏻👍🏼👍🏽👍🏾👍🏿 👋🏻 hands 🙌🏿 🏻 alone 🏿🏿');
  add('emoji', 'flags', '🇺🇸🇬🇧🇯🇵🇩🇪🇫🇷 🇺🇸🇬 (odd) 🏴󠁧󠁢󠁥󠁮󠁧󠁿 🏴󠁧󠁢󠁳󠁣󠁴󠁿 🏁🚩');
  add('emoji', 'keycaps', '#️⃣ *️⃣ 0️⃣ 1️⃣ 2️⃣ 9️⃣ 🔟 1⃣2⃣3⃣ x1️⃣y 1️⃣2️⃣3️⃣ #⃣');
  add('emoji', 'in_words', 'I❤️NY hello👋world good😀morning 2024🎉 a🇺🇸b it\'s🔥\'s');
  add('emoji', 'newer', '🫠 🫨 🪿 🩷 🫎 🪼 🫷🏽 🫸 🪉 🫩 🫆');
  add('emoji', 'with_newlines', '😀\n😀\n\n😀 \n 😀\t😀\r\n');
  add('emoji', 'run50', '😀'.repeat(50));
  add('emoji', 'variation_selectors', '☺\ufe0e ☺\ufe0f ❤\ufe0e ❤\ufe0f a\ufe0f 1\ufe0f \ufe0f\ufe0f');

  // ---- combining marks
  add('marks', 'decomposed', 'e\u0301te\u0301 Ame\u0301lie n\u0303 A\u030angstro\u0308m E\u0301COLE cafe\u0301 re\u0301sume\u0301');
  add('marks', 'after_space_digit_punct', ' \u0301 1\u0301 .\u0301 \'\u0301s \n\u0301 \u0301\u0301\u0301');
  add('marks', 'at_start', '\u0301abc');
  add('marks', 'enclosing', 'a\u20dd b\u20de 1\u20e3 \u20e3 x\u20e3\u20e3');
  add('marks', 'indic', 'क्ष त्र ज्ञ श्र क़ ख़ ग़ क्\u200dष ि कि ाः');
  add('marks', 'hebrew_arabic', 'שָׁלוֹם בְּ اَلْ ــَـ \u064b\u064c');
  add('marks', 'spacing', 'ः ा ী ம் ೃ');
  add('marks', 'lowercase_mark', 'A\u0345 \u0345 α\u0345');
  add('marks', 'uppercase_mark_lower', 'A\u0301b ÁB Á\u0301\u0301BC aB\u0301C');
  {
    const r = prng(0x5a1c0);
    const zalgo = (word, lo, hi) => chars(word).map((c) => {
      let s = c;
      const n = r.range(lo, hi);
      for (let i = 0; i < n; i++) s += cp(0x300 + r.int(0x70));
      return s;
    }).join('');
    add('marks', 'zalgo_small', zalgo('Zalgo is coming', 1, 4));
    add('marks', 'zalgo_tall', zalgo('HE COMES', 8, 20));
    add('marks', 'zalgo_digits_spaces', zalgo('12 34  5', 3, 6));
    add('marks', 'zalgo_huge_stack', 'a' + zalgo('b', 200, 200) + 'c');
  }

  // ---- digits of every kind
  const DIG = '123456789012';
  for (let n = 1; n <= 12; n++) {
    add('digits', `ascii_run_${n}`, DIG.slice(0, n));
    add('digits', `ascii_run_${n}_spaced`, ` ${DIG.slice(0, n)} `);
    add('digits', `ascii_run_${n}_in_word`, `x${DIG.slice(0, n)}y`);
  }
  add('digits', 'numbers_prose', 'Call 555-0123 or +1 (800) 555-0199; pi=3.14159265358979; 1,000,000; 1.000.000,00; ' +
    '12:30:45; 2024-02-29T23:59:59Z; 0x1F 0b1011 0o777 1e10 -42 +7 10% $19.99 v1.2.3 1st 2nd 3rd 4th');
  add('digits', 'mixed_letters', 'abc123def 123abc abc123 a1b2c3d4e5 ABC123DEF A1B2 H2O CO2 mp3 x86_64 4K 1080p i18n');
  add('digits', 'arabic_indic', '٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹ ١٢٣٤٥ ۱۲۳۴۵۶۷ x٣y 12٣4');
  add('digits', 'devanagari_bengali_thai', '०१२३४५६७८९ ০১২৩৪৫৬৭৮৯ ๐๑๒๓๔๕๖๗๘๙ ༠༡༢ ၀၁၂ ០១២');
  add('digits', 'fullwidth', '０１２３４５６７８９ １２３４ Ａ１ ２０２４年');
  add('digits', 'math_adlam_nko', '𝟎𝟏𝟐𝟑 𝟘𝟙𝟚 𝟶𝟷𝟸 𞥐𞥑𞥒 ߀߁߂ 1𝟐3');
  add('digits', 'other_numbers_No', '¹²³⁴ ₀₁₂ x² H₂O ½ ¼ ¾ ⅓ ⅞ ① ② ⑩ ⑳ ❶ ❿ ፩ ፲ ௰ 𐄇 1½ 2³');
  add('digits', 'letter_numbers_Nl', 'Ⅰ Ⅱ Ⅲ Ⅳ Ⅻ ⅰ ⅱ ⅻ ↀ ↁ 〇 〡 〩 𐍁 𒐀 ChapterⅫ ⅫI Ⅻ12');
  add('digits', 'mixed_kinds', '1٢३४5６𝟕 12٣ ١2 0੦0 Ⅻ1²');
  for (const n of [13, 20, 33]) add('digits', `ascii_run_${n}`, '9876543210'.repeat(4).slice(0, n));

  // ---- whitespace of every kind
  const WS_NAMED = [
    ['nbsp', '\u00a0'], ['ogham', '\u1680'], ['en_quad', '\u2000'], ['em_space', '\u2003'],
    ['thin', '\u2009'], ['hair', '\u200a'], ['line_sep', '\u2028'], ['para_sep', '\u2029'],
    ['narrow_nbsp', '\u202f'], ['math_space', '\u205f'], ['ideographic', '\u3000'], ['nel', '\u0085'],
    ['vt', '\u000b'], ['ff', '\u000c'], ['zwsp', '\u200b'], ['mvs', '\u180e'], ['bom', '\ufeff'],
    ['word_joiner', '\u2060'], ['fs', '\u001c'], ['us', '\u001f'], ['tab', '\t'], ['cr', '\r'],
  ];
  for (const [k, w] of WS_NAMED) {
    add('ws', `${k}_between`, `a${w}b ${w}c${w}${w}d 1${w}2 .${w}!`);
    add('ws', `${k}_runs`, `x${w}${w}${w}y ${w} z${w}\n${w}\nend${w}`);
    add('ws', `${k}_before_word_trailing`, `${w}word ${w}Word${w}'s ${w}1 text${w}`);
  }
  add('ws', 'all_unicode_spaces', POOLS.unicodeSpace.join('') + 'x' + POOLS.unicodeSpace.join(' ') + 'y');
  add('ws', 'range_2000_200a', cps(0x2000, 0x200a).map((c) => `w${c}`).join('') + 'w');
  add('ws', 'trailing_spaces', 'hello   ');
  add('ws', 'trailing_spaces_nl', 'hello   \n');
  add('ws', 'trailing_tab', 'hello\t\t');
  add('ws', 'only_spaces_1_to_5', ' ');
  for (let n = 2; n <= 5; n++) add('ws', `only_spaces_${n}`, ' '.repeat(n));
  add('ws', 'only_newlines', '\n\n\n');
  add('ws', 'crlf_lines', 'line1\r\nline2\r\n\r\nline4\r\n');
  add('ws', 'cr_alone', 'a\rb\r\rc \r d\r');
  add('ws', 'lf_cr', 'a\n\rb\n\r\n\rc');
  add('ws', 'newline_space_mix', 'a\n \n  \n\t\n \t \nb  \n\n  c \n \n');
  add('ws', 'spaces_before_newline', 'x    \ny   \r\nz \t \n');
  add('ws', 'indent_code', 'if x:\n    y = 1\n        z = 2\n\n    \n\tw = 3\n');
  add('ws', 'space_before_punct_digits', 'a  !  1  .  ,  \'s  ( )');
  add('ws', 'tabs_mix', '\ta\t\tb \t c\t \td\t');
  add('ws', 'space_then_unicode_space', ' \u00a0a \u3000b\u3000 c\u2003 d');
  add('ws', 'unicode_space_prefix_letters', '\u00a0Word \u2009word \u3000單 \u202fx \u1680y');
  add('ws', 'newline_then_letters_punct', '\nword\n!word\n\'s\n1');
  add('ws', 'nel_ls_ps_newlines', 'a\u0085b\u2028c\u2029d\u0085\n\u2028\r\n');

  // ---- contractions
  add('contractions', 'lower', "it's can't they're we've I'm we'll he'd");
  add('contractions', 'upper', "IT'S CAN'T THEY'RE WE'VE I'M WE'LL HE'D");
  add('contractions', 'mixed_case', "It'S it'T they'Re they'rE we'Ve We'vE I'm we'Ll we'lL he'D");
  add('contractions', 'long_s', "it'\u017f dog'\u017f DOG'\u017f '\u017f '\u017ft");
  add('contractions', 'bare', "'s 'S 't 'T 're 'RE 'Re 've 'VE 'm 'M 'll 'LL 'Ll 'd 'D");
  add('contractions', 'bare_nospace', "'s'S't'T're'RE'Re've'm'll'LL'd");
  add('contractions', 'after_digits', "1's 2'S 3't 90's 1990's 12'll 7'd 4're");
  add('contractions', 'after_spaces', "  's   'll \t'd \n're");
  add('contractions', 'start', "'s good");
  add('contractions', 'not_contractions', "'st 'sa 'dd 'lll 'ree 'vex 'mm 'tt 'x 'S' ''s '''ll");
  add('contractions', 'curly', 'it\u2019s can\u2019t they\u2019re we\u2019ll \u2019s \u2018s\u2019 ʼs ＇s');
  add('contractions', 'after_unicode_letters', "café's naïve'll Москва's 東京's Ω'S ǅ's ʰ'd");
  add('contractions', 'after_punct', "!'s ?'LL .'d )'re \"'ve");
  add('contractions', 'possessive_plural', "the boys' toys James' Jameses' o'clock rock'n'roll y'all");
  add('contractions', 'upper_lower_word', "DON'T Don't don'T dOn't SHE'S She's");

  // ---- special-token strings (in all three modes)
  {
    let i = 0;
    for (const s of SPECIAL_TEXTS) add('special', `exact_${i++}`, s, ALL3);
    i = 0;
    for (const s of NOT_SPECIAL) add('special', `lookalike_${i++}`, s, ALL3);
    i = 0;
    for (const s of SPECIAL_PARTIALS) add('special', `partial_${i++}`, `x${s}y ${s}`, ALL3);
  }
    add('special', 'in_sentence', 'Hello world<|endoftext|>Next document starts here.', ALL3);
  add('special', 'spaced', 'Hello <|endoftext|> world', ALL3);
  add('special', 'adjacent', '<|endoftext|><|endoftext|><|fim_prefix|><|fim_middle|><|fim_suffix|><|endofprompt|>', ALL3);
  add('special', 'repeated', Array(8).fill('<|endoftext|>').join(' '), ALL3);
  add('special', 'inside_word', 'foo<|endoftext|>bar baz<|fim_middle|>qux', ALL3);
  add('special', 'nested', '<|endo<|endoftext|>ftext|> <<|endoftext|>> <|<|endoftext|>|>', ALL3);
  add('special', 'trailing_space_before', 'hello   <|endoftext|>', ALL3);
  add('special', 'newlines_around', 'hello \n\n<|endoftext|>\n\nworld\n', ALL3);
  add('special', 'tabs_around', '\t<|endofprompt|>\t x  <|fim_prefix|>  y', ALL3);
  add('special', 'digits_around', '1234<|endoftext|>5678 12<|endoftext|>3', ALL3);
  add('special', 'contraction_around', "it<|endoftext|>'s it's<|endoftext|>'ll", ALL3);
  add('special', 'unicode_around', '日本<|endoftext|>語 😀<|endoftext|>😀 é<|endoftext|>\u0301', ALL3);
  add('special', 'fim', '<|fim_prefix|>def f(x):\n    <|fim_suffix|>\n    return y<|fim_middle|>y = x * 2', ALL3);
  add('special', 'harmony_chat', '<|start|>system<|message|>You are ChatGPT.<|end|><|start|>user<|message|>' +
    'What is 2+2?<|end|><|start|>assistant<|channel|>analysis<|message|>Simple.<|end|><|start|>assistant' +
    '<|channel|>final<|message|>4<|return|>', ALL3);
  add('special', 'harmony_tool', '<|start|>assistant<|channel|>commentary to=functions.get<|constrain|>json' +
    '<|message|>{"x":1}<|call|>', ALL3);
  add('special', 'startoftext', '<|startoftext|>Once upon a time<|endoftext|>', ALL3);
  add('special', 'reserved_mix', '<|reserved_200000|><|reserved_200018|><|endofprompt|><|reserved_201087|>' +
    '<|reserved_201088|><|reserved_200500|>', ALL3);
  add('special', 'endofprompt_vs_reserved_200018', 'a<|endofprompt|>b<|reserved_200018|>c', ALL3);
  add('special', 'many_kinds_later_first', 'text <|fim_suffix|> then <|endoftext|> then <|return|>', ALL3);
  add('special', 'near_misses_then_real', '<|endoftext <|endoftext| endoftext|> <|endoftext|>', ALL3);
  add('special', 'only_partials', '<|endoftext<|endoftext<|| |> <|> <||>', ALL3);
  add('special', 'at_end_after_spaces_nl', 'code\n    \n<|endoftext|>', ALL3);

  // ---- control characters and NUL bytes
  add('control', 'nul', '\u0000', ALL3);
  add('control', 'nul_in_text', 'a\u0000b \u0000 c\u0000\u0000d');
  add('control', 'nul_run', '\u0000'.repeat(10));
  add('control', 'c0_all', cps(0, 0x1f).join(''));
  add('control', 'c0_spaced', cps(0, 0x1f).join(' '));
  add('control', 'del_c1', '\u007f x\u007fy \u0080\u0081\u009f \u0085 \u009b31m');
  add('control', 'ansi_escape', '\u001b[31mred\u001b[0m \u001b[1;32mbold green\u001b[0m\u0007\b');
  add('control', 'nul_with_special', 'a\u0000<|endoftext|>\u0000b', ALL3);
  add('control', 'format_chars', 'a\u200bb\u200cc\u200dd\u2060e\ufefff\u00adg\u202eh\u2066i\u2069');

  // ---- code points new in Unicode 15.0 / 15.1 / 16.0
  const NEW = newUnicodeGroups(ucd);
  {
    const r = prng(0x16016);
    const g = (k) => NEW[k];
    const take = (k, n) => {
      const list = g(k);
      const out = [];
      for (let i = 0; i < n; i++) out.push(list[(i * 7 + 3) % list.length]);
      return out.join('');
    };
    for (const [k, list] of Object.entries(NEW)) {
      const some = list.length <= 12 ? list.join('') : take(k, 12);
      const one = list[0];
      const two = list[list.length - 1];
      add('unicode_new', `${k}_plain`, some);
      add('unicode_new', `${k}_mixed`, `abc${one}def ${one}${two} 12${one}34 x ${two}'s ${one}\n${two}` +
        ` A${one}b ${one}a ab${two}CD 1${one}2345 !${one} \u00a0${two}`);
    }
    // Letter/number classification matters: new letters next to ASCII digits, new
    // digits next to ASCII letters and digits, and runs long enough for \p{N}{1,3}.
    add('unicode_new', 'digits_grouping', `${take('u16_garay_digits', 7)} 1${take('u16_sunuwar_digits', 5)}9 ` +
      `${take('u15_kawi_digits', 4)}${take('u15_nag_mundari_digits', 4)} x${take('u16_outlined_digits', 5)}y ` +
      `${take('u16_kirat_rai_digits', 3)}12 ${take('u15_kaktovik_numerals', 4)} 7${take('u15_kaktovik_numerals', 2)}8`);
    add('unicode_new', 'cased_o200k', `${take('u16_garay_upper', 3)}${take('u16_garay_lower', 3)} ` +
      `${take('u16_garay_lower', 2)}${take('u16_garay_upper', 2)} \u1c89\u1c8a \u1c8a\u1c89 Ab\u1c89c ` +
      `${take('u16_latin_upper', 2)}${take('u16_latin_lower', 2)}'S \ua7cdabc ABC\ua7cc x\ua7cb'll`);
    add('unicode_new', 'marks_on_ascii', `a${take('u16_garay_marks', 3)} 1${take('u15_kawi_marks', 2)} ` +
      `${take('u15_nag_mundari_marks', 2)}x A${take('u16_garay_marks', 1)}B`);
    add('unicode_new', 'cjk_h_i_with_ascii', `${take('u15_cjk_ext_h', 10)}abc${take('u151_cjk_ext_i', 6)} ` +
      `2024${take('u15_cjk_ext_h', 3)} ${take('u151_cjk_ext_i', 2)}'s`);
    const pool = Object.values(NEW).flat().concat(POOLS.asciiLower, POOLS.asciiUpper, POOLS.asciiDigit,
      [' ', ' ', ' ', "'s", '\n', '.', ',']);
    for (let i = 0; i < 16; i++) {
      let s = '';
      const n = r.range(5, 40);
      for (let j = 0; j < n; j++) s += r.pick(pool);
      add('unicode_new', `random_${i}`, s);
    }
  }

  // ---- deterministic random strings drawn from all the classes above
  {
    const r = prng(20241122);
    const weighted = [
      ['asciiLower', 14], ['asciiUpper', 4], ['asciiDigit', 5], ['asciiPunct', 4], ['asciiSpace', 8],
      ['contraction', 3], ['latin', 3], ['greek', 1], ['cyrillic', 2], ['arabic', 1], ['hebrew', 1],
      ['devanagari', 1], ['thai', 1], ['cjk', 2], ['hangul', 1], ['kana', 1], ['ethiopic', 1],
      ['georgian', 1], ['armenian', 1], ['otherScripts', 2], ['emoji', 2], ['marks', 2],
      ['unicodeDigits', 2], ['unicodeSpace', 2], ['notSpace', 1], ['control', 1], ['symbols', 2],
      ['newUnicode', 2],
    ];
    const pools = { ...POOLS, newUnicode: Object.values(NEW).flat() };
    const total = weighted.reduce((a, [, w]) => a + w, 0);
    const pickPool = () => {
      let x = r.int(total);
      for (const [k, w] of weighted) {
        if (x < w) return pools[k];
        x -= w;
      }
      throw new Error('unreachable');
    };
    const randomString = (atoms, specials) => {
      let s = '';
      for (let i = 0; i < atoms; i++) {
        let atom;
        if (specials && r.next() < 0.08) atom = r.pick(r.next() < 0.7 ? SPECIAL_TEXTS : SPECIAL_PARTIALS.concat(NOT_SPECIAL));
        else atom = r.pick(pickPool());
        const rep = r.next() < 0.08 ? r.range(2, 8) : 1;
        s += atom.repeat(rep);
      }
      return s;
    };
    for (let i = 0; i < 160; i++) {
      const atoms = i < 40 ? r.range(1, 8) : i < 120 ? r.range(8, 40) : r.range(40, 120);
      add('random', `mixed_${String(i).padStart(3, '0')}`, randomString(atoms, false), i % 10 === 0 ? ['ordinary', 'all'] : undefined);
    }
    // Focused random: whitespace-only and whitespace/letters mixes (the hardest part of the patterns).
    const wsPool = [' ', ' ', '\t', '\n', '\r', '\r\n', '\u00a0', '\u3000', '\u2028', '\u0085', '\u000b', '\u000c',
      '\u200b', '\u2009'];
    for (let i = 0; i < 24; i++) {
      let s = '';
      const n = r.range(2, 30);
      for (let j = 0; j < n; j++) s += r.next() < 0.7 ? r.pick(wsPool) : r.pick(['a', 'B', '1', '!', "'s", 'é', '中', '😀', '\u0301']);
      add('random', `whitespace_${String(i).padStart(2, '0')}`, s);
    }
    // Focused random: digits of all kinds mixed with letters.
    const numPool = POOLS.asciiDigit.concat(POOLS.unicodeDigits, POOLS.asciiLower.slice(0, 6), [' ', "'", '.', ',']);
    for (let i = 0; i < 16; i++) {
      let s = '';
      const n = r.range(3, 30);
      for (let j = 0; j < n; j++) s += r.pick(numPool);
      add('random', `numeric_${String(i).padStart(2, '0')}`, s);
    }
    // Focused random: case changes for o200k (upper/lower/title/modifier/other letters and marks).
    const casePool = chars('aAbBzZéÉσΣςжЖǅǈʰー々中ｱ').concat(['\u0301', '\u0345', "'s", "'S", "'LL", "'\u017f", ' ', '1']);
    for (let i = 0; i < 16; i++) {
      let s = '';
      const n = r.range(3, 30);
      for (let j = 0; j < n; j++) s += r.pick(casePool);
      add('random', `case_${String(i).padStart(2, '0')}`, s);
    }
    // Random strings with special-token text, in all three modes.
    for (let i = 0; i < 30; i++) add('random', `special_${String(i).padStart(2, '0')}`, randomString(r.range(4, 40), true), ALL3);
  }

  // ---- giant pieces (modest sizes; both sides of the 100-byte heap threshold)
  {
    const r = prng(0x61a47);
    const SIZES_SMALL = [1, 2, 3, 50, 98, 99, 100, 101, 102, 150, 255, 256, 257];
    for (const n of SIZES_SMALL.concat([1000, 4096, 10000, 30000])) add('giant', `letter_a_${n}`, 'a'.repeat(n));
    for (const n of [99, 100, 101, 1000]) add('giant', `letter_Z_${n}`, 'Z'.repeat(n));
    for (const n of [49, 50, 51, 500]) add('giant', `letter_e_acute_${n * 2}b`, 'é'.repeat(n));
    for (const n of [1, 2, 3, 99, 100, 101, 1000, 4000]) {
      add('giant', `spaces_${n}`, ' '.repeat(n));
      add('giant', `a_spaces_${n}_b`, `a${' '.repeat(n)}b`);
    }
    for (const n of [99, 100, 101, 1000]) {
      add('giant', `spaces_${n}_newline`, `${' '.repeat(n)}\n`);
      add('giant', `tabs_${n}_x`, `${'\t'.repeat(n)}x`);
      add('giant', `nbsp_${n}_x`, `${'\u00a0'.repeat(n)}x`);
    }
    for (const n of [1, 2, 3, 99, 100, 101, 1000, 5000]) add('giant', `newlines_${n}`, '\n'.repeat(n));
    for (const n of [50, 51, 1000]) add('giant', `crlf_${n}`, '\r\n'.repeat(n));
    for (const n of [33, 34, 500, 1500]) add('giant', `space_newline_${n * 2}b`, ' \n'.repeat(n));
    add('giant', 'spaces_newlines_tabs_random_2000', Array.from({ length: 2000 }, () => r.pick([' ', ' ', '\n', '\t', '\r\n'])).join(''));
    for (const n of [99, 100, 101, 1000, 4000]) add('giant', `digits_${n}`, Array.from({ length: n }, () => r.pick(POOLS.asciiDigit)).join(''));
    add('giant', 'digits_same_3000', '7'.repeat(3000));
    add('giant', 'space_digits_1000', ' ' + '1'.repeat(1000));
    const cjk = (n) => Array.from({ length: n }, () => r.pick(POOLS.cjk)).join('');
    for (const n of [33, 34, 300, 3000]) add('giant', `cjk_${n * 3}b`, cjk(n));
    add('giant', 'hangul_400', Array.from({ length: 400 }, () => r.pick(POOLS.hangul.slice(0, 60))).join(''));
    add('giant', 'emoji_25', '😀'.repeat(25));
    add('giant', 'emoji_26', '😀'.repeat(26));
    add('giant', 'emoji_mixed_300', Array.from({ length: 300 }, () => r.pick(POOLS.emoji)).join(''));
    const randBytes = (n) => Buffer.from(Array.from({ length: n }, () => r.int(256)));
    for (const n of [75, 76, 1500, 2250]) add('giant', `base64_${Math.ceil(n / 3) * 4}`, randBytes(n).toString('base64'));
    {
      const b = randBytes(900).toString('base64');
      add('giant', 'base64_wrapped_76', b.match(/.{1,76}/g).join('\n'));
    }
    for (const n of [49, 50, 51, 500, 2000]) add('giant', `hex_${n * 2}`, randBytes(n).toString('hex'));
    add('giant', 'hex_upper_1000', randBytes(500).toString('hex').toUpperCase());
    const lowerWord = (n) => Array.from({ length: n }, () => r.pick(POOLS.asciiLower)).join('');
    for (const n of [99, 100, 101, 1000, 2000]) add('giant', `random_lower_word_${n}`, lowerWord(n));
    add('giant', 'random_mixed_case_word_1000', Array.from({ length: 1000 }, () => r.pick(POOLS.asciiLower.concat(POOLS.asciiUpper))).join(''));
    add('giant', 'supercali_x100', 'Supercalifragilisticexpialidocious'.repeat(100));
    add('giant', 'pneumono_x30', 'pneumonoultramicroscopicsilicovolcanoconiosis'.repeat(30));
    add('giant', 'ab_x1500', 'ab'.repeat(1500));
    add('giant', 'german_compound', 'Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft'.repeat(5));
    add('giant', 'cyrillic_word_600', Array.from({ length: 600 }, () => r.pick(POOLS.cyrillic.slice(0, 33))).join(''));
    add('giant', 'arabic_word_500', Array.from({ length: 500 }, () => r.pick(POOLS.arabic.slice(0, 36))).join(''));
    add('giant', 'thai_600', Array.from({ length: 600 }, () => r.pick(POOLS.thai)).join(''));
    for (const n of [99, 100, 101, 1000, 4000]) add('giant', `punct_dots_${n}`, '.'.repeat(n));
    add('giant', 'punct_mixed_1000', Array.from({ length: 1000 }, () => r.pick(POOLS.asciiPunct)).join(''));
    add('giant', 'equals_100_nl', '='.repeat(100) + '\n' + '-'.repeat(101) + '\n');
    add('giant', 'zalgo_mark_stack_400b', 'a' + '\u0301'.repeat(200));
    add('giant', 'nul_1000', '\u0000'.repeat(1000));
    add('giant', 'unicode_spaces_1000', Array.from({ length: 1000 }, () => r.pick(POOLS.unicodeSpace)).join('') + 'x');
    add('giant', 'url_query_long', 'https://example.com/?' + Array.from({ length: 200 }, (_, i) => `k${i}=${lowerWord(4)}`).join('&'));
    add('giant', 'prose_4k', Array(10).fill(PROSE.paragraph + ' ' + LOREM).join('\n\n').slice(0, 4000));
    add('giant', 'code_repeated', Array(3).fill(CODE.c + CODE.python).join(''));
    add('giant', 'prose_with_specials_4k', Array(8).fill(PROSE.paragraph).join('<|endoftext|>') + '<|endofprompt|>', ALL3);
  }

  return cases;
}

module.exports = { buildCases, newUnicodeGroups, SPECIAL_TEXTS, NOT_SPECIAL, SPECIAL_PARTIALS, prng };
