#!/usr/bin/env bash
# Copy the front-end assets installed by `npm ci` into static/vendor/, so that every
# CSS, JS and font file is served by this site (no CDN). Run from anywhere:
#
#     npm ci --no-audit --no-fund && bash scripts/copy_assets.sh
#
# The `sourceMappingURL` comments are removed from the minified files: the .map files
# are not shipped, and Django's manifest storage (collectstatic in production) fails
# on a reference to a file that does not exist.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
modules="$root/node_modules"
vendor="$root/static/vendor"

for package in bootstrap htmx.org vazirmatn @popperjs/core; do
    if [[ ! -d "$modules/$package" ]]; then
        echo "copy_assets: $modules/$package is missing; run 'npm ci' first." >&2
        exit 1
    fi
done

# Copy one file, dropping any sourceMappingURL comment line from CSS and JS.
copy() {
    local source="$1" target="$2"
    mkdir -p "$(dirname "$target")"
    case "$target" in
        *.css | *.js) grep -v 'sourceMappingURL=' "$source" >"$target" || true ;;
        *) cp "$source" "$target" ;;
    esac
    if [[ ! -s "$target" ]]; then
        echo "copy_assets: $target is empty after copying $source" >&2
        exit 1
    fi
}

rm -rf "$vendor"

# Bootstrap: RTL for Persian, LTR for English; the bundle includes Popper.
copy "$modules/bootstrap/dist/css/bootstrap.rtl.min.css" "$vendor/bootstrap/bootstrap.rtl.min.css"
copy "$modules/bootstrap/dist/css/bootstrap.min.css" "$vendor/bootstrap/bootstrap.min.css"
copy "$modules/bootstrap/dist/js/bootstrap.bundle.min.js" "$vendor/bootstrap/bootstrap.bundle.min.js"
copy "$modules/bootstrap/LICENSE" "$vendor/bootstrap/LICENSE"
copy "$modules/@popperjs/core/LICENSE.md" "$vendor/bootstrap/LICENSE-popper.md"

# htmx.
copy "$modules/htmx.org/dist/htmx.min.js" "$vendor/htmx/htmx.min.js"
copy "$modules/htmx.org/LICENSE" "$vendor/htmx/LICENSE"

# Vazirmatn: the variable font covers every weight (100-900) in one file. The
# upstream name "Vazirmatn[wght].woff2" is renamed to keep brackets out of URLs.
copy "$modules/vazirmatn/fonts/webfonts/Vazirmatn[wght].woff2" "$vendor/vazirmatn/Vazirmatn-Variable.woff2"
copy "$modules/vazirmatn/OFL.txt" "$vendor/vazirmatn/LICENSE"

# Record what was copied, from which package version.
{
    echo "Copied by scripts/copy_assets.sh from node_modules; do not edit by hand."
    for package in bootstrap htmx.org vazirmatn @popperjs/core; do
        version="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$modules/$package/package.json" | head -n 1)"
        echo "$package $version"
    done
} >"$vendor/VERSIONS.txt"

echo "copy_assets: static/vendor/ updated:"
(cd "$vendor" && find . -type f | sort | sed 's|^\./|  |')

# axe-core, for the accessibility sweep of the browser tests only (never served): a copy
# is committed, so `make e2e` on a fresh clone needs no npm.
axe_source="$modules/axe-core"
axe_target="$root/tests/e2e/vendor/axe-core"
if [[ ! -d "$axe_source" ]]; then
    echo "copy_assets: $axe_source is missing; run 'npm ci' (it installs devDependencies)." >&2
    exit 1
fi
rm -rf "$axe_target"
mkdir -p "$axe_target"
# Byte for byte (the file has no source map comment), so it matches the published one.
cp "$axe_source/axe.min.js" "$axe_source/LICENSE" "$axe_source/LICENSE-3RD-PARTY.txt" "$axe_target/"
axe_version="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$axe_source/package.json" | head -n 1)"
{
    echo "axe-core $axe_version (npm), MPL-2.0: see LICENSE. Copied by scripts/copy_assets.sh"
    echo "from node_modules; do not edit by hand. Loaded by tests/e2e/axe.py, which patches"
    echo "its icon-ligature heuristic in memory and checks this version (AXE_VERSION)."
} >"$axe_target/VERSION.txt"
echo "copy_assets: tests/e2e/vendor/axe-core/ updated (axe-core $axe_version)."
