// Pieces of the growth and operations panels. Each value shown carries the API field it comes from
// and its raw value (data-figure, data-endpoint, data-value), as the cards' do, so that the browser
// tests can check what the page shows.
import { h, replace } from './dom.js'

/** A value as people read it (`text`), marked with its endpoint, field and raw value. */
export function figure(endpoint, field, value, text, attrs = {}) {
  return h(
    'span',
    { ...attrs, 'data-figure': field, 'data-endpoint': endpoint, 'data-value': JSON.stringify(value ?? null) },
    text,
  )
}

const shown = new WeakMap()

/** Fill `el` with `view(answer)`, unless it already shows that very answer: a live refresh that
 * changed nothing here keeps the reader's focus and place. */
export function refill(el, answer, view) {
  const json = JSON.stringify(answer)
  if (shown.get(el) === json) return
  shown.set(el, json)
  replace(el, view(answer))
}

/** A panel's big figure, then what it means (`label`: text and nodes). */
export function headline(endpoint, field, value, text, ...label) {
  return h(
    'p',
    { class: 'headline' },
    figure(endpoint, field, value, text, { class: 'value' }),
    h('span', { class: 'sub-label' }, ...label),
  )
}

/** A panel: a visible title, an optional hint, then its content. `wide` spans the whole row. */
export function panel({ id, title, hint, wide }, ...children) {
  return h(
    'section',
    { class: wide ? 'panel wide' : 'panel', id, 'aria-labelledby': `${id}-title` },
    h('h3', { id: `${id}-title` }, title),
    hint ? h('p', { class: 'hint' }, hint) : null,
    ...children,
  )
}

/** A titled group within a tab, made of rows. */
export function section(title, ...rows) {
  return h('section', { class: 'group' }, h('h2', { class: 'group-title' }, title), rows)
}

/** Panels side by side: as many as fit (about three on a wide screen), or at most `two`. */
export function row({ two = false } = {}, ...panels) {
  return h('div', { class: two ? 'panels two' : 'panels' }, panels)
}

/** A list of label / value pairs; values are nodes or text. `stacked`: one under the other. */
export function facts(items, { stacked = false } = {}) {
  return h(
    'dl',
    { class: stacked ? 'facts stacked' : 'facts' },
    items.map(([label, value, wide]) => h('div', { class: wide ? 'wide' : null }, h('dt', {}, label), h('dd', {}, value))),
  )
}

/** A small table without export: `head` is a list of [label, numeric], `rows` lists of cells. */
export function miniTable(head, rows) {
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'mini' },
      h('thead', {}, h('tr', {}, head.map(([label, numeric]) => h('th', { scope: 'col', class: numeric ? 'num' : null }, label)))),
      h(
        'tbody',
        {},
        rows.map((cells) =>
          h(
            'tr',
            {},
            cells.map((cell, i) => h(i === 0 ? 'th' : 'td', { scope: i === 0 ? 'row' : null, class: head[i][1] ? 'num' : null }, cell ?? '—')),
          ),
        ),
      ),
    ),
  )
}

const SHADES = 6

/** The class of a heat-coloured cell for `fraction` (0 to 1) of the largest value: 0 is blank. */
export function heat(fraction) {
  if (!(fraction > 0)) return 'heat heat-0'
  return `heat heat-${Math.min(SHADES - 1, 1 + Math.floor(fraction * (SHADES - 1)))}`
}

/** A horizontal bar of `fraction` (0 to 1) of its track. Set through the CSSOM, which the CSP allows. */
export function bar(fraction, className = 'bar') {
  const fill = h('span', { class: 'bar-fill' })
  fill.style.width = `${Math.max(0, Math.min(1, fraction || 0)) * 100}%`
  return h('span', { class: className, 'aria-hidden': 'true' }, fill)
}
