// Satisfaction (GET /analytics/satisfaction) and return on investment (GET /analytics/roi) panels of
// the operations tab, and the amounts the ROI is computed with. Every number is a field of the API's
// answer.
import { field, optionsForm, select, show } from './controls.js'
import { h } from './dom.js'
import { facts, figure, headline, miniTable, panel, refill } from './figures.js'
import * as fmt from './format.js'
import { OPTIONS, optionsOf } from './state.js'

const SATISFACTION = '/analytics/satisfaction'
const ROI = '/analytics/roi'
const OUTCOMES = {
  completed: 'Completed by the bot',
  handover: 'Handed to a person',
  active: 'Still going',
  unknown: 'No conversation named',
}
const COST_SOURCES = {
  cost_per_month: 'the monthly cost (ROI_COST_PER_MONTH), for the part of each month in the range',
  cost_per_conversation: 'the cost per conversation (ROI_COST_PER_CONVERSATION) times the conversations',
  bot_responses: 'the cost reported on the bot responses',
  none: 'nowhere: there is no cost setting and no bot response reported a cost',
}
const COST_UNITS = [
  ['cost_per_month', 'per month'],
  ['cost_per_conversation', 'per conversation'],
]

function ratings(s) {
  const parts = []
  if (s.scale === 'stars') {
    for (const [i, row] of [...s.stars.entries()].reverse()) {
      parts.push([`${row.stars}★`, figure(SATISFACTION, `stars.${i}.count`, row.count, fmt.count(row.count))])
    }
  } else {
    parts.push(['thumbs up', figure(SATISFACTION, 'thumbs.up', s.thumbs.up, fmt.count(s.thumbs.up))])
  }
  parts.push(['thumbs down', figure(SATISFACTION, 'thumbs.down', s.thumbs.down, fmt.count(s.thumbs.down))])
  return h(
    'p',
    { class: 'ratings' },
    parts.map(([label, value]) => h('span', { class: 'rating' }, h('span', { class: 'sub-label' }, label), ' ', value)),
  )
}

function satisfactionView(s) {
  if (!s.total_ratings) return h('p', { class: 'empty' }, 'No feedback in this range yet.')
  const scale =
    s.scale === 'stars' ? 'A rating of 1 is read as one star.' : 'Every rating is a thumbs up or down.'
  return h(
    'div',
    {},
    headline(
      SATISFACTION,
      'csat',
      s.csat,
      fmt.percent(s.csat),
      'CSAT: ',
      figure(SATISFACTION, 'positive', s.positive, fmt.count(s.positive)),
      ' positive of ',
      figure(SATISFACTION, 'total_ratings', s.total_ratings, fmt.count(s.total_ratings)),
      ' ratings',
    ),
    ratings(s),
    h('p', { class: 'hint' }, `Positive: a thumbs up, 4 or 5 stars. ${scale}`),
    miniTable(
      [
        ['By outcome', false],
        ['Ratings', true],
        ['Positive', true],
        ['CSAT', true],
      ],
      s.by_outcome.map((row, i) => [
        OUTCOMES[row.outcome] ?? row.outcome,
        figure(SATISFACTION, `by_outcome.${i}.ratings`, row.ratings, fmt.count(row.ratings)),
        fmt.count(row.positive),
        figure(SATISFACTION, `by_outcome.${i}.csat`, row.csat, fmt.percent(row.csat)),
      ]),
    ),
  )
}

function roiView({ answer: r, asked }) {
  const money = (value) => fmt.money(value, r.currency)
  // With no cost set and none reported, the API says so: cost_source "none", cost null.
  const noCost = r.cost_source === 'none'
  const noValue = r.lead_value === null && r.value_source === 'conversion_events' && r.conversions.value === 0
  const notes = []
  if (noCost) {
    notes.push(
      'No cost is configured: set ROI_COST_PER_MONTH or ROI_COST_PER_CONVERSATION on the collector, or send a ' +
        'cost with each bot response (or try an amount below). Until then there is no ROI and no cost per lead.',
    )
  }
  if (noValue) {
    notes.push(
      'No value is configured: set ROI_LEAD_VALUE and ROI_CONVERSION_VALUE on the collector, or send a value ' +
        'with each conversion event.',
    )
  } else if (r.lead_value === null && r.leads) {
    notes.push('Leads count for nothing: ROI_LEAD_VALUE is not set.')
  }
  const ratio = (field, value) => figure(ROI, field, value, noCost ? '—' : money(value))
  const source = asked[r.cost_source] ? 'the amount set below' : (COST_SOURCES[r.cost_source] ?? r.cost_source)
  return h(
    'div',
    {},
    notes.map((text) => h('p', { class: 'notice roi-notice' }, text)),
    headline(ROI, 'roi', r.roi, fmt.percent(r.roi), 'ROI: (value − cost) / cost'),
    facts([
      ['Cost', figure(ROI, 'cost', r.cost, noCost ? 'not configured' : money(r.cost))],
      ['Value', figure(ROI, 'total_value', r.total_value, money(r.total_value))],
      ['Cost per lead', ratio('cost_per_lead', r.cost_per_lead)],
      ['Cost per resolved conversation', ratio('cost_per_resolved_conversation', r.cost_per_resolved_conversation)],
      [
        'Leads',
        h(
          'span',
          {},
          figure(ROI, 'leads', r.leads, fmt.count(r.leads)),
          r.lead_value === null ? ', no value set' : ` × ${money(r.lead_value)}`,
        ),
      ],
      [
        'Conversions',
        h(
          'span',
          {},
          figure(ROI, 'conversions.count', r.conversions.count, fmt.count(r.conversions.count)),
          r.value_source !== 'conversion_value'
            ? `, worth ${money(r.conversions.value)}`
            : asked.conversion_value
              ? ', valued at the amount set below'
              : ', valued by ROI_CONVERSION_VALUE',
        ),
      ],
    ]),
    h(
      'p',
      { class: 'hint' },
      `Cost from ${source}. Resolved: ${fmt.count(r.resolved_conversations)} of ` +
        `${fmt.count(r.conversations)} conversations ended without a handover.` +
        (r.conversions.other_currency && r.value_source === 'conversion_events'
          ? ` ${r.conversions.other_currency} conversions in another currency are left out.`
          : ''),
    ),
  )
}

const amount = () => h('input', { type: 'number', min: 0, step: 'any', inputmode: 'decimal', class: 'amount' })

/** The amounts of the ROI (`cost_per_month` or `cost_per_conversation`, `lead_value`,
 * `conversion_value`, `currency` of the API); empty ones are the collector's ROI_* settings, which
 * the placeholders show where the answer says them. */
function roiOptions(change) {
  const cost = amount()
  const per = select(COST_UNITS)
  // The unit chosen before any cost is typed sends nothing yet: it is kept here, not in the address.
  let picked = null
  per.addEventListener('change', () => (picked = per.value))
  const lead = amount()
  const conversion = amount()
  const currency = h('input', { type: 'text', maxlength: 3, class: 'currency', autocomplete: 'off', spellcheck: 'false' })
  return optionsForm({
    label: 'ROI amounts',
    endpoint: 'roi',
    names: OPTIONS.roi,
    fields: [
      field('Cost', cost),
      field('Cost is', per),
      field('Lead value', lead),
      field('Conversion value', conversion),
      field('Currency', currency),
    ],
    read: () => ({
      cost_per_month: per.value === 'cost_per_month' ? cost.value : null,
      cost_per_conversation: per.value === 'cost_per_conversation' ? cost.value : null,
      lead_value: lead.value,
      conversion_value: conversion.value,
      currency: currency.value.toUpperCase(),
    }),
    write(options, answer) {
      const unit = COST_UNITS.find(([name]) => options[name])?.[0]
      show(cost, unit ? options[unit] : '')
      show(lead, options.lead_value)
      show(conversion, options.conversion_value)
      show(currency, options.currency)
      if (!answer) return
      // Unset amounts are the settings: where the answer names them, they are the placeholders.
      const configured = COST_UNITS.some(([name]) => name === answer.cost_source)
      show(per, unit ?? picked ?? (configured ? answer.cost_source : 'cost_per_month'))
      cost.placeholder = configured
        ? String(answer[answer.cost_source])
        : answer.cost_source === 'bot_responses'
          ? 'from replies'
          : 'not set'
      lead.placeholder = answer.lead_value === null ? 'not set' : String(answer.lead_value)
      conversion.placeholder = answer.conversion_value === null ? 'own values' : String(answer.conversion_value)
      currency.placeholder = answer.currency ?? 'none'
    },
    change,
    onReset: () => (picked = null),
  })
}

/** The satisfaction and ROI panels, side by side; returns {panels, render(current, invalid, options)}. */
export function valuePanels(change) {
  const satisfaction = h('div')
  const roi = h('div')
  const roiForm = roiOptions(change)
  return {
    panels: [
      panel({ id: 'panel-satisfaction', title: 'Satisfaction', hint: 'feedback ratings of the range' }, satisfaction),
      panel(
        { id: 'panel-roi', title: 'Return on investment', hint: 'what the chatbot cost and what it brought' },
        roi,
        roiForm.el,
      ),
    ],
    render(current, invalid, options) {
      refill(satisfaction, current.satisfaction, satisfactionView)
      const asked = invalid.roi ? {} : optionsOf({ options }, 'roi')
      refill(roi, { answer: current.roi, asked }, roiView)
      roiForm.sync(options, current.roi, invalid.roi)
    },
  }
}
