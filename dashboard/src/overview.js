// The overview: cards, charts and tables of one range. Every number is a field of an API answer,
// shown as it is; the only arithmetic here is the change against the previous range (presentation).
import { chartPanel, COLORS } from './charts.js'
import { CONVERSATION_COLUMNS, HANDOVER_COLUMNS, LEAD_COLUMNS, SESSION_COLUMNS } from './columns.js'
import { h, replace } from './dom.js'
import * as fmt from './format.js'
import { tablePanel } from './tables.js'

/** The endpoints the overview reads, by the name the page uses for their answers. */
const ENDPOINTS = {
  overview: '/analytics/',
  conversations: '/analytics/conversations',
  messages: '/analytics/messages',
  sessions: '/analytics/sessions',
  leads: '/analytics/leads',
  handovers: '/analytics/human_handover',
  products: '/analytics/products',
}
/** Those whose figures appear on cards, and are therefore also asked for the previous range. */
const COMPARED = ['overview', 'conversations', 'messages']
const TOP_PRODUCTS = 8

// Each card: a title, a short definition, and its figures (the first is the big one). A figure is
// {from: endpoint, field: path in the answer, format, label, better: 'up' | 'down' | null}.
const f = (from, field, format = 'count', extra = {}) => ({ from, field, format, better: 'up', ...extra })
const CARDS = [
  {
    title: 'Active sessions',
    hint: 'right now, live',
    live: true,
    figures: [f('overview', 'active_sessions', 'count', { compare: false })],
  },
  {
    title: 'Users',
    hint: 'with a session in the range',
    figures: [
      f('overview', 'total_users'),
      f('overview', 'new_users', 'count', { label: 'new' }),
      f('overview', 'returning_users', 'count', { label: 'returning' }),
    ],
  },
  { title: 'Sessions', hint: 'started in the range', figures: [f('overview', 'total_sessions')] },
  {
    title: 'Avg. session duration',
    hint: 'of the sessions that ended',
    figures: [f('overview', 'avg_session_duration', 'duration', { better: null })],
  },
  {
    title: 'Conversations',
    hint: 'started in the range',
    figures: [
      f('overview', 'total_conversations'),
      f('conversations', 'completion_rate', 'percent', { label: 'completed' }),
    ],
  },
  {
    title: 'Messages',
    hint: 'user, bot and system',
    figures: [f('overview', 'total_messages'), f('overview', 'total_questions', 'count', { label: 'questions' })],
  },
  {
    title: 'Bot response time',
    hint: 'median (p50) and p90',
    figures: [
      f('messages', 'response_time_ms.p50', 'ms', { better: 'down', label: 'p50' }),
      f('messages', 'response_time_ms.p90', 'ms', { better: 'down', label: 'p90' }),
    ],
  },
  {
    title: 'Fallback rate',
    hint: 'bot answers that could not help',
    figures: [f('messages', 'fallback_rate', 'percent', { better: 'down' })],
  },
  {
    title: 'Error rate',
    hint: 'errors per question',
    figures: [f('overview', 'error_rate', 'percent', { better: 'down' })],
  },
  { title: 'Chatbot opens', hint: 'widget opened', figures: [f('overview', 'total_chatbot_opens')] },
  { title: 'Leads', hint: 'contact details left', figures: [f('overview', 'total_leads')] },
  {
    title: 'Handovers',
    hint: 'asked for a human',
    figures: [f('overview', 'total_handovers', 'count', { better: null })],
  },
]

function pick(answer, field) {
  return field.split('.').reduce((value, key) => (value == null ? null : value[key]), answer)
}

function figureNode(figure, main) {
  const value = h(
    'span',
    { class: main ? 'value' : 'sub-value', 'data-figure': figure.field, 'data-endpoint': ENDPOINTS[figure.from] },
    '…',
  )
  const delta = h('span', { class: 'delta' })
  const node = main
    ? h('div', { class: 'main' }, value, figure.label ? h('span', { class: 'sub-label' }, figure.label) : null, delta)
    : h('div', { class: 'sub' }, value, h('span', { class: 'sub-label' }, figure.label), delta)
  return { figure, node, value, delta }
}

function buildCards() {
  const slots = []
  const cards = CARDS.map((card) => {
    const figures = card.figures.map((figure, i) => figureNode(figure, i === 0))
    slots.push(...figures)
    return h(
      'article',
      { class: `card${card.live ? ' live-card' : ''}` },
      h('h3', {}, card.title, card.live ? h('span', { class: 'pulse', 'aria-hidden': 'true' }) : null),
      h('p', { class: 'hint' }, card.hint),
      figures.map((slot) => slot.node),
    )
  })
  return { el: h('div', { class: 'cards' }, cards), slots }
}

function showFigure(slot, current, previous, comparison) {
  const { figure } = slot
  const value = pick(current[figure.from], figure.field)
  slot.value.dataset.value = JSON.stringify(value)
  replace(slot.value, fmt.FORMATS[figure.format](value))
  if (figure.compare === false || !previous) {
    replace(slot.delta)
    return
  }
  const before = pick(previous[figure.from], figure.field)
  const change = fmt.change(value, before, figure.format)
  const mood =
    !figure.better || !change.direction || change.direction === 'flat'
      ? 'neutral'
      : (change.direction === 'up') === (figure.better === 'up')
        ? 'good'
        : 'bad'
  slot.delta.className = `delta ${mood}`
  slot.delta.title = `${comparison[0].toUpperCase()}${comparison.slice(1)}: ${fmt.FORMATS[figure.format](before)}`
  const spoken = `${change.label} from ${fmt.FORMATS[figure.format](before)} in ${comparison}`
  replace(
    slot.delta,
    h('span', { 'aria-hidden': 'true' }, change.text),
    h('span', { class: 'visually-hidden' }, spoken),
  )
}

// A chart's summary for screen readers names the API's totals (not a sum made here).
const summary = (parts, buckets) =>
  `${parts.map(([n, what]) => `${fmt.count(n)} ${what}`).join(', ')} in the range, in ${buckets} buckets`

/** Build the overview's DOM once; returns {el, render(data), destroy()}. */
function buildOverview({ filename }) {
  const cards = buildCards()
  const charts = {
    activity: chartPanel({
      id: 'chart-activity',
      title: 'Sessions and conversations over time',
      hint: 'started per bucket',
      kind: 'line',
      empty: 'No sessions in this range yet.',
      format: fmt.count,
    }),
    messages: chartPanel({
      id: 'chart-messages',
      title: 'Messages over time',
      hint: 'user, bot and system messages per bucket',
      kind: 'bar',
      empty: 'No messages in this range yet.',
      format: fmt.count,
    }),
    outcomes: chartPanel({
      id: 'chart-outcomes',
      title: 'Leads and handovers over time',
      hint: 'per bucket',
      kind: 'bar',
      empty: 'No leads or handovers in this range yet.',
      format: fmt.count,
    }),
    latency: chartPanel({
      id: 'chart-latency',
      title: 'Bot response time',
      hint: 'bot answers per latency bucket, this range and the previous one',
      kind: 'bar',
      empty: 'No bot answers in this range yet.',
      format: fmt.count,
    }),
    leadTypes: chartPanel({
      id: 'chart-lead-types',
      title: 'Lead types',
      kind: 'hbar',
      empty: 'No leads in this range yet.',
      format: fmt.count,
    }),
    issues: chartPanel({
      id: 'chart-issues',
      title: 'Handover reasons',
      hint: 'a request may name several issues',
      kind: 'hbar',
      empty: 'No handover requests in this range yet.',
      format: fmt.count,
    }),
    options: chartPanel({
      id: 'chart-options',
      title: 'Support options chosen',
      kind: 'hbar',
      empty: 'No handover requests in this range yet.',
      format: fmt.count,
    }),
  }
  charts.products = chartPanel({
    id: 'chart-products',
    title: 'Most-asked products',
    hint: `product interest events, the ${TOP_PRODUCTS} most asked; more in Growth`,
    kind: 'hbar',
    empty: 'No product interest in this range yet.',
    format: fmt.count,
  })
  const recent = 'The 20 most recent in the range.'
  const tables = {
    conversations: tablePanel({
      id: 'table-conversations',
      title: 'Recent conversations',
      note: `${recent} Open one to read its transcript.`,
      columns: CONVERSATION_COLUMNS,
      empty: 'No conversations in this range yet.',
      filename: () => filename('conversations'),
    }),
    sessions: tablePanel({
      id: 'table-sessions',
      title: 'Recent sessions',
      note: recent,
      columns: SESSION_COLUMNS,
      empty: 'No sessions in this range yet.',
      filename: () => filename('sessions'),
    }),
    leads: tablePanel({
      id: 'table-leads',
      title: 'Leads',
      note: recent,
      columns: LEAD_COLUMNS,
      empty: 'No leads in this range yet.',
      filename: () => filename('leads'),
    }),
    handovers: tablePanel({
      id: 'table-handovers',
      title: 'Handovers',
      note: recent,
      columns: HANDOVER_COLUMNS,
      empty: 'No handover requests in this range yet.',
      filename: () => filename('handovers'),
    }),
  }
  const comparisonNote = h('p', { class: 'hint comparison' })
  const el = h(
    'div',
    {},
    h('h2', { class: 'visually-hidden', tabindex: -1 }, 'Overview'),
    comparisonNote,
    cards.el,
    h('div', { class: 'panels' }, Object.values(charts).map((c) => c.el)),
    h('div', { class: 'tables' }, Object.values(tables).map((t) => t.el)),
  )

  function render({ current, previous, interval, comparison }) {
    replace(comparisonNote, `Changes compare with ${comparison}.`)
    for (const slot of cards.slots) showFigure(slot, current, previous, comparison)

    const series = current.overview.series
    const manyDays = series.length > 0 && series.at(-1).bucket.slice(0, 10) !== series[0].bucket.slice(0, 10)
    const labels = series.map((b) => fmt.bucket(b.bucket, interval, manyDays))
    const column = (key) => series.map((b) => b[key])
    const o = current.overview
    charts.activity.update(
      labels,
      [
        { label: 'Sessions', data: column('sessions'), color: COLORS.blue },
        { label: 'Conversations', data: column('conversations'), color: COLORS.teal },
      ],
      summary([[o.total_sessions, 'sessions'], [o.total_conversations, 'conversations']], labels.length),
    )
    charts.messages.update(
      labels,
      [{ label: 'Messages', data: column('messages'), color: COLORS.violet }],
      summary([[o.total_messages, 'messages']], labels.length),
    )
    charts.outcomes.update(
      labels,
      [
        { label: 'Leads', data: column('leads'), color: COLORS.teal },
        { label: 'Handovers', data: column('handovers'), color: COLORS.amber },
      ],
      summary([[o.total_leads, 'leads'], [o.total_handovers, 'handovers']], labels.length),
    )

    const times = current.messages.response_time_ms
    const before = previous?.messages.response_time_ms
    const buckets = times.histogram.map((b, i, all) =>
      b.le_ms === null ? `> ${fmt.ms(all[i - 1].le_ms)}` : `≤ ${fmt.ms(b.le_ms)}`,
    )
    charts.latency.update(
      buckets,
      [
        { label: 'This range', data: times.histogram.map((b) => b.count), color: COLORS.blue },
        ...(before
          ? [{ label: 'Previous range', data: before.histogram.map((b) => b.count), color: COLORS.grey }]
          : []),
      ],
      `p50 ${fmt.ms(times.p50)}, p90 ${fmt.ms(times.p90)}, p99 ${fmt.ms(times.p99)}; ` +
        buckets.map((label, i) => `${label} ${times.histogram[i].count}`).join(', '),
    )
    const ranked = (chart, list, key, color) =>
      chart.update(
        list.map((item) => item[key]),
        [{ label: 'Count', data: list.map((item) => item.count), color }],
        list.map((item) => `${item[key]} ${item.count}`).join(', '),
      )
    ranked(charts.leadTypes, current.leads.by_type, 'lead_type', COLORS.teal)
    ranked(charts.issues, current.handovers.by_issue, 'issue', COLORS.amber)
    ranked(charts.options, current.handovers.by_support_option, 'support_option', COLORS.rose)
    ranked(
      charts.products,
      current.products.by_product.slice(0, TOP_PRODUCTS).map((p) => ({ ...p, count: p.interest_events })),
      'product_name',
      COLORS.violet,
    )

    const links = window.location.search
    tables.conversations.update(current.conversations.recent_conversations, links)
    tables.sessions.update(current.sessions.recent_sessions, links)
    tables.leads.update(current.leads.recent_leads, links)
    tables.handovers.update(current.handovers.recent_handover, links)
  }

  function destroy() {
    for (const chart of Object.values(charts)) chart.destroy()
  }

  return { el, render, destroy }
}

/** The overview tab, as main.js loads it: what to ask, with which parameters, and how to build it. */
export const OVERVIEW = {
  endpoints: ENDPOINTS,
  compared: COMPARED,
  params: (name, state) => (name === 'overview' ? { interval: state.interval } : {}),
  build: buildOverview,
}
