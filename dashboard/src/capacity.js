// Capacity panels of the operations tab (GET /analytics/capacity): the peak of concurrent sessions,
// when in the week sessions start, and the weekly trend with its projection. The trend line and the
// projection are the API's; the page only draws them.
import { chartPanel, COLORS } from './charts.js'
import { h, replace } from './dom.js'
import { figure, headline, heat, panel, refill } from './figures.js'
import * as fmt from './format.js'

const CAPACITY = '/analytics/capacity'

function peakView(c) {
  return h(
    'div',
    {},
    headline(
      CAPACITY,
      'peak_concurrent_sessions',
      c.peak_concurrent_sessions,
      fmt.count(c.peak_concurrent_sessions),
      'sessions at once',
    ),
    h(
      'p',
      { class: 'hint' },
      c.peak_at
        ? h('span', {}, 'First reached ', figure(CAPACITY, 'peak_at', c.peak_at, fmt.when(c.peak_at)), ' UTC.')
        : 'No session in this range.',
    ),
  )
}

function heatmapView(map) {
  const largest = Math.max(0, ...map.sessions.flat())
  if (!largest) return h('p', { class: 'empty' }, 'No sessions in this range yet.')
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Day')),
    Array.from({ length: 24 }, (_, n) => h('th', { scope: 'col', class: 'num' }, String(n).padStart(2, '0'))),
  )
  const rows = map.sessions.map((row, d) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, fmt.WEEKDAYS[d]),
      row.map((sessions, n) =>
        h(
          'td',
          {
            class: `num ${heat(sessions / largest)}`,
            title: `${fmt.WEEKDAYS[d]} ${fmt.hour(n)}–${fmt.hour(n + 1)} UTC: ${sessions} sessions started, ${map.messages[d][n]} messages`,
          },
          figure(CAPACITY, `heatmap.sessions.${d}.${n}`, sessions, sessions ? fmt.count(sessions) : ''),
        ),
      ),
    ),
  )
  return h(
    'div',
    { class: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': 'Sessions started by day of the week and hour' },
    h('table', { class: 'heatmap' }, h('thead', {}, head), h('tbody', {}, rows)),
  )
}

function trendNote(g) {
  if (g.slope_per_week === null) {
    return 'A trend needs two complete weeks in the range: Monday to Sunday (UTC), wholly inside it and already over.'
  }
  const slope = g.slope_per_week
  return h(
    'span',
    {},
    'Trend over the complete weeks: ',
    figure(CAPACITY, 'growth.slope_per_week', slope, `${slope >= 0 ? '+' : '−'}${fmt.count(Math.abs(slope))}`),
    ' sessions a week; the dashed line extends it.',
  )
}

/** The capacity panels; returns {panels, render(current), destroy()}. */
export function capacityPanels() {
  const peak = h('div')
  const heatmap = h('div')
  const note = h('p', { class: 'hint' })
  const trend = chartPanel({
    id: 'chart-capacity-trend',
    title: 'Sessions per week, and where they are heading',
    hint: 'grey: a week only partly in the range, or not over yet (not used by the trend)',
    kind: 'bar',
    empty: 'No sessions in this range yet.',
    format: fmt.count,
  })
  trend.el.append(note)
  return {
    // In rows: the peak beside the trend, then the heatmap.
    panels: [
      [
        panel({ id: 'panel-peak', title: 'Peak concurrent sessions', hint: 'the most sessions going on at one moment' }, peak),
        trend.el,
      ],
      [
        panel(
          { id: 'panel-heatmap', title: 'Sessions by hour of the week', hint: 'sessions started, by UTC day and hour', wide: true },
          heatmap,
        ),
      ],
    ],
    render(current) {
      const c = current.capacity
      refill(peak, c, peakView)
      refill(heatmap, c.heatmap, heatmapView)
      const g = c.growth
      const weeks = [...new Set([...g.weeks.map((w) => w.week), ...g.projection.map((p) => p.week)])].sort()
      const at = (list, week) => list.find((item) => item.week === week)
      trend.update(
        weeks.map((week) => `w/c ${fmt.day(week)}`),
        [
          {
            label: 'Sessions started',
            data: weeks.map((week) => at(g.weeks, week)?.sessions ?? null),
            color: weeks.map((week) => (at(g.weeks, week)?.complete === false ? COLORS.grey : COLORS.blue)),
            legendColor: COLORS.blue,
            order: 2,
          },
          ...(g.projection.length
            ? [
                {
                  label: 'Projection',
                  type: 'line',
                  data: weeks.map((week) => at(g.projection, week)?.sessions ?? null),
                  color: COLORS.amber,
                  borderDash: [6, 4],
                  order: 1,
                },
              ]
            : []),
        ],
        g.weeks.map((w) => `week of ${fmt.day(w.week)}: ${w.sessions}`).join(', ') +
          (g.projection.length
            ? `; projected: ${g.projection.map((p) => `${fmt.day(p.week)} ${fmt.count(p.sessions)}`).join(', ')}`
            : ''),
      )
      replace(note, g.weeks.some((w) => w.sessions) ? trendNote(g) : '')
    },
    destroy: () => trend.destroy(),
  }
}
