#!/usr/bin/env python3
"""make_seeds.py — (re)generate the seed corpora of the fuzz targets added
for the accounting layer and the CLI:

  corpus/model_table/   slices of data/models.tkm and absurd numbers
  corpus/image_header/  hand-assembled PNG, GIF, JPEG and WebP headers
                        (byte layouts as documented in tools/cli/image_header.c),
                        truncated and corrupt variants
  corpus/chat_json/     tests/cli/data/*.json request bodies plus deep
                        nesting, huge numbers, wrong types, non-UTF-8
  corpus/batch_line/    tests/cli/data/batch*.jsonl lines plus hostile lines

Usage: tests/fuzz/make_seeds.py   (from anywhere; rewrites those four
directories, deterministic). Seeds a fuzzer found to crash are never put
here before the bug is fixed (tests/fuzz/run.sh)."""
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def reset(target):
    shutil.rmtree(os.path.join(HERE, "corpus", target), ignore_errors=True)


# --------------------------------------------------------------- model_table
def model_table():
    reset("model_table")
    with open(os.path.join(REPO, "data", "models.tkm")) as f:
        text = f.read()
    sections = text.split("\n[")
    head = sections[0]
    by_name = {}
    for s in sections[1:]:
        by_name[s.split("]", 1)[0]] = "[" + s
    # Slices of the real table: header + templates + a few models.
    write("model_table", "01_header_templates.tkm",
          head + "\n" + "\n".join(by_name[k] for k in by_name if k.startswith("template ")))
    tpl = "\n".join(by_name[k] for k in by_name if k.startswith("template "))
    write("model_table", "02_gpt4o.tkm", "version = x\n" + tpl + "\n" + by_name["model gpt-4o"]
          + "\n" + by_name["model gpt-4o-2024-05-13"])
    write("model_table", "03_image_audio.tkm",
          by_name["model gpt-image-1"] + "\n" + by_name["model whisper-1"] + "\n"
          + by_name["model tts-1"])
    write("model_table", "04_gpt5_long.tkm", tpl + "\n" + by_name["model gpt-5"])
    # An override as a user would layer it on the built-in table.
    write("model_table", "05_override.tkm",
          "[model gpt-4o]\ninput = 1.00\noutput = 4.00\n\n"
          "[model my-model]\nbase = gpt-4o\ncontext = 9000\nmax_output = 1000\n")
    absurd = [
        ("06_negative.tkm", "[model neg]\nkind = chat\nencoding = o200k_base\nformat = chatml\n"
         "message = -3 -1 -3\ntool_call = -9\ncontext = -1\ninput = -2.50\noutput = -0.0\n"),
        ("07_overflow.tkm", "[model big]\nkind = chat\nencoding = cl100k_base\nformat = chatml\n"
         "message = 2147483647 2147483647 2147483647\ncontext = 18446744073709551615\n"
         "max_input = 18446744073709551616\nmax_output = 99999999999999999999999\n"
         "input = 9223372036.854775807\noutput = 1e400\ncached_input = 1e-400\n"
         "long_threshold = 18446744073709551615\nlong_input = 9999999999999\n"),
        ("08_nonnumeric.tkm", "[model nan]\nkind = chat\ncontext = NaN\nmax_output = inf\n"
         "input = 0x10\noutput = 1,5\ncached_input = $1\nbatch_input = 1..2\n"
         "message = a b c\nimage = tile x y z\n"),
        ("09_image_rules.tkm", "[model img]\nkind = chat\nencoding = o200k_base\nformat = chatml\n"
         "message = 3 1 3\nimage = tile 4294967295 4294967295 0 0 0\n\n"
         "[model patch]\nbase = img\nimage = patch 0 4294967295 99999.999\n"
         "image_price = high 0x0 1e30, low 4294967295x4294967295 99999999999\n"
         "minute = 18446744073.709551615\nchars = 1e19\n"),
        ("10_structure.tkm", "version = \n[model a]\nbase = a\n[model a]\n[template]\n"
         "[model ]\nkey without equals\n= value\n[source s]\nurl =\n[model b]\nsource = nope\n"
         "aliases = a a b\n"),
        ("11_utf8_nul.tkm", b"[model \xff\xfe]\nkind = chat\x00\n[model caf\xc3\xa9]\n"
         b"encoding = \xed\xa0\x80\naliases = \xc0\xaf\n"),
        ("12_crlf_truncated.tkm", "[model x]\r\nkind = chat\r\nencoding = o200k_base\r\n"
         "context = 100\r\ninput = 1.2"),
        ("13_rates.tkm", "[model r]\nbase = gpt-4o\nrate = free 3 40000 200\n"
         "rate = 1 18446744073709551615 18446744073709551615 18446744073709551615\n"
         "flex_input = 0.000000001\npriority_output = 0.0000000005\n"),
        # Loads: the largest values the parser accepts, for the cost overflow paths.
        ("14_extreme_valid.tkm", "[model x]\nkind = chat\nencoding = o200k_base\n"
         "format = chatml\nmessage = 3 1 3\ncontext = 18446744073709551615\n"
         "max_input = 18446744073709551615\nmax_output = 18446744073709551615\n"
         "input = 9223372036.854775807\ncached_input = 9223372036.854775807\n"
         "output = 9223372036.854775807\nbatch_input = 0\nbatch_output = 0.000000001\n"
         "long_threshold = 1\nlong_input = 9223372036.854775807\n"
         "long_output = 9223372036.854775807\nimage_input = 9223372036.854775807\n"
         "image_output = 9223372036.854775807\nminute = 9223372036.854775807\n"
         "chars = 9223372036.854775807\n"),
    ]
    for name, data in absurd:
        write("model_table", name, data)


# -------------------------------------------------------------- image_header
def png(w, h):
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR"
            + struct.pack(">II", w, h) + b"\x08\x06\x00\x00\x00" + b"\x00\x00\x00\x00")


def gif(w, h):
    return b"GIF89a" + struct.pack("<HH", w, h) + b"\xf7\x00\x00"


def jpeg(w, h, app_len=16):
    app0 = b"\xff\xe0" + struct.pack(">H", app_len) + b"JFIF\x00" + b"\x00" * (app_len - 7)
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, h, w, 3) + b"\x01\x22\x00" * 3
    return b"\xff\xd8" + app0 + b"\xff\xff" + sof + b"\xff\xd9"


def riff(chunk):
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def webp_vp8(w, h):
    payload = b"\x10\x02\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", w, h) + b"\x00" * 4
    return riff(b"VP8 " + struct.pack("<I", len(payload)) + payload)


def webp_vp8l(w, h):
    bits = (w - 1) | (h - 1) << 14
    payload = b"\x2f" + struct.pack("<I", bits) + b"\x00" * 4
    return riff(b"VP8L" + struct.pack("<I", len(payload)) + payload)


def webp_vp8x(w, h):
    payload = b"\x10\x00\x00\x00" + struct.pack("<I", w - 1)[:3] + struct.pack("<I", h - 1)[:3]
    return riff(b"VP8X" + struct.pack("<I", len(payload)) + payload)


def image_header():
    reset("image_header")
    seeds = {
        "01_png_640x480": png(640, 480),
        "02_gif_1x1": gif(1, 1),
        "03_jpeg_1024x768": jpeg(1024, 768),
        "04_webp_vp8_300x200": webp_vp8(300, 200),
        "05_webp_vp8l_16383x2": webp_vp8l(16383, 2),
        "06_webp_vp8x_16777216x3": webp_vp8x(16777216, 3),
        "07_png_truncated": png(640, 480)[:19],
        "08_png_huge_zero": png(0x80000000, 0),
        "09_jpeg_truncated_sof": jpeg(10, 10)[:25],
        "10_jpeg_bad_len": b"\xff\xd8\xff\xe1\x00\x01\xff\xc0",
        "11_jpeg_eoi_first": b"\xff\xd8\xff\xd9" + jpeg(5, 5)[2:],
        "12_webp_bad_chunk": riff(b"VP8Q" + b"\x00" * 20),
        "13_gif_short": b"GIF87a\x01",
        "14_unknown": b"BM6\x00\x00\x00\x00\x00\x00\x006\x00\x00\x00(\x00",
    }
    for name, data in seeds.items():
        write("image_header", name, data)


# ------------------------------------------------------------------ chat_json
def chat_json():
    reset("chat_json")
    data = os.path.join(REPO, "tests", "cli", "data")
    for name in ["cookbook.json", "weather.json", "tool_turns.json", "harmony.json",
                 "wrong_type.json", "malformed.json", "missing_field.json", "choices.json"]:
        with open(os.path.join(data, name), "rb") as f:
            write("chat_json", name, f.read())
    write("chat_json", "h1_deep_nesting.json",
          '{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"tools":['
          + '[' * 3000 + ']' * 3000 + ']}')
    write("chat_json", "h2_deep_parameters.json",
          '{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"tools":[{"type":'
          '"function","function":{"name":"f","parameters":' + '{"a":' * 200 + '1'
          + '}' * 200 + '}}]}')
    write("chat_json", "h3_huge_numbers.json",
          '{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],'
          '"max_tokens":18446744073709551616,"n":1e400,"max_completion_tokens":-1}')
    write("chat_json", "h4_wrong_types.json",
          '{"model":7,"messages":{"role":"user"},"tools":"none","n":"2"}')
    write("chat_json", "h5_non_utf8.json",
          b'{"model":"gpt-4o","messages":[{"role":"us\xffer","content":"caf\xc3\xa9 \xed\xa0\x80 \xc0\xaf"}]}')
    write("chat_json", "h6_escapes_images.json",
          '{"model":"gpt-4o","messages":[{"role":"user","name":"\\u0000\\ud800","content":['
          '{"type":"text","text":"a\\u0000b"},{"type":"image_url","image_url":{"url":'
          '"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAA","detail":"low"}},'
          '{"type":"image_url","image_url":{"url":"/etc/passwd"}},'
          '{"type":"image_url","image_url":{"url":"https://x/y.png","detail":"high"}}]}]}')


# ----------------------------------------------------------------- batch_line
def batch_line():
    reset("batch_line")
    data = os.path.join(REPO, "tests", "cli", "data")
    n = 0
    for name in ["batch.jsonl", "batch_endpoints.jsonl"]:
        with open(os.path.join(data, name), "rb") as f:
            for line in f.read().split(b"\n"):
                if line.strip() and n < 8:
                    n += 1
                    write("batch_line", "%02d_%s" % (n, name.replace(".jsonl", "")), line)
    write("batch_line", "h1_envelope_types.jsonl",
          '{"custom_id":"","method":"GET","url":7,"body":{}}\n'
          '{"custom_id":"a","method":"POST","url":"/v1/nope","body":[]}')
    write("batch_line", "h2_deep_body.jsonl",
          '{"custom_id":"d","method":"POST","url":"/v1/chat/completions","body":'
          + '{"messages":' * 500 + '[]' + '}' * 500 + '}')
    write("batch_line", "h3_huge_numbers.jsonl",
          '{"custom_id":"h","method":"POST","url":"/v1/embeddings","body":{"model":'
          '"text-embedding-3-small","input":[[18446744073709551616,-1,1e400]]}}')
    write("batch_line", "h4_non_utf8.jsonl",
          b'{"custom_id":"\xff","method":"POST","url":"/v1/responses","body":{"model":'
          b'"gpt-4o","input":"caf\xc3\xa9 \xed\xa0\x80"}}')


if __name__ == "__main__":
    model_table()
    image_header()
    chat_json()
    batch_line()
