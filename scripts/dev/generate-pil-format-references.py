#!/usr/bin/python3
"""Writes src/test/resources/dev/mlapp/image/pil-formats/: small PNG, GIF and BMP files in every pixel layout PIL
writes, each beside PIL's own convert('RGB') of it (raw bytes, .rgb), and MANIFEST (file, width, height). The
course's Flask app decodes uploads with PIL; PilFormatsTest proves the server decodes these files to the same bytes.

Needs Debian's python3-pil (apt-get install python3-pil), run with the system python: /usr/bin/python3.
Deterministic: the pictures are computed, not random.
"""
import os
import sys

from PIL import Image

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "src", "test", "resources", "dev", "mlapp", "image", "pil-formats")
W, H = 23, 17  # odd sizes: row padding (BMP), partial bytes (1-, 2- and 4-bit rows) and filters all show


def rgb_picture():
    im = Image.new("RGB", (W, H))
    im.putdata([((x * 11) % 256, (y * 15) % 256, (x * y * 7 + 40) % 256) for y in range(H) for x in range(W)])
    return im


def alpha_band():
    band = Image.new("L", (W, H))
    band.putdata([(x * 37 + y * 19) % 256 for y in range(H) for x in range(W)])  # includes 0: fully transparent
    return band


def palette_picture(colours):
    im = Image.new("P", (W, H))
    palette = []
    for i in range(colours):
        palette += [(i * 53) % 256, (i * 101 + 7) % 256, (255 - i * 29) % 256]
    im.putpalette(palette)
    im.putdata([(x + 3 * y) % colours for y in range(H) for x in range(W)])
    return im


def grey_picture():
    im = Image.new("L", (W, H))
    im.putdata([(x * 9 + y * 13) % 256 for y in range(H) for x in range(W)])
    return im


def cases():
    rgba = rgb_picture()
    rgba.putalpha(alpha_band())
    la = grey_picture()
    la = Image.merge("LA", (la, alpha_band()))
    grey16 = Image.new("I;16", (W, H))
    grey16.putdata([(x * 2801 + y * 3677) % 65536 for y in range(H) for x in range(W)])
    bits = Image.new("1", (W, H))
    bits.putdata([255 if (x * x + y) % 3 == 0 else 0 for y in range(H) for x in range(W)])
    transparent = palette_picture(16)
    frames = [palette_picture(16), rgb_picture().quantize(64)]
    yield "rgb.png", rgb_picture(), {}
    yield "rgba.png", rgba, {}
    yield "grey.png", grey_picture(), {}
    yield "grey-alpha.png", la, {}
    yield "grey16.png", grey16, {}
    yield "one-bit.png", bits, {}
    yield "palette.png", palette_picture(200), {}
    yield "palette-4bit.png", palette_picture(16), {"bits": 4}
    yield "palette-transparent.png", transparent, {"transparency": 5}
    yield "palette.gif", palette_picture(200), {}
    yield "transparent.gif", transparent, {"transparency": 5}
    yield "animated.gif", frames[0], {"save_all": True, "append_images": frames[1:], "duration": 100, "loop": 0}
    yield "rgb.bmp", rgb_picture(), {}
    yield "palette.bmp", palette_picture(200), {}
    yield "grey.bmp", grey_picture(), {}
    yield "rgba.bmp", rgba, {}


def main():
    os.makedirs(OUT, exist_ok=True)
    manifest = ["# file width height: PIL " + Image.__version__ + "'s convert('RGB') of each is FILE.rgb"]
    for name, image, options in cases():
        path = os.path.join(OUT, name)
        image.save(path, **options)
        with Image.open(path) as written:
            rgb = written.convert("RGB")
        with open(path + ".rgb", "wb") as f:
            f.write(rgb.tobytes())
        manifest.append(f"{name} {rgb.width} {rgb.height}")
    with open(os.path.join(OUT, "MANIFEST"), "w") as f:
        f.write("\n".join(manifest) + "\n")
    print(f"wrote {len(manifest) - 1} files and their references to {os.path.normpath(OUT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
