// The dashboard page: sign-in, the range controls, the tabs and the drill-down views, and the live
// refresh.
import './style.css'
import { makeApi, signInMessage } from './api.js'
import { transcriptView, userView } from './detail.js'
import { byId, h, replace } from './dom.js'
import { GROWTH } from './growth.js'
import { hrefFor, link, setNavigation, toTab } from './nav.js'
import { OPERATIONS } from './operations.js'
import { OVERVIEW } from './overview.js'
import { defaultInterval, INTERVALS, optionsOf, RANGES, readState, TABS, windows, writeState } from './state.js'
import { openStream } from './stream.js'

const ROOT = document.documentElement.dataset.root ?? ''
const KEY_NAME = 'chatlytics.readKey' // sessionStorage: this tab only, gone when it closes
const LIVE_DELAY_MS = 300
const PERIODIC_MS = 60_000 // "active now" and timeouts change with the clock alone
const PREVIOUS_MAX_AGE_MS = 60_000
// Each tab: the endpoints it reads (each asked with `params(name, state, days)` and the panel options
// of the state besides the range), those also asked for the previous range, and how to build it
// ({el, render, destroy}).
const VIEWS = { overview: OVERVIEW, growth: GROWTH, operations: OPERATIONS }

const el = {
  signIn: byId('sign-in'),
  form: byId('sign-in-form'),
  key: byId('key'),
  signInError: byId('sign-in-error'),
  app: byId('app'),
  signOut: byId('sign-out'),
  live: byId('live'),
  controls: byId('controls'),
  range: byId('range'),
  start: byId('start'),
  end: byId('end'),
  interval: byId('interval'),
  notice: byId('notice'),
  tabs: byId('tabs'),
  view: byId('view'),
}

let state = readState(window.location.search)
let session = null // {api, stream} while signed in
let built = {} // the tabs built so far, by name: kept while signed in, so switching back is quick
let previous = null // {key, at, answers}: the previous range's answers, asked again at most once a minute
let controller = null
let running = false
let pending = null // {full, only} when a refresh was asked for while one was running
let shownAnswers = {} // by tab: {current, invalid}, the answers on screen, which a panel's refresh updates
let liveTimer = null
let focusOnLoad = false
let loads = 0
let shownDetail = null // the JSON of the drill-down view on screen: not rebuilt when unchanged

// ---- sign-in ----------------------------------------------------------------------------------

async function signIn(event) {
  event.preventDefault()
  const key = el.key.value.trim()
  if (!key) {
    replace(el.signInError, 'Paste a read key to sign in.')
    el.key.focus()
    return
  }
  const button = el.form.querySelector('button')
  button.disabled = true
  replace(el.signInError)
  try {
    await makeApi(ROOT, key)('/analytics/events', { from: new Date(Date.now() - 60_000).toISOString() })
  } catch (error) {
    replace(el.signInError, signInMessage(error))
    el.key.select()
    return
  } finally {
    button.disabled = false
  }
  sessionStorage.setItem(KEY_NAME, key)
  el.key.value = ''
  start(key)
}

function start(key) {
  session = { api: makeApi(ROOT, key), stream: null, connected: false }
  el.signIn.hidden = true
  el.app.hidden = false
  el.signOut.hidden = false
  el.live.hidden = false
  session.stream = openStream({
    url: `${ROOT}/dashboard/stream`,
    key,
    onEvent: (name) => {
      if (name === 'commit') liveRefresh()
      if (name === 'hello') {
        // After a reconnection, catch up on what was stored while the stream was down.
        if (session?.connected) liveRefresh()
        if (session) session.connected = true
      }
    },
    onStatus: showLive,
    onRefused: () => signOut('Your key is no longer accepted. Sign in again with a read key.'),
  })
  route()
}

function signOut(message = '') {
  sessionStorage.removeItem(KEY_NAME)
  session?.stream?.stop()
  session = null
  controller?.abort()
  clearTimeout(liveTimer)
  liveTimer = null
  for (const view of Object.values(built)) view.destroy()
  built = {}
  shownAnswers = {}
  previous = null
  el.view.replaceChildren()
  el.app.hidden = true
  el.signOut.hidden = true
  el.live.hidden = true
  el.signIn.hidden = false
  replace(el.signInError, message)
  el.key.focus()
}

function showLive({ state: status, retryInMs }) {
  el.live.dataset.state = status
  document.body.dataset.live = status
  const text = {
    connecting: 'Connecting…',
    live: 'Live',
    reconnecting: `Reconnecting in ${Math.ceil((retryInMs ?? 0) / 1000)} s`,
  }[status]
  replace(el.live, h('span', { class: 'dot', 'aria-hidden': 'true' }), text)
}

// ---- the range controls and the URL ---------------------------------------------------------

function fillControls() {
  replace(el.range, Object.entries(RANGES).map(([value, label]) => h('option', { value }, label)))
  replace(el.interval, Object.entries(INTERVALS).map(([value, label]) => h('option', { value }, label)))
  el.range.addEventListener('change', () => {
    changeState({ range: el.range.value, interval: defaultInterval(el.range.value) })
  })
  el.interval.addEventListener('change', () => changeState({ interval: el.interval.value }))
  for (const input of [el.start, el.end]) {
    input.addEventListener('change', () => {
      if (!el.start.value || !el.end.value) return
      if (el.start.value > el.end.value) {
        showNotice('The first day must be on or before the last day.')
        return
      }
      changeState({ start: el.start.value, end: el.end.value })
    })
  }
  el.controls.addEventListener('submit', (event) => event.preventDefault())
}

function syncControls() {
  el.range.value = state.range
  el.interval.value = state.interval
  el.start.value = state.start
  el.end.value = state.end
  for (const field of el.controls.querySelectorAll('.custom')) field.hidden = state.range !== 'custom'
  el.controls.hidden = Boolean(state.conversation || state.user)
  el.tabs.hidden = el.controls.hidden
  replace(
    el.tabs,
    Object.entries(TABS).map(([tab, label]) =>
      link({ tab }, label, { class: 'tab', 'aria-current': tab === state.tab ? 'page' : null }),
    ),
  )
}

/** A new range or interval: the same view, so the URL is replaced rather than pushed. */
function changeState(changes) {
  window.history.replaceState(null, '', writeState({ ...state, ...changes }))
  route()
}

/** A panel's options changed: the URL is replaced, and only that panel's endpoint is asked again. */
function changeOptions(endpoint, values) {
  const options = { ...state.options, ...values }
  window.history.replaceState(null, '', writeState({ ...state, options }))
  state = readState(window.location.search)
  syncControls()
  refresh({ full: false, only: [endpoint] })
}

function navigate(target) {
  window.history.pushState(null, '', hrefFor(target))
  focusOnLoad = true
  route()
}

function route() {
  state = readState(window.location.search)
  syncControls()
  hideNotice()
  if (!session) return
  if (state.conversation || state.user) {
    shownDetail = null
    el.view.replaceChildren(h('p', { class: 'loading' }, 'Loading…'))
  } else {
    built[state.tab] ??= VIEWS[state.tab].build({ filename: csvName, changeOptions })
    const { el: node } = built[state.tab]
    if (el.view.firstChild !== node) el.view.replaceChildren(node)
  }
  controller?.abort()
  refresh({ full: true })
}

function csvName(what) {
  const w = windows(state)
  const last = new Date(Date.parse(w.current.to ?? new Date().toISOString()) - 1)
  return `${what}-${w.current.from.slice(0, 10)}-to-${last.toISOString().slice(0, 10)}.csv`
}

// ---- loading --------------------------------------------------------------------------------

/** New events were stored: refresh soon, once for a burst (a throttle, so a steady stream of
 * commits cannot postpone the refresh forever). */
function liveRefresh() {
  if (liveTimer) return
  liveTimer = setTimeout(() => {
    liveTimer = null
    refresh({ full: false })
  }, LIVE_DELAY_MS)
}

/** Ask the API again: every endpoint of the view, or `only` those named (a panel's options changed). */
async function refresh({ full, only = null }) {
  if (!session) return
  if (running) {
    const all = !only || (pending && !pending.only)
    pending = { full: full || Boolean(pending?.full), only: all ? null : [...(pending?.only ?? []), ...only] }
    return
  }
  running = true
  controller = new AbortController()
  const { signal } = controller
  el.view.setAttribute('aria-busy', 'true')
  try {
    await load(session.api, full, signal, only)
    if (!signal.aborted) hideNotice()
  } catch (error) {
    if (error.name !== 'AbortError') failed(error)
  } finally {
    running = false
    el.view.removeAttribute('aria-busy')
    if (pending) {
      const next = pending
      pending = null
      refresh(next)
    }
  }
}

function failed(error) {
  if (error.status === 401 || error.status === 403) {
    signOut(signInMessage(error))
  } else if (error.status === 404 && (state.conversation || state.user)) {
    const what = state.conversation ? 'conversation' : 'user'
    const note = h('p', { class: 'empty' }, `No event of this ${what} is stored. `, toTab(`Back to ${TABS[state.tab]}`))
    el.view.replaceChildren(h('div', { class: 'detail' }, note))
  } else {
    showNotice(`Could not load the figures: ${error.message}`)
  }
}

async function load(api, full, signal, only) {
  if (state.conversation || state.user) {
    const [name, path, view] = state.conversation
      ? ['conversation', `/analytics/conversation/${encodeURIComponent(state.conversation)}`, transcriptView]
      : ['user', `/analytics/user/${encodeURIComponent(state.user)}`, userView]
    const answer = await api(path, {}, signal)
    if (signal.aborted) return
    // Rebuilt only when it changed, so that a live refresh keeps the reader's focus and place.
    const json = JSON.stringify([name, answer])
    const changed = json !== shownDetail || el.view.dataset.view !== name
    shownDetail = json
    show(changed ? view(answer) : null, name)
    return
  }
  shownDetail = null
  const { tab } = state
  const view = VIEWS[tab]
  const w = windows(state)
  const invalid = {} // by endpoint: the API's reason for refusing the panel's options
  const ask = (names, range) =>
    Promise.all(
      names.map(async (name) => {
        const params = { from: range.from, to: range.to, ...view.params(name, state, w.days) }
        const asked = await askWithOptions(api, view.endpoints[name], params, optionsOf(state, name), signal)
        if (asked.refused) invalid[name] = asked.refused
        return [name, asked.answer]
      }),
    ).then(Object.fromEntries)
  const shown = shownAnswers[tab]
  if (only && shown) {
    // One panel's options changed: ask its endpoint alone, and show it with the other answers kept.
    const fetched = await ask(only, w.current)
    if (signal.aborted) return
    const kept = { ...shown.invalid }
    for (const name of only) delete kept[name]
    render(tab, { current: { ...shown.current, ...fetched }, invalid: { ...kept, ...invalid } }, previous?.answers ?? {}, w)
    return
  }
  const key = writeState(state)
  const reuse = !full && previous?.key === key && Date.now() - previous.at < PREVIOUS_MAX_AGE_MS
  const [current, before] = await Promise.all([
    ask(Object.keys(view.endpoints), w.current),
    reuse ? previous.answers : ask(view.compared, w.previous),
  ])
  if (signal.aborted) return
  previous = { key, at: reuse ? previous.at : Date.now(), answers: before }
  render(tab, { current, invalid }, before, w)
}

/** {answer, refused}: an endpoint's answer with the panel's `options`; when the API refuses them
 * (422), `refused` is its reason and the answer is the one without them (the API's defaults), so the
 * page still shows the panel. */
async function askWithOptions(api, path, params, options, signal) {
  try {
    return { answer: await api(path, { ...params, ...options }, signal), refused: null }
  } catch (error) {
    if (error.status !== 422 || !Object.keys(options).length) throw error
    return { answer: await api(path, params, signal), refused: error.message }
  }
}

function render(tab, answers, before, w) {
  shownAnswers[tab] = answers
  el.view.dataset.from = w.current.from
  el.view.dataset.to = w.current.to ?? ''
  el.view.dataset.interval = state.interval
  const { current, invalid } = answers
  built[tab].render({ current, invalid, options: state.options, previous: before, interval: state.interval, comparison: w.label })
  show(null, tab)
}

function show(node, name) {
  if (node) el.view.replaceChildren(node)
  loads += 1
  el.view.dataset.view = name
  el.view.dataset.loads = String(loads)
  if (focusOnLoad) {
    focusOnLoad = false
    el.view.querySelector('h2')?.focus()
  }
}

function showNotice(text) {
  replace(el.notice, text)
  el.notice.hidden = false
}

function hideNotice() {
  el.notice.hidden = true
  replace(el.notice)
}

// ---- start ----------------------------------------------------------------------------------

setNavigation(() => state, navigate)
fillControls()
syncControls()
el.form.addEventListener('submit', signIn)
el.signOut.addEventListener('click', () => signOut('You are signed out.'))
window.addEventListener('popstate', () => {
  focusOnLoad = true
  route()
})
setInterval(() => {
  if (document.visibilityState === 'visible') refresh({ full: true })
}, PERIODIC_MS)

const saved = sessionStorage.getItem(KEY_NAME)
if (saved) {
  start(saved)
} else {
  el.signIn.hidden = false
  el.key.focus()
}
