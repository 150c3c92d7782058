#!/usr/bin/env python3
"""Generate the CLI test fixtures that are binary or large, into DIR.

Usage: make_fixtures.py DIR

Images are made of their headers only (tokmeter reads no pixels):
  img1024.png    PNG 1024x1024 (the vision guide's 765-token example)
  tall.jpg       JPEG 2048x4096 (1105 tokens), its frame header after a 70 kB
                 APP1 segment, so the reader must go past its first 64 KiB
  small.gif      GIF 512x512
  photo.webp     WebP VP8X 800x600;  lossy.webp VP8 1024x768;
  lossless.webp  WebP VP8L 300x200
  fake.png       text, not an image
  images.json    a chat request using all of them (+ a data: URL and a remote URL)
  bad_utf8.json  a request whose content string holds the byte 0xff
  bad_utf8.txt   text with an invalid UTF-8 byte on line 2, column 3
  bad_utf8_late.txt  2.4 MB of multi-byte text whose invalid byte is on line
                 50001, column 3, past 2 MiB: in the CLI's third 1 MiB chunk
  prompts/big.txt  about 10000 tokens (over gpt-4's 8192)
  batch_many.jsonl  700 lines of a Batch API file, three of `tokmeter batch`'s
                 256-line chunks, with bad lines of every kind: bad JSON, early
                 errors, late errors (unknown model), duplicate ids (also with a
                 late error, where the duplicate is what is reported, and
                 across chunks), blank lines, a second url, and prompts of up
                 to 40 KB among short ones, so threads finish out of order
  tree/          a directory to walk: text files, a binary file (NUL byte), a
                 hidden file and directory, a symlink to a directory
"""
import base64
import json
import os
import struct
import sys
import zlib

d = sys.argv[1]
os.makedirs(d, exist_ok=True)


def w(name, data):
    path = os.path.join(d, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


def png(wd, ht):
    ihdr = struct.pack('>IIBBBBB', wd, ht, 8, 2, 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n' + struct.pack('>I', 13) + b'IHDR' + ihdr +
            struct.pack('>I', zlib.crc32(b'IHDR' + ihdr)))


def jpeg(wd, ht, pad):
    app0 = b'\xff\xe0' + struct.pack('>H', 16) + b'JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00'
    app1 = b''
    while pad > 0:  # segments are at most 65535 bytes
        n = min(pad, 60000)
        app1 += b'\xff\xe1' + struct.pack('>H', n + 2) + b'E' * n
        pad -= n
    sof = b'\xff\xc0' + struct.pack('>HBHHB', 11, 8, ht, wd, 1) + b'\x01\x11\x00'
    return b'\xff\xd8' + app0 + app1 + sof + b'\xff\xd9'


def gif(wd, ht):
    return b'GIF89a' + struct.pack('<HH', wd, ht) + b'\x00\x00\x00;'


def riff(chunk, data):
    body = b'WEBP' + chunk + struct.pack('<I', len(data)) + data
    return b'RIFF' + struct.pack('<I', len(body)) + body


def webp_vp8x(wd, ht):
    return riff(b'VP8X', b'\x00\x00\x00\x00' + (wd - 1).to_bytes(3, 'little') +
                (ht - 1).to_bytes(3, 'little'))


def webp_vp8(wd, ht):
    return riff(b'VP8 ', b'\x30\x01\x00\x9d\x01\x2a' + struct.pack('<HH', wd, ht) + b'\x00' * 4)


def webp_vp8l(wd, ht):
    bits = (wd - 1) | ((ht - 1) << 14)
    return riff(b'VP8L', b'\x2f' + struct.pack('<I', bits) + b'\x00' * 4)


w('img1024.png', png(1024, 1024))
w('tall.jpg', jpeg(2048, 4096, 70000))
w('small.gif', gif(512, 512))
w('photo.webp', webp_vp8x(800, 600))
w('lossy.webp', webp_vp8(1024, 768))
w('lossless.webp', webp_vp8l(300, 200))
w('fake.png', b'this is not an image\n')

data_url = 'data:image/png;base64,' + base64.b64encode(png(1024, 1024)).decode()
req = {"model": "gpt-4o", "messages": [
    {"role": "user", "content": [
        {"type": "text", "text": "What is in these images?"},
        {"type": "image_url", "image_url": {"url": data_url, "detail": "high"}},
        {"type": "image_url", "image_url": {"url": "tall.jpg"}},
        {"type": "image_url", "image_url": {"url": "small.gif", "detail": "low"}},
        {"type": "image_url", "image_url": {"url": "photo.webp"}},
        {"type": "image_url", "image_url": {"url": "lossy.webp"}},
        {"type": "image_url", "image_url": {"url": "lossless.webp"}},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
        {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}]}],
    "max_tokens": 300}
w('images.json', json.dumps(req, indent=2).encode() + b'\n')
bad = {"model": "gpt-4o", "messages": [{"role": "user", "content": [
    {"type": "image_url", "image_url": {"url": "fake.png"}}]}]}
w('fake_image.json', json.dumps(bad).encode() + b'\n')
w('bad_utf8.json', b'{"model": "gpt-4o",\n "messages": [{"role": "user", "content": "caf\xff"}]}\n')
w('bad_utf8.txt', b'line one\nab\xffcd\n')
late_line = 'l\u00ednea \u00fcn\u00efc\u00f6d\u00e9 \u65e5\u672c\u8a9e, line after line.\n'.encode()
late = late_line * 50000 + b'ab\xffcd\n'
assert late.index(b'\xff') > 2 << 20 and late.count(b'\n') == 50001  # line 50001, column 3
w('bad_utf8_late.txt', late)
w('prompts/big.txt', ('All work and no play makes Jack a dull boy. ' * 1000).encode())

words = ['token', 'meter', 'caf\u00e9', '\u65e5\u672c\u8a9e', 'na\u00efve', 'budget', '\u0436\u0443\u0440\u043d\u0430\u043b', 'cost']
many = []
for i in range(1, 701):
    if i % 61 == 0:
        many.append('')
        continue
    text = ' '.join(words[(i * k) % len(words)] for k in range(1 + (i * 7) % 23))
    if i % 97 == 0:
        text = (text + ' ') * 2000  # a slow line among quick ones
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}],
            "max_tokens": 10 + i % 5}
    cid = 'r%d' % i
    url = '/v1/chat/completions'
    if i % 37 == 0:
        cid = 'r%d' % (i - 290 if i > 290 else i - 30)  # a duplicate, across chunks from 290 on
    if i % 113 == 0 or i == 222:
        body["model"] = "gpt-4o-minii"  # late error: unknown model
    if i == 222:
        cid = 'r5'  # duplicate and unknown model: the duplicate is reported
    if i % 89 == 0:
        url = '/v1/embeddings'
        body = {"model": "text-embedding-3-small", "input": text}
    line = json.dumps({"custom_id": cid, "method": "GET" if i % 71 == 0 else "POST",
                       "url": url, "body": body}, ensure_ascii=False)
    if i % 53 == 0:
        line = line[:len(line) // 2]  # bad JSON
    many.append(line)
w('batch_many.jsonl', ('\n'.join(many) + '\n').encode())

w('tree/a.txt', b'hello world\n')
w('tree/sub/b.md', b'# Title\n\nSome *markdown* text.\n')
w('tree/sub/c.txt', b'one two three four five\n')
w('tree/image.bin', b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR')
w('tree/.env', b'SECRET=1\n')
w('tree/.cache/x.txt', b'cached\n')
link = os.path.join(d, 'tree/sub/up')
if not os.path.lexists(link):
    os.symlink('..', link)
