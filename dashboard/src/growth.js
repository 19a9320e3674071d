// The growth tab: how far visitors get (funnel), whether they come back (retention cohorts), which
// products draw interest and what follows it, and who is worth a follow-up. Every number is a field
// of an API answer; bar lengths and heat colours are drawn from them, nothing else is computed.
import { CATEGORY_COLUMNS, OPPORTUNITY_COLUMNS, PRODUCT_COLUMNS } from './columns.js'
import { field, optionsForm, select, show } from './controls.js'
import { h, replace } from './dom.js'
import { bar, figure, heat, panel, refill, row, section } from './figures.js'
import * as fmt from './format.js'
import { OPTIONS } from './state.js'
import { tablePanel } from './tables.js'

const ENDPOINTS = {
  funnel: '/analytics/funnel',
  retention: '/analytics/retention',
  products: '/analytics/products',
  opportunities: '/analytics/opportunities',
}
const FIRST_OPPORTUNITIES = 10
// Daily cohorts for up to two weeks, weekly ones beyond: the table stays readable.
const DAILY_COHORTS_UP_TO_DAYS = 14
const STEPS = {
  page_view: 'Viewed a page',
  widget_open: 'Opened the chat',
  user_message: 'Asked a question',
  lead_submitted: 'Left a lead',
  conversion: 'Converted',
}
const COUNTED = [
  ['user', 'Visitors'],
  ['session', 'Sessions'],
]
// The funnel's `window`, in seconds: how long after its first step a path may reach the others.
const WINDOWS = [
  ['', 'No limit'],
  ['1800', '30 min'],
  ['3600', '1 hour'],
  ['86400', '1 day'],
  ['604800', '7 days'],
]

function funnelView(answer) {
  const at = ENDPOINTS.funnel
  const start = answer.steps[0]
  const first = start?.count ?? 0
  if (!first) {
    const what = start?.name === 'page_view' ? 'page views' : `${start?.name} events`
    return h('p', { class: 'empty' }, `No ${what} in this range yet.`)
  }
  return h(
    'ol',
    { class: 'funnel' },
    answer.steps.map((step, i) => {
      const key = `steps.${i}`
      const after =
        i === 0
          ? h('span', { class: 'hint' }, 'where the funnel starts')
          : h(
              'span',
              {},
              figure(at, `${key}.conversion_rate`, step.conversion_rate, fmt.percent(step.conversion_rate)),
              ' of the step before',
              step.median_seconds_from_previous === null
                ? null
                : [
                    ', after ',
                    figure(
                      at,
                      `${key}.median_seconds_from_previous`,
                      step.median_seconds_from_previous,
                      fmt.duration(step.median_seconds_from_previous),
                    ),
                    ' (median)',
                  ],
            )
      return h(
        'li',
        { class: 'funnel-step' },
        h('span', { class: 'step-name' }, STEPS[step.name] ?? step.name, ' ', h('code', {}, step.name)),
        h(
          'span',
          { class: 'step-bar' },
          bar(step.count / first),
          figure(at, `${key}.count`, step.count, fmt.count(step.count), { class: 'step-count' }),
        ),
        h('span', { class: 'step-rate' }, after),
      )
    }),
  )
}

function retentionView(answer) {
  const at = ENDPOINTS.retention
  const unit = answer.period === 'day' ? 'Day' : 'Week'
  const periods = answer.cohorts[0]?.returning.length ?? 0
  if (!answer.cohorts.some((c) => c.size)) return h('p', { class: 'empty' }, 'No new visitors in this range yet.')
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col' }, answer.period === 'day' ? 'First seen' : 'First seen (week of)'),
    h('th', { scope: 'col', class: 'num' }, 'Visitors'),
    Array.from({ length: periods }, (_, i) => h('th', { scope: 'col', class: 'num' }, `${unit} ${i}`)),
  )
  const rows = answer.cohorts.map((cohort, row) =>
    h(
      'tr',
      {},
      h(
        'th',
        cohort.partial ? { scope: 'row', title: `only part of this ${unit.toLowerCase()} is in the range` } : { scope: 'row' },
        fmt.day(cohort.cohort),
        cohort.partial ? h('span', { class: 'partial' }, ' (part)') : null,
      ),
      h('td', { class: 'num' }, figure(at, `cohorts.${row}.size`, cohort.size, fmt.count(cohort.size))),
      cohort.rates.map((rate, i) =>
        h(
          'td',
          {
            class: `num ${cohort.size ? heat(rate) : 'heat heat-0'}`,
            title: `${cohort.returning[i]} of ${cohort.size} came back in ${unit.toLowerCase()} ${i}`,
          },
          figure(at, `cohorts.${row}.rates.${i}`, rate, cohort.size ? fmt.percent(rate) : '—'),
        ),
      ),
    ),
  )
  return h(
    'div',
    { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Retention cohorts' },
    h('table', { class: 'cohorts' }, h('thead', {}, head), h('tbody', {}, rows)),
  )
}

function funnelHint(answer) {
  const who = answer.by === 'session' ? 'sessions' : 'visitors'
  const within = answer.window_seconds ? `, within ${fmt.duration(answer.window_seconds)} of their first step` : ''
  return `${who} reaching each step in order${within}, in the range`
}

/** Steps, what is counted and the window of the funnel (`steps`, `by`, `window` of the API). */
function funnelOptions(change) {
  const steps = h('input', {
    type: 'text',
    class: 'steps',
    placeholder: Object.keys(STEPS).join(', '),
    autocomplete: 'off',
    autocapitalize: 'off',
    spellcheck: 'false',
  })
  const by = select(COUNTED)
  const within = select(WINDOWS)
  return optionsForm({
    label: 'Funnel options',
    endpoint: 'funnel',
    names: OPTIONS.funnel,
    fields: [field('Steps: event types, separated by commas', steps), field('Count', by), field('Within', within)],
    read: () => ({ steps: steps.value, by: by.value === 'user' ? null : by.value, window: within.value }),
    write(options, answer) {
      show(steps, options.steps)
      if (!answer) return
      show(by, answer.by)
      // A window from a shared link that the list does not hold: shown as it is, while it is used.
      const seconds = String(answer.window_seconds ?? '')
      for (const option of within.querySelectorAll('option[data-linked]')) {
        if (option.value !== seconds) option.remove()
      }
      if (![...within.options].some((o) => o.value === seconds)) {
        within.append(h('option', { value: seconds, 'data-linked': '' }, fmt.duration(answer.window_seconds)))
      }
      show(within, seconds)
    },
    change,
  })
}

/** Build the growth tab's DOM once; returns {el, render(data), destroy()}. */
function buildGrowth({ filename, changeOptions }) {
  const funnel = h('div')
  const funnelNote = h('p', { class: 'hint' })
  const funnelForm = funnelOptions(changeOptions)
  const retention = h('div')
  const retentionHint = h('p', { class: 'hint' })
  const products = tablePanel({
    id: 'table-products',
    title: 'Products: interest → lead → conversion',
    note: 'Visitors who showed interest in a product, and how many of them then left a lead or converted.',
    columns: PRODUCT_COLUMNS,
    empty: 'No product interest in this range yet.',
    filename: () => filename('products'),
  })
  const categories = tablePanel({
    id: 'table-categories',
    title: 'Product categories',
    columns: CATEGORY_COLUMNS,
    empty: 'No product interest with a category in this range yet.',
    filename: () => filename('categories'),
  })
  const opportunityNote = h('p', { class: 'hint' })
  const opportunities = tablePanel({
    id: 'table-opportunities',
    title: 'Opportunities: visitors worth a follow-up',
    columns: OPPORTUNITY_COLUMNS,
    empty: 'Nobody to follow up in this range.',
    filename: () => filename('opportunities'),
  })
  opportunities.el.querySelector('.panel-head').after(opportunityNote)
  // The first few, unless the reader asks for all the API listed.
  let showAll = false
  let listed = []
  const more = h('button', { type: 'button', class: 'secondary more', hidden: true })
  opportunities.el.append(more)
  function showOpportunities() {
    opportunities.update(showAll ? listed : listed.slice(0, FIRST_OPPORTUNITIES), window.location.search)
    more.hidden = listed.length <= FIRST_OPPORTUNITIES
    replace(more, showAll ? `Show the first ${FIRST_OPPORTUNITIES}` : `Show all ${listed.length}`)
  }
  more.addEventListener('click', () => {
    showAll = !showAll
    showOpportunities()
  })
  const el = h(
    'div',
    {},
    h('h2', { class: 'visually-hidden', tabindex: -1 }, 'Growth'),
    section(
      'Conversion',
      row(
        { two: true },
        panel({ id: 'panel-funnel', title: 'Funnel' }, funnelNote, funnelForm.el, funnel),
        panel({ id: 'panel-retention', title: 'Retention cohorts' }, retentionHint, retention),
      ),
    ),
    section('Products', row({}, products.el), row({}, categories.el)),
    section('Follow-up', row({}, opportunities.el)),
  )

  function render({ current, invalid, options }) {
    funnelForm.sync(options, current.funnel, invalid.funnel)
    replace(funnelNote, funnelHint(current.funnel))
    refill(funnel, current.funnel, funnelView)
    const unit = current.retention.period
    replace(
      retentionHint,
      `Visitors first seen in each ${unit}, and the share of them with a session in each ${unit} after (${unit} 0 is their first).`,
    )
    refill(retention, current.retention, retentionView)
    const links = window.location.search
    products.update(current.products.by_product, links)
    categories.update(current.products.by_category, links)
    const o = current.opportunities
    replace(
      opportunityNote,
      `${fmt.count(o.total_flagged)} visitors flagged: an engagement score of ${o.threshold} or more without a lead, ` +
        `${o.min_interest} or more product interests, or ${o.min_repeat} or more for one product. ` +
        `The most engaged ${fmt.count(o.opportunities.length)} are listed.`,
    )
    listed = o.opportunities
    showOpportunities()
  }

  return { el, render, destroy() {} }
}

export const GROWTH = {
  endpoints: ENDPOINTS,
  compared: [],
  params: (name, state, days) =>
    name === 'retention'
      ? { period: state.interval !== 'week' && days <= DAILY_COHORTS_UP_TO_DAYS ? 'day' : 'week' }
      : {},
  build: buildGrowth,
}
