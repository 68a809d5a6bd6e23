#!/usr/bin/env python3
"""What a page of the portal makes the browser download: gzip -9 sizes from a release site.

Sizes are those of the `.gz` files scripts/finish-site.mjs writes (what the server sends to a
browser that accepts gzip); a file without one is gzipped here.

The main bundle (JS glue, main wasm, split loader) loads on every page; each lazy island on a
page adds its split module and the shared chunks `__wasm_split_manifest.json` lists for it.
PAGES maps pages to the islands they render (the snake-case names in the split file names).
"""
import gzip
import json
import os
import sys

PAGES = {
    "every page without a form island": [],
    "/audit": ["audit_filters"],
    "/history": ["history_filters"],
    "/admin": ["users_body"],
    "/admin/teams": ["teams_body"],
    "/account/tokens": ["tokens_body"],
    "/admin/policies": ["policies_body"],
    "/daemons/:cluster/:name": ["daemon_live", "delete_button"],
    "/approvals/:id": ["request_live"],
    "/admin/freezes": ["freezes_body"],
    "/admin/environments": ["environments_body"],
    "/task-definitions/new, new revision": ["task_definition_editor"],
    "/daemons/new, update": ["deploy_form_view"],
}


def main(pkg: str) -> int:
    size = {}
    for f in os.listdir(pkg):
        if f.endswith((".wasm", ".js")):
            path = os.path.join(pkg, f)
            if os.path.exists(path + ".gz"):
                size[f] = os.path.getsize(path + ".gz")
            else:
                with open(path, "rb") as fh:
                    size[f] = len(gzip.compress(fh.read(), 9))
    main_files = [f for f in size if not f.startswith(("chunk_", "split_"))]
    base = sum(size[f] for f in main_files)
    with open(os.path.join(pkg, "__wasm_split_manifest.json")) as fh:
        manifest = json.load(fh)
    islands = {}
    for split, chunks in manifest.items():
        name = split.rsplit("_", 1)[0].removesuffix("_loader")
        islands[name] = {f"split_{split}.wasm"} | {c + ".wasm" for c in chunks}
    worst = 0
    for page, names in PAGES.items():
        files = set().union(*(islands[n] for n in names)) if names else set()
        total = base + sum(size[f] for f in files)
        worst = max(worst, total)
        print(f"{page:<40} {total / 1000:>6.1f} KB")
    print(f"all {len(size)} files together: {sum(size.values()) / 1000:.0f} KB; "
          f"largest page {worst / 1000:.1f} KB (budget 350 KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "target/site/pkg"))
