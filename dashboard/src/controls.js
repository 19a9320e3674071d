// The panels' own controls: a small form on a panel that sets the options of the endpoint it reads
// (OPTIONS in state.js). What it sets goes to the URL, and only that endpoint is asked again; when
// the API refuses the options, its reason is shown under the form.
import { h, replace } from './dom.js'

let made = 0

/** A labelled control (an input or a select). */
export function field(label, control) {
  made += 1
  control.id ||= `option-${made}`
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control)
}

/** A select of [value, label] choices. */
export function select(choices, attrs = {}) {
  return h('select', attrs, choices.map(([value, label]) => h('option', { value }, label)))
}

/** Show `value` in `control`, unless the reader is in it (a live refresh must not undo typing). */
export function show(control, value) {
  if (control === document.activeElement) return
  if (control.type === 'checkbox') control.checked = Boolean(value)
  else control.value = value ?? ''
}

/**
 * The options form of `endpoint`: `fields` (nodes), `read()` -> the options they set ({name: text},
 * empty text for the default), `write(options, answer)` -> shows the state's options in them, and
 * what the API says it used where they are not set (`answer` is null when it refused the options).
 * `change(endpoint, options)` is called on every change, and by **Reset** (unless `reset` is false)
 * with every option cleared. Returns {el, sync(options, answer, reason)}, `reason` the API's for
 * refusing the options.
 */
export function optionsForm({ label, endpoint, names, fields, read, write, change, reset = true, onReset }) {
  made += 1
  const errorId = `options-error-${made}`
  const error = h('p', { class: 'error options-error', id: errorId, role: 'alert', hidden: true })
  const clear = () => {
    onReset?.()
    change(endpoint, Object.fromEntries(names.map((n) => [n, null])))
  }
  const el = h(
    'form',
    { class: 'options', 'aria-label': label, 'aria-describedby': errorId, novalidate: true },
    fields,
    reset ? h('button', { type: 'button', class: 'secondary', onclick: clear }, 'Reset') : null,
    error,
  )
  el.addEventListener('submit', (event) => event.preventDefault())
  el.addEventListener('change', () => change(endpoint, read()))
  return {
    el,
    sync(options, answer, reason) {
      write(options, reason ? null : answer)
      replace(error, reason ? `${reason} (until this is fixed, the panel shows the defaults)` : '')
      error.hidden = !reason
    },
  }
}
