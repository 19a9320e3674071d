// Links between the views. They are real links (open in a new tab works), and a plain click moves
// without reloading the page.
import { h } from './dom.js'
import { TABS, writeState } from './state.js'

let getState = () => ({})
let navigate = () => {}

/** Called once by main.js: how to read the current state and how to move to another view. */
export function setNavigation(stateGetter, navigator) {
  getState = stateGetter
  navigate = navigator
}

/** The URL of `target` ({conversation}, {user} or {} for the overview), keeping the range. */
export function hrefFor(target) {
  return writeState({ ...getState(), conversation: null, user: null, ...target })
}

export function link(target, text, attrs = {}) {
  return h(
    'a',
    {
      ...attrs,
      href: hrefFor(target),
      onclick: (event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
        event.preventDefault()
        navigate(target)
      },
    },
    text,
  )
}

export const toUser = (id) => (id ? link({ user: id }, id, { class: 'id' }) : null)
export const toConversation = (id) => (id ? link({ conversation: id }, id, { class: 'id' }) : null)

/** A link back to the tab the reader came from, keeping the range. */
export const toTab = (text = null) => link({}, text ?? `← ${TABS[getState().tab] ?? TABS.overview}`)
