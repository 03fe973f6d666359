// Copy the prebuilt GOV.UK Frontend, MOJ Frontend and htmx files from node_modules into
// static/, where Django's staticfiles serves them under STATIC_URL (/assets/).
//
// Run with `npm run build` (the Makefile's `install` target does this).
//
// Output (all git-ignored):
//   static/vendor/govuk/govuk-frontend.min.{css,js}(.map)  -> /assets/vendor/govuk/...
//   static/vendor/moj/moj-frontend.min.{css,js}(.map)      -> /assets/vendor/moj/...
//   static/vendor/htmx/htmx.min.js                         -> /assets/vendor/htmx/...
//   static/fonts/, static/images/, static/manifest.json
//
// The prebuilt CSS refers to its fonts and images by absolute URLs such as
// url(/assets/fonts/bold-b542beb274-v2.woff2), so those files must sit at static/fonts/ and
// static/images/, not beside the CSS. The check at the end fails the build if any url() in
// the copied CSS would not resolve. The .map files are copied too: Django's manifest storage
// follows the sourceMappingURL comments at collectstatic time and fails if a map is missing.

import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = dirname(fileURLToPath(import.meta.url))
const staticDir = join(root, 'static')
const staticUrl = '/assets/' // must match STATIC_URL in config/settings.py

const govukDist = join(root, 'node_modules/govuk-frontend/dist/govuk')
const mojDist = join(root, 'node_modules/@ministryofjustice/frontend/moj')
const htmxDist = join(root, 'node_modules/htmx.org/dist')

/** Copy a file or folder, creating parent folders; optional sources may be missing. */
function copy(from, to, { optional = false } = {}) {
  if (!existsSync(from)) {
    if (optional) return
    throw new Error(`missing ${from}: run "npm ci" first`)
  }
  mkdirSync(dirname(to), { recursive: true })
  cpSync(from, to, { recursive: true, force: true })
  console.log(`  ${from.slice(root.length + 1)} -> ${to.slice(root.length + 1)}`)
}

/** Copy name.min.css/.js and their source maps into static/vendor/<dir>/. */
function copyBundle(dist, name, dir) {
  for (const ext of ['css', 'js']) {
    const file = `${name}.min.${ext}`
    copy(join(dist, file), join(staticDir, 'vendor', dir, file))
    copy(join(dist, `${file}.map`), join(staticDir, 'vendor', dir, `${file}.map`), {
      optional: true,
    })
  }
}

console.log('Copying front-end assets into static/')

// static/vendor/ is ours alone, so start it afresh. The asset folders are overwritten in place.
rmSync(join(staticDir, 'vendor'), { recursive: true, force: true })

copyBundle(govukDist, 'govuk-frontend', 'govuk')
copyBundle(mojDist, 'moj-frontend', 'moj')
// htmx ships no source map, and its minified file names none.
copy(join(htmxDist, 'htmx.min.js'), join(staticDir, 'vendor', 'htmx', 'htmx.min.js'))

// A folder left by GOV.UK Frontend 5, whose rebranded images now sit in images/.
rmSync(join(staticDir, 'rebrand'), { recursive: true, force: true })

// GOV.UK fonts, images and web manifest -> /assets/...
for (const entry of ['fonts', 'images', 'manifest.json']) {
  copy(join(govukDist, 'assets', entry), join(staticDir, entry))
}
// MOJ icons (no name clashes with GOV.UK's images) -> /assets/images/...
copy(join(mojDist, 'assets/images'), join(staticDir, 'images'))

// Check that every url() in the copied stylesheets points at a file we now have.
let missing = 0
for (const css of ['vendor/govuk/govuk-frontend.min.css', 'vendor/moj/moj-frontend.min.css']) {
  const cssPath = join(staticDir, css)
  const text = readFileSync(cssPath, 'utf8')
  for (const [, raw] of text.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
    if (raw.startsWith('data:') || raw.startsWith('#')) continue
    const url = raw.split(/[?#]/)[0]
    const target = url.startsWith(staticUrl)
      ? join(staticDir, url.slice(staticUrl.length))
      : resolve(dirname(cssPath), url)
    if (!existsSync(target)) {
      console.error(`  ${css}: url(${raw}) does not resolve (looked for ${target})`)
      missing += 1
    }
  }
}
if (missing) {
  console.error(`${missing} url() reference(s) would not resolve`)
  process.exit(1)
}
console.log('Front-end assets ready: every url() in the copied CSS resolves.')
