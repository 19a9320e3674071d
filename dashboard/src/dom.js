// Building DOM nodes. Text always goes in as text nodes: visitor text (messages, names, URLs) can
// never become markup. The build refuses any HTML-from-string API anywhere in src/ (build.mjs).

/**
 * h('a', {href: '#', class: 'x'}, 'text', child) -> an element.
 * Attributes whose value is null, undefined or false are left out; `true` sets an empty attribute.
 * Keys starting with "on" add event listeners.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value)
    } else {
      el.setAttribute(name, value === true ? '' : String(value))
    }
  }
  append(el, children)
  return el
}

/** Append children: nodes as they are, strings and numbers as text, arrays flattened, nulls skipped. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue
    el.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
  return el
}

/** Replace every child of `el`. */
export function replace(el, ...children) {
  el.replaceChildren()
  return append(el, children)
}

export function byId(id) {
  const el = document.getElementById(id)
  if (!el) throw new Error(`#${id} is missing from index.html`)
  return el
}
