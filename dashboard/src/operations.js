// The operations tab: satisfaction and value, speed and errors, pain points, capacity. Every number
// is a field of an API answer; the page only formats and draws them.
import { capacityPanels } from './capacity.js'
import { chartPanel, COLORS } from './charts.js'
import { QUESTION_COLUMNS, SLOWEST_COLUMNS, SYSTEM_COLUMNS } from './columns.js'
import { field, optionsForm, select, show } from './controls.js'
import { h, replace } from './dom.js'
import { facts, figure, headline, miniTable, panel, refill, row, section } from './figures.js'
import * as fmt from './format.js'
import { OPTIONS } from './state.js'
import { tablePanel } from './tables.js'
import { valuePanels } from './value.js'

const ENDPOINTS = {
  performance: '/analytics/performance',
  pain_points: '/analytics/pain_points',
  satisfaction: '/analytics/satisfaction',
  roi: '/analytics/roi',
  capacity: '/analytics/capacity',
}
const QUESTIONS = 10 // the longest question lists shown
const PERFORMANCE = ENDPOINTS.performance
const PAIN = ENDPOINTS.pain_points
const LATENCY_CLASSES = { '<1s': 'under 1 s', '1-3s': '1 to 3 s', '3-10s': '3 to 10 s', '>=10s': '10 s or more' }
const SLOWEST_BY = {
  avg: ['mean response time', 'By the mean response time of their bot replies in the range.'],
  max: ['slowest response', 'By the slowest of their bot replies in the range.'],
}
const HOURS = Array.from({ length: 25 }, (_, n) => [String(n), fmt.hour(n)])

function errorsView(e) {
  if (!e.total_errors) return h('p', { class: 'empty' }, 'No errors in this range.')
  return h(
    'div',
    {},
    headline(
      PERFORMANCE,
      'errors.total_errors',
      e.total_errors,
      fmt.count(e.total_errors),
      'errors, ',
      figure(PERFORMANCE, 'errors.error_rate', e.error_rate, fmt.percent(e.error_rate)),
      ` of ${fmt.count(e.user_messages)} questions`,
    ),
    miniTable(
      [
        ['Kind', false],
        ['Errors', true],
        ['Per question', true],
      ],
      e.by_kind.map((row, i) => [
        row.kind,
        figure(PERFORMANCE, `errors.by_kind.${i}.count`, row.count, fmt.count(row.count)),
        figure(PERFORMANCE, `errors.by_kind.${i}.per_user_message`, row.per_user_message, fmt.percent(row.per_user_message)),
      ]),
    ),
  )
}

/** Runs of consecutive ISO weekdays, as [first, last]: [1, 2, 3, 4, 5] is [[1, 5]]. */
function runs(list) {
  const found = []
  for (const d of list) {
    const last = found.at(-1)
    if (last && last[1] === d - 1) last[1] = d
    else found.push([d, d])
  }
  return found
}

/** Days as the API was asked: `1-5` (the query) and Mon–Fri (for people). */
const daysParam = (list) => runs(list).map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',')
const name = (iso) => fmt.WEEKDAYS[iso - 1]
const days = (list) => runs(list).map(([a, b]) => (a === b ? name(a) : `${name(a)}–${name(b)}`)).join(', ')

/** Business hours of the handover figures (`business_start`, `_end`, `_days`, `_tz` of the API). */
function hoursOptions(change) {
  const open = select(HOURS.slice(0, 24))
  const close = select(HOURS.slice(1))
  const weekdays = fmt.WEEKDAYS.map((day, i) => h('input', { type: 'checkbox', value: i + 1, 'aria-label': day }))
  // No open day at all is no business hours: the last ticked day stays ticked (this runs before the
  // form reads the boxes).
  for (const box of weekdays) {
    box.addEventListener('change', () => {
      if (!weekdays.some((other) => other.checked)) box.checked = true
    })
  }
  const zones = h('datalist', { id: 'time-zones' })
  const tz = h('input', {
    type: 'text',
    class: 'tz',
    list: 'time-zones',
    placeholder: 'UTC',
    autocomplete: 'off',
    spellcheck: 'false',
  })
  tz.addEventListener('focus', () => {
    if (!zones.firstChild) zones.append(...Intl.supportedValuesOf('timeZone').map((zone) => h('option', { value: zone })))
  })
  return optionsForm({
    label: 'Business hours',
    endpoint: 'pain_points',
    names: OPTIONS.pain_points,
    fields: [
      field('Opens', open),
      field('Closes', close),
      h(
        'fieldset',
        { class: 'field days' },
        h('legend', {}, 'Open on'),
        weekdays.map((box, i) => h('label', {}, box, fmt.WEEKDAYS[i])),
      ),
      field('Time zone', tz),
      zones,
    ],
    read: () => ({
      business_start: open.value,
      business_end: close.value,
      business_days: daysParam(weekdays.filter((box) => box.checked).map((box) => Number(box.value))),
      business_tz: tz.value,
    }),
    write(options, answer) {
      if (!answer) return
      const hours = answer.handover_quality.business_hours
      show(open, String(hours.start))
      show(close, String(hours.end))
      for (const box of weekdays) show(box, hours.days.includes(Number(box.value)))
      show(tz, options.business_tz ?? '')
    },
    change,
  })
}

/** Rank the slowest conversations by their mean or their slowest reply (`slowest_by`). */
function slowestOptions(change) {
  const by = select(Object.entries(SLOWEST_BY).map(([value, [label]]) => [value, label]))
  return optionsForm({
    label: 'Rank the slowest conversations',
    endpoint: 'performance',
    names: OPTIONS.performance,
    fields: [field('Rank by', by)],
    read: () => ({ slowest_by: by.value === 'avg' ? null : by.value }),
    write: (_, answer) => answer && show(by, answer.slowest_by),
    change,
    reset: false,
  })
}

function handoverView(p) {
  const exits = p.fallback_exits
  const q = p.handover_quality
  const hours = q.business_hours
  return facts([
    [
      'Conversations that ended on a fallback',
      h(
        'span',
        {},
        figure(PAIN, 'fallback_exits.abandoned_after_fallback', exits.abandoned_after_fallback, fmt.count(exits.abandoned_after_fallback)),
        ` of ${fmt.count(exits.ended_conversations)} (`,
        figure(PAIN, 'fallback_exits.share', exits.share, fmt.percent(exits.share)),
        ')',
      ),
    ],
    [
      'Bot replies before a handover',
      h(
        'span',
        {},
        figure(PAIN, 'handover_quality.bot_turns_median', q.bot_turns_median, fmt.count(q.bot_turns_median)),
        ' median, ',
        fmt.count(q.bot_turns_mean),
        ' mean',
      ),
    ],
    [
      `Handover requests outside ${days(hours.days)} ${fmt.hour(hours.start)}–${fmt.hour(hours.end)} (${hours.tz})`,
      h(
        'span',
        {},
        figure(PAIN, 'handover_quality.outside_business_hours', q.outside_business_hours, fmt.count(q.outside_business_hours)),
        ` of ${fmt.count(q.handover_requests)} (`,
        figure(PAIN, 'handover_quality.outside_share', q.outside_share, fmt.percent(q.outside_share)),
        ')',
      ),
    ],
  ], { stacked: true })
}

function buildOperations({ filename, changeOptions }) {
  const value = valuePanels(changeOptions)
  const capacity = capacityPanels()
  const charts = {
    times: chartPanel({
      id: 'chart-response-times',
      title: 'Response time over time',
      hint: 'p50, p90 and p99 of the bot replies of each bucket',
      kind: 'line',
      empty: 'No bot answers in this range yet.',
      format: fmt.ms,
    }),
    abandonment: chartPanel({
      id: 'chart-abandonment',
      title: 'Abandonment by response time',
      hint: 'replies after which the visitor closed the chat within 60 s, by how long the reply took',
      kind: 'bar',
      empty: 'No visitor closed the chat within 60 s of a reply in this range.',
      format: fmt.percent,
      integer: false,
    }),
    reasons: chartPanel({
      id: 'chart-handover-reasons',
      title: 'Handover reasons, ranked',
      hint: 'issues named when asking for a person',
      kind: 'hbar',
      empty: 'No handover requests in this range yet.',
      format: fmt.count,
    }),
  }
  const errors = h('div')
  const handovers = h('div')
  const slowest = tablePanel({
    id: 'table-slowest',
    title: 'Slowest conversations',
    columns: SLOWEST_COLUMNS,
    empty: 'No bot answers in this range yet.',
    filename: () => filename('slowest-conversations'),
  })
  const slowestNote = h('p', { class: 'hint' })
  const slowestForm = slowestOptions(changeOptions)
  slowest.el.querySelector('.panel-head').after(slowestNote, slowestForm.el)
  const system = tablePanel({
    id: 'table-system',
    title: 'Chat server health',
    note:
      'The performance samples of each bucket: how many, their mean CPU, memory and response time, and the ' +
      'most connections. Buckets without a sample are left out.',
    columns: SYSTEM_COLUMNS,
    empty: 'No health samples from the chat server in this range (performance events).',
    filename: () => filename('server-health'),
  })
  const hoursForm = hoursOptions(changeOptions)
  const fallbackNote = h('p', { class: 'hint' })
  const fallbacks = tablePanel({
    id: 'table-fallback-questions',
    title: 'Questions the bot could not answer',
    columns: QUESTION_COLUMNS('Fallbacks'),
    empty: 'No fallback replies in this range.',
    filename: () => filename('fallback-questions'),
  })
  fallbacks.el.querySelector('.panel-head').after(fallbackNote)
  const repeated = tablePanel({
    id: 'table-repeated-questions',
    title: 'Questions asked again and again',
    note: 'Asked at least twice, by one visitor or several; the same words, whatever the case and punctuation.',
    columns: QUESTION_COLUMNS('Times asked'),
    empty: 'No question was asked twice in this range.',
    filename: () => filename('repeated-questions'),
  })
  const el = h(
    'div',
    {},
    h('h2', { class: 'visually-hidden', tabindex: -1 }, 'Operations'),
    section('Satisfaction and value', row({ two: true }, value.panels)),
    section(
      'Speed and errors',
      row({ two: true }, charts.times.el, charts.abandonment.el),
      row(
        { two: true },
        panel({ id: 'panel-errors', title: 'Errors by kind', hint: 'error events per question (user message)' }, errors),
        slowest.el,
      ),
      row({}, system.el),
    ),
    section(
      'Pain points',
      row(
        { two: true },
        charts.reasons.el,
        panel({ id: 'panel-handover-quality', title: 'Where conversations go wrong' }, handovers, hoursForm.el),
      ),
      row({ two: true }, fallbacks.el, repeated.el),
    ),
    section('Capacity', capacity.panels.map((panels) => row({ two: true }, panels))),
  )

  function render({ current, interval, invalid, options }) {
    value.render(current, invalid, options)
    const perf = current.performance
    const series = perf.response_time_ms
    const manyDays = series.length > 0 && series.at(-1).bucket.slice(0, 10) !== series[0].bucket.slice(0, 10)
    const column = (key) => series.map((b) => b[key])
    const labels = series.map((b) => fmt.bucket(b.bucket, interval, manyDays))
    charts.times.update(
      labels,
      [
        { label: 'p50', data: column('p50'), color: COLORS.blue },
        { label: 'p90', data: column('p90'), color: COLORS.amber },
        { label: 'p99', data: column('p99'), color: COLORS.rose },
      ],
      series
        .map((b, i) => (b.bot_messages ? `${labels[i]}: p50 ${fmt.ms(b.p50)}, p90 ${fmt.ms(b.p90)}` : null))
        .filter(Boolean)
        .join('; '),
    )
    charts.abandonment.update(
      perf.abandonment.map((a) => LATENCY_CLASSES[a.latency] ?? a.latency),
      [{ label: 'Abandoned', data: perf.abandonment.map((a) => a.share), color: COLORS.rose }],
      perf.abandonment
        .map((a) => `${LATENCY_CLASSES[a.latency] ?? a.latency}: ${a.abandoned} of ${a.replies} replies`)
        .join(', '),
    )
    refill(errors, perf.errors, errorsView)
    const links = window.location.search
    slowestForm.sync(options, perf, invalid.performance)
    replace(slowestNote, `${SLOWEST_BY[perf.slowest_by]?.[1] ?? ''} Open one to read it.`)
    slowest.update(perf.slowest_conversations, links)
    system.update(
      perf.system
        .map((b, index) => ({ ...b, index, label: fmt.bucket(b.bucket, interval, manyDays) }))
        .filter((b) => b.samples),
      links,
    )

    const pain = current.pain_points
    charts.reasons.update(
      pain.handover_reasons.map((r) => r.issue),
      [{ label: 'Requests', data: pain.handover_reasons.map((r) => r.count), color: COLORS.amber }],
      pain.handover_reasons.map((r) => `${r.issue} ${r.count}`).join(', '),
    )
    refill(handovers, pain, handoverView)
    hoursForm.sync(options, pain, invalid.pain_points)
    const f = pain.fallback_questions
    replace(
      fallbackNote,
      `${fmt.count(f.fallbacks)} fallback replies, grouped by the question just before them` +
        (f.without_question ? `; ${fmt.count(f.without_question)} had no question before them.` : '.'),
    )
    fallbacks.update(f.by_question, links)
    repeated.update(pain.repeated_questions, links)
    capacity.render(current)
  }

  function destroy() {
    for (const chart of Object.values(charts)) chart.destroy()
    capacity.destroy()
  }

  return { el, render, destroy }
}

export const OPERATIONS = {
  endpoints: ENDPOINTS,
  compared: [],
  params: (name, state) =>
    name === 'performance' ? { interval: state.interval } : name === 'pain_points' ? { limit: QUESTIONS } : {},
  build: buildOperations,
}
