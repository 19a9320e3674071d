// Build the tracker: minify src/tracker.js into the file the collector serves at /t.js, and refuse a
// file over the size budget (2,560 bytes gzipped), which tests/tracker/test_size.py checks as well.
import { mkdirSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const BUDGET = 2560
const out = new URL('../src/chatlytics/tracker/static/t.js', import.meta.url)

const result = await build({
  entryPoints: [new URL('src/tracker.js', import.meta.url).pathname],
  minify: true,
  target: 'es2018',
  legalComments: 'none',
  write: false,
})
const code = result.outputFiles[0].contents
const gzipped = gzipSync(code, { level: 9 }).length
if (gzipped > BUDGET) {
  // Not written: a file over budget must not look built (make would take it as up to date).
  console.error(`t.js would be ${gzipped} bytes gzipped, ${gzipped - BUDGET} over its budget of ${BUDGET}`)
  process.exit(1)
}
mkdirSync(new URL('.', out), { recursive: true })
writeFileSync(out, code)
console.log(`${out.pathname}: ${code.length} bytes, ${gzipped} gzipped (budget ${BUDGET})`)
