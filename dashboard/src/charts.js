// Chart panels: a visible title, a canvas labelled for screen readers, and an empty state.
// Chart.js is imported piece by piece so that the bundle holds only what these charts use.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js'
import { h } from './dom.js'

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
)
Chart.defaults.animation = false
Chart.defaults.font.family =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
Chart.defaults.color = '#4b5563'
Chart.defaults.maintainAspectRatio = false

const LABEL_CHARS = 26
const clip = (text) => (text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1)}…` : text)

export const COLORS = {
  blue: '#2563eb',
  teal: '#0f766e',
  amber: '#b45309',
  rose: '#be123c',
  violet: '#6d28d9',
  grey: '#9ca3af',
}

/**
 * A chart panel. `kind`: 'line' | 'bar' | 'hbar' (horizontal bars, one per category).
 * `format(value)` formats the axis and tooltips; `integer` keeps the axis's ticks whole (counts).
 * Returns {el, update(labels, datasets, summary)}: a dataset is {label, data, color} and may add
 * Chart.js options (`type` to draw it as a line over bars, `borderDash`); `summary` becomes the
 * canvas's aria-label. With no data (every value 0 or null) the panel shows `empty` instead.
 */
export function chartPanel({ id, title, hint, kind, empty, format = String, integer = true }) {
  const titleId = `${id}-title`
  const canvas = h('canvas', { role: 'img', 'aria-label': title })
  const box = h('div', { class: `chart-box chart-${kind}` }, canvas)
  const emptyNote = h('p', { class: 'empty', hidden: true }, empty)
  const el = h(
    'section',
    { class: 'panel', id, 'aria-labelledby': titleId },
    h('h3', { id: titleId }, title),
    hint ? h('p', { class: 'hint' }, hint) : null,
    box,
    emptyNote,
  )
  let chart = null

  function options() {
    const horizontal = kind === 'hbar'
    const valueAxis = {
      beginAtZero: true,
      ticks: { precision: integer ? 0 : undefined, callback: (value) => format(value) },
      grid: { color: '#eef0f3' },
    }
    const categoryAxis = { grid: { display: false }, ticks: { autoSkip: true, maxRotation: 0 } }
    // Long names (products, issues) are cut on the axis; the tooltip shows them whole.
    if (horizontal) {
      categoryAxis.ticks.callback = function label(value) {
        return clip(String(this.getLabelForValue(value)))
      }
    }
    return {
      indexAxis: horizontal ? 'y' : 'x',
      responsive: true,
      interaction: { mode: 'index', intersect: false },
      scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
      plugins: {
        legend: {
          display: !horizontal,
          position: 'bottom',
          // A dataset coloured bar by bar (grey for partial weeks) names its `legendColor`.
          labels: {
            boxWidth: 12,
            generateLabels: (chart) =>
              Chart.defaults.plugins.legend.labels.generateLabels(chart).map((item) => {
                const color = chart.data.datasets[item.datasetIndex]?.legendColor
                return color ? { ...item, fillStyle: color, strokeStyle: color } : item
              }),
          },
        },
        tooltip: {
          callbacks: {
            label: (item) => `${item.dataset.label}: ${format(item.raw)}`,
          },
        },
      },
      elements: { line: { tension: 0.25, borderWidth: 2 }, point: { radius: 2 } },
    }
  }

  // A few categories (latency classes, weeks) are each named, turned if the panel is narrow; a long
  // series skips labels instead.
  function fitLabels(made, count) {
    if (kind === 'hbar') return
    const few = count <= 8
    Object.assign(made.scales.x.ticks, { autoSkip: !few, maxRotation: few ? 50 : 0 })
  }

  function update(labels, datasets, summary) {
    const hasData = datasets.some((set) => set.data.some((value) => value))
    box.hidden = !hasData
    emptyNote.hidden = hasData
    canvas.setAttribute('aria-label', `${title}: ${hasData ? summary : empty}`)
    if (kind === 'hbar') box.style.height = `${Math.max(140, labels.length * 30 + 50)}px`
    const styled = datasets.map((set) => ({
      ...set,
      backgroundColor: set.color,
      borderColor: set.color,
      maxBarThickness: 28,
    }))
    if (!hasData) return
    if (chart) {
      fitLabels(chart.options, labels.length)
      chart.data.labels = labels
      chart.data.datasets = styled
      chart.update('none')
    } else {
      const made = options()
      fitLabels(made, labels.length)
      chart = new Chart(canvas, {
        type: kind === 'hbar' ? 'bar' : kind,
        data: { labels, datasets: styled },
        options: made,
      })
    }
  }

  function destroy() {
    chart?.destroy()
    chart = null
  }

  return { el, update, destroy }
}
