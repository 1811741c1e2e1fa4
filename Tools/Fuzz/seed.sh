#!/bin/sh
# Seeds corpus/<target>/ from the committed graphs and fixtures, plus seeds/run/ (op-dense graphs
# with small fixed shapes, so fuzz-run reaches every kernel). Run from Tools/Fuzz.
set -e
cd "$(dirname "$0")"
root=../..
fixtures=$root/Tests/LeptonTests/Fixtures
mkdir -p corpus/parser corpus/run corpus/npy corpus/npz crashes
for f in $root/graphs/*.graph $(find $fixtures -name '*.graph') seeds/run/*.graph; do
    [ -f "$f" ] || continue
    name=$(echo "$f" | sed 's|^\.\./\.\./||; s|/|_|g')
    cp "$f" "corpus/parser/$name"
    cp "$f" "corpus/run/$name"
done
for f in $(find $fixtures -name '*.npy'); do cp "$f" "corpus/npy/$(basename "$f")"; done
for f in $(find $fixtures -name '*.npz'); do cp "$f" "corpus/npz/$(basename "$f")"; done
for d in corpus/*; do echo "$d: $(ls "$d" | wc -l) seeds"; done
