// Tables of rows from the API, each with a CSV export of exactly the rows it shows.
import { h, replace } from './dom.js'

/**
 * A column: {label, value(row) -> the raw value (exported), cell(row) -> a node or text (shown;
 * defaults to the value), numeric, wrap (free text that may wrap)}.
 * Returns {el, update(rows)}.
 */
export function tablePanel({ id, title, note, columns, empty, filename }) {
  const titleId = `${id}-title`
  const body = h('tbody')
  const table = h(
    'table',
    {},
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: cellClass(c) }, c.label)))),
    body,
  )
  const scroller = h('div', { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-labelledby': titleId }, table)
  const emptyNote = h('p', { class: 'empty', hidden: true }, empty)
  let rows = []
  let shown = null // the JSON of the rows on screen: not rebuilt when unchanged (keeps focus)
  const exportButton = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: () => download(typeof filename === 'function' ? filename() : filename, toCsv(columns, rows)),
    },
    'Export CSV',
  )
  const el = h(
    'section',
    { class: 'panel table-panel', id, 'aria-labelledby': titleId },
    h('div', { class: 'panel-head' }, h('h3', { id: titleId }, title), exportButton),
    note ? h('p', { class: 'hint' }, note) : null,
    scroller,
    emptyNote,
  )

  /** Show `next`; `context` is anything else the cells depend on (the links carry the range). */
  function update(next, context = '') {
    const json = JSON.stringify([context, next])
    if (json === shown) return
    shown = json
    rows = next
    replace(
      body,
      rows.map((row) =>
        h(
          'tr',
          {},
          columns.map((c) => {
            const content = c.cell ? c.cell(row) : c.value(row)
            return h('td', { class: cellClass(c) }, content ?? '—')
          }),
        ),
      ),
    )
    scroller.hidden = rows.length === 0
    emptyNote.hidden = rows.length > 0
    exportButton.disabled = rows.length === 0
  }

  return { el, update }
}

function cellClass(column) {
  return column.numeric ? 'num' : column.wrap ? 'wrap' : null
}

// A cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR) is prefixed with a quote.
const FORMULA = /^[=+\-@\t\r]/

function csvCell(value) {
  if (value === null || value === undefined) return ''
  let text = Array.isArray(value) ? value.join('; ') : String(value)
  if (typeof value === 'string' && FORMULA.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export function toCsv(columns, rows) {
  const lines = [columns.map((c) => csvCell(c.label))]
  for (const row of rows) lines.push(columns.map((c) => csvCell(c.value(row))))
  return `${lines.map((cells) => cells.join(',')).join('\r\n')}\r\n`
}

export function download(filename, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }))
  const link = h('a', { href: url, download: filename, hidden: true })
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
