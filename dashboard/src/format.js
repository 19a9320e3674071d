// Numbers and times for people: 1.2k, 3m 20s, 450 ms, 12.5%, 25 Nov 14:02 (all times UTC, as the API).

const DASH = '—'

function trim(text) {
  return text.replace(/\.0+$/, '').replace(/(\.\d*?)0+$/, '$1')
}

/** 950, 1.2k, 12k, 1.3M */
export function count(n) {
  if (n === null || n === undefined) return DASH
  const abs = Math.abs(n)
  if (abs < 1000) return String(Math.round(n * 10) / 10)
  if (abs < 10_000) return `${trim((n / 1000).toFixed(1))}k`
  if (abs < 1_000_000) return `${Math.round(n / 1000)}k`
  return `${trim((n / 1_000_000).toFixed(1))}M`
}

/** 45s, 3m 20s, 1h 5m, 2d 3h */
export function duration(seconds) {
  if (seconds === null || seconds === undefined) return DASH
  let s = Math.round(seconds)
  if (s < 60) return `${s}s`
  const d = Math.floor(s / 86400)
  s -= d * 86400
  const hh = Math.floor(s / 3600)
  s -= hh * 3600
  const m = Math.floor(s / 60)
  s -= m * 60
  if (d) return hh ? `${d}d ${hh}h` : `${d}d`
  if (hh) return m ? `${hh}h ${m}m` : `${hh}h`
  return s ? `${m}m ${s}s` : `${m}m`
}

/** 450 ms, 1.75 s, 12.5 s */
export function ms(value) {
  if (value === null || value === undefined) return DASH
  if (value < 1000) return `${Math.round(value)} ms`
  return `${trim((value / 1000).toFixed(value < 10_000 ? 2 : 1))} s`
}

/** A fraction as a percentage: 0.125 -> 12.5% */
export function percent(fraction) {
  if (fraction === null || fraction === undefined) return DASH
  const p = fraction * 100
  return `${trim(p.toFixed(Math.abs(p) < 100 ? 1 : 0))}%`
}

/** An amount of money: £1,234.50 with a currency code, 1,234.50 without (the API's amounts). Under a
 * cent it keeps two significant digits (£0.0037 a lead), rather than showing a cost as £0.00. */
export function money(amount, currency) {
  if (amount === null || amount === undefined) return DASH
  const tiny = amount !== 0 && Math.abs(amount) < 0.005
  const digits = tiny ? { maximumSignificantDigits: 2 } : { minimumFractionDigits: 2, maximumFractionDigits: 2 }
  if (currency) {
    try {
      return new Intl.NumberFormat('en-GB', { style: 'currency', currency, ...digits }).format(amount)
    } catch {
      // not a currency Intl knows: the code after the number
    }
  }
  const number = new Intl.NumberFormat('en-GB', digits).format(amount)
  return currency ? `${number} ${currency}` : number
}

export const FORMATS = { count, duration, ms, percent }

const UTC = { timeZone: 'UTC' }
const dayFormat = new Intl.DateTimeFormat('en-GB', { ...UTC, day: 'numeric', month: 'short' })
const timeFormat = new Intl.DateTimeFormat('en-GB', { ...UTC, hour: '2-digit', minute: '2-digit' })
const secondsFormat = new Intl.DateTimeFormat('en-GB', {
  ...UTC,
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
})

/** 25 Nov 14:02 */
export function when(iso) {
  if (!iso) return DASH
  const d = new Date(iso)
  return `${dayFormat.format(d)} ${timeFormat.format(d)}`
}

/** 14:02:03 */
export function clock(iso) {
  return iso ? secondsFormat.format(new Date(iso)) : DASH
}

/** The label of a series bucket: 14:00 (or 25 Nov 14:00 over several days), 25 Nov, w/c 24 Nov. */
export function bucket(iso, interval, manyDays) {
  const d = new Date(iso)
  if (interval === 'hour') return manyDays ? `${dayFormat.format(d)} ${timeFormat.format(d)}` : timeFormat.format(d)
  if (interval === 'week') return `w/c ${dayFormat.format(d)}`
  return dayFormat.format(d)
}

/** 25 Nov, from a date (2026-11-25) or a time. */
export function day(iso) {
  return iso ? dayFormat.format(new Date(iso)) : DASH
}

/** Day names, Monday first (as the API's weeks). */
export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']

/** 09:00, from an hour 0 to 24 */
export function hour(n) {
  return `${String(n).padStart(2, '0')}:00`
}

/** 25 Nov 2026 */
export function date(iso) {
  return new Intl.DateTimeFormat('en-GB', { ...UTC, dateStyle: 'medium' }).format(new Date(iso))
}

/**
 * The change from `previous` to `current`, as shown under a figure. Rates change in percentage
 * points; other figures in percent of the previous value.
 * Returns {text, direction: 'up' | 'down' | 'flat' | null, label} (label is for screen readers).
 */
export function change(current, previous, format) {
  if (current === null || current === undefined || previous === null || previous === undefined) {
    return { text: DASH, direction: null, label: 'no comparison' }
  }
  const diff = current - previous
  const direction = Math.abs(diff) < 1e-9 ? 'flat' : diff > 0 ? 'up' : 'down'
  if (direction === 'flat') return { text: 'no change', direction, label: 'unchanged' }
  const sign = direction === 'up' ? '+' : '−'
  let amount
  if (format === 'percent') {
    amount = `${trim(Math.abs(diff * 100).toFixed(1))} pp`
  } else if (previous === 0) {
    return { text: `+${FORMATS[format](current)} (new)`, direction, label: 'up from zero' }
  } else {
    const pct = Math.abs((diff / previous) * 100)
    amount = `${trim(pct.toFixed(pct < 10 ? 1 : 0))}%`
  }
  return { text: `${sign}${amount}`, direction, label: `${direction} ${amount}` }
}
