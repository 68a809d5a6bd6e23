#!/usr/bin/env python3
"""Gzipped size of the hydrate bundle a page needs, from a built site (target/site/pkg).

Main bundle: the JS glue, the main wasm, and (with --split) the split loader JS. Each lazy
route additionally loads its split module and the shared chunks the manifest lists for it.
Prints one row per route and the total of every file, in KB (1,000 bytes) after gzip -9.
"""
import gzip, json, os, sys

pkg = sys.argv[1] if len(sys.argv) > 1 else "target/site/pkg"
budget_kb = 350

def gz(name):
    with open(os.path.join(pkg, name), "rb") as f:
        return len(gzip.compress(f.read(), 9))

files = os.listdir(pkg)
main = [f for f in files if f.endswith(".js") or f == "daemon-portal.wasm" or f.endswith("_bg.wasm")]
main = [f for f in main if not f.startswith("chunk_") and not f.startswith("split_")]
main_size = sum(gz(f) for f in main)
wasm_total = sum(gz(f) for f in files if f.endswith(".wasm") or f.endswith(".js"))
print(f"main bundle ({', '.join(sorted(main))}): {main_size/1000:.0f} KB gzipped")

manifest_path = os.path.join(pkg, "__wasm_split_manifest.json")
worst = main_size
if os.path.exists(manifest_path):
    manifest = json.load(open(manifest_path))
    rows = []
    for split, chunks in manifest.items():
        own = f"split_{split}.wasm"
        if own not in files:
            continue
        size = gz(own) + sum(gz(c + ".wasm") for c in chunks)
        rows.append((main_size + size, split, size, len(chunks)))
    print(f"{'page (lazy route)':<45} {'route KB':>9} {'chunks':>7} {'page total KB':>14}")
    for total, split, size, n in sorted(rows, reverse=True):
        name = split.rsplit("_", 1)[0].strip("_").removesuffix("_route_view")
        print(f"{name:<45} {size/1000:>9.0f} {n:>7} {total/1000:>14.0f}")
        worst = max(worst, total)
print(f"all files together: {wasm_total/1000:.0f} KB gzipped")
print(f"largest page: {worst/1000:.0f} KB gzipped (budget {budget_kb} KB): "
      + ("within budget" if worst <= budget_kb * 1000 else "OVER budget"))
