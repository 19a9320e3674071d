// What the page shows, read from and written to the URL so that a view can be shared (never the key):
//   ?range=today|7d|30d                          relative to now (days are UTC days, as in the API)
//   ?range=custom&start=2026-11-01&end=2026-11-30  whole UTC days, both included
//   &interval=hour|day|week                      buckets of the charts
//   &tab=growth|operations                       a section other than the overview
//   &conversation=<id> or &user=<id>             a drill-down view
//   &steps=…&by=…&window=…, &slowest_by=…, &business_start=…, &cost_per_month=…  the panels' own
//                                                options, under the API's parameter names (OPTIONS)

export const RANGES = {
  today: 'Today',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
  custom: 'Custom',
}
export const INTERVALS = { hour: 'By hour', day: 'By day', week: 'By week' }
export const TABS = { overview: 'Overview', growth: 'Growth', operations: 'Operations' }
const DEFAULT_INTERVAL = { today: 'hour', '7d': 'day', '30d': 'day', custom: 'day' }
const DAYS_BACK = { today: 0, '7d': 6, '30d': 29 }
const DAY_MS = 86_400_000
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/
// The options a panel's controls set, by the endpoint they are sent to: the API checks them (a bad
// one is its 422, shown beside the control), so the page keeps any value but an empty one.
export const OPTIONS = {
  funnel: ['steps', 'by', 'window'],
  performance: ['slowest_by'],
  pain_points: ['business_start', 'business_end', 'business_days', 'business_tz'],
  roi: ['cost_per_month', 'cost_per_conversation', 'lead_value', 'conversion_value', 'currency'],
}
const OPTION_NAMES = Object.values(OPTIONS).flat()

function utcMidnight(moment) {
  return new Date(Date.UTC(moment.getUTCFullYear(), moment.getUTCMonth(), moment.getUTCDate()))
}

function isoDay(moment) {
  return moment.toISOString().slice(0, 10)
}

function validDay(text) {
  return ISO_DAY.test(text ?? '') && !Number.isNaN(Date.parse(`${text}T00:00:00Z`))
}

export function defaultInterval(range) {
  return DEFAULT_INTERVAL[range]
}

/** The state in a query string; anything invalid falls back to the default (last 7 days, by day,
 * the overview). */
export function readState(search, now = new Date()) {
  const params = new URLSearchParams(search)
  const range = Object.hasOwn(RANGES, params.get('range') ?? '') ? params.get('range') : '7d'
  const interval = Object.hasOwn(INTERVALS, params.get('interval') ?? '')
    ? params.get('interval')
    : DEFAULT_INTERVAL[range]
  const today = utcMidnight(now)
  let start = params.get('start')
  let end = params.get('end')
  if (!validDay(start)) start = isoDay(new Date(today - 6 * DAY_MS))
  if (!validDay(end)) end = isoDay(today)
  if (start > end) [start, end] = [end, start]
  return {
    range,
    interval,
    tab: Object.hasOwn(TABS, params.get('tab') ?? '') ? params.get('tab') : 'overview',
    start,
    end,
    conversation: params.get('conversation'),
    user: params.get('user'),
    options: cleanOptions(Object.fromEntries(OPTION_NAMES.map((name) => [name, params.get(name)]))),
  }
}

/** The options that are set: trimmed, empty ones left out. */
export function cleanOptions(options) {
  const kept = {}
  for (const [name, value] of Object.entries(options)) {
    const text = (value ?? '').trim()
    if (text) kept[name] = text
  }
  return kept
}

/** The options of `endpoint` in `state`, as query parameters. */
export function optionsOf(state, endpoint) {
  return Object.fromEntries((OPTIONS[endpoint] ?? []).filter((n) => n in state.options).map((n) => [n, state.options[n]]))
}

/** The query string of a state (start and end only for a custom range). */
export function writeState(state) {
  const params = new URLSearchParams({ range: state.range })
  if (state.range === 'custom') {
    params.set('start', state.start)
    params.set('end', state.end)
  }
  params.set('interval', state.interval)
  if (state.tab && state.tab !== 'overview') params.set('tab', state.tab)
  for (const name of OPTION_NAMES) if (state.options?.[name]) params.set(name, state.options[name])
  if (state.conversation) params.set('conversation', state.conversation)
  else if (state.user) params.set('user', state.user)
  return `?${params}`
}

/**
 * The windows to ask the API for: `current` ({from, to}; `to` is null for "until now", which the API
 * takes as its own clock so that events just stored are always inside) and `previous`, the range of
 * equal length just before it, for the changes shown on the cards; and `days`, the current window's
 * length in days.
 */
export function windows(state, now = new Date()) {
  let from
  let to = null
  if (state.range === 'custom') {
    from = new Date(`${state.start}T00:00:00Z`)
    to = new Date(Date.parse(`${state.end}T00:00:00Z`) + DAY_MS)
  } else {
    from = new Date(utcMidnight(now) - DAYS_BACK[state.range] * DAY_MS)
  }
  const length = (to ?? now) - from
  return {
    current: { from: from.toISOString(), to: to && to.toISOString() },
    previous: { from: new Date(from - length).toISOString(), to: from.toISOString() },
    label: comparisonLabel(state, length),
    days: length / DAY_MS,
  }
}

function comparisonLabel(state, length) {
  if (state.range === 'today') return 'the same hours yesterday'
  const days = Math.round(length / DAY_MS)
  return days === 1 ? 'the day before' : `the previous ${days} days`
}
