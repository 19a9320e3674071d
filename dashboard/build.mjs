// Build the dashboard into src/chatlytics/dashboard/static/ (served at /dashboard, not committed):
//   index.html             the page, naming the hashed files below (%ROOT% is filled in by the server)
//   assets/app-HASH.js     src/main.js and Chart.js, bundled and minified
//   assets/app-HASH.css    src/style.css
// It refuses source that writes HTML from strings (visitor text must only ever be text), and a
// bundle over its gzipped budget.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename } from 'node:path'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const BUDGET_GZIPPED = { '.js': 100_000, '.css': 6_000 }
const FORBIDDEN = /\b(innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval)\b|new Function\b/
const src = new URL('src/', import.meta.url)
const out = new URL('../src/chatlytics/dashboard/static/', import.meta.url)

for (const name of readdirSync(src)) {
  if (!name.endsWith('.js')) continue
  readFileSync(new URL(name, src), 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (FORBIDDEN.test(line)) {
        console.error(`src/${name}:${i + 1}: builds HTML or code from a string: ${line.trim()}`)
        process.exit(1)
      }
    })
}

rmSync(out, { recursive: true, force: true })
mkdirSync(new URL('assets/', out), { recursive: true })
const result = await build({
  entryPoints: { app: new URL('main.js', src).pathname },
  outdir: new URL('assets/', out).pathname,
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  metafile: true,
  logLevel: 'warning',
})

const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint)
const script = basename(entry[0])
const style = basename(entry[1].cssBundle)
const page = readFileSync(new URL('index.html', src), 'utf8')
  .replace('%SCRIPT%', script)
  .replace('%STYLE%', style)
writeFileSync(new URL('index.html', out), page)

let over = false
for (const name of [script, style]) {
  const bytes = readFileSync(new URL(`assets/${name}`, out))
  const gzipped = gzipSync(bytes, { level: 9 }).length
  const budget = BUDGET_GZIPPED[name.slice(name.lastIndexOf('.'))]
  console.log(`assets/${name}: ${bytes.length} bytes, ${gzipped} gzipped (budget ${budget})`)
  over ||= gzipped > budget
}
if (over) {
  console.error('the dashboard is over its size budget')
  process.exit(1)
}
