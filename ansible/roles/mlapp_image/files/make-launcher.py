#!/usr/bin/env python3
"""Usage: make-launcher.py APP_DIR MAIN_CLASS

Writes APP_DIR/launcher.jar, a jar with only a manifest whose Class-Path lists APP_DIR/ml-app.jar and APP_DIR/lib/*.jar,
so that `java -jar APP_DIR/launcher.jar` runs the image's thin jar with the image's dependencies, as the image's
entrypoint does with -cp.
"""
import os
import sys
import zipfile


def manifest_line(text):
    """Manifest lines are at most 72 bytes; longer ones continue on lines that start with a space."""
    data = text.encode("utf-8")
    parts = [data[:72]] + [b" " + data[i:i + 71] for i in range(72, len(data), 71)]
    return b"\r\n".join(parts) + b"\r\n"


def main():
    app_dir, main_class = sys.argv[1], sys.argv[2]
    jars = ["ml-app.jar"] + sorted("lib/" + name for name in os.listdir(os.path.join(app_dir, "lib"))
                                   if name.endswith(".jar"))
    manifest = (manifest_line("Manifest-Version: 1.0") + manifest_line("Main-Class: " + main_class)
                + manifest_line("Class-Path: " + " ".join(jars)) + b"\r\n")
    info = zipfile.ZipInfo("META-INF/MANIFEST.MF", date_time=(1980, 1, 1, 0, 0, 0))
    with zipfile.ZipFile(os.path.join(app_dir, "launcher.jar"), "w", zipfile.ZIP_DEFLATED) as jar:
        jar.writestr(info, manifest)


if __name__ == "__main__":
    main()
