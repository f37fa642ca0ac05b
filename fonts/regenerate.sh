#!/usr/bin/env bash
# Regenerate the subset CJK fonts in this directory from Debian's fonts-noto-cjk.
#
#   bash fonts/regenerate.sh          # from the repository root (or any cwd)
#   FORCE=1 bash fonts/regenerate.sh  # accept a different package version / inputs
#
# Needs: apt-get (with package lists for a Debian suite that carries the pinned
# version, e.g. bookworm), dpkg-deb, python3 with the venv module, network access
# to the Debian mirror and PyPI. Nothing is written outside this directory and a
# temporary directory that is removed on exit.
set -euo pipefail

# ---- pinned inputs ---------------------------------------------------------
DEB_PACKAGE="fonts-noto-cjk"
DEB_VERSION="1:20220127+repack1-1"          # Debian 12 "bookworm"
FONTTOOLS_VERSION="4.68.0"
# sha256 of the source collections inside the .deb (checked unless FORCE=1)
SERIF_TTC="NotoSerifCJK-Regular.ttc"
SERIF_TTC_SHA256="a04178ec485dffdff7cc0c0c20e1fce9202d7e2160d805e8e44a4c8841c58481"
SANS_TTC="NotoSansCJK-Bold.ttc"
SANS_TTC_SHA256="faa5f3656a78b2e2d450d27fe8382c778bc2b6bb5ea29c986664a6a435056ceb"
FACE_INDEX=2   # face 2 of both collections is "... CJK SC" (0=JP 1=KR 2=SC 3=TC 4=HK)

SERIF_OUT="NotoSerifCJKsc-Regular-subset.otf"
SANS_OUT="NotoSansCJKsc-Bold-subset.otf"

# OpenType features kept: every horizontal feature of the fonts except 'locl'
# (we use the SC face directly; locl would pull in JP/KR/TC/HK glyph variants
# and switch glyph forms depending on the document language) and the vertical /
# Hangul-jamo features (vert vrt2 vkrn vpal vhal vjmo ljmo tjmo), which typst
# does not use. This makes the files about 40% smaller than --layout-features='*'.
LAYOUT_FEATURES="aalt,calt,ccmp,dlig,fwid,halt,hist,hwid,kern,liga,mark,palt,pwid,ruby"
# ---------------------------------------------------------------------------

FORCE="${FORCE:-0}"
PYTHON="${PYTHON:-python3}"
FONTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

die() { echo "regenerate.sh: error: $*" >&2; exit 1; }
mismatch() {
    if [ "$FORCE" = "1" ]; then
        echo "regenerate.sh: WARNING (FORCE=1, continuing): $*" >&2
    else
        die "$* (set FORCE=1 to continue anyway; outputs will then differ from SHA256SUMS)"
    fi
}

for cmd in apt-get dpkg-deb sha256sum "$PYTHON"; do
    command -v "$cmd" >/dev/null 2>&1 || die "required command not found: $cmd"
done

TMP="$(mktemp -d "${TMPDIR:-/tmp}/regen-fonts.XXXXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# ---- 1. download and unpack the Debian package -----------------------------
echo "==> apt-get download $DEB_PACKAGE"
mkdir "$TMP/deb"
( cd "$TMP/deb" && apt-get download "$DEB_PACKAGE" ) \
    || die "apt-get download $DEB_PACKAGE failed (on a fresh system run 'apt-get update' first)"
debs=("$TMP/deb/${DEB_PACKAGE}"_*.deb)
[ "${#debs[@]}" -eq 1 ] && [ -f "${debs[0]}" ] || die "expected exactly one ${DEB_PACKAGE}_*.deb"
DEB="${debs[0]}"
got_version="$(dpkg-deb -f "$DEB" Version)"
echo "    package version: $got_version"
if [ "$got_version" != "$DEB_VERSION" ]; then
    mismatch "apt-get downloaded $DEB_PACKAGE version '$got_version', but this script is pinned to '$DEB_VERSION'
  (Debian 12 bookworm). Run it on bookworm, or get that version from https://snapshot.debian.org/,
  or update DEB_VERSION and the checksums in this script"
fi
dpkg-deb -x "$DEB" "$TMP/pkg"
SRC_DIR="$TMP/pkg/usr/share/fonts/opentype/noto"
COPYRIGHT="$TMP/pkg/usr/share/doc/$DEB_PACKAGE/copyright"
for pair in "$SERIF_TTC:$SERIF_TTC_SHA256" "$SANS_TTC:$SANS_TTC_SHA256"; do
    f="${pair%%:*}"; want="${pair#*:}"
    [ -f "$SRC_DIR/$f" ] || die "$f not found in the package"
    have="$(sha256sum "$SRC_DIR/$f" | cut -d' ' -f1)"
    [ "$have" = "$want" ] || mismatch "sha256 of $f is $have, expected $want"
done

# ---- 2. python venv with pinned fonttools ----------------------------------
echo "==> creating venv with fonttools==$FONTTOOLS_VERSION"
"$PYTHON" -m venv "$TMP/venv" || die "'$PYTHON -m venv' failed (install python3-venv)"
"$TMP/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir \
    "fonttools==$FONTTOOLS_VERSION"
PY="$TMP/venv/bin/python"
export PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1

# ---- 3. character list -----------------------------------------------------
echo "==> generating character list"
"$PY" - "$TMP/unicodes.txt" <<'PYEOF'
import sys
cps = set()
# GB2312: every valid 2-byte code (rows 0xA1-0xF7, cells 0xA1-0xFE)
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            cps.update(map(ord, bytes([hi, lo]).decode("gb2312")))
        except UnicodeDecodeError:
            pass
n_gb = len(cps)
# Big5 level 1 (frequently used characters): 0xA440-0xC67E
def big5(first, last):
    n = 0
    for code in range(first, last + 1):
        try:
            cps.update(map(ord, code.to_bytes(2, "big").decode("big5")))
            n += 1
        except UnicodeDecodeError:
            pass
    return n
n_b5_1 = big5(0xA440, 0xC67E)  # Big5 level 1 (frequently used characters)
n_b5_2 = big5(0xC940, 0xF9D5)  # Big5 level 2 (less frequently used characters)
ranges = [
    (0x0020, 0x007E),  # ASCII printable
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x2000, 0x206F),  # General Punctuation
    (0x2100, 0x21FF),  # Letterlike Symbols, Number Forms, Arrows
    (0x2460, 0x24FF),  # Enclosed Alphanumerics
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0x3100, 0x312F),  # Bopomofo
    (0x31C0, 0x31EF),  # CJK Strokes
    (0x3200, 0x32FF),  # Enclosed CJK Letters and Months
    (0x3400, 0x4DBF),  # CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs (the whole block)
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0xFE30, 0xFE4F),  # CJK Compatibility Forms
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
]
for a, b in ranges:
    cps.update(range(a, b + 1))
with open(sys.argv[1], "w", encoding="ascii", newline="\n") as f:
    f.writelines("U+%04X\n" % c for c in sorted(cps))
print(f"    GB2312: {n_gb} chars, Big5 level 1: {n_b5_1} chars, Big5 level 2: {n_b5_2} chars, "
      f"total requested: {len(cps)} code points")
PYEOF

# ---- 4. subset -------------------------------------------------------------
subset() {  # $1 = source collection, $2 = output file name
    echo "==> pyftsubset $1 (face $FACE_INDEX) -> $2"
    "$TMP/venv/bin/pyftsubset" "$SRC_DIR/$1" \
        --font-number="$FACE_INDEX" \
        --unicodes-file="$TMP/unicodes.txt" \
        --layout-features="$LAYOUT_FEATURES" \
        --no-hinting \
        --name-IDs='*' --name-languages='*' \
        --no-recalc-timestamp \
        --output-file="$TMP/out/$2"
}
mkdir "$TMP/out"
subset "$SERIF_TTC" "$SERIF_OUT"
subset "$SANS_TTC" "$SANS_OUT"

# ---- 5. verify -------------------------------------------------------------
echo "==> verifying"
"$PY" - "$TMP/unicodes.txt" "$FACE_INDEX" \
    "$SRC_DIR/$SERIF_TTC" "$TMP/out/$SERIF_OUT" "Noto Serif CJK SC" \
    "$SRC_DIR/$SANS_TTC" "$TMP/out/$SANS_OUT" "Noto Sans CJK SC" <<'PYEOF'
import sys
from fontTools.ttLib import TTFont
must = ("中亚峰會爲衆覈。，、“”《》—…"
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
requested = {int(l[2:], 16) for l in open(sys.argv[1], encoding="ascii")}
face = int(sys.argv[2])
args = sys.argv[3:]
ok = True
for src, path, family in zip(args[0::3], args[1::3], args[2::3]):
    f = TTFont(path)
    name = f["name"]
    fam = name.getDebugName(1)
    typo = name.getDebugName(16)
    cmap = f.getBestCmap()
    missing = [c for c in must if ord(c) not in cmap]
    # every requested code point that the source face maps must be in the subset
    src_cmap = TTFont(src, fontNumber=face, lazy=True).getBestCmap()
    lost = sorted(c for c in requested if c in src_cmap and c not in cmap)
    print(f"    {path.rsplit('/', 1)[-1]}: family(1)={fam!r} typo-family(16)={typo!r} "
          f"cmap={len(cmap)} glyphs={f['maxp'].numGlyphs} "
          f"requested-and-in-source={sum(1 for c in requested if c in src_cmap)}")
    if fam != family:
        print(f"    ERROR: family is {fam!r}, expected {family!r}"); ok = False
    if missing:
        print(f"    ERROR: missing characters: {''.join(missing)}"); ok = False
    if lost:
        print(f"    ERROR: {len(lost)} requested code points that the source face has are missing: "
              + " ".join("U+%04X" % c for c in lost[:20])); ok = False
sys.exit(0 if ok else 1)
PYEOF

# ---- 6. licence text (OFL paragraph of the Debian copyright file, de-indented)
"$PY" - "$COPYRIGHT" "$TMP/out/LICENSE-OFL.txt" <<'PYEOF'
import sys
src, dst = sys.argv[1:]
lines = open(src, encoding="utf-8").read().split("\n")
# copyright line of the "Files: *" paragraph
i = lines.index("Files: *")
assert lines[i + 1].startswith("Copyright: "), lines[i + 1]
copyright_line = lines[i + 1]
# the "License: SIL-1.1" stand-alone paragraph (continuation lines start with a space)
# (the first "License: SIL-1.1" line belongs to "Files: *" and has no text)
j = next(k for k, l in enumerate(lines)
         if l == "License: SIL-1.1" and lines[k + 1].startswith(" "))
body = []
for line in lines[j + 1:]:
    if not line.startswith(" "):
        break
    body.append("" if line == " ." else line[1:])
assert "SIL OPEN FONT LICENSE Version 1.1" in body[1], body[:3]
assert body[-1].startswith("OTHER DEALINGS IN THE FONT SOFTWARE"), body[-1]
out = [copyright_line, ""] + body
with open(dst, "w", encoding="utf-8", newline="\n") as f:
    f.write("\n".join(out).rstrip("\n") + "\n")
PYEOF

# ---- 7. install into fonts/ ------------------------------------------------
( cd "$TMP/out" && sha256sum "$SERIF_OUT" "$SANS_OUT" > SHA256SUMS )
if [ -f "$FONTS_DIR/SHA256SUMS" ]; then
    if cmp -s "$FONTS_DIR/SHA256SUMS" "$TMP/out/SHA256SUMS"; then
        echo "==> outputs are byte-identical to the existing SHA256SUMS"
    else
        echo "==> NOTE: outputs differ from the existing SHA256SUMS:" >&2
        diff "$FONTS_DIR/SHA256SUMS" "$TMP/out/SHA256SUMS" >&2 || true
    fi
fi
for f in "$SERIF_OUT" "$SANS_OUT" LICENSE-OFL.txt SHA256SUMS; do
    cp "$TMP/out/$f" "$FONTS_DIR/$f.tmp.$$"
    mv -f "$FONTS_DIR/$f.tmp.$$" "$FONTS_DIR/$f"
done
echo "==> done:"
( cd "$FONTS_DIR" && ls -l "$SERIF_OUT" "$SANS_OUT" && cat SHA256SUMS )
